"""The create-tasks actions, POST /data/entities/<id>/tasks and batch deletion."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import EntityConceptLink, ProjectTaskTypeLink
from tasks.models import Comment, Task, TaskType, TaskTypeAssetTypeLink, TimeSpent

from .conftest import UNKNOWN_ID

TASK_KEYS = {
    "name", "description", "priority", "difficulty", "duration", "estimation",
    "completion_rate", "retake_count", "sort_order", "start_date", "due_date",
    "real_start_date", "end_date", "done_date", "last_comment_date", "nb_assets_ready",
    "data", "nb_drawings", "shotgun_id", "last_preview_file_id", "project_id",
    "task_type_id", "task_status_id", "entity_id", "assigner_id", "assignees", "id",
    "created_at", "updated_at", "type",
}  # fmt: skip


def url(project, task_type, suffix):
    return f"/api/actions/projects/{project.id}/task-types/{task_type.id}/{suffix}"


def test_manager_creates_shot_tasks_for_all_shots(
    client_for, manager, team, make_shot, animation, committed
):
    shots = [make_shot(f"SH{number:04d}") for number in (10, 20)]
    with committed():
        response = client_for(manager).post(url(team, animation, "shots/create-tasks"), [], "json")
    assert response.status_code == 201
    rows = response.json()
    assert len(rows) == 2
    assert set(rows[0]) == TASK_KEYS
    assert {row["entity_id"] for row in rows} == {str(shot.id) for shot in shots}
    assert rows[0]["name"] == "main"
    assert rows[0]["type"] == "Task"
    assert rows[0]["assignees"] == []
    assert rows[0]["assigner_id"] == str(manager.id)
    assert Task.objects.get(entity=shots[0]).task_status.short_name == "todo"
    assert ApiEvent.objects.filter(name="task:new", project_id=team.id).count() == 2


def test_create_tasks_is_idempotent(client_for, manager, team, shot, animation):
    api = client_for(manager)
    first = api.post(url(team, animation, "shots/create-tasks"), [str(shot.id)], "json")
    second = api.post(url(team, animation, "shots/create-tasks"), [str(shot.id)], "json")
    assert first.status_code == second.status_code == 201
    assert len(first.json()) == 1
    assert second.json() == []
    assert Task.objects.filter(entity=shot).count() == 1


def test_task_type_not_enabled_on_project_is_400(client_for, manager, team, shot, init_data):
    lighting = TaskType.objects.get(name="Lighting")
    response = client_for(manager).post(url(team, lighting, "shots/create-tasks"), [], "json")
    assert response.status_code == 400
    assert "not enabled" in response.json()["message"]
    assert not Task.objects.exists()


def test_entity_of_another_project_is_400(client_for, manager, team, other_project, animation):
    from shots.models import Shot

    foreign = Shot.objects.create(name="SH9999", project=other_project)
    response = client_for(manager).post(
        url(team, animation, "shots/create-tasks"), [str(foreign.id)], "json"
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_malformed_and_unknown_ids(client_for, manager, team, animation):
    api = client_for(manager)
    assert api.post(url(team, animation, "shots/create-tasks"), ["nope"], "json").status_code == 400
    unknown = f"/api/actions/projects/{team.id}/task-types/{UNKNOWN_ID}/shots/create-tasks"
    assert api.post(unknown, [], "json").status_code == 404
    unknown = f"/api/actions/projects/{UNKNOWN_ID}/task-types/{animation.id}/shots/create-tasks"
    assert api.post(unknown, [], "json").status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "artist", "client_person", "vendor"])
def test_non_managers_may_not_create_tasks(request, client_for, team, shot, animation, who):
    person = request.getfixturevalue(who)
    response = client_for(person).post(url(team, animation, "shots/create-tasks"), [], "json")
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_manager_outside_the_team_gets_403(client_for, make_person, project, shot, animation):
    outsider = make_person("manager")
    response = client_for(outsider).post(url(project, animation, "shots/create-tasks"), [], "json")
    assert response.status_code == 403


def test_anonymous_gets_401(anonymous_api, project, animation):
    assert anonymous_api.post(url(project, animation, "shots/create-tasks")).status_code == 401


def test_asset_tasks_respect_asset_type_workflow(
    client_for, manager, team, asset, characters, modeling, init_data
):
    from assets.models import Asset
    from productions.models import get_or_create_entity_type

    props = get_or_create_entity_type("Props")
    prop = Asset.objects.create(name="Sword", project=team, entity_type=props)
    shading = TaskType.objects.get(name="Shading")
    TaskTypeAssetTypeLink.objects.create(asset_type=props, task_type=shading)
    response = client_for(manager).post(url(team, modeling, "assets/create-tasks"), None, "json")
    assert response.status_code == 201
    assert [row["entity_id"] for row in response.json()] == [str(asset.id)]
    assert not Task.objects.filter(entity=prop).exists()


def test_create_tasks_for_sequences(client_for, manager, team, sequence, init_data):
    storyboard = TaskType.objects.create(name="Seq board", for_entity="Sequence")
    ProjectTaskTypeLink.objects.create(project=team, task_type=storyboard)
    api = client_for(manager)
    response = api.post(url(team, storyboard, "create-tasks/sequences"), [], "json")
    assert response.status_code == 201
    assert [row["entity_id"] for row in response.json()] == [str(sequence.id)]
    assert api.post(url(team, storyboard, "create-tasks/planets"), [], "json").status_code == 404


def test_concept_tasks_start_neutral_and_artists_may_create_them(
    client_for, artist, client_person, team, init_data
):
    from assets.models import Concept

    concept_type = TaskType.objects.get(name="Concept", for_entity="Concept")
    ProjectTaskTypeLink.objects.create(project=team, task_type=concept_type)
    concept = Concept.objects.create(name="Sketch", project=team)
    path = url(team, concept_type, "concepts/create-tasks")
    assert client_for(client_person).post(path, [], "json").status_code == 403
    response = client_for(artist).post(path, [], "json")
    assert response.status_code == 201
    assert Task.objects.get(entity=concept).task_status.short_name == "neutral"


def test_create_tasks_on_one_entity(client_for, manager, artist, team, shot, animation, layout):
    path = f"/api/data/entities/{shot.id}/tasks"
    body = {"task_type_ids": [str(animation.id), str(layout.id)]}
    assert client_for(artist).post(path, body, "json").status_code == 403
    response = client_for(manager).post(path, body, "json")
    assert response.status_code == 201
    assert {row["task_type_id"] for row in response.json()} == {str(animation.id), str(layout.id)}
    assert client_for(manager).post(path, {}, "json").status_code == 400
    unknown = f"/api/data/entities/{UNKNOWN_ID}/tasks"
    assert client_for(manager).post(unknown, body, "json").status_code == 404


def test_delete_tasks_batch(client_for, manager, artist, team, task, committed):
    Comment.objects.create(
        object_id=task.id, object_type="Task", person=manager, task_status=task.task_status
    )
    task.assignees.add(artist)
    TimeSpent.objects.create(task=task, person=artist, duration=30, date="2024-03-05")
    path = f"/api/actions/projects/{team.id}/delete-tasks"
    assert client_for(artist).post(path, [str(task.id)], "json").status_code == 403
    with committed():
        response = client_for(manager).post(path, [str(task.id)], "json")
    assert response.status_code == 200
    assert response.json() == [str(task.id)]
    assert not Task.objects.exists()
    assert not Comment.objects.exists()
    assert ApiEvent.objects.filter(name="task:delete", data__task_id=str(task.id)).exists()


def test_delete_all_tasks_of_a_type_is_for_admins(client_for, admin, manager, team, task):
    path = f"/api/actions/projects/{team.id}/task-types/{task.task_type_id}/delete-tasks"
    assert client_for(manager).delete(path).status_code == 403
    assert client_for(admin).delete(path).status_code == 204
    assert not Task.objects.exists()


def test_delete_entities_cancels_entities_with_tasks(
    client_for, manager, artist, team, task, make_shot, committed
):
    empty = make_shot("SH0500")
    path = f"/api/actions/projects/{team.id}/delete-entities"
    body = [str(task.entity_id), str(empty.id)]
    assert client_for(artist).post(path, body, "json").status_code == 403
    with committed():
        response = client_for(manager).post(path, body, "json")
    assert response.status_code == 200
    assert set(response.json()) == set(body)
    task.entity.refresh_from_db()
    assert task.entity.canceled is True
    assert not type(empty).objects.filter(pk=empty.pk).exists()
    assert ApiEvent.objects.filter(name="shot:update", data__shot_id=body[0]).exists()
    assert ApiEvent.objects.filter(name="shot:delete", data__shot_id=body[1]).exists()
    assert EntityConceptLink.objects.count() == 0
