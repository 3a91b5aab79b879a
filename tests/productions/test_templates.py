"""Project templates: generic CRUD, link routes, snapshot from a project, apply."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import (
    MetadataDescriptor,
    PreviewBackgroundFile,
    ProjectAssetTypeLink,
    ProjectTaskTypeLink,
    ProjectTemplate,
    ProjectTemplateTaskTypeLink,
    StatusAutomation,
)


@pytest.fixture
def template(db):
    return ProjectTemplate.objects.create(name="Feature", fps="30")


def test_templates_are_read_by_managers_and_written_by_admins(
    api, admin, manager, artist, committed
):
    with committed():
        created = api(admin).post("/api/data/project-templates", {"name": "Short"}, format="json")
    assert created.status_code == 201
    assert (
        ApiEvent.objects.get(name="project-template:new").data["project_template_id"]
        == created.json()["id"]
    )
    assert api(manager).get("/api/data/project-templates").status_code == 200
    assert api(artist).get("/api/data/project-templates").status_code == 403
    assert (
        api(manager).post("/api/data/project-templates", {"name": "X"}, format="json").status_code
        == 403
    )


def test_template_task_types(api, admin, manager, artist, template, animation, modeling, committed):
    url = f"/api/data/project-templates/{template.id}/task-types"
    with committed():
        response = api(admin).post(
            url, {"task_type_id": str(animation.id), "priority": 2}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["priority"] == 2
    assert ApiEvent.objects.filter(name="project-template:update").exists()
    api(admin).post(url, {"task_type_id": str(modeling.id), "priority": 1}, format="json")
    rows = api(manager).get(url).json()
    assert [(row["name"], row["priority"]) for row in rows] == [("Modeling", 1), ("Animation", 2)]
    assert rows[0]["type"] == "TaskType"
    assert api(artist).get(url).status_code == 403
    assert (
        api(manager).post(url, {"task_type_id": str(animation.id)}, format="json").status_code
        == 403
    )
    missing = api(admin).post(url, {"task_type_id": str(uuid.uuid4())}, format="json")
    assert missing.status_code == 400
    assert missing.json()["message"].startswith("Task type")
    reordered = api(admin).post(
        f"/api/actions/project-templates/{template.id}/task-types/reorder",
        {"task_type_ids": [str(animation.id), str(modeling.id)]},
        format="json",
    )
    assert [row["priority"] for row in reordered.json()] == [1, 2]
    assert api(admin).delete(f"{url}/{animation.id}").status_code == 204
    assert [row["name"] for row in api(manager).get(url).json()] == ["Modeling"]


def test_unknown_template_is_404(api, admin):
    response = api(admin).get(f"/api/data/project-templates/{uuid.uuid4()}/task-types")
    assert response.status_code == 404
    assert response.json() == {"message": "Project template not found"}
    assert api(admin).get("/api/data/project-templates/bad/task-types").status_code == 400


def test_template_task_statuses(api, admin, template, todo):
    url = f"/api/data/project-templates/{template.id}/task-statuses"
    response = api(admin).post(
        url,
        {"task_status_id": str(todo.id), "roles_for_board": ["user"], "is_client_allowed": True},
        format="json",
    )
    assert response.status_code == 201
    rows = api(admin).get(url).json()
    assert rows[0]["roles_for_board"] == ["user"]
    assert rows[0]["link_is_client_allowed"] is True
    reordered = api(admin).post(
        f"/api/actions/project-templates/{template.id}/task-statuses/reorder",
        {"task_status_ids": [str(todo.id)]},
        format="json",
    )
    assert reordered.json()[0]["priority"] == 1
    assert api(admin).delete(f"{url}/{todo.id}").status_code == 204
    assert api(admin).get(url).json() == []


def test_template_asset_types_automations_backgrounds(
    api, admin, template, characters, animation, todo
):
    automation = StatusAutomation.objects.create(in_task_type=animation, in_task_status=todo)
    background = PreviewBackgroundFile.objects.create(name="Sky", is_default=True)
    base = f"/api/data/project-templates/{template.id}"
    assert api(admin).post(
        f"{base}/asset-types", {"asset_type_id": str(characters.id)}, format="json"
    ).json() == {
        "id": str(characters.id),
        "name": "Characters",
    }
    assert api(admin).get(f"{base}/asset-types").json() == [
        {"id": str(characters.id), "name": "Characters"}
    ]
    api(admin).post(
        f"{base}/status-automations", {"status_automation_id": str(automation.id)}, format="json"
    )
    assert [row["id"] for row in api(admin).get(f"{base}/status-automations").json()] == [
        str(automation.id)
    ]
    api(admin).post(
        f"{base}/preview-background-files",
        {"preview_background_file_id": str(background.id)},
        format="json",
    )
    assert api(admin).get(f"{base}/preview-background-files").json() == [
        {"id": str(background.id), "name": "Sky", "is_default": True}
    ]
    default = api(admin).put(
        f"{base}/default-preview-background-file",
        {"default_preview_background_file_id": str(background.id)},
        format="json",
    )
    assert default.json()["default_preview_background_file_id"] == str(background.id)
    unlinked = api(admin).put(
        f"{base}/default-preview-background-file",
        {"default_preview_background_file_id": str(uuid.uuid4())},
        format="json",
    )
    assert unlinked.status_code == 400
    assert api(admin).delete(f"{base}/preview-background-files/{background.id}").status_code == 204
    template.refresh_from_db()
    assert template.default_preview_background_file_id is None
    assert api(admin).delete(f"{base}/asset-types/{characters.id}").status_code == 204
    assert api(admin).delete(f"{base}/status-automations/{automation.id}").status_code == 204
    assert api(admin).get(f"{base}/asset-types").json() == []


def test_template_metadata_descriptors(api, admin, template):
    url = f"/api/data/project-templates/{template.id}/metadata-descriptors"
    response = api(admin).put(url, [{"name": "Mood Board", "entity_type": "Asset"}], format="json")
    assert response.status_code == 200
    assert response.json()["metadata_descriptors"][0]["field_name"] == "mood_board"
    assert api(admin).put(url, {"metadata_descriptors": ["x"]}, format="json").status_code == 400


def test_snapshot_then_apply(api, admin, manager, team, characters, open_status, committed):
    ProjectAssetTypeLink.objects.create(project=team, asset_type=characters)
    MetadataDescriptor.objects.create(
        project=team, entity_type="Shot", name="Level", field_name="level"
    )
    assert (
        api(manager)
        .post(f"/api/data/project-templates/from-project/{team.id}", {"name": "T"}, format="json")
        .status_code
        == 403
    )
    snapshot = api(admin).post(
        f"/api/data/project-templates/from-project/{team.id}",
        {"name": "From Big Buck"},
        format="json",
    )
    assert snapshot.status_code == 201
    template = ProjectTemplate.objects.get(pk=snapshot.json()["id"])
    assert template.fps == "24"
    assert ProjectTemplateTaskTypeLink.objects.filter(project_template=template).count() == 2
    assert template.metadata_descriptors[0]["field_name"] == "level"
    duplicate = api(admin).post(
        f"/api/data/project-templates/from-project/{team.id}",
        {"name": "From Big Buck"},
        format="json",
    )
    assert duplicate.status_code == 400
    missing = api(admin).post(
        f"/api/data/project-templates/from-project/{uuid.uuid4()}", {"name": "Z"}, format="json"
    )
    assert missing.status_code == 404

    target = type(team).objects.create(name="Target", project_status=open_status)
    with committed():
        applied = api(admin).post(f"/api/data/projects/{target.id}/apply-template/{template.id}")
    assert applied.status_code == 200
    assert applied.json()["fps"] == "24"
    assert ProjectTaskTypeLink.objects.filter(project=target).count() == 2
    assert ProjectAssetTypeLink.objects.filter(project=target, asset_type=characters).exists()
    assert MetadataDescriptor.objects.filter(project=target, field_name="level").exists()
    assert ApiEvent.objects.filter(name="project:update", project_id=target.id).exists()
    assert (
        api(manager)
        .post(f"/api/data/projects/{target.id}/apply-template/{template.id}")
        .status_code
        == 403
    )
    assert (
        api(admin).post(f"/api/data/projects/{target.id}/apply-template/{uuid.uuid4()}").status_code
        == 404
    )
