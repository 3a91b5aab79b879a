"""The generic /data/entities resource and the small studio-wide resources."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import (
    AssetInstance,
    CustomAction,
    DepartmentMetadataDescriptorLink,
    Entity,
    EntityLink,
    MetadataDescriptor,
    ProjectStatus,
)
from tasks.models import Task, TaskStatus


def test_entities_are_typed_and_scoped(api, team, artist, admin, other_project, make_entity):
    make_entity(team, "Hero")
    make_entity(team, "SH01", "Shot")
    make_entity(other_project, "Elsewhere")
    rows = api(artist).get("/api/data/entities").json()
    assert sorted((row["name"], row["type"]) for row in rows) == [
        ("Hero", "Asset"),
        ("SH01", "Shot"),
    ]
    assert len(api(admin).get("/api/data/entities").json()) == 3


def test_vendor_sees_only_assigned_entities(api, team, vendor, animation, make_entity):
    assigned = make_entity(team, "SH01", "Shot")
    other = make_entity(team, "SH02", "Shot")
    task = Task.objects.create(
        project=team,
        task_type=animation,
        task_status=TaskStatus.objects.get(short_name="todo"),
        entity=assigned,
    )
    task.assignees.add(vendor)
    rows = api(vendor).get("/api/data/entities").json()
    assert [row["name"] for row in rows] == ["SH01"]
    assert api(vendor).get(f"/api/data/entities/{assigned.id}").status_code == 200
    assert api(vendor).get(f"/api/data/entities/{other.id}").status_code == 403


def test_manager_creates_entity_with_kind_event(api, team, manager, artist, characters, committed):
    body = {"name": "Tree", "project_id": str(team.id), "entity_type_id": str(characters.id)}
    assert api(artist).post("/api/data/entities", body, format="json").status_code == 403
    with committed():
        response = api(manager).post("/api/data/entities", body, format="json")
    assert response.status_code == 201
    assert response.json()["type"] == "Asset"
    assert response.json()["created_by"] == str(manager.id)
    assert ApiEvent.objects.get(name="asset:new").data["asset_id"] == response.json()["id"]


def test_outside_manager_cannot_create(api, project, outside_manager, characters):
    body = {"name": "Tree", "project_id": str(project.id), "entity_type_id": str(characters.id)}
    assert api(outside_manager).post("/api/data/entities", body, format="json").status_code == 403


def test_update_merges_data_and_protects_project(
    api, team, manager, other_project, make_entity, committed
):
    shot = make_entity(team, "SH01", "Shot", data={"frame_in": 1, "fps": "24"})
    with committed():
        response = api(manager).put(
            f"/api/data/entities/{shot.id}",
            {"data": {"frame_in": 5}, "project_id": str(other_project.id)},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["data"] == {"frame_in": 5, "fps": "24"}
    assert response.json()["project_id"] == str(team.id)
    assert ApiEvent.objects.filter(name="shot:update").count() == 1
    bad = api(manager).put(f"/api/data/entities/{shot.id}", {"data": [1]}, format="json")
    assert bad.status_code == 400


def test_supervisor_updates_only_their_columns(
    api, team, supervisor, make_entity, animation_department, modeling_department
):
    mine = MetadataDescriptor.objects.create(
        project=team, entity_type="Asset", name="Pose", field_name="pose"
    )
    DepartmentMetadataDescriptorLink.objects.create(
        metadata_descriptor=mine, department=animation_department
    )
    theirs = MetadataDescriptor.objects.create(
        project=team, entity_type="Asset", name="Topo", field_name="topo"
    )
    DepartmentMetadataDescriptorLink.objects.create(
        metadata_descriptor=theirs, department=modeling_department
    )
    hero = make_entity(team, "Hero", data={"topo": "ok"})
    url = f"/api/data/entities/{hero.id}"
    assert api(supervisor).put(url, {"data": {"pose": "T"}}, format="json").status_code == 200
    assert api(supervisor).put(url, {"data": {"topo": "bad"}}, format="json").status_code == 403
    assert api(supervisor).put(url, {"name": "Villain"}, format="json").status_code == 403
    hero.refresh_from_db()
    assert hero.data == {"topo": "ok", "pose": "T"}


def test_creator_or_manager_deletes(api, team, artist, manager, make_entity, committed):
    created = make_entity(team, "Mine", created_by=artist.id)
    other = make_entity(team, "Not mine")
    cast = make_entity(team, "SH01", "Shot")
    EntityLink.objects.create(entity_in=cast, entity_out=other)
    assert api(artist).delete(f"/api/data/entities/{other.id}").status_code == 403
    assert api(artist).delete(f"/api/data/entities/{created.id}").status_code == 204
    with committed():
        assert api(manager).delete(f"/api/data/entities/{other.id}").status_code == 204
    assert not Entity.objects.filter(pk__in=[created.pk, other.pk]).exists()
    assert not EntityLink.objects.exists()
    assert ApiEvent.objects.filter(name="asset:delete").count() == 1
    assert api(manager).delete(f"/api/data/entities/{uuid.uuid4()}").status_code == 404


def test_asset_instances_are_read_by_the_team(
    api, team, artist, admin, outside_manager, make_entity
):
    hero = make_entity(team, "Hero")
    assert api(artist).get("/api/data/asset-instances").status_code == 403
    created = api(admin).post(
        "/api/data/asset-instances", {"asset_id": str(hero.id), "number": 1}, format="json"
    )
    assert created.status_code == 201
    url = f"/api/data/asset-instances/{created.json()['id']}"
    assert api(artist).get(url).status_code == 200
    assert (
        api(artist).put(url, {"description": "left"}, format="json").json()["description"] == "left"
    )
    assert api(outside_manager).get(url).status_code == 403
    assert api(artist).delete(url).status_code == 403
    assert AssetInstance.objects.count() == 1


@pytest.mark.parametrize(
    "slug", ["project-status", "status-automations", "custom-actions", "entity-types"]
)
def test_studio_lists_are_read_by_everyone(api, client_person, slug, anonymous_api):
    assert api(client_person).get(f"/api/data/{slug}").status_code == 200
    assert anonymous_api.get(f"/api/data/{slug}").status_code == 401


def test_custom_actions_are_written_by_admins(api, admin, manager):
    body = {"name": "Render", "url": "https://farm.example.com"}
    assert api(manager).post("/api/data/custom-actions", body, format="json").status_code == 403
    created = api(admin).post("/api/data/custom-actions", body, format="json")
    assert created.status_code == 201
    assert api(manager).get("/api/data/custom-actions").json()[0]["name"] == "Render"
    assert api(manager).get(f"/api/data/custom-actions/{created.json()['id']}").status_code == 403
    assert CustomAction.objects.count() == 1


def test_project_statuses_are_written_by_admins(api, admin, manager):
    body = {"name": "Paused", "color": "#123456"}
    assert api(manager).post("/api/data/project-status", body, format="json").status_code == 403
    assert api(admin).post("/api/data/project-status", body, format="json").status_code == 201
    assert ProjectStatus.objects.filter(name="Paused").exists()
