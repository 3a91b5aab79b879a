"""The caller's to-do lists: /data/user/tasks, done-tasks and tasks-to-check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productions.models import EntityLink
from shots.models import Shot
from tasks.models import Comment, Task

TODO_KEYS = [
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
    "project_name",
    "project_has_avatar",
    "entity_name",
    "entity_description",
    "entity_data",
    "entity_preview_file_id",
    "entity_source_id",
    "entity_type_name",
    "entity_canceled",
    "sequence_name",
    "episode_id",
    "episode_name",
    "task_type_for_entity",
    "task_estimation",
    "task_duration",
    "task_start_date",
    "task_due_date",
    "task_type_name",
    "task_status_name",
    "task_type_color",
    "task_status_color",
    "task_status_short_name",
    "assignees",
    "last_comment",
]


def get_json(client_for, person, url, status=200):
    response = client_for(person).get(url)
    assert response.status_code == status, response.content
    return response.json()


def by_id(rows):
    return {row["id"]: row for row in rows}


# --- /data/user/tasks ---------------------------------------------------------------


def test_todos_need_a_token(anonymous_api):
    assert anonymous_api.get("/api/data/user/tasks").status_code == 401
    assert anonymous_api.get("/api/data/user/done-tasks").status_code == 401


def test_todos_list_the_artists_unfinished_tasks(client_for, artist, production):
    rows = get_json(client_for, artist, "/api/data/user/tasks")

    assert set(by_id(rows)) == {
        str(production.anim_sh1.id),
        str(production.model_hero.id),
        str(production.anim_sh2.id),
    }


def test_todo_row_of_a_shot_task(client_for, artist, manager, production):
    Comment.objects.create(
        object_id=production.anim_sh1.id, object_type="Task", person=manager, text="go on"
    )

    row = by_id(get_json(client_for, artist, "/api/data/user/tasks"))[str(production.anim_sh1.id)]

    assert list(row) == TODO_KEYS
    assert row["type"] == "Task"
    assert row["project_id"] == str(production.project.id)
    assert row["project_name"] == "Demo TV"
    assert row["project_has_avatar"] is False
    assert row["entity_id"] == str(production.shot1.id)
    assert row["entity_name"] == "SH0010"
    assert row["entity_description"] == "shot 1"
    assert row["entity_data"] == {"fps": "24", "frame_in": 1001, "frame_out": 1100}
    assert row["entity_preview_file_id"] == ""
    assert row["entity_source_id"] == ""
    assert row["entity_type_name"] == "Shot"
    assert row["entity_canceled"] is False
    assert row["sequence_name"] == "SQ01"
    assert row["episode_id"] == str(production.episode.id)
    assert row["episode_name"] == "E01"
    assert row["task_type_for_entity"] == "Shot"
    assert row["task_type_name"] == "Animation"
    assert row["task_type_color"] == "#009688"
    assert row["task_status_name"] == "Work In Progress"
    assert row["task_status_short_name"] == "wip"
    assert row["task_status_color"] == "#3273dc"
    assert row["task_estimation"] == 0.0
    assert row["task_due_date"] is None
    assert row["assignees"] == [str(artist.id)]
    assert row["last_comment"]["text"] == "go on"
    assert row["last_comment"]["person_id"] == str(manager.id)
    assert set(row["last_comment"]) == {"text", "date", "person_id"}


def test_todo_row_of_an_asset_names_its_episodes(client_for, artist, production):
    EntityLink.objects.create(entity_in=production.episode, entity_out=production.hero)

    row = by_id(get_json(client_for, artist, "/api/data/user/tasks"))[str(production.model_hero.id)]

    assert row["entity_type_name"] == "Characters"
    assert row["entity_source_id"] == str(production.episode.id)
    assert row["episode_id"] == str(production.episode.id)
    assert row["episode_name"] == "E01"
    assert row["sequence_name"] is None
    assert row["episode_ids"] == [str(production.episode.id)]
    assert row["episode_names"] == ["E01"]
    assert row["last_comment"] == {}


def test_last_comment_skips_client_comments(client_for, artist, manager, client_person, production):
    task = production.anim_sh1
    Comment.objects.create(object_id=task.id, object_type="Task", person=manager, text="studio")
    Comment.objects.create(
        object_id=task.id, object_type="Task", person=client_person, text="client"
    )

    row = by_id(get_json(client_for, artist, "/api/data/user/tasks"))[str(task.id)]

    assert row["last_comment"]["text"] == "studio"


def test_todos_leave_out_closed_projects_and_other_peoples_tasks(
    client_for, artist, supervisor, production, closed_status
):
    production.anim_sh1.assignees.set([supervisor])
    production.project.project_status = closed_status
    production.project.save()

    assert get_json(client_for, artist, "/api/data/user/tasks") == []
    assert get_json(client_for, supervisor, "/api/data/user/tasks") == []


def test_admin_off_the_team_has_no_todos(client_for, admin, production):
    production.anim_sh1.assignees.add(admin)

    assert get_json(client_for, admin, "/api/data/user/tasks") == []


def test_done_tasks_list_the_finished_ones(client_for, artist, production):
    rows = get_json(client_for, artist, "/api/data/user/done-tasks")

    assert [row["id"] for row in rows] == [str(production.layout_sh2.id)]
    assert rows[0]["task_status_short_name"] == "done"
    assert list(rows[0]) == TODO_KEYS


def _add_shots(production, artist, count):
    workflow = production.workflow
    start = Shot.objects.filter(project=production.project).count()
    for number in range(start, start + count):
        shot = Shot.objects.create(
            name=f"EXTRA{number:04d}", project=production.project, parent=production.sequence
        )
        for task_type, status in (
            (workflow.animation, workflow.wip),
            (workflow.layout, workflow.done),
        ):
            task = Task.objects.create(
                project=production.project, entity=shot, task_type=task_type, task_status=status
            )
            task.assignees.add(artist)
            Comment.objects.create(object_id=task.id, object_type="Task", person=artist, text="x")


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.json())


@pytest.mark.parametrize("url", ["/api/data/user/tasks", "/api/data/user/done-tasks"])
def test_todo_query_count_does_not_grow_with_tasks(client_for, artist, production, url):
    client = client_for(artist)
    _add_shots(production, artist, 1)
    small, small_rows = _count_queries(client, url)
    _add_shots(production, artist, 20)
    large, large_rows = _count_queries(client, url)

    assert large_rows == small_rows + 20
    assert small == large
    assert large <= 8, large


# --- /data/user/tasks-to-check ------------------------------------------------------

TO_CHECK = "/api/data/user/tasks-to-check"


def test_supervisor_checks_the_tasks_of_their_departments(client_for, supervisor, production):
    supervisor.departments.add(production.workflow.animation_department)

    rows = get_json(client_for, supervisor, TO_CHECK)

    assert [row["id"] for row in rows] == [str(production.anim_sh2.id)]
    assert list(rows[0]) == TODO_KEYS
    assert rows[0]["task_status_short_name"] == "wfa"


def test_supervisor_of_another_department_checks_nothing(client_for, supervisor, production):
    supervisor.departments.add(production.workflow.modeling_department)

    assert get_json(client_for, supervisor, TO_CHECK) == []


def test_supervisor_without_department_checks_their_whole_projects(
    client_for, supervisor, production
):
    assert [row["id"] for row in get_json(client_for, supervisor, TO_CHECK)] == [
        str(production.anim_sh2.id)
    ]


def test_manager_checks_only_their_projects(
    client_for, manager, make_person, production, make_project
):
    other_manager = make_person("manager")
    make_project(team={other_manager: None})

    assert len(get_json(client_for, manager, TO_CHECK)) == 1
    assert get_json(client_for, other_manager, TO_CHECK) == []


def test_admin_checks_every_open_project(client_for, admin, production):
    assert [row["id"] for row in get_json(client_for, admin, TO_CHECK)] == [
        str(production.anim_sh2.id)
    ]


@pytest.mark.parametrize("fixture", ["artist", "client_person", "vendor"])
def test_people_who_review_nothing_get_an_empty_list(client_for, request, fixture, production):
    person = request.getfixturevalue(fixture)

    assert get_json(client_for, person, TO_CHECK) == []
    assert get_json(client_for, person, TO_CHECK + "?page=1") == {
        "data": [],
        "stats": {"total": 0, "total_duration": 0, "total_estimation": 0},
        "page": 1,
        "limit": 100,
        "is_more": False,
    }


def test_to_check_filters(client_for, manager, artist, production):
    workflow = production.workflow
    production.anim_sh1.task_status = workflow.wfa
    production.anim_sh1.assignees.clear()
    production.anim_sh1.save()
    client = client_for(manager)

    def ids(query):
        response = client.get(f"{TO_CHECK}?{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()}

    both = {str(production.anim_sh1.id), str(production.anim_sh2.id)}
    assert ids("") == both
    assert ids(f"project_id={production.project.id}") == both
    assert ids(f"episode_id={production.episode.id}") == both
    assert ids("person_id=unassigned") == {str(production.anim_sh1.id)}
    assert ids(f"person_id={artist.id}") == {str(production.anim_sh2.id)}
    assert ids(f"task_type_id={workflow.layout.id}") == set()
    assert ids("due_date_since=2030-01-01") == set()


def test_to_check_pages(client_for, manager, production):
    workflow = production.workflow
    Task.objects.filter(pk=production.anim_sh1.pk).update(
        task_status=workflow.wfa, duration=30, estimation=60
    )
    Task.objects.filter(pk=production.anim_sh2.pk).update(duration=10)

    body = get_json(client_for, manager, f"{TO_CHECK}?page=1&limit=1&order_by=entity_name")

    assert body["stats"] == {"total": 2, "total_duration": 40.0, "total_estimation": 60.0}
    assert body["is_more"] is True
    assert body["limit"] == 1
    assert [row["entity_name"] for row in body["data"]] == ["SH0010"]
    second = get_json(client_for, manager, f"{TO_CHECK}?page=2&limit=1&order_by=entity_name")
    assert [row["entity_name"] for row in second["data"]] == ["SH0020"]
    assert second["is_more"] is False


@pytest.mark.parametrize(
    "query", ["project_id=nope", "person_id=1,2", "page=0", "limit=x", "due_date_until=soon"]
)
def test_to_check_rejects_malformed_parameters(client_for, manager, production, query):
    response = client_for(manager).get(f"{TO_CHECK}?{query}")

    assert response.status_code == 400
    assert response.json()["error"] is True


def test_to_check_query_count_does_not_grow(client_for, manager, artist, production):
    workflow = production.workflow
    client = client_for(manager)

    def add(count):
        _add_shots(production, artist, count)
        Task.objects.filter(task_status=workflow.wip).update(task_status=workflow.wfa)

    add(1)
    small, small_rows = _count_queries(client, TO_CHECK)
    add(20)
    large, large_rows = _count_queries(client, TO_CHECK)

    assert large_rows == small_rows + 20
    assert small == large


def test_to_check_filter_values(client_for, supervisor, artist, production):
    body = get_json(client_for, supervisor, TO_CHECK + "/filter-values")

    assert body == {
        "project_ids": [str(production.project.id)],
        "task_type_ids": [str(production.workflow.animation.id)],
        "task_status_ids": [str(production.workflow.wfa.id)],
        "episode_ids": [str(production.episode.id)],
        "person_ids": [str(artist.id)],
    }


def test_to_check_filter_values_are_empty_for_artists(client_for, artist, production):
    assert get_json(client_for, artist, TO_CHECK + "/filter-values") == {
        "project_ids": [],
        "task_type_ids": [],
        "task_status_ids": [],
        "episode_ids": [],
        "person_ids": [],
    }


def test_to_check_needs_a_token(anonymous_api):
    assert anonymous_api.get(TO_CHECK).status_code == 401
    assert anonymous_api.get(TO_CHECK + "/filter-values").status_code == 401
