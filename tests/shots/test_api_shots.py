"""Episodes, sequences, shots, scenes and edits: reads, writes, deletes and their rights."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import Entity, EntityLink, EntityType, EntityVersion
from shots.models import Edit, Episode, Scene, Sequence, Shot
from tasks.models import PreviewFile, Task

UNKNOWN = "00000000-0000-0000-0000-000000000000"


def event_names(**filters):
    return list(ApiEvent.objects.filter(**filters).values_list("name", flat=True))


# --- GET /data/shots/{shot_id} --------------------------------------------------------


def test_shot_detail_has_board_and_entity_keys(
    team, client_for, manager, shot, sequence, episode, make_task
):
    task = make_task(shot)
    asset_type = EntityType.objects.get(name="Props")
    asset = Entity.objects.create(project=team, name="Cup", entity_type=asset_type)
    EntityLink.objects.create(entity_in=shot, entity_out=asset)
    body = client_for(manager).get(f"/api/data/shots/{shot.id}").json()
    assert body["id"] == str(shot.id)
    assert body["type"] == "Shot"
    assert body["sequence_name"] == "SQ01"
    assert body["episode_name"] == "E01"
    assert body["project_name"] == "Demo TV"
    assert body["tasks"][0]["id"] == str(task.id)
    assert body["entities_out"] == [str(asset.id)]
    assert body["entities_in"] == []
    for key in ("code", "shotgun_id", "is_shared", "status", "ready_for", "created_by"):
        assert key in body
    assert body["status"] == "running"


def test_shot_detail_errors(admin_api, anonymous_api, client_for, artist, shot):
    assert anonymous_api.get(f"/api/data/shots/{shot.id}").status_code == 401
    assert client_for(artist).get(f"/api/data/shots/{shot.id}").status_code == 403
    assert admin_api.get(f"/api/data/shots/{UNKNOWN}").status_code == 404
    response = admin_api.get("/api/data/shots/not-an-id")
    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Malformed ID.", "data": None}


def test_a_sequence_id_is_not_a_shot(admin_api, sequence):
    assert admin_api.get(f"/api/data/shots/{sequence.id}").status_code == 404


def test_vendor_reads_only_shots_they_work_on(team, client_for, vendor, make_shot, make_task):
    mine = make_shot("SH0010")
    other = make_shot("SH0020")
    make_task(mine, assignees=[vendor])
    api = client_for(vendor)
    assert api.get(f"/api/data/shots/{mine.id}").status_code == 200
    assert api.get(f"/api/data/shots/{other.id}").status_code == 403


def test_sequence_episode_scene_edit_details(admin_api, project, sequence, episode, scene):
    edit = Edit.objects.create(project=project, name="Cut", parent=episode)
    body = admin_api.get(f"/api/data/sequences/{sequence.id}").json()
    assert (body["type"], body["episode_id"], body["episode_name"]) == (
        "Sequence",
        str(episode.id),
        "E01",
    )
    assert body["project_name"] == "Demo TV"
    body = admin_api.get(f"/api/data/episodes/{episode.id}").json()
    assert (body["type"], body["project_name"]) == ("Episode", "Demo TV")
    body = admin_api.get(f"/api/data/scenes/{scene.id}").json()
    assert (body["type"], body["sequence_name"], body["episode_name"]) == ("Scene", "SQ01", "E01")
    body = admin_api.get(f"/api/data/edits/{edit.id}").json()
    assert (body["type"], body["episode_name"], body["tasks"]) == ("Edit", "E01", [])


# --- listings ---------------------------------------------------------------------------


EPISODE_KEYS = {
    "id",
    "name",
    "code",
    "description",
    "shotgun_id",
    "canceled",
    "nb_frames",
    "nb_entities_out",
    "is_casting_standby",
    "is_shared",
    "status",
    "project_id",
    "entity_type_id",
    "parent_id",
    "source_id",
    "preview_file_id",
    "data",
    "ready_for",
    "created_by",
    "created_at",
    "updated_at",
    "type",
}


def test_project_episodes_payload(team, client_for, artist, episode):
    [row] = client_for(artist).get(f"/api/data/projects/{team.id}/episodes").json()
    assert set(row) == EPISODE_KEYS
    assert (row["id"], row["type"], row["name"], row["status"]) == (
        str(episode.id),
        "Episode",
        "E01",
        "running",
    )


@pytest.mark.parametrize("kind", ["shots", "sequences", "episodes", "scenes", "edits"])
def test_project_listing_rights(
    team, other_project, client_for, artist, anonymous_api, admin_api, kind
):
    assert client_for(artist).get(f"/api/data/projects/{team.id}/{kind}").status_code == 200
    assert (
        client_for(artist).get(f"/api/data/projects/{other_project.id}/{kind}").status_code == 403
    )
    assert anonymous_api.get(f"/api/data/projects/{team.id}/{kind}").status_code == 401
    assert admin_api.get(f"/api/data/projects/{UNKNOWN}/{kind}").status_code == 404
    assert admin_api.get(f"/api/data/projects/nope/{kind}").status_code == 400


def test_shot_listing_with_filters(admin_api, project, make_shot, sequence):
    make_shot("SH0010")
    make_shot("SH0020")
    other = Sequence.objects.create(project=project, name="SQ02")
    make_shot("SH0030", parent=other)
    rows = admin_api.get("/api/data/shots", {"sequence_id": str(other.id)}).json()
    assert [(row["name"], row["sequence_name"], row["project_name"]) for row in rows] == [
        ("SH0030", "SQ02", "Demo TV")
    ]
    rows = admin_api.get("/api/data/shots/all", {"name": "SH0010"}).json()
    assert [row["name"] for row in rows] == ["SH0010"]
    assert admin_api.get("/api/data/shots", {"sequence_id": UNKNOWN}).status_code == 404
    assert admin_api.get("/api/data/shots", {"project_id": "bad"}).status_code == 400


def test_kind_listings_are_scoped_to_the_callers_projects(
    team, other_project, client_for, artist, episode, sequence
):
    Episode.objects.create(project=other_project, name="Elsewhere")
    api = client_for(artist)
    assert [row["name"] for row in api.get("/api/data/episodes").json()] == ["E01"]
    assert [row["name"] for row in api.get("/api/data/sequences").json()] == ["SQ01"]
    rows = api.get("/api/data/sequences", {"episode_id": str(episode.id)}).json()
    assert [row["id"] for row in rows] == [str(sequence.id)]
    assert api.get("/api/data/episodes", {"project_id": str(other_project.id)}).status_code == 403


def test_scene_and_edit_listings(admin_api, project, scene, episode):
    Edit.objects.create(project=project, name="Cut", parent=episode)
    [row] = admin_api.get("/api/data/scenes/all").json()
    assert (row["type"], row["sequence_name"]) == ("Scene", "SQ01")
    [row] = admin_api.get("/api/data/edits", {"episode_id": str(episode.id)}).json()
    assert (row["type"], row["project_name"]) == ("Edit", "Demo TV")
    assert len(admin_api.get("/api/data/edits/all").json()) == 1


def test_children_listings(admin_api, project, episode, sequence, scene, make_shot):
    shot = make_shot("SH0010")
    Edit.objects.create(project=project, name="Cut", parent=episode)
    get = admin_api.get
    assert [r["id"] for r in get(f"/api/data/sequences/{sequence.id}/shots").json()] == [
        str(shot.id)
    ]
    assert [r["id"] for r in get(f"/api/data/episodes/{episode.id}/shots").json()] == [str(shot.id)]
    assert [r["id"] for r in get(f"/api/data/episodes/{episode.id}/sequences").json()] == [
        str(sequence.id)
    ]
    assert [r["name"] for r in get(f"/api/data/episodes/{episode.id}/edits").json()] == ["Cut"]
    assert [r["id"] for r in get(f"/api/data/sequences/{sequence.id}/scenes").json()] == [
        str(scene.id)
    ]
    assert get(f"/api/data/episodes/{UNKNOWN}/sequences").status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_shot_listings_query_count_is_flat(
    team, client_for, artist, make_shot, sequence, count, django_assert_num_queries
):
    for number in range(count):
        make_shot(f"SH{number:04d}")
    api = client_for(artist)
    # 1 revoked-token check, 1 person, 1 project, 1 team links, 1 shots.
    with django_assert_num_queries(5):
        assert len(api.get(f"/api/data/projects/{team.id}/shots").json()) == count
    # Token, person, team links, the sequence, the shots, their names.
    with django_assert_num_queries(6):
        response = api.get("/api/data/shots", {"sequence_id": str(sequence.id)})
    assert len(response.json()) == count
    # Token, person, the sequence, team links, the shots, their names.
    with django_assert_num_queries(6):
        assert len(api.get(f"/api/data/sequences/{sequence.id}/shots").json()) == count


# --- creation ---------------------------------------------------------------------------


def test_manager_creates_a_shot_with_its_event(
    team, client_for, manager, sequence, episode, django_capture_on_commit_callbacks
):
    body = {
        "name": "SH0100",
        "sequence_id": str(sequence.id),
        "nb_frames": 50,
        "data": {"frame_in": 1, "frame_out": 50, "fps": "24"},
        "description": "new",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(
            f"/api/data/projects/{team.id}/shots", body, format="json"
        )
    assert response.status_code == 201
    row = response.json()
    assert (row["type"], row["name"], row["nb_frames"]) == ("Shot", "SH0100", 50)
    assert row["parent_id"] == str(sequence.id)
    assert row["created_by"] == str(manager.id)
    event = ApiEvent.objects.get(name="shot:new")
    assert event.data["shot_id"] == row["id"]
    assert event.data["episode_id"] == str(episode.id)
    assert str(event.project_id) == str(team.id)


def test_creating_an_existing_shot_returns_it_without_event(
    admin_api, project, shot, sequence, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"/api/data/projects/{project.id}/shots",
            {"name": "SH0010", "sequence_id": str(sequence.id)},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["id"] == str(shot.id)
    assert event_names() == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"sequence_id": None}, 400),
        ({"name": "", "sequence_id": None}, 400),
        ({"name": "X", "sequence_id": "bad-id"}, 400),
        ({"name": "X", "sequence_id": UNKNOWN}, 404),
        ({"name": "X", "nb_frames": "many"}, 400),
        ({"name": "X", "data": [1, 2]}, 400),
    ],
)
def test_bad_shot_bodies(admin_api, project, body, status):
    response = admin_api.post(f"/api/data/projects/{project.id}/shots", body, format="json")
    assert response.status_code == status
    assert not Shot.objects.exists()


def test_sequence_of_another_project_is_a_400(admin_api, project, other_project):
    foreign = Sequence.objects.create(project=other_project, name="SQX")
    response = admin_api.post(
        f"/api/data/projects/{project.id}/shots",
        {"name": "SH1", "sequence_id": str(foreign.id)},
        format="json",
    )
    assert response.status_code == 400
    assert "project" in response.json()["message"]


def test_creation_rights(team, other_project, client_for, join, make_person, anonymous_api):
    outsider_manager = make_person("manager")
    url = f"/api/data/projects/{team.id}/episodes"
    for role in ("user", "supervisor", "client", "vendor"):
        person = make_person(role)
        join(team, person)
        assert client_for(person).post(url, {"name": "E9"}, format="json").status_code == 403
    assert client_for(outsider_manager).post(url, {"name": "E9"}, format="json").status_code == 403
    assert anonymous_api.post(url, {"name": "E9"}, format="json").status_code == 401
    promoted = make_person("user")
    join(team, promoted, role="manager")
    assert client_for(promoted).post(url, {"name": "E9"}, format="json").status_code == 201


def test_creating_each_kind_emits_its_event(
    admin_api, project, episode, sequence, django_capture_on_commit_callbacks
):
    base = f"/api/data/projects/{project.id}"
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_api.post(f"{base}/episodes", {"name": "E02"}, format="json").status_code == 201
        response = admin_api.post(
            f"{base}/sequences", {"name": "SQ09", "episode_id": str(episode.id)}, format="json"
        )
        assert response.json()["parent_id"] == str(episode.id)
        response = admin_api.post(
            f"{base}/scenes", {"name": "SC9", "sequence_id": str(sequence.id)}, format="json"
        )
        assert response.json()["type"] == "Scene"
        response = admin_api.post(
            f"{base}/edits", {"name": "Cut", "episode_id": str(episode.id)}, format="json"
        )
        assert response.json()["type"] == "Edit"
    assert sorted(event_names()) == ["edit:new", "episode:new", "scene:new", "sequence:new"]
    assert ApiEvent.objects.get(name="edit:new").data["parent_id"] == str(episode.id)


# --- update -------------------------------------------------------------------------------


def test_manager_updates_frames_and_a_version_is_recorded(
    team, client_for, manager, shot, django_capture_on_commit_callbacks
):
    body = {
        "nb_frames": 60,
        "data": {"frame_in": 1001, "frame_out": 1060, "fps": "24"},
        "tasks": [],
        "sequence_name": "ignored",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).put(f"/api/data/shots/{shot.id}", body, format="json")
    assert response.status_code == 200
    assert response.json()["nb_frames"] == 60
    shot.refresh_from_db()
    assert shot.data["frame_out"] == 1060
    assert event_names() == ["shot:update"]
    versions = client_for(manager).get(f"/api/data/shots/{shot.id}/versions").json()
    assert len(versions) == 1
    assert versions[0]["type"] == "ShotVersion"
    assert versions[0]["data"]["frame_out"] == 1060
    assert versions[0]["person_id"] == str(manager.id)


def test_description_change_records_no_version(admin_api, shot):
    admin_api.put(f"/api/data/shots/{shot.id}", {"description": "new"}, format="json")
    assert not EntityVersion.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{"nb_frames": -3}, {"data": "x"}, {"name": ""}, {"canceled": "yes"}, {"parent_id": "x"}],
)
def test_bad_update_bodies(admin_api, shot, body):
    assert admin_api.put(f"/api/data/shots/{shot.id}", body, format="json").status_code == 400


def test_update_rights(team, client_for, artist, anonymous_api, admin_api, shot):
    url = f"/api/data/shots/{shot.id}"
    assert client_for(artist).put(url, {"nb_frames": 2}, format="json").status_code == 403
    assert anonymous_api.put(url, {"nb_frames": 2}, format="json").status_code == 401
    assert admin_api.put(f"/api/data/shots/{UNKNOWN}", {}, format="json").status_code == 404


# --- deletion -------------------------------------------------------------------------------


def test_deleting_a_shot_with_tasks_cancels_it(
    admin_api, shot, make_task, django_capture_on_commit_callbacks
):
    make_task(shot)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.delete(f"/api/data/shots/{shot.id}")
    assert response.status_code == 204
    shot.refresh_from_db()
    assert shot.canceled is True
    assert event_names() == ["shot:update"]


def test_force_delete_removes_tasks_previews_and_links(
    admin_api, shot, make_task, django_capture_on_commit_callbacks
):
    task = make_task(shot)
    PreviewFile.objects.create(task=task, revision=1, extension="mp4")
    EntityVersion.objects.create(name="v", entity=shot)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.delete(f"/api/data/shots/{shot.id}?force=true")
    assert response.status_code == 204
    assert not Shot.objects.filter(pk=shot.pk).exists()
    assert not Task.objects.exists()
    assert not PreviewFile.objects.exists()
    # The task goes first, with its own event.
    assert sorted(event_names()) == ["shot:delete", "task:delete"]


def test_sequence_with_shots_needs_force(
    admin_api, sequence, make_shot, make_task, django_capture_on_commit_callbacks
):
    shot = make_shot()
    make_task(shot)
    assert admin_api.delete(f"/api/data/sequences/{sequence.id}").status_code == 400
    assert Sequence.objects.filter(pk=sequence.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_api.delete(f"/api/data/sequences/{sequence.id}?force=true").status_code == 204
    assert not Entity.objects.filter(pk__in=[sequence.pk, shot.pk]).exists()
    assert sorted(event_names()) == ["sequence:delete", "shot:delete", "task:delete"]


def test_delete_rights(team, client_for, artist, manager, make_shot, join, make_person):
    shot = make_shot("SH0010")
    assert client_for(artist).delete(f"/api/data/shots/{shot.id}").status_code == 403
    own = make_shot("SH0020", created_by=artist.pk)
    assert client_for(artist).delete(f"/api/data/shots/{own.id}").status_code == 204
    outsider = make_person("manager")
    assert client_for(outsider).delete(f"/api/data/shots/{shot.id}").status_code == 403
    assert client_for(manager).delete(f"/api/data/shots/{shot.id}").status_code == 204
    assert client_for(manager).delete(f"/api/data/shots/{UNKNOWN}").status_code == 404


@pytest.mark.parametrize("kind", ["episodes", "scenes", "edits"])
def test_other_kinds_are_deleted(admin_api, project, episode, scene, kind):
    entity = {
        "episodes": Episode.objects.create(project=project, name="E99"),
        "scenes": scene,
        "edits": Edit.objects.create(project=project, name="Cut"),
    }[kind]
    assert admin_api.delete(f"/api/data/{kind}/{entity.id}").status_code == 204
    assert not Entity.objects.filter(pk=entity.pk).exists()


# --- scenes -----------------------------------------------------------------------------


def test_link_and_unlink_a_shot_to_a_scene(
    admin_api, scene, shot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"/api/data/scenes/{scene.id}/shots", {"shot_id": str(shot.id)}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["source_id"] == str(scene.id)
    assert [row["id"] for row in admin_api.get(f"/api/data/scenes/{scene.id}/shots").json()] == [
        str(shot.id)
    ]
    assert "shot:add-to-scene" in event_names()
    assert admin_api.delete(f"/api/data/scenes/{scene.id}/shots/{shot.id}").status_code == 204
    shot.refresh_from_db()
    assert shot.source_id is None
    assert (
        admin_api.post(f"/api/data/scenes/{scene.id}/shots", {}, format="json").status_code == 400
    )


def test_artist_cannot_link_shots_to_scenes(team, client_for, artist, scene, shot):
    response = client_for(artist).post(
        f"/api/data/scenes/{scene.id}/shots", {"shot_id": str(shot.id)}, format="json"
    )
    assert response.status_code == 403


# --- tasks and friends ---------------------------------------------------------------------


def test_shot_tasks_carry_names(team, client_for, artist, shot, make_task, workflow):
    task = make_task(shot, assignees=[artist])
    api = client_for(artist)
    [row] = api.get(f"/api/data/shots/{shot.id}/tasks").json()
    assert row["id"] == str(task.id)
    assert row["type"] == "Task"
    assert (row["task_type_name"], row["task_status_name"]) == ("Layout", "Todo")
    assert (row["entity_name"], row["entity_type_name"], row["project_name"]) == (
        "SH0010",
        "Shot",
        "Demo TV",
    )
    assert "assignees" not in row
    [row] = api.get(f"/api/data/shots/{shot.id}/tasks", {"relations": "true"}).json()
    assert row["assignees"] == [str(artist.id)]
    [task_type] = api.get(f"/api/data/shots/{shot.id}/task-types").json()
    assert (task_type["id"], task_type["type"]) == (str(workflow["layout"].id), "TaskType")


@pytest.mark.parametrize("kind", ["sequences", "episodes", "scenes", "edits"])
def test_entity_tasks_and_task_types(admin_api, project, make_task, workflow, kind):
    model = {"sequences": Sequence, "episodes": Episode, "scenes": Scene, "edits": Edit}[kind]
    entity = model.objects.create(project=project, name="X")
    task = make_task(entity)
    assert [r["id"] for r in admin_api.get(f"/api/data/{kind}/{entity.id}/tasks").json()] == [
        str(task.id)
    ]
    rows = admin_api.get(f"/api/data/{kind}/{entity.id}/task-types").json()
    assert [r["name"] for r in rows] == ["Layout"]
    assert admin_api.get(f"/api/data/{kind}/{UNKNOWN}/tasks").status_code == 404


def test_shot_tasks_of_sequence_and_episode(
    team, client_for, manager, vendor, episode, sequence, shot, make_task
):
    task = make_task(shot, assignees=[vendor])
    api = client_for(manager)
    for url in (
        f"/api/data/sequences/{sequence.id}/shot-tasks",
        f"/api/data/episodes/{episode.id}/shot-tasks",
    ):
        assert [row["id"] for row in api.get(url).json()] == [str(task.id)]
        assert client_for(vendor).get(url).status_code == 403


def test_asset_and_edit_tasks_of_an_episode(admin_api, project, episode, make_task, workflow):
    props = EntityType.objects.get(name="Props")
    asset = Entity.objects.create(project=project, name="Cup", entity_type=props, source=episode)
    edit = Edit.objects.create(project=project, name="Cut", parent=episode)
    asset_task = make_task(asset)
    edit_task = make_task(edit)
    rows = admin_api.get(f"/api/data/episodes/{episode.id}/asset-tasks").json()
    assert [row["id"] for row in rows] == [str(asset_task.id)]
    rows = admin_api.get(f"/api/data/episodes/{episode.id}/edit-tasks").json()
    assert [row["id"] for row in rows] == [str(edit_task.id)]


def test_preview_files_grouped_by_task_type(admin_api, shot, make_task, workflow):
    task = make_task(shot)
    old = PreviewFile.objects.create(task=task, revision=1, extension="mp4", status="ready")
    new = PreviewFile.objects.create(task=task, revision=2, extension="mp4", status="ready")
    body = admin_api.get(f"/api/data/shots/{shot.id}/preview-files").json()
    assert list(body) == [str(workflow["layout"].id)]
    rows = body[str(workflow["layout"].id)]
    assert [row["id"] for row in rows] == [str(new.id), str(old.id)]
    assert set(rows[0]) >= {"revision", "extension", "status", "previews", "task_id"}


def test_edit_versions_and_previews(admin_api, project):
    edit = Edit.objects.create(project=project, name="Cut")
    EntityVersion.objects.create(name="Cut", entity=edit, data={"a": 1})
    [row] = admin_api.get(f"/api/data/edits/{edit.id}/versions").json()
    assert row["type"] == "EditVersion"
    assert admin_api.get(f"/api/data/edits/{edit.id}/preview-files").json() == {}


def test_shot_assets_lists_the_casting(admin_api, project, shot):
    props = EntityType.objects.get(name="Props")
    cup = Entity.objects.create(project=project, name="Cup", entity_type=props)
    gone = Entity.objects.create(project=project, name="Old", entity_type=props, canceled=True)
    EntityLink.objects.create(entity_in=shot, entity_out=cup, nb_occurences=2, label="fixed")
    EntityLink.objects.create(entity_in=shot, entity_out=gone)
    [row] = admin_api.get(f"/api/data/shots/{shot.id}/assets").json()
    assert row == {
        "asset_id": str(cup.id),
        "asset_name": "Cup",
        "asset_type_name": "Props",
        "ready_for": None,
        "episode_id": None,
        "preview_file_id": None,
        "nb_occurences": 2,
        "label": "fixed",
        "is_shared": False,
        "project_id": str(project.id),
    }


# --- statistics and actions ----------------------------------------------------------------


def test_episode_stats(team, client_for, manager, episode, make_shot, make_task, workflow):
    first = make_shot("SH0010", nb_frames=10)
    second = make_shot("SH0020", nb_frames=20)
    make_task(first, status=workflow["done"])
    make_task(second, status=workflow["done"])
    body = client_for(manager).get(f"/api/data/projects/{team.id}/episodes/stats").json()
    layout, done = str(workflow["layout"].id), str(workflow["done"].id)
    expected = {"name": "done", "color": workflow["done"].color, "count": 2, "frames": 30}
    assert body[str(episode.id)][layout][done] == expected
    assert body["all"]["all"][done] == expected


def test_episode_retake_stats(team, client_for, manager, episode, make_shot, make_task, workflow):
    make_task(make_shot("SH0010", nb_frames=10), status=workflow["retake"], retake_count=1)
    make_task(make_shot("SH0020", nb_frames=20), status=workflow["done"])
    body = client_for(manager).get(f"/api/data/projects/{team.id}/episodes/retake-stats").json()
    entry = body[str(episode.id)]["all"]
    assert entry["max_retake_count"] == 1
    assert entry["retake"] == {"count": 1, "frames": 10}
    assert entry["done"] == {"count": 1, "frames": 20}
    assert entry["evolution"]["1"]["retake"] == {"count": 1, "frames": 10}
    assert body["all"]["all"]["done"]["count"] == 1


def test_stats_rights(team, other_project, client_for, artist, client_person):
    assert client_for(artist).get(f"/api/data/projects/{team.id}/episodes/stats").status_code == 200
    url = f"/api/data/projects/{team.id}/episodes/stats"
    assert client_for(client_person).get(url).status_code == 200
    team.is_client_stats_visible = False
    team.save()
    assert client_for(client_person).get(url).status_code == 403
    url = f"/api/data/projects/{other_project.id}/episodes/retake-stats"
    assert client_for(artist).get(url).status_code == 403


def test_set_shot_nb_frames_from_latest_previews(
    team, client_for, manager, artist, shot, make_task, workflow, django_capture_on_commit_callbacks
):
    task = make_task(shot)
    PreviewFile.objects.create(task=task, revision=1, extension="mp4", duration=1.0)
    PreviewFile.objects.create(task=task, revision=2, extension="mp4", duration=2.5)
    url = f"/api/actions/projects/{team.id}/task-types/{workflow['layout'].id}/set-shot-nb-frames"
    assert client_for(artist).post(url, {}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json() == [{"id": str(shot.id), "nb_frames": 60}]
    shot.refresh_from_db()
    assert shot.nb_frames == 60
    assert event_names() == ["shot:update"]
    missing = f"/api/actions/projects/{team.id}/task-types/{uuid.uuid4()}/set-shot-nb-frames"
    assert client_for(manager).post(missing, {}, format="json").status_code == 404
