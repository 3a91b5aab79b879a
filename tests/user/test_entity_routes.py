"""The caller's work on entities: /data/user/{assets,shots,scenes,sequences}/... and
/data/user/projects/{project_id}/{asset-types,episodes,sequences}."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shots.models import Shot
from tasks.models import Task, TaskType

TASK_KEYS = [
    "name",
    "description",
    "priority",
    "difficulty",
    "duration",
    "estimation",
    "completion_rate",
    "retake_count",
    "sort_order",
    "start_date",
    "due_date",
    "real_start_date",
    "end_date",
    "done_date",
    "last_comment_date",
    "nb_assets_ready",
    "data",
    "nb_drawings",
    "shotgun_id",
    "last_preview_file_id",
    "project_id",
    "task_type_id",
    "task_status_id",
    "entity_id",
    "assigner_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]
ENTITY_KEYS = [
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
    "id",
    "created_at",
    "updated_at",
    "type",
]


def get(client_for, person, url, status=200):
    response = client_for(person).get(url)
    assert response.status_code == status, response.content
    return response.json()


def assign(production, entity, task_type, person):
    task = Task.objects.create(
        project=production.project,
        entity=entity,
        task_type=task_type,
        task_status=production.workflow.todo,
    )
    task.assignees.add(person)
    return task


# --- tasks and task types on one entity ----------------------------------------------


def test_asset_tasks_of_the_caller(client_for, artist, production):
    rows = get(client_for, artist, f"/api/data/user/assets/{production.hero.id}/tasks")

    assert [row["id"] for row in rows] == [str(production.model_hero.id)]
    assert list(rows[0]) == TASK_KEYS
    assert rows[0]["type"] == "Task"


def test_asset_task_types_of_the_caller(client_for, artist, production):
    rows = get(client_for, artist, f"/api/data/user/assets/{production.hero.id}/task-types")

    assert [(row["name"], row["type"]) for row in rows] == [("Modeling", "TaskType")]
    assert row_keys_are_task_type(rows[0])


def row_keys_are_task_type(row):
    return set(row) == {
        "name",
        "short_name",
        "description",
        "color",
        "priority",
        "for_entity",
        "allow_timelog",
        "archived",
        "shotgun_id",
        "department_id",
        "id",
        "created_at",
        "updated_at",
        "type",
    }


def test_shot_tasks_and_task_types(client_for, artist, production):
    shot = production.shot2
    rows = get(client_for, artist, f"/api/data/user/shots/{shot.id}/tasks")
    task_types = get(client_for, artist, f"/api/data/user/shots/{shot.id}/task-types")

    assert {row["id"] for row in rows} == {
        str(production.layout_sh2.id),
        str(production.anim_sh2.id),
    }
    assert {row["name"] for row in task_types} == {"Layout", "Animation"}


def test_scene_and_sequence_tasks(client_for, artist, production):
    layout = production.workflow.layout
    scene_task = assign(production, production.scene, layout, artist)
    sequence_type = TaskType.objects.create(name="Storyboard", for_entity="Sequence")
    sequence_task = assign(production, production.sequence, sequence_type, artist)
    scene, sequence = production.scene.id, production.sequence.id

    assert [r["id"] for r in get(client_for, artist, f"/api/data/user/scenes/{scene}/tasks")] == [
        str(scene_task.id)
    ]
    assert [
        r["name"] for r in get(client_for, artist, f"/api/data/user/scenes/{scene}/task-types")
    ] == ["Layout"]
    assert [
        r["id"] for r in get(client_for, artist, f"/api/data/user/sequences/{sequence}/tasks")
    ] == [str(sequence_task.id)]
    assert [
        r["name"]
        for r in get(client_for, artist, f"/api/data/user/sequences/{sequence}/task-types")
    ] == ["Storyboard"]


def test_other_peoples_tasks_are_not_listed(client_for, supervisor, production):
    assert get(client_for, supervisor, f"/api/data/user/shots/{production.shot1.id}/tasks") == []
    assert (
        get(client_for, supervisor, f"/api/data/user/shots/{production.shot1.id}/task-types") == []
    )


def test_tasks_of_closed_projects_are_not_listed(client_for, artist, production, closed_status):
    production.project.project_status = closed_status
    production.project.save()

    assert get(client_for, artist, f"/api/data/user/shots/{production.shot1.id}/tasks") == []


@pytest.mark.parametrize(
    ("prefix", "attribute"),
    [("assets", "shot1"), ("shots", "hero"), ("scenes", "shot1"), ("sequences", "episode")],
)
def test_entity_of_another_kind_gives_404(client_for, artist, production, prefix, attribute):
    entity = getattr(production, attribute)

    get(client_for, artist, f"/api/data/user/{prefix}/{entity.id}/tasks", status=404)
    get(client_for, artist, f"/api/data/user/{prefix}/{entity.id}/task-types", status=404)


@pytest.mark.parametrize("prefix", ["assets", "shots", "scenes", "sequences"])
def test_entity_routes_errors(client_for, anonymous_api, outsider, artist, production, prefix):
    entity = {
        "assets": production.hero,
        "shots": production.shot1,
        "scenes": production.scene,
        "sequences": production.sequence,
    }[prefix]

    assert anonymous_api.get(f"/api/data/user/{prefix}/{entity.id}/tasks").status_code == 401
    get(client_for, outsider, f"/api/data/user/{prefix}/{entity.id}/tasks", status=403)
    get(client_for, outsider, f"/api/data/user/{prefix}/{entity.id}/task-types", status=403)
    get(client_for, artist, f"/api/data/user/{prefix}/{uuid.uuid4()}/tasks", status=404)
    body = get(client_for, artist, f"/api/data/user/{prefix}/not-an-id/tasks", status=400)
    assert body["message"] == "Malformed ID."


def test_admin_reads_entity_routes_of_any_project(client_for, admin, production):
    production.anim_sh1.assignees.add(admin)

    rows = get(client_for, admin, f"/api/data/user/shots/{production.shot1.id}/tasks")

    assert [row["id"] for row in rows] == [str(production.anim_sh1.id)]


# --- breakdown items the caller works on ------------------------------------------------


def test_project_asset_types_and_assets(client_for, artist, production):
    project_id = production.project.id
    asset_types = get(client_for, artist, f"/api/data/user/projects/{project_id}/asset-types")
    assets = get(
        client_for,
        artist,
        f"/api/data/user/projects/{project_id}/asset-types/{production.characters.id}/assets",
    )

    assert [(row["name"], row["type"]) for row in asset_types] == [("Characters", "AssetType")]
    assert list(asset_types[0]) == [
        "name",
        "short_name",
        "description",
        "archived",
        "id",
        "created_at",
        "updated_at",
        "type",
    ]
    assert [(row["name"], row["type"]) for row in assets] == [("Hero", "Asset")]
    assert list(assets[0]) == ENTITY_KEYS


def test_project_episodes_and_sequences(client_for, artist, production):
    project_id = production.project.id
    episodes = get(client_for, artist, f"/api/data/user/projects/{project_id}/episodes")
    sequences = get(client_for, artist, f"/api/data/user/projects/{project_id}/sequences")

    assert [(row["id"], row["type"]) for row in episodes] == [
        (str(production.episode.id), "Episode")
    ]
    assert [(row["id"], row["type"]) for row in sequences] == [
        (str(production.sequence.id), "Sequence")
    ]
    assert list(sequences[0]) == ENTITY_KEYS


def test_sequence_shots_and_scenes(client_for, artist, production):
    assign(production, production.scene, production.workflow.layout, artist)
    sequence_id = production.sequence.id

    shots = get(client_for, artist, f"/api/data/user/sequences/{sequence_id}/shots")
    scenes = get(client_for, artist, f"/api/data/user/sequences/{sequence_id}/scenes")

    assert [(row["name"], row["type"]) for row in shots] == [("SH0010", "Shot"), ("SH0020", "Shot")]
    assert [(row["name"], row["type"]) for row in scenes] == [("SC01", "Scene")]


def test_breakdown_lists_are_empty_for_a_teammate_without_tasks(client_for, supervisor, production):
    project_id = production.project.id

    for path in ("asset-types", "episodes", "sequences"):
        assert get(client_for, supervisor, f"/api/data/user/projects/{project_id}/{path}") == []
    assert (
        get(client_for, supervisor, f"/api/data/user/sequences/{production.sequence.id}/shots")
        == []
    )


@pytest.mark.parametrize(
    "path", ["asset-types", "episodes", "sequences", "asset-types/{asset_type_id}/assets"]
)
def test_project_routes_errors(client_for, anonymous_api, outsider, artist, production, path):
    path = path.format(asset_type_id=production.characters.id)
    project_id = production.project.id

    assert anonymous_api.get(f"/api/data/user/projects/{project_id}/{path}").status_code == 401
    get(client_for, outsider, f"/api/data/user/projects/{project_id}/{path}", status=403)
    get(client_for, artist, f"/api/data/user/projects/{uuid.uuid4()}/{path}", status=404)
    get(client_for, artist, f"/api/data/user/projects/nope/{path}", status=400)


def test_unknown_or_reserved_asset_type_gives_404(client_for, artist, production):
    project_id = production.project.id
    shot_type_id = production.shot1.entity_type_id

    for asset_type_id in (uuid.uuid4(), shot_type_id):
        get(
            client_for,
            artist,
            f"/api/data/user/projects/{project_id}/asset-types/{asset_type_id}/assets",
            status=404,
        )
    get(
        client_for,
        artist,
        f"/api/data/user/projects/{project_id}/asset-types/bad/assets",
        status=400,
    )


def test_sequence_shots_query_count_does_not_grow(client_for, artist, production):
    client = client_for(artist)
    url = f"/api/data/user/sequences/{production.sequence.id}/shots"

    def add(count):
        start = Shot.objects.count()
        for number in range(start, start + count):
            shot = Shot.objects.create(
                name=f"EXTRA{number:04d}", project=production.project, parent=production.sequence
            )
            assign(production, shot, production.workflow.animation, artist)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.json())

    add(1)
    small, small_rows = measure()
    add(20)
    large, large_rows = measure()

    assert large_rows == small_rows + 20
    assert small == large
