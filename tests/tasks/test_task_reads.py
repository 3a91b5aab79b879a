"""Task lists and the full task: payload shapes, visibility and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import Comment, Task

from .conftest import UNKNOWN_ID
from .test_create_tasks import TASK_KEYS

ENTITY_KEYS = {
    "id", "name", "code", "description", "shotgun_id", "canceled", "nb_frames",
    "nb_entities_out", "is_casting_standby", "is_shared", "status", "project_id",
    "entity_type_id", "parent_id", "source_id", "preview_file_id", "data", "ready_for",
    "created_by", "created_at", "updated_at", "type",
}  # fmt: skip
FULL_KEYS = TASK_KEYS | {
    "entity", "entity_type", "is_subscribed", "persons", "project", "task_status",
    "task_type", "assigner", "sequence", "episode",
}  # fmt: skip
TODO_EXTRA_KEYS = {
    "project_name", "project_has_avatar", "entity_name", "entity_description", "entity_data",
    "entity_preview_file_id", "entity_source_id", "entity_type_name", "entity_canceled",
    "sequence_name", "episode_id", "episode_name", "task_type_for_entity", "task_estimation",
    "task_duration", "task_start_date", "task_due_date", "task_type_name", "task_status_name",
    "task_type_color", "task_status_color", "task_status_short_name", "last_comment",
}  # fmt: skip


def test_full_task_payload(client_for, artist, team, task, episode, sequence, shot, admin):
    task.assignees.add(artist)
    response = client_for(artist).get(f"/api/data/tasks/{task.id}/full")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == FULL_KEYS
    assert set(body["entity"]) == ENTITY_KEYS
    assert body["entity"]["type"] == "Entity"
    assert body["entity"]["name"] == "SH0010"
    assert body["entity_type"]["type"] == "EntityType"
    assert body["entity_type"]["name"] == "Shot"
    assert body["project"]["type"] == "Project"
    assert body["project"]["name"] == "Demo TV"
    assert "team" not in body["project"]
    assert body["task_type"]["name"] == "Animation"
    assert body["task_status"]["short_name"] == "todo"
    assert body["assignees"] == [str(artist.id)]
    assert [person["id"] for person in body["persons"]] == [str(artist.id)]
    assert body["persons"][0]["full_name"] == "Art Artist"
    assert "password" not in body["persons"][0]
    assert body["assigner"]["id"] == str(admin.id)
    assert body["assigner"]["departments"] == []
    assert body["sequence"]["type"] == "Sequence"
    assert body["sequence"]["id"] == str(sequence.id)
    assert body["episode"]["type"] == "Episode"
    assert body["episode"]["id"] == str(episode.id)
    assert body["is_subscribed"] is False


def test_full_task_access(client_for, make_person, vendor, project, team, task, anonymous_api):
    outsider = make_person("user")
    assert client_for(outsider).get(f"/api/data/tasks/{task.id}/full").status_code == 403
    # A vendor sees only the tasks of entities they work on.
    assert client_for(vendor).get(f"/api/data/tasks/{task.id}/full").status_code == 403
    task.assignees.add(vendor)
    assert client_for(vendor).get(f"/api/data/tasks/{task.id}/full").status_code == 200
    assert anonymous_api.get(f"/api/data/tasks/{task.id}/full").status_code == 401
    assert client_for(vendor).get(f"/api/data/tasks/{UNKNOWN_ID}/full").status_code == 404
    assert client_for(vendor).get("/api/data/tasks/nope/full").status_code == 400


def make_tasks(count, make_shot, project, animation, todo, artist, start=0):
    for number in range(start, start + count):
        shot = make_shot(f"SQ{number:04d}")
        task = Task.objects.create(
            project=project, entity=shot, task_type=animation, task_status=todo
        )
        task.assignees.add(artist)
        Comment.objects.create(
            object_id=task.id, object_type="Task", person=artist, task_status=todo, text="hi"
        )


def count_queries(api, path):
    with CaptureQueriesContext(connection) as context:
        response = api.get(path)
    assert response.status_code == 200
    return len(context.captured_queries), response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/data/projects/{project}/tasks",
        "/api/data/tasks/open-tasks",
        "/api/data/persons/{artist}/tasks",
    ],
)
def test_query_count_does_not_grow_with_rows(
    client_for, manager, artist, team, make_shot, animation, todo, path
):
    api = client_for(manager)
    make_tasks(1, make_shot, team, animation, todo, artist)
    first = Task.objects.first()
    fill = {"project": team.id, "artist": artist.id, "task": first.id}
    small, _ = count_queries(api, path.format(**fill))
    make_tasks(30, make_shot, team, animation, todo, artist, start=1)
    large, body = count_queries(api, path.format(**fill))
    assert small == large
    if isinstance(body, dict) and "stats" in body:
        assert len(body["data"]) == 31
    elif isinstance(body, list):
        assert len(body) == 31


def test_project_tasks(client_for, manager, artist, vendor, team, task, shot, layout, todo):
    other = Task.objects.create(project=team, entity=shot, task_type=layout, task_status=todo)
    other.assignees.add(vendor)
    path = f"/api/data/projects/{team.id}/tasks"
    rows = client_for(artist).get(path).json()
    assert {row["id"] for row in rows} == {str(task.id), str(other.id)}
    assert set(rows[0]) == TASK_KEYS
    filtered = client_for(artist).get(path, {"task_type_id": str(layout.id)}).json()
    assert [row["id"] for row in filtered] == [str(other.id)]
    # Vendors only see what they are assigned.
    assert [row["id"] for row in client_for(vendor).get(path).json()] == [str(other.id)]
    page = client_for(manager).get(path, {"page": 1, "limit": 1}).json()
    assert page["total"] == 2
    assert page["nb_pages"] == 2
    assert len(page["data"]) == 1


def test_project_tasks_access(client_for, make_person, project, anonymous_api):
    assert (
        client_for(make_person("user")).get(f"/api/data/projects/{project.id}/tasks").status_code
        == 403
    )
    assert anonymous_api.get(f"/api/data/projects/{project.id}/tasks").status_code == 401
    assert (
        client_for(make_person("admin")).get(f"/api/data/projects/{UNKNOWN_ID}/tasks").status_code
        == 404
    )


def test_person_tasks_rows(client_for, manager, artist, team, task, done, episode, sequence):
    task.assignees.add(artist)
    Comment.objects.create(
        object_id=task.id,
        object_type="Task",
        person=manager,
        task_status=task.task_status,
        text="go",
    )
    rows = client_for(manager).get(f"/api/data/persons/{artist.id}/tasks").json()
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == TASK_KEYS | TODO_EXTRA_KEYS
    assert row["project_name"] == "Demo TV"
    assert row["entity_name"] == "SH0010"
    assert row["entity_type_name"] == "Shot"
    assert row["sequence_name"] == "SQ01"
    assert row["episode_id"] == str(episode.id)
    assert row["episode_name"] == "E01"
    assert row["entity_preview_file_id"] == ""
    assert row["task_status_short_name"] == "todo"
    assert row["last_comment"]["text"] == "go"
    assert row["last_comment"]["person_id"] == str(manager.id)
    assert client_for(manager).get(f"/api/data/persons/{artist.id}/done-tasks").json() == []
    Task.objects.filter(pk=task.pk).update(task_status=done)
    done_rows = client_for(manager).get(f"/api/data/persons/{artist.id}/done-tasks").json()
    assert [row["id"] for row in done_rows] == [str(task.id)]


def test_person_tasks_limited_to_callers_projects(
    client_for, make_person, client_person, artist, team, task
):
    task.assignees.add(artist)
    outsider = make_person("user")
    assert client_for(outsider).get(f"/api/data/persons/{artist.id}/tasks").json() == []
    assert client_for(client_person).get(f"/api/data/persons/{artist.id}/tasks").json() == []
    assert client_for(outsider).get(f"/api/data/persons/{UNKNOWN_ID}/tasks").status_code == 404


def test_related_tasks_need_a_shared_project(
    client_for, make_person, artist, supervisor, client_person, team, task, shot, layout, todo
):
    task.assignees.add(artist)
    sibling = Task.objects.create(project=team, entity=shot, task_type=layout, task_status=todo)
    path = f"/api/data/persons/{artist.id}/related-tasks/{layout.id}"
    response = client_for(supervisor).get(path)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(sibling.id)]
    assert client_for(artist).get(path).status_code == 200
    assert client_for(make_person("user")).get(path).status_code == 403
    assert client_for(client_person).get(path).status_code == 403
    assert client_for(make_person("manager")).get(path).status_code == 403


def test_open_tasks(client_for, manager, artist, make_person, team, task, shot, layout, wip):
    other = Task.objects.create(project=team, entity=shot, task_type=layout, task_status=wip)
    other.assignees.add(artist)
    api = client_for(manager)
    body = api.get("/api/data/tasks/open-tasks").json()
    assert set(body) == {"data", "stats", "limit", "is_more", "page"}
    assert body["stats"]["total"] == 2
    assert body["limit"] == 200
    assert body["page"] == 1
    assert body["is_more"] is False
    assert {row["id"] for row in body["data"]} == {str(task.id), str(other.id)}
    row = next(row for row in body["data"] if row["id"] == str(other.id))
    assert row["status_short_name"] == "wip"
    assert row["type_name"] == "Layout"
    assert row["assignees"] == [str(artist.id)]
    by_status = api.get("/api/data/tasks/open-tasks", {"task_status_id": str(wip.id)}).json()
    assert [row["id"] for row in by_status["data"]] == [str(other.id)]
    by_person = api.get("/api/data/tasks/open-tasks", {"person_id": str(artist.id)}).json()
    assert [row["id"] for row in by_person["data"]] == [str(other.id)]
    unassigned = api.get("/api/data/tasks/open-tasks", {"person_id": "unassigned"}).json()
    assert [row["id"] for row in unassigned["data"]] == [str(task.id)]
    paged = api.get("/api/data/tasks/open-tasks", {"limit": 1, "page": 1}).json()
    assert len(paged["data"]) == 1
    assert paged["is_more"] is True
    assert client_for(make_person("user")).get("/api/data/tasks/open-tasks").json()["data"] == []
    outsider = client_for(make_person("user"))
    assert (
        outsider.get("/api/data/tasks/open-tasks", {"project_id": str(team.id)}).status_code == 403
    )
    assert api.get("/api/data/tasks/open-tasks", {"task_type_id": "x"}).status_code == 400


def test_open_tasks_stats_and_burndown(client_for, manager, team, task, done):
    Task.objects.filter(pk=task.pk).update(task_status=done, estimation=60, done_date="2024-03-05")
    api = client_for(manager)
    stats = api.get("/api/data/tasks/open-tasks/stats").json()
    project_stats = stats[str(team.id)]
    assert project_stats["amount"] == 1
    assert project_stats["amount_done"] == 1
    assert project_stats["total_estimation"] == 60
    assert project_stats["task_types"][0]["task_type_id"] == str(task.task_type_id)
    burndown = api.get("/api/data/tasks/open-tasks/burndown").json()
    assert burndown["total"] == 1
    assert burndown["done_by_day"] == [{"date": "2024-03-05", "done": 1, "done_estimation": 60.0}]


def test_persons_task_dates(client_for, supervisor, artist, team, task):
    Task.objects.filter(pk=task.pk).update(start_date="2024-03-01", due_date="2024-03-09")
    task.assignees.add(artist)
    response = client_for(supervisor).get("/api/data/persons/task-dates")
    assert response.status_code == 200
    assert response.json() == [
        {
            "person_id": str(artist.id),
            "min_date": "2024-03-01T00:00:00",
            "max_date": "2024-03-09T00:00:00",
        }
    ]
    assert client_for(artist).get("/api/data/persons/task-dates").status_code == 403


def test_entity_task_type_tasks(client_for, artist, make_person, team, task, shot, animation):
    path = f"/api/data/entities/{shot.id}/task-types/{animation.id}/tasks"
    rows = client_for(artist).get(path).json()
    assert [row["id"] for row in rows] == [str(task.id)]
    assert client_for(make_person("user")).get(path).status_code == 403
    unknown = f"/api/data/entities/{UNKNOWN_ID}/task-types/{animation.id}/tasks"
    assert client_for(artist).get(unknown).status_code == 404


def test_full_task_query_count_does_not_grow_with_assignees(
    client_for, manager, team, task, make_person
):
    api = client_for(manager)
    task.assignees.add(make_person("user"))
    small, _ = count_queries(api, f"/api/data/tasks/{task.id}/full")
    task.assignees.add(*[make_person("user") for _ in range(6)])
    large, body = count_queries(api, f"/api/data/tasks/{task.id}/full")
    assert small == large
    assert len(body["persons"]) == 7
