"""The generic /data resources of the tasks app and the reorder actions."""

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import Department
from productions.models import ProductionScheduleVersion, ProjectTaskStatusLink, ProjectTaskTypeLink
from tasks.models import ProductionScheduleVersionTaskLink, Task, TaskStatus, TaskType

from .conftest import UNKNOWN_ID
from .test_create_tasks import TASK_KEYS


def test_everyone_reads_task_types_and_statuses(client_for, vendor, init_data, anonymous_api):
    api = client_for(vendor)
    types = api.get("/api/data/task-types").json()
    assert {"Animation", "Modeling"} <= {row["name"] for row in types}
    assert types[0]["type"] == "TaskType"
    statuses = api.get("/api/data/task-status", {"short_name": "wip"}).json()
    assert [row["name"] for row in statuses] == ["Work In Progress"]
    assert statuses[0]["type"] == "TaskStatus"
    one = TaskStatus.objects.get(short_name="todo")
    assert api.get(f"/api/data/task-status/{one.id}").json()["is_default"] is True
    assert anonymous_api.get("/api/data/task-types").status_code == 401


def test_only_admins_write_task_types(client_for, admin, manager, init_data, committed):
    body = {"name": "Grooming", "for_entity": "Asset", "color": "#123456"}
    assert client_for(manager).post("/api/data/task-types", body, "json").status_code == 403
    with committed():
        response = client_for(admin).post("/api/data/task-types", body, "json")
    assert response.status_code == 201
    assert response.json()["name"] == "Grooming"
    created = response.json()["id"]
    assert ApiEvent.objects.get(name="task-type:new").data["task_type_id"] == created
    bad = client_for(admin).post("/api/data/task-types", {"nonexistent": 1}, "json")
    assert bad.status_code == 400
    assert bad.json() == {"message": "'nonexistent' is an invalid keyword argument for TaskType"}
    with committed():
        assert (
            client_for(admin)
            .post(
                "/api/data/task-status",
                {"name": "Hold", "short_name": "hold", "color": "#000000"},
                "json",
            )
            .status_code
            == 201
        )
    assert ApiEvent.objects.filter(name="task-status:new").exists()


def test_task_type_link_upsert(client_for, manager, artist, team, init_data, committed):
    lighting = TaskType.objects.get(name="Lighting")
    body = {"project_id": str(team.id), "task_type_id": str(lighting.id), "priority": 2}
    assert client_for(artist).post("/api/data/task-type-links", body, "json").status_code == 403
    with committed():
        first = client_for(manager).post("/api/data/task-type-links", body, "json")
    assert first.status_code == 201
    assert first.json()["priority"] == 2
    second = client_for(manager).post("/api/data/task-type-links", {**body, "priority": 3}, "json")
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    assert ProjectTaskTypeLink.objects.get(project=team, task_type=lighting).priority == 3
    assert ApiEvent.objects.filter(name="project-task-type-link:new").count() == 1
    missing = client_for(manager).post(
        "/api/data/task-type-links", {"project_id": str(team.id)}, "json"
    )
    assert missing.status_code == 400


def test_task_status_link_upsert(client_for, manager, team, wip):
    body = {"project_id": str(team.id), "task_status_id": str(wip.id), "roles_for_board": ["user"]}
    response = client_for(manager).post("/api/data/task-status-links", body, "json")
    assert response.status_code == 201
    assert ProjectTaskStatusLink.objects.get(project=team).roles_for_board == ["user"]


def test_reorder_task_types_and_links(
    client_for, admin, manager, team, animation, layout, todo, wip
):
    ids = [str(layout.id), str(animation.id)]
    assert (
        client_for(manager)
        .post("/api/actions/task-types/reorder", {"task_type_ids": ids}, "json")
        .status_code
        == 403
    )
    rows = (
        client_for(admin)
        .post("/api/actions/task-types/reorder", {"task_type_ids": ids}, "json")
        .json()
    )
    assert {row["id"]: row["priority"] for row in rows} == {ids[0]: 1, ids[1]: 2}
    path = f"/api/actions/projects/{team.id}/task-type-links/reorder"
    links = client_for(manager).post(path, {"task_type_ids": ids}, "json").json()
    assert {row["task_type_id"]: row["priority"] for row in links} == {ids[0]: 1, ids[1]: 2}
    ProjectTaskStatusLink.objects.create(
        project=team, task_status=wip, priority=1, roles_for_board=["manager"]
    )
    path = f"/api/actions/projects/{team.id}/task-status-links/reorder"
    links = (
        client_for(manager)
        .post(path, {"task_status_ids": [str(todo.id), str(wip.id)]}, "json")
        .json()
    )
    by_status = {row["task_status_id"]: row for row in links}
    assert by_status[str(wip.id)]["priority"] == 2
    assert by_status[str(wip.id)]["roles_for_board"] == ["manager"]
    assert client_for(manager).post(path, {}, "json").status_code == 400


def test_task_list_is_scoped(
    client_for, admin, artist, vendor, make_person, team, task, shot, layout, todo
):
    other = Task.objects.create(project=team, entity=shot, task_type=layout, task_status=todo)
    other.assignees.add(vendor)
    rows = client_for(artist).get("/api/data/tasks").json()
    assert {row["id"] for row in rows} == {str(task.id), str(other.id)}
    assert set(rows[0]) == TASK_KEYS - {"assignees"}
    assert [row["id"] for row in client_for(vendor).get("/api/data/tasks").json()] == [
        str(other.id)
    ]
    assert client_for(make_person("user")).get("/api/data/tasks").json() == []
    one = client_for(artist).get(f"/api/data/tasks/{task.id}").json()
    assert set(one) == TASK_KEYS
    assert client_for(make_person("user")).get(f"/api/data/tasks/{task.id}").status_code == 403
    assert client_for(admin).get(f"/api/data/tasks/{UNKNOWN_ID}").status_code == 404
    assert client_for(admin).get("/api/data/tasks/not-a-uuid").status_code == 400


