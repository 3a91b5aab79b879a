"""Assigning and unassigning tasks, and setting their priority."""

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import Department
from productions.models import ProjectPersonLink
from tasks.models import Notification, Task

from .conftest import UNKNOWN_ID


def test_manager_assigns_a_task(client_for, manager, artist, team, task, committed):
    with committed():
        response = client_for(manager).put(
            f"/api/actions/tasks/{task.id}/assign", {"person_id": str(artist.id)}, "json"
        )
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(task.id)
    assert body["assignees"] == [str(artist.id)]
    assert body["assigner_id"] == str(manager.id)
    notification = Notification.objects.get()
    assert (notification.type, notification.person_id, notification.author_id) == (
        "assignation",
        artist.id,
        manager.id,
    )
    assert notification.task_id == task.id
    assign = ApiEvent.objects.get(name="task:assign")
    assert assign.data["task_id"] == str(task.id)
    assert assign.data["person_id"] == str(artist.id)
    assert assign.project_id == team.id
    assert ApiEvent.objects.filter(name="task:update", data__task_id=str(task.id)).exists()


def test_assigning_adds_the_person_to_the_team(client_for, manager, team, task, make_person):
    newcomer = make_person("user")
    response = client_for(manager).put(
        f"/api/actions/tasks/{task.id}/assign", {"person_id": str(newcomer.id)}, "json"
    )
    assert response.status_code == 200
    assert ProjectPersonLink.objects.filter(project=team, person=newcomer).exists()


def test_assign_errors(client_for, manager, team, task, artist, anonymous_api):
    api = client_for(manager)
    path = f"/api/actions/tasks/{task.id}/assign"
    assert api.put(path, {}, "json").status_code == 400
    unknown_person = api.put(path, {"person_id": UNKNOWN_ID}, "json")
    assert unknown_person.status_code == 400
    assert unknown_person.json() == {"error": "Assignee doesn't exist in database."}
    unknown_task = f"/api/actions/tasks/{UNKNOWN_ID}/assign"
    assert api.put(unknown_task, {"person_id": str(artist.id)}, "json").status_code == 404
    assert (
        api.put("/api/actions/tasks/bad/assign", {"person_id": str(artist.id)}, "json").status_code
        == 400
    )
    assert anonymous_api.put(path, {"person_id": str(artist.id)}, "json").status_code == 401


@pytest.mark.parametrize("who", ["artist", "client_person", "vendor"])
def test_other_roles_may_not_assign(request, client_for, team, task, artist, who):
    person = request.getfixturevalue(who)
    response = client_for(person).put(
        f"/api/actions/tasks/{task.id}/assign", {"person_id": str(artist.id)}, "json"
    )
    assert response.status_code == 403
    assert not task.assignees.exists()


def test_supervisor_assigns_only_within_departments(
    client_for, supervisor, team, task, artist, make_person, join, init_data
):
    animation_department = Department.objects.get(name="Animation")
    supervisor.departments.add(animation_department)
    artist.departments.add(animation_department)
    lighter = join(team, make_person("user"))
    lighter.departments.add(Department.objects.get(name="Lighting"))
    api = client_for(supervisor)
    path = f"/api/actions/tasks/{task.id}/assign"
    assert api.put(path, {"person_id": str(lighter.id)}, "json").status_code == 403
    assert api.put(path, {"person_id": str(artist.id)}, "json").status_code == 200
    supervisor.departments.set([Department.objects.get(name="Lighting")])
    assert api.put(path, {"person_id": str(lighter.id)}, "json").status_code == 403


def test_assign_tasks_to_a_person(client_for, manager, artist, team, task, shot, layout, todo):
    other = Task.objects.create(project=team, entity=shot, task_type=layout, task_status=todo)
    response = client_for(manager).put(
        f"/api/actions/persons/{artist.id}/assign",
        {"task_ids": [str(task.id), str(other.id)]},
        "json",
    )
    assert response.status_code == 200
    assert {row["id"] for row in response.json()} == {str(task.id), str(other.id)}
    assert all(row["assignees"] == [str(artist.id)] for row in response.json())
    assert Notification.objects.filter(person=artist, type="assignation").count() == 2


def test_batch_assign_refused_is_403_not_an_empty_list(client_for, artist, team, task):
    response = client_for(artist).put(
        f"/api/actions/persons/{artist.id}/assign", {"task_ids": [str(task.id)]}, "json"
    )
    assert response.status_code == 403
    assert not task.assignees.exists()


def test_batch_assign_errors(client_for, manager, team, task):
    api = client_for(manager)
    assert (
        api.put(
            f"/api/actions/persons/{UNKNOWN_ID}/assign", {"task_ids": [str(task.id)]}, "json"
        ).status_code
        == 404
    )
    assert api.put(f"/api/actions/persons/{manager.id}/assign", {}, "json").status_code == 400


def test_clear_assignation(client_for, manager, artist, vendor, team, task, committed):
    task.assignees.add(artist, vendor)
    api = client_for(manager)
    with committed():
        response = api.put(
            "/api/actions/tasks/clear-assignation",
            {"task_ids": [str(task.id)], "person_id": str(vendor.id)},
            "json",
        )
    assert response.status_code == 200
    assert response.json() == [str(task.id)]
    assert list(task.assignees.all()) == [artist]
    event = ApiEvent.objects.get(name="task:unassign")
    assert event.data["person_id"] == str(vendor.id)
    response = api.put("/api/actions/tasks/clear-assignation", {"task_ids": [str(task.id)]}, "json")
    assert response.status_code == 200
    assert not task.assignees.exists()


def test_clear_assignation_refused_is_403(client_for, artist, team, task):
    task.assignees.add(artist)
    response = client_for(artist).put(
        "/api/actions/tasks/clear-assignation", {"task_ids": [str(task.id)]}, "json"
    )
    assert response.status_code == 403
    assert task.assignees.exists()
    assert (
        client_for(artist).put("/api/actions/tasks/clear-assignation", {}, "json").status_code
        == 400
    )


def test_set_priority(client_for, manager, supervisor, artist, team, task):
    path = "/api/actions/tasks/set-priority"
    body = {"task_ids": [str(task.id)], "priority": 2}
    assert client_for(artist).put(path, body, "json").status_code == 403
    response = client_for(supervisor).put(path, body, "json")
    assert response.status_code == 200
    assert response.json()[0]["priority"] == 2
    task.refresh_from_db()
    assert task.priority == 2
    assert client_for(manager).put(path, {"task_ids": [str(task.id)]}, "json").status_code == 400
