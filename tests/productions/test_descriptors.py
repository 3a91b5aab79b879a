"""Metadata descriptors: project routes, all-projects routes, and data rewrites."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import MetadataDescriptor, Project
from tasks.models import Task, TaskStatus

DESCRIPTOR_KEYS = {
    "project_id",
    "entity_type",
    "task_type_id",
    "name",
    "data_type",
    "field_name",
    "choices",
    "for_client",
    "position",
    "departments",
    "id",
    "created_at",
    "updated_at",
    "type",
}


@pytest.fixture
def url(project):
    return f"/api/data/projects/{project.id}/metadata-descriptors"


def _create(client, url, **body):
    return client.post(url, {"name": "Mood Board", **body}, format="json")


def test_manager_creates_descriptor(api, team, manager, url, committed):
    with committed():
        response = _create(api(manager), url, choices=["calm", "dark"], for_client=True)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == DESCRIPTOR_KEYS
    assert body["field_name"] == "mood_board"
    assert body["entity_type"] == "Asset"
    assert body["data_type"] == "string"
    assert body["choices"] == ["calm", "dark"]
    assert body["type"] == "MetadataDescriptor"
    event = ApiEvent.objects.get(name="metadata-descriptor:new")
    assert event.data["metadata_descriptor_id"] == body["id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"entity_type": "Planet"}, "Wrong entity type."),
        ({"data_type": "blob"}, "Invalid data_type"),
        ({"entity_type": "Task"}, "Task metadata descriptors require a task_type_id."),
        ({"entity_type": "Task", "task_type_id": str(uuid.uuid4())}, "Task type not found."),
        ({"task_type_id": str(uuid.uuid4())}, "task_type_id only applies"),
        ({"name": ""}, "The field name is required."),
    ],
)
def test_creation_refuses_bad_bodies(api, team, manager, url, body, message):
    response = _create(api(manager), url, **body)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert not MetadataDescriptor.objects.exists()


def test_duplicate_name_is_400(api, team, manager, url):
    assert _create(api(manager), url).status_code == 201
    response = _create(api(manager), url)
    assert response.status_code == 400
    assert response.json()["message"] == "Metadata descriptor already exists."


def test_supervisor_writes_only_columns_of_their_departments(
    api, team, supervisor, url, animation_department, modeling_department
):
    client = api(supervisor)
    assert _create(client, url).status_code == 403
    assert _create(client, url, departments=[str(modeling_department.id)]).status_code == 403
    response = _create(client, url, departments=[str(animation_department.id)])
    assert response.status_code == 201
    descriptor_url = f"{url}/{response.json()['id']}"
    assert client.put(descriptor_url, {"name": "Mood"}, format="json").status_code == 200
    assert client.delete(descriptor_url).status_code == 204


@pytest.mark.parametrize("who", ["outside_manager", "artist", "client_person", "vendor"])
def test_other_roles_cannot_create(request, api, team, url, who):
    assert _create(api(request.getfixturevalue(who)), url).status_code == 403


def test_listing_follows_role(api, team, url, artist, client_person, manager, anonymous_api):
    _create(api(manager), url, for_client=True)
    _create(api(manager), url, name="Budget")
    assert len(api(artist).get(url).json()) == 2
    assert [row["name"] for row in api(client_person).get(url).json()] == ["Mood Board"]
    assert anonymous_api.get(url).status_code == 401


def test_read_one(api, team, url, manager, client_person, other_project, admin):
    hidden = _create(api(manager), url, name="Budget").json()
    assert api(manager).get(f"{url}/{hidden['id']}").json()["name"] == "Budget"
    assert api(client_person).get(f"{url}/{hidden['id']}").status_code == 403
    assert api(manager).get(f"{url}/{uuid.uuid4()}").status_code == 404
    other_url = f"/api/data/projects/{other_project.id}/metadata-descriptors/{hidden['id']}"
    assert api(admin).get(other_url).status_code == 404


def test_rename_rewrites_entity_data(api, team, manager, url, make_entity, committed):
    descriptor = _create(api(manager), url).json()
    hero = make_entity(team, "Hero", data={"mood_board": "calm", "other": 1})
    blank = make_entity(team, "Blank", data={"other": 2})
    shot = make_entity(team, "SH01", "Shot", data={"mood_board": "kept"})
    with committed():
        response = api(manager).put(
            f"{url}/{descriptor['id']}", {"name": "Atmosphere"}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["field_name"] == "atmosphere"
    hero.refresh_from_db()
    blank.refresh_from_db()
    shot.refresh_from_db()
    assert hero.data == {"other": 1, "atmosphere": "calm"}
    assert blank.data == {"other": 2}
    # Only assets carry an asset column.
    assert shot.data == {"mood_board": "kept"}
    assert ApiEvent.objects.filter(name="metadata-descriptor:update").count() == 1


def test_delete_removes_entity_values(api, team, manager, url, make_entity, committed):
    descriptor = _create(api(manager), url).json()
    hero = make_entity(team, "Hero", data={"mood_board": "calm", "other": 1})
    with committed():
        assert api(manager).delete(f"{url}/{descriptor['id']}").status_code == 204
    hero.refresh_from_db()
    assert hero.data == {"other": 1}
    assert not MetadataDescriptor.objects.exists()
    assert ApiEvent.objects.filter(name="metadata-descriptor:delete").count() == 1


def test_task_column_rename_rewrites_task_data(api, team, manager, url, animation, make_entity):
    status = TaskStatus.objects.get(short_name="todo")
    shot = make_entity(team, "SH01", "Shot")
    task = Task.objects.create(
        project=team,
        task_type=animation,
        task_status=status,
        entity=shot,
        data={"take_count": 3},
    )
    descriptor = _create(
        api(manager), url, name="Take Count", entity_type="Task", task_type_id=str(animation.id)
    ).json()
    api(manager).put(f"{url}/{descriptor['id']}", {"name": "Takes"}, format="json")
    task.refresh_from_db()
    assert task.data == {"takes": 3}
    api(manager).delete(f"{url}/{descriptor['id']}")
    task.refresh_from_db()
    assert task.data == {}


def test_project_column_rename_rewrites_project_data(api, team, manager, url):
    Project.objects.filter(pk=team.pk).update(data={"client_name": "ACME"})
    descriptor = _create(api(manager), url, name="Client Name", entity_type="Project").json()
    api(manager).put(f"{url}/{descriptor['id']}", {"name": "Customer"}, format="json")
    team.refresh_from_db()
    assert team.data == {"customer": "ACME"}


def test_update_refuses_bad_values(api, team, manager, url):
    descriptor = _create(api(manager), url).json()
    _create(api(manager), url, name="Other")
    assert (
        api(manager).put(f"{url}/{descriptor['id']}", {"name": ""}, format="json").status_code
        == 400
    )
    assert (
        api(manager)
        .put(f"{url}/{descriptor['id']}", {"data_type": "blob"}, format="json")
        .status_code
        == 400
    )
    clash = api(manager).put(f"{url}/{descriptor['id']}", {"name": "Other"}, format="json")
    assert clash.status_code == 400


def test_reorder(api, team, manager, artist, url):
    first = _create(api(manager), url, name="Alpha").json()
    second = _create(api(manager), url, name="Beta").json()
    response = api(manager).post(
        f"{url}/reorder",
        {"entity_type": "Asset", "descriptor_ids": [second["id"], first["id"]]},
        format="json",
    )
    assert response.status_code == 200
    assert [(row["name"], row["position"]) for row in response.json()] == [
        ("Beta", 1),
        ("Alpha", 2),
    ]
    body = {"entity_type": "Asset", "descriptor_ids": [str(uuid.uuid4())]}
    assert api(manager).post(f"{url}/reorder", body, format="json").status_code == 400
    assert api(artist).post(f"{url}/reorder", body, format="json").status_code == 403


def test_all_projects_routes(api, team, manager, other_project, join, make_entity, admin):
    # The manager manages only the team project; the admin reaches every open one.
    client = api(manager)
    created = client.post(
        "/api/data/metadata-descriptors/all-projects",
        {"name": "Difficulty", "entity_type": "Shot"},
        format="json",
    )
    assert created.status_code == 201
    assert [row["project_id"] for row in created.json()] == [str(team.id)]
    by_admin = api(admin).post(
        "/api/data/metadata-descriptors/all-projects",
        {"name": "Difficulty", "entity_type": "Shot"},
        format="json",
    )
    assert [row["project_id"] for row in by_admin.json()] == [str(other_project.id)]
    shot = make_entity(team, "SH01", "Shot", data={"difficulty": "hard"})
    renamed = client.put(
        "/api/data/metadata-descriptors/all-projects/difficulty",
        {"entity_type": "Shot", "name": "Level"},
        format="json",
    )
    assert renamed.status_code == 200
    assert [row["field_name"] for row in renamed.json()] == ["level"]
    shot.refresh_from_db()
    assert shot.data == {"level": "hard"}
    reordered = client.post(
        "/api/actions/metadata-descriptors/all-projects/reorder",
        {"entity_type": "Shot", "field_order": ["level"]},
        format="json",
    )
    assert reordered.status_code == 200
    assert reordered.json()[0]["position"] == 1
    removed = client.delete("/api/data/metadata-descriptors/all-projects/level?entity_type=Shot")
    assert removed.status_code == 200
    assert len(removed.json()) == 1
    assert MetadataDescriptor.objects.filter(project=other_project).count() == 1
    bad = client.delete("/api/data/metadata-descriptors/all-projects/level?entity_type=Task")
    assert bad.status_code == 400


def test_all_projects_routes_need_a_manager(api, artist, anonymous_api):
    body = {"name": "X", "entity_type": "Shot"}
    assert (
        api(artist)
        .post("/api/data/metadata-descriptors/all-projects", body, format="json")
        .status_code
        == 403
    )
    assert (
        anonymous_api.post(
            "/api/data/metadata-descriptors/all-projects", body, format="json"
        ).status_code
        == 401
    )


def test_generic_descriptor_list_is_scoped(api, team, manager, url, artist, other_project, admin):
    _create(api(manager), url)
    _create(api(admin), f"/api/data/projects/{other_project.id}/metadata-descriptors")
    assert len(api(artist).get("/api/data/metadata-descriptors").json()) == 1
    assert len(api(admin).get("/api/data/metadata-descriptors").json()) == 2