def test_creating_a_task_requires_a_manager(
    client_for, manager, artist, team, shot, animation, modeling, committed
):
    body = {
        "project_id": str(team.id),
        "entity_id": str(shot.id),
        "task_type_id": str(animation.id),
        "name": "main",
    }
    assert client_for(artist).post("/api/data/tasks", body, "json").status_code == 403
    with committed():
        response = client_for(manager).post("/api/data/tasks", body, "json")
    assert response.status_code == 201
    assert response.json()["task_status_id"] == str(TaskStatus.objects.get(short_name="todo").id)
    assert ApiEvent.objects.filter(name="task:new").count() == 1
    duplicate = client_for(manager).post("/api/data/tasks", body, "json")
    assert duplicate.status_code == 400
    wrong_kind = client_for(manager).post(
        "/api/data/tasks", {**body, "task_type_id": str(modeling.id)}, "json"
    )
    assert wrong_kind.status_code == 400


def test_supervisor_updates_only_planning_fields(
    client_for, supervisor, manager, artist, team, task, init_data
):
    path = f"/api/data/tasks/{task.id}"
    api = client_for(supervisor)
    assert api.put(path, {"priority": 3, "estimation": 120}, "json").status_code == 200
    assert api.put(path, {"name": "other"}, "json").status_code == 403
    # Sending back the whole row with unchanged values is fine.
    row = api.get(path).json()
    assert api.put(path, {**row, "priority": 1}, "json").status_code == 200
    supervisor.departments.add(Department.objects.get(name="Lighting"))
    assert client_for(supervisor).put(path, {"priority": 2}, "json").status_code == 403
    assert client_for(artist).put(path, {"priority": 2}, "json").status_code == 403
    response = client_for(manager).put(path, {"name": "retime"}, "json")
    assert response.status_code == 200
    assert response.json()["name"] == "retime"


def test_deleting_a_task(client_for, manager, artist, team, task, committed):
    assert client_for(artist).delete(f"/api/data/tasks/{task.id}").status_code == 403
    with committed():
        assert client_for(manager).delete(f"/api/data/tasks/{task.id}").status_code == 204
    assert not Task.objects.exists()
    assert ApiEvent.objects.filter(name="task:delete").count() == 1


@pytest.fixture
def version(team):
    return ProductionScheduleVersion.objects.create(name="v1", project=team)


def test_schedule_version_task_links(client_for, manager, artist, make_person, team, task, version):
    body = {
        "production_schedule_version_id": str(version.id),
        "task_id": str(task.id),
        "estimation": 3,
    }
    assert (
        client_for(artist)
        .post("/api/data/production-schedule-version-task-links", body, "json")
        .status_code
        == 403
    )
    response = client_for(manager).post(
        "/api/data/production-schedule-version-task-links", body, "json"
    )
    assert response.status_code == 201
    link_id = response.json()["id"]
    assert [
        row["id"]
        for row in client_for(artist).get("/api/data/production-schedule-version-task-links").json()
    ] == [link_id]
    assert (
        client_for(make_person("user"))
        .get("/api/data/production-schedule-version-task-links")
        .json()
        == []
    )
    path = f"/api/data/production-schedule-version-task-links/{link_id}"
    assert client_for(artist).put(path, {"estimation": 5}, "json").status_code == 403
    assert client_for(manager).put(path, {"estimation": 5}, "json").json()["estimation"] == 5
    assert client_for(manager).delete(path).status_code == 204


def test_schedule_version_actions(client_for, manager, artist, team, task, version, committed):
    Task.objects.filter(pk=task.pk).update(estimation=10, start_date="2024-03-01")
    task.assignees.add(artist)
    base = f"/api/actions/production-schedule-versions/{version.id}"
    assert client_for(artist).post(f"{base}/set-task-links-from-production").status_code == 403
    response = client_for(manager).post(f"{base}/set-task-links-from-production")
    assert response.json() == {"success": True, "task_link_count": 1}
    link = ProductionScheduleVersionTaskLink.objects.get()
    assert link.estimation == 10
    assert list(link.assignees.all()) == [artist]
    copy = ProductionScheduleVersion.objects.create(name="v2", project=team)
    response = client_for(manager).post(
        f"/api/actions/production-schedule-versions/{copy.id}/set-task-links-from-production-schedule-version",
        {"production_schedule_version_id": str(version.id)},
        "json",
    )
    assert response.json() == {"success": True, "task_link_count": 1}
    ProductionScheduleVersionTaskLink.objects.filter(production_schedule_version=copy).update(
        estimation=42
    )
    with committed():
        response = client_for(manager).post(
            f"/api/actions/production-schedule-versions/{copy.id}/apply-to-production"
        )
    assert response.json() == {"success": True, "task_count": 1}
    task.refresh_from_db()
    assert task.estimation == 42
    copy.refresh_from_db()
    assert copy.locked is True
    assert ApiEvent.objects.filter(name="task:update", data__task_id=str(task.id)).exists()
    assert (
        client_for(manager)
        .post(f"/api/actions/production-schedule-versions/{UNKNOWN_ID}/apply-to-production")
        .status_code
        == 404
    )
    assert (
        client_for(manager)
        .post(
            f"/api/actions/production-schedule-versions/{version.id}/set-task-links-from-production-schedule-version",
            {},
            "json",
        )
        .status_code
        == 400
    )
