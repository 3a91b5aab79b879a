"""Asset routes: reads, creation, deletion, asset types and shared assets."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Asset
from kitsu_backend.api.models import ApiEvent
from productions.models import EntityLink
from tasks.models import Comment, Task

UNKNOWN = str(uuid.uuid4())


@pytest.fixture
def hero(team, make_asset, make_task, task_types, artist):
    asset = make_asset("Hero", description="main character", data={"mood": "blue"})
    make_task(asset, task_types["Modeling"], assignees=[artist], duration=60.0)
    return asset


def events_named(name):
    return list(ApiEvent.objects.filter(name=name).values_list("data", flat=True))


# --- GET /data/assets/{asset_id} ---------------------------------------------------


def test_asset_detail_payload(api, admin, hero, project, characters, artist):
    response = api(admin).get(f"/api/data/assets/{hero.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(hero.id)
    assert body["type"] == "Asset"
    assert body["project_name"] == "Demo TV"
    assert body["asset_type_id"] == str(characters.id)
    assert body["asset_type_name"] == "Characters"
    assert body["preview_file_id"] == ""
    assert body["ready_for"] == "None"
    assert body["episode_id"] == ""
    assert body["entities_out"] == []
    assert body["entities_in"] == []
    assert "source_id" not in body
    assert "nb_frames" not in body
    (task,) = body["tasks"]
    assert task["assignees"] == [str(artist.id)]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager", 200),
        ("supervisor", 200),
        ("artist", 200),
        ("client_person", 200),
        ("vendor", 403),
        ("outsider", 403),
    ],
)
def test_asset_detail_by_role(request, api, hero, who, status):
    person = request.getfixturevalue(who)
    assert api(person).get(f"/api/data/assets/{hero.id}").status_code == status


def test_asset_detail_errors(api, admin, anonymous_api, hero, episode):
    assert anonymous_api.get(f"/api/data/assets/{hero.id}").status_code == 401
    assert api(admin).get(f"/api/data/assets/{UNKNOWN}").status_code == 404
    # An episode is an entity but not an asset.
    assert api(admin).get(f"/api/data/assets/{episode.id}").status_code == 404
    assert api(admin).get("/api/data/assets/bad-id").status_code == 400


def test_vendor_assigned_reads_asset(api, vendor, hero):
    Task.objects.get(entity=hero).assignees.add(vendor)
    assert api(vendor).get(f"/api/data/assets/{hero.id}").status_code == 200


# --- GET /data/assets/{asset_id}/tasks and task-types -----------------------------


def test_asset_tasks_payload(api, admin, hero, task_types, todo):
    response = api(admin).get(f"/api/data/assets/{hero.id}/tasks")
    assert response.status_code == 200
    (task,) = response.json()
    assert task["type"] == "Task"
    assert task["entity_id"] == str(hero.id)
    assert task["project_name"] == "Demo TV"
    assert task["task_type_name"] == "Modeling"
    assert task["task_status_name"] == "Todo"
    assert task["entity_type_name"] == "Characters"
    assert task["entity_name"] == "Hero"
    assert task["duration"] == 60.0
    assert "assignees" not in task


def test_asset_tasks_query_count_is_flat(api, admin, hero, make_task, task_types):
    client = api(admin)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/data/assets/{hero.id}/tasks")
    make_task(hero, task_types["Shading"])
    for number in range(5):
        make_task(hero, task_types["Shading"], name=f"variant{number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/api/data/assets/{hero.id}/tasks")
    assert len(response.json()) == 7
    assert len(one.captured_queries) == len(many.captured_queries) == 4


def test_asset_tasks_403_and_404(api, outsider, admin, hero):
    assert api(outsider).get(f"/api/data/assets/{hero.id}/tasks").status_code == 403
    assert api(admin).get(f"/api/data/assets/{UNKNOWN}/tasks").status_code == 404


def test_asset_task_types(api, artist, hero, task_types):
    response = api(artist).get(f"/api/data/assets/{hero.id}/task-types")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()] == ["Modeling"]
    assert response.json()[0]["type"] == "TaskType"


# --- listings ---------------------------------------------------------------------


def test_list_assets_with_filters(api, admin, team, make_asset, props, other_project):
    make_asset("Hero")
    chair = make_asset("Chair", entity_type=props)
    make_asset("Elsewhere", target_project=other_project)
    client = api(admin)
    rows = client.get("/api/data/assets", {"project_id": str(team.id)}).json()
    assert [row["name"] for row in rows] == ["Chair", "Hero"]
    assert all(row["type"] == "Asset" for row in rows)
    rows = client.get("/api/data/assets/all", {"entity_type_id": str(props.id)}).json()
    assert [row["id"] for row in rows] == [str(chair.id)]
    assert client.get("/api/data/assets", {"name": "hero"}).json()[0]["name"] == "Hero"


def test_list_assets_scoped_to_team(api, artist, team, make_asset, other_project):
    make_asset("Hero")
    make_asset("Elsewhere", target_project=other_project)
    rows = api(artist).get("/api/data/assets").json()
    assert [row["name"] for row in rows] == ["Hero"]
    response = api(artist).get("/api/data/assets", {"project_id": str(other_project.id)})
    assert response.status_code == 403


def test_vendor_lists_only_assigned_assets(api, vendor, team, make_asset, make_task, task_types):
    mine = make_asset("Mine")
    make_asset("Other")
    make_task(mine, task_types["Modeling"], assignees=[vendor])
    rows = api(vendor).get(f"/api/data/projects/{team.id}/assets").json()
    assert [row["name"] for row in rows] == ["Mine"]


def test_project_assets_routes(api, artist, team, make_asset, props, anonymous_api):
    make_asset("Hero")
    make_asset("Chair", entity_type=props)
    client = api(artist)
    rows = client.get(f"/api/data/projects/{team.id}/asset-types/{props.id}/assets").json()
    assert [row["name"] for row in rows] == ["Chair"]
    types = client.get(f"/api/data/projects/{team.id}/asset-types").json()
    assert [row["name"] for row in types] == ["Characters", "Props"]
    assert types[0]["type"] == "AssetType"
    assert anonymous_api.get(f"/api/data/projects/{team.id}/assets").status_code == 401
    assert client.get(f"/api/data/projects/{UNKNOWN}/assets").status_code == 404


def test_asset_types_exclude_reserved_kinds(api, artist, characters, episode):
    rows = api(artist).get("/api/data/asset-types").json()
    assert [row["name"] for row in rows] == ["Characters"]
    one = api(artist).get(f"/api/data/asset-types/{characters.id}")
    assert one.status_code == 200
    assert one.json()["type"] == "AssetType"
    assert one.json()["task_types"] == []
    shot_type = episode.entity_type_id
    assert api(artist).get(f"/api/data/asset-types/{shot_type}").status_code == 404
    assert api(artist).get("/api/data/asset-types/xyz").status_code == 400


def test_shot_asset_types(api, artist, hero, make_shot, props, make_asset):
    shot = make_shot("SH010")
    chair = make_asset("Chair", entity_type=props)
    EntityLink.objects.create(entity_in=shot, entity_out=chair)
    rows = api(artist).get(f"/api/data/shots/{shot.id}/asset-types").json()
    assert [row["name"] for row in rows] == ["Props"]


# --- creation ---------------------------------------------------------------------


def new_url(project, asset_type):
    return f"/api/data/projects/{project.id}/asset-types/{asset_type.id}/assets/new"


def test_manager_creates_asset(
    api, manager, team, characters, episode, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).post(
            new_url(team, characters),
            {"name": "Hero", "description": "d", "data": {"k": 1}, "episode_id": str(episode.id)},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "Asset"
    assert body["name"] == "Hero"
    assert body["source_id"] == str(episode.id)
    assert body["created_by"] == str(manager.id)
    assert body["data"] == {"k": 1}
    asset = Asset.objects.get(pk=body["id"])
    assert not Task.objects.filter(entity=asset).exists()
    (event,) = events_named("asset:new")
    assert event["asset_id"] == str(asset.id)
    assert event["asset_type"] == str(characters.id)
    assert event["project_id"] == str(team.id)


@pytest.mark.parametrize("who", ["supervisor", "artist", "client_person", "vendor", "outsider"])
def test_non_managers_cannot_create(request, api, team, characters, who):
    person = request.getfixturevalue(who)
    response = api(person).post(new_url(team, characters), {"name": "X"}, format="json")
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_create_asset_bad_input(api, manager, team, characters, other_project, anonymous_api):
    client = api(manager)
    assert client.post(new_url(team, characters), {}, format="json").status_code == 400
    response = client.post(new_url(team, characters), {"name": "X", "data": [1]}, format="json")
    assert response.status_code == 400
    from shots.models import Episode

    foreign = Episode.objects.create(name="E9", project=other_project)
    response = client.post(
        new_url(team, characters), {"name": "X", "episode_id": str(foreign.id)}, format="json"
    )
    assert response.status_code == 400
    response = client.post(
        new_url(team, characters), {"name": "X", "episode_id": "bad"}, format="json"
    )
    assert response.status_code == 400
    assert (
        client.post(new_url(team, characters), {"name": "Hero"}, format="json").status_code == 201
    )
    duplicate = client.post(new_url(team, characters), {"name": "Hero"}, format="json")
    assert duplicate.status_code == 400
    assert Asset.objects.count() == 1
    url = f"/api/data/projects/{team.id}/asset-types/{UNKNOWN}/assets/new"
    assert client.post(url, {"name": "Y"}, format="json").status_code == 404
    assert anonymous_api.post(new_url(team, characters), {"name": "Y"}).status_code == 401


# --- deletion ---------------------------------------------------------------------


def test_delete_with_tasks_cancels(api, manager, hero, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).delete(f"/api/data/assets/{hero.id}")
    assert response.status_code == 204
    hero.refresh_from_db()
    assert hero.canceled is True
    assert events_named("asset:update")[0]["asset_id"] == str(hero.id)


def test_force_delete_removes_tasks_and_links(
    api, manager, hero, make_shot, django_capture_on_commit_callbacks
):
    shot = make_shot("SH010")
    EntityLink.objects.create(entity_in=shot, entity_out=hero)
    task = Task.objects.get(entity=hero)
    Comment.objects.create(object_id=task.id, object_type="Task", person=manager, text="hi")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).delete(f"/api/data/assets/{hero.id}?force=true")
    assert response.status_code == 204
    assert not Asset.objects.filter(pk=hero.pk).exists()
    assert not Task.objects.filter(pk=task.pk).exists()
    assert not Comment.objects.exists()
    assert not EntityLink.objects.exists()
    assert events_named("asset:delete")[0]["asset_id"] == str(hero.id)


def test_delete_without_tasks_removes(api, manager, team, make_asset):
    asset = make_asset("Bare")
    assert api(manager).delete(f"/api/data/assets/{asset.id}").status_code == 204
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_delete_permissions(api, artist, outsider, supervisor, team, make_asset, admin):
    asset = make_asset("Mine", created_by=artist.id)
    other = make_asset("Other")
    assert api(supervisor).delete(f"/api/data/assets/{other.id}").status_code == 403
    assert api(outsider).delete(f"/api/data/assets/{other.id}").status_code == 403
    assert api(artist).delete(f"/api/data/assets/{other.id}").status_code == 403
    assert api(artist).delete(f"/api/data/assets/{asset.id}").status_code == 204
    assert api(admin).delete(f"/api/data/assets/{UNKNOWN}").status_code == 404


# --- shared assets ----------------------------------------------------------------


def test_share_assets_by_ids(api, manager, team, make_asset, django_capture_on_commit_callbacks):
    asset = make_asset("Hero")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).post(
            "/api/actions/assets/share",
            {"asset_ids": [str(asset.id)], "is_shared": True},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()[0]["is_shared"] is True
    asset.refresh_from_db()
    assert asset.is_shared
    (event,) = events_named("asset:update")
    assert event == {"asset_id": str(asset.id), "project_id": str(team.id)}


def test_share_project_and_type(api, manager, artist, team, make_asset, props):
    hero = make_asset("Hero")
    chair = make_asset("Chair", entity_type=props)
    url = f"/api/actions/projects/{team.id}/asset-types/{props.id}/assets/share"
    assert api(artist).post(url, {"is_shared": True}, format="json").status_code == 403
    assert api(manager).post(url, {"is_shared": True}, format="json").status_code == 200
    chair.refresh_from_db()
    hero.refresh_from_db()
    assert chair.is_shared
    assert not hero.is_shared
    url = f"/api/actions/projects/{team.id}/assets/share"
    assert api(manager).post(url, {"is_shared": "yes"}, format="json").status_code == 400
    assert api(manager).post(url, {"is_shared": True}, format="json").status_code == 200
    hero.refresh_from_db()
    assert hero.is_shared


def test_shared_used_lists_foreign_shared_assets(
    api, artist, team, make_asset, make_shot, other_project, episode
):
    library_asset = make_asset("Tree", target_project=other_project, is_shared=True)
    local = make_asset("Hero", is_shared=True)
    shot = make_shot("SH010")
    EntityLink.objects.create(entity_in=shot, entity_out=library_asset)
    EntityLink.objects.create(entity_in=shot, entity_out=local)
    rows = api(artist).get(f"/api/data/projects/{team.id}/assets/shared-used").json()
    assert [row["id"] for row in rows] == [str(library_asset.id)]
    url = f"/api/data/projects/{team.id}/episodes/{episode.id}/assets/shared-used"
    assert [row["name"] for row in api(artist).get(url).json()] == ["Tree"]
    other = f"/api/data/projects/{other_project.id}/assets/shared-used"
    assert api(artist).get(other).status_code == 403
