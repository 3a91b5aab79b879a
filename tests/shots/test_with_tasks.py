"""The main tables: /data/shots/with-tasks and the sequence, episode, scene and edit ones."""

import json

import pytest

from shots.models import Edit, Episode, Scene, Sequence, Shot
from shots.with_tasks import SHOT_FIELDS, SHOT_TASK_FIELDS
from tasks.models import Subscription, Task

SHOTS = "/api/data/shots/with-tasks"


def test_shot_row_has_the_reference_keys_and_values(
    team, admin, client_for, shot, sequence, episode, scene, make_task, workflow, vendor
):
    shot.source = scene
    shot.nb_entities_out = 2
    shot.save()
    task = make_task(shot, status=workflow["wip"], assignees=[vendor], duration=30.0)
    Subscription.objects.create(person=admin, task=task)
    response = client_for(admin).get(SHOTS, {"project_id": str(team.id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    [row] = response.json()
    assert list(row) == list(SHOT_FIELDS)
    assert row["id"] == str(shot.id)
    assert row["name"] == "SH0010"
    assert row["data"] == {"fps": "24", "frame_in": 1001, "frame_out": 1048}
    assert (row["fps"], row["frame_in"], row["frame_out"]) == ("24", 1001, 1048)
    assert row["nb_frames"] == 48
    assert row["sequence_id"] == row["parent_id"] == str(sequence.id)
    assert row["sequence_name"] == "SQ01"
    assert (row["episode_id"], row["episode_name"]) == (str(episode.id), "E01")
    assert (row["project_id"], row["project_name"]) == (str(team.id), "Demo TV")
    assert row["source_id"] == str(scene.id)
    assert row["nb_entities_out"] == 2
    assert row["preview_file_id"] is None
    assert row["type"] == "Shot"
    [task_row] = row["tasks"]
    assert list(task_row) == list(SHOT_TASK_FIELDS)
    assert task_row["id"] == str(task.id)
    assert task_row["assignees"] == [str(vendor.id)]
    assert task_row["is_subscribed"] is True
    assert task_row["task_status_id"] == str(workflow["wip"].id)
    assert task_row["duration"] == 30.0
    assert task_row["priority"] == 0


def test_shot_without_episode_has_empty_episode_name(admin_api, project, make_shot):
    sequence = Sequence.objects.create(project=project, name="SQ09")
    make_shot(parent=sequence)
    [row] = admin_api.get(SHOTS, {"project_id": str(project.id)}).json()
    assert row["episode_id"] is None
    assert row["episode_name"] == ""


def test_compact_answer_has_header_and_positional_rows(admin_api, project, shot, make_task):
    task = make_task(shot)
    body = admin_api.get(SHOTS, {"project_id": str(project.id), "compact": "true"}).json()
    assert body["compact"] is True
    assert body["shot_fields"] == list(SHOT_FIELDS)
    assert body["task_fields"] == list(SHOT_TASK_FIELDS)
    [row] = body["rows"]
    assert row[SHOT_FIELDS.index("id")] == str(shot.id)
    tasks = row[SHOT_FIELDS.index("tasks")]
    assert tasks[0][SHOT_TASK_FIELDS.index("id")] == str(task.id)
    assert tasks[0][SHOT_TASK_FIELDS.index("assignees")] == []


def test_stream_answer_is_ndjson_header_then_rows(admin_api, project, make_shot):
    make_shot("SH0010")
    make_shot("SH0020")
    response = admin_api.get(
        SHOTS, {"project_id": str(project.id), "compact": "true", "stream": "true"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().splitlines()
    header = json.loads(lines[0])
    assert header == {
        "compact": True,
        "shot_fields": list(SHOT_FIELDS),
        "task_fields": list(SHOT_TASK_FIELDS),
    }
    names = [json.loads(line)[SHOT_FIELDS.index("name")] for line in lines[1:]]
    assert names == ["SH0010", "SH0020"]


def test_etag_gives_304_until_data_changes(admin_api, project, shot):
    params = {"project_id": str(project.id)}
    first = admin_api.get(SHOTS, params)
    etag = first["ETag"]
    assert etag.startswith('"')
    again = admin_api.get(SHOTS, params, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    shot.nb_frames = 12
    shot.save()
    changed = admin_api.get(SHOTS, params, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()[0]["nb_frames"] == 12


def test_episode_filter(admin_api, project, make_shot, episode):
    make_shot("SH0010")
    other_episode = Episode.objects.create(project=project, name="E02")
    other_sequence = Sequence.objects.create(project=project, name="SQ02", parent=other_episode)
    make_shot("SH0500", parent=other_sequence)
    params = {"project_id": str(project.id)}
    rows = admin_api.get(SHOTS, {**params, "episode_id": str(other_episode.id)}).json()
    assert [row["name"] for row in rows] == ["SH0500"]
    rows = admin_api.get(SHOTS, {**params, "episode_id": "all"}).json()
    assert len(rows) == 2


# --- roles ----------------------------------------------------------------------------


def test_anonymous_gets_401(anonymous_api, project):
    assert anonymous_api.get(SHOTS, {"project_id": str(project.id)}).status_code == 401


@pytest.mark.parametrize("role", ["manager", "supervisor", "user", "client", "vendor"])
def test_outsider_gets_403(client_for, make_person, project, role):
    response = client_for(make_person(role)).get(SHOTS, {"project_id": str(project.id)})
    assert response.status_code == 403


def test_malformed_project_id_is_400(admin_api):
    response = admin_api.get(SHOTS, {"project_id": "nope"})
    assert response.status_code == 400
    assert response.json()["message"] == "Malformed ID."


@pytest.mark.parametrize("role", ["manager", "supervisor", "artist", "client_person"])
def test_team_members_see_every_shot(request, team, client_for, make_shot, role):
    make_shot("SH0010")
    make_shot("SH0020")
    person = request.getfixturevalue(role)
    rows = client_for(person).get(SHOTS, {"project_id": str(team.id)}).json()
    assert [row["name"] for row in rows] == ["SH0010", "SH0020"]


def test_without_project_lists_only_the_callers_projects(
    team, other_project, client_for, artist, make_shot
):
    make_shot("SH0010")
    foreign_sequence = Sequence.objects.create(project=other_project, name="SQX")
    Shot.objects.create(project=other_project, name="SHX", parent=foreign_sequence)
    rows = client_for(artist).get(SHOTS).json()
    assert [row["name"] for row in rows] == ["SH0010"]


def test_vendor_sees_only_shots_with_their_tasks(
    team, client_for, vendor, artist, make_shot, make_task, workflow
):
    mine = make_shot("SH0010")
    theirs = make_shot("SH0020")
    own_task = make_task(mine, assignees=[vendor])
    make_task(mine, task_type=workflow["animation"], assignees=[artist])
    make_task(theirs, assignees=[artist])
    rows = client_for(vendor).get(SHOTS, {"project_id": str(team.id)}).json()
    assert [row["name"] for row in rows] == ["SH0010"]
    assert [task["id"] for task in rows[0]["tasks"]] == [str(own_task.id)]


def test_client_does_not_see_task_types_hidden_from_clients(
    team, client_for, client_person, shot, make_task, workflow
):
    from productions.models import ProjectTaskTypeLink

    visible = make_task(shot, task_type=workflow["layout"])
    make_task(shot, task_type=workflow["animation"])
    ProjectTaskTypeLink.objects.create(
        project=team, task_type=workflow["animation"], is_client_visible=False
    )
    [row] = client_for(client_person).get(SHOTS, {"project_id": str(team.id)}).json()
    assert [task["id"] for task in row["tasks"]] == [str(visible.id)]


# --- other tables ---------------------------------------------------------------------


def test_sequences_with_tasks_shape(admin_api, project, sequence, episode, make_task, workflow):
    task = make_task(sequence, task_type=workflow["layout"])
    response = admin_api.get("/api/data/sequences/with-tasks", {"project_id": str(project.id)})
    [row] = response.json()
    assert list(row) == [
        "id",
        "name",
        "status",
        "episode_id",
        "description",
        "frame_in",
        "frame_out",
        "fps",
        "preview_file_id",
        "canceled",
        "data",
        "tasks",
    ]
    assert row["id"] == str(sequence.id)
    assert row["status"] == "running"
    assert row["episode_id"] == str(episode.id)
    assert row["preview_file_id"] == ""
    assert row["data"] == {}
    assert row["tasks"][0]["id"] == str(task.id)


def test_episodes_and_scenes_with_tasks(admin_api, project, episode, scene):
    params = {"project_id": str(project.id)}
    episodes = admin_api.get("/api/data/episodes/with-tasks", params).json()
    assert [row["name"] for row in episodes] == ["E01"]
    scenes = admin_api.get("/api/data/scenes/with-tasks", params).json()
    assert [row["id"] for row in scenes] == [str(scene.id)]


def test_edits_with_tasks_shape(admin_api, project, episode, make_task, workflow):
    edit = Edit.objects.create(project=project, name="Cut", parent=episode, data={})
    make_task(edit, task_type=workflow["layout"])
    [row] = admin_api.get("/api/data/edits/with-tasks", {"project_id": str(project.id)}).json()
    assert row["type"] == "Edit"
    assert row["episode_id"] == str(episode.id)
    assert row["episode_name"] == "E01"
    assert row["project_name"] == "Demo TV"
    assert set(row["tasks"][0]) >= {"id", "assignees", "is_subscribed", "task_status_id"}


def test_scene_board_other_project_is_403(client_for, artist, other_project):
    Scene.objects.create(project=other_project, name="S")
    response = client_for(artist).get(
        "/api/data/scenes/with-tasks", {"project_id": str(other_project.id)}
    )
    assert response.status_code == 403


# --- query counts ---------------------------------------------------------------------


def _populate(project, sequence, count, make_task, workflow, people):
    for number in range(count):
        shot = Shot.objects.create(
            project=project, name=f"SH{number:04d}", parent=sequence, data={"fps": "24"}
        )
        make_task(shot, task_type=workflow["layout"], assignees=people)
        make_task(shot, task_type=workflow["animation"], assignees=people)


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("params", [{}, {"compact": "true"}, {"compact": "true", "stream": "true"}])
def test_shots_board_query_count_is_flat(
    team,
    client_for,
    manager,
    artist,
    sequence,
    make_task,
    workflow,
    count,
    params,
    django_assert_num_queries,
):
    _populate(team, sequence, count, make_task, workflow, [artist])
    api = client_for(manager)
    # 1 revoked-token check, 1 person of the token, 1 team links of the caller,
    # 1 shots with their names, 1 tasks, 1 assignees, 1 subscriptions.
    with django_assert_num_queries(7):
        response = api.get(SHOTS, {"project_id": str(team.id), **params})
        if params.get("stream"):
            body = b"".join(response.streaming_content)
            assert body.count(b"\n") == count + 1
        elif params:
            assert len(response.json()["rows"]) == count
        else:
            assert len(response.json()) == count


@pytest.mark.parametrize("count", [1, 50])
def test_vendor_shots_board_query_count_is_flat(
    team, client_for, vendor, sequence, make_task, workflow, count, django_assert_num_queries
):
    _populate(team, sequence, count, make_task, workflow, [vendor])
    api = client_for(vendor)
    # The staff count, plus the metadata columns, their departments and the
    # vendor's departments, which decide the data keys a vendor may read.
    with django_assert_num_queries(10):
        response = api.get(SHOTS, {"project_id": str(team.id)})
    assert len(response.json()) == count


def test_vendor_does_not_read_columns_of_other_departments(
    team, client_for, vendor, sequence, make_task, workflow
):
    from people.models import Department
    from productions.models import MetadataDescriptor

    _populate(team, sequence, 1, make_task, workflow, [vendor])
    shot = Shot.objects.get(parent=sequence)
    shot.data = {"budget": "10k", "look": "warm", "notes": "ok"}
    shot.save()
    Task.objects.filter(entity=shot).update(data={"budget": "2 days", "look": "soft"})
    own = Department.objects.create(name="FX vendor", color="#111111")
    other = Department.objects.create(name="Finance", color="#222222")
    vendor.departments.add(own)
    for field_name, department in (("budget", other), ("look", own), ("notes", None)):
        descriptor = MetadataDescriptor.objects.create(
            project=team, entity_type="Shot", name=field_name, field_name=field_name
        )
        if department is not None:
            descriptor.departments.add(department)

    api = client_for(vendor)
    (row,) = api.get(SHOTS, {"project_id": str(team.id)}).json()
    assert row["data"] == {"look": "warm", "notes": "ok"}
    # The single-entity and plain list routes hide the same columns.
    assert api.get(f"/api/data/shots/{shot.id}").json()["data"] == {"look": "warm", "notes": "ok"}
    listed = api.get("/api/data/shots", {"project_id": str(team.id)}).json()
    assert [entry["data"] for entry in listed] == [{"look": "warm", "notes": "ok"}]
    entity = api.get(f"/api/data/entities/{shot.id}").json()
    assert entity["data"] == {"look": "warm", "notes": "ok"}
    # Tasks carry the same columns in their data.
    assert [task["data"] for task in row["tasks"]] == [{"look": "soft"}] * 2
    tasks = api.get("/api/data/tasks", {"entity_id": str(shot.id)}).json()
    assert [task["data"] for task in tasks] == [{"look": "soft"}] * 2


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("kind", ["sequences", "episodes", "scenes", "edits"])
@pytest.mark.parametrize("params", [{}, {"compact": "true"}, {"compact": "true", "stream": "true"}])
def test_other_boards_query_count_is_flat(
    team,
    client_for,
    manager,
    make_task,
    workflow,
    count,
    kind,
    params,
    django_assert_num_queries,
):
    model = {"sequences": Sequence, "episodes": Episode, "scenes": Scene, "edits": Edit}[kind]
    parent = None
    if kind == "scenes":
        parent = Sequence.objects.create(project=team, name="SQ")
    for number in range(count):
        entity = model.objects.create(project=team, name=f"E{number:03d}", parent=parent)
        make_task(entity, task_type=workflow["layout"])
    api = client_for(manager)
    with django_assert_num_queries(7):
        response = api.get(f"/api/data/{kind}/with-tasks", {"project_id": str(team.id), **params})
        if params.get("stream"):
            assert b"".join(response.streaming_content).count(b"\n") == count + 1
        elif params:
            assert len(response.json()["rows"]) == count
        else:
            assert len(response.json()) == count
