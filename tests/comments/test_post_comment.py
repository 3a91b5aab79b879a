"""Posting a comment on a task: the 201 body, access per role, the task's status
and dates, events, notifications, news, mentions, hashtags and the retake cap."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent
from people.models import Department
from productions.models import Entity, ProjectTaskStatusLink, get_or_create_entity_type
from tasks.models import (
    AttachmentFile,
    Comment,
    CommentDepartmentMention,
    CommentMention,
    News,
    Notification,
    Subscription,
)

from .conftest import UNKNOWN_ID

COMMENT_KEYS = {
    "shotgun_id", "object_id", "object_type", "text", "data", "replies", "checklist",
    "pinned", "for_client", "links", "task_status_id", "person_id", "editor_id",
    "preview_file_id", "previews", "id", "created_at", "updated_at", "type", "mentions",
    "department_mentions", "acknowledgements", "attachment_files", "task_status", "person",
}  # fmt: skip
TASK_STATUS_KEYS = {
    "name", "archived", "short_name", "description", "color", "priority", "is_done",
    "is_artist_allowed", "is_client_allowed", "is_retake", "is_feedback_request",
    "is_default", "is_wip", "shotgun_id", "for_concept", "id", "created_at", "updated_at",
    "type",
}  # fmt: skip


def path(task):
    return f"/api/actions/tasks/{task.id}/comment"


def body(status, text="A note", **extra):
    """What the Kitsu UI sends."""
    return {
        "task_status_id": str(status.id),
        "comment": text,
        "checklist": [],
        "for_client": False,
        **extra,
    }


def event_names():
    return list(ApiEvent.objects.order_by("created_at").values_list("name", flat=True))


def test_comment_201_body(client_for, manager, team, task, statuses, committed):
    with committed():
        response = client_for(manager).post(
            path(task), body(statuses["wip"], "Payload note"), format="json"
        )
    assert response.status_code == 201
    data = response.json()
    assert set(data) == COMMENT_KEYS
    comment = Comment.objects.get()
    assert data["id"] == str(comment.id)
    assert data["type"] == "Comment"
    assert data["object_id"] == str(task.id)
    assert data["object_type"] == "Task"
    assert data["text"] == "Payload note"
    for key in ("replies", "checklist", "links", "previews", "mentions", "attachment_files"):
        assert data[key] == [], key
    assert data["for_client"] is False
    assert data["person_id"] == str(manager.id)
    assert data["task_status_id"] == str(statuses["wip"].id)
    assert set(data["task_status"]) == TASK_STATUS_KEYS
    assert data["task_status"]["short_name"] == "wip"
    assert data["task_status"]["type"] == "TaskStatus"
    assert data["person"]["id"] == str(manager.id)
    assert data["person"]["full_name"] == "Max Manager"
    assert data["person"]["type"] == "Person"
    assert "password" not in data["person"]
    assert len(data["created_at"]) == 19  # no microseconds, no timezone


def test_status_change_side_effects(client_for, manager, artist, team, task, statuses, committed):
    with committed():
        response = client_for(manager).post(path(task), body(statuses["wip"]), format="json")
    assert response.status_code == 201
    task.refresh_from_db()
    assert task.task_status_id == statuses["wip"].id
    assert task.real_start_date is not None
    assert task.last_comment_date is not None
    assert event_names() == ["comment:new", "task:update", "task:status-changed", "news:new"]
    changed = ApiEvent.objects.get(name="task:status-changed").data
    assert changed["task_id"] == str(task.id)
    assert changed["new_task_status_id"] == str(statuses["wip"].id)
    assert changed["previous_task_status_id"] == str(statuses["todo"].id)
    assert changed["person_id"] == str(manager.id)
    new = ApiEvent.objects.get(name="comment:new")
    assert new.data["for_client"] is False
    assert new.project_id == team.id
    # The assignee is told, the author is not.
    notification = Notification.objects.get()
    assert (notification.person_id, notification.type, notification.change) == (
        artist.id,
        "comment",
        True,
    )
    news = News.objects.get()
    assert (news.task_id, news.author_id, news.change) == (task.id, manager.id, True)


def test_feedback_request_dates_and_to_review(client_for, artist, team, task, statuses, committed):
    api = client_for(artist)
    with committed():
        api.post(path(task), body(statuses["wip"]), format="json")
        api.post(path(task), body(statuses["wfa"]), format="json")
    task.refresh_from_db()
    assert task.end_date is not None
    names = event_names()
    assert names.count("task:to-review") == 1
    assert names.count("task:status-changed") == 2


def test_done_and_retake_counting(client_for, manager, team, task, statuses):
    api = client_for(manager)
    assert api.post(path(task), body(statuses["done"]), format="json").status_code == 201
    task.refresh_from_db()
    assert task.done_date is not None
    api.post(path(task), body(statuses["retake"]), format="json")
    task.refresh_from_db()
    assert task.retake_count == 1
    assert task.done_date is None  # leaving done clears it
    # Staying in retake does not count another one.
    api.post(path(task), body(statuses["retake"], "still wrong"), format="json")
    task.refresh_from_db()
    assert task.retake_count == 1


def test_note_without_status_change(client_for, manager, artist, team, task, statuses, committed):
    with committed():
        client_for(manager).post(path(task), body(statuses["todo"]), format="json")
    assert "task:status-changed" not in event_names()
    assert Notification.objects.get().change is False
    assert News.objects.get().change is False


def test_retake_cap(client_for, manager, team, task, statuses):
    team.max_retakes = 1
    team.save()
    api = client_for(manager)
    assert api.post(path(task), body(statuses["retake"]), format="json").status_code == 201
    api.post(path(task), body(statuses["wip"]), format="json")
    response = api.post(path(task), body(statuses["retake"]), format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "No more retakes allowed on this task"
    assert Comment.objects.count() == 2  # the refused comment left nothing behind


def test_entity_retake_cap_wins(client_for, manager, team, task, shot, statuses):
    shot.data = {"max_retakes": 2}
    shot.save()
    team.max_retakes = 1
    team.save()
    api = client_for(manager)
    api.post(path(task), body(statuses["retake"]), format="json")
    api.post(path(task), body(statuses["wip"]), format="json")
    assert api.post(path(task), body(statuses["retake"]), format="json").status_code == 201
    api.post(path(task), body(statuses["wip"]), format="json")
    assert api.post(path(task), body(statuses["retake"]), format="json").status_code == 400


# --- access per role ---------------------------------------------------------------------


def test_artist_on_assigned_task_with_allowed_status(client_for, artist, team, task, statuses):
    api = client_for(artist)
    assert api.post(path(task), body(statuses["wfa"]), format="json").status_code == 201
    # Retake and done are not artist statuses.
    assert api.post(path(task), body(statuses["done"]), format="json").status_code == 403


def test_artist_not_assigned_gets_403(client_for, artist, team, layout_task, statuses):
    response = client_for(artist).post(path(layout_task), body(statuses["wip"]), format="json")
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_mentioned_artist_may_answer_without_changing_status(
    client_for, manager, make_person, join, team, layout_task, statuses
):
    other = join(team, make_person("user", first_name="Nia", last_name="Ng"))
    client_for(manager).post(
        path(layout_task), body(statuses["wip"], "@Nia Ng look"), format="json"
    )
    api = client_for(other)
    assert (
        api.post(path(layout_task), body(statuses["wip"], "ok"), format="json").status_code == 201
    )
    response = api.post(path(layout_task), body(statuses["wfa"]), format="json")
    assert response.status_code == 403


def test_supervisor_of_other_department_gets_403(
    client_for, supervisor, team, task, statuses, task_types
):
    supervisor.departments.set([Department.objects.get(name="Layout")])
    response = client_for(supervisor).post(path(task), body(statuses["done"]), format="json")
    assert response.status_code == 403
    supervisor.departments.set([Department.objects.get(name="Animation")])
    response = client_for(supervisor).post(path(task), body(statuses["done"]), format="json")
    assert response.status_code == 201


def test_client_statuses_and_project_override(client_for, client_person, team, task, statuses):
    api = client_for(client_person)
    assert api.post(path(task), body(statuses["retake"]), format="json").status_code == 201
    assert api.post(path(task), body(statuses["wip"]), format="json").status_code == 403
    ProjectTaskStatusLink.objects.create(
        project=team, task_status=statuses["retake"], is_client_allowed=False
    )
    assert api.post(path(task), body(statuses["retake"]), format="json").status_code == 403


def test_client_comment_is_not_notified_to_artists(
    client_for, client_person, artist, supervisor, team, task, statuses
):
    Subscription.objects.create(person=supervisor, task=task)
    client_for(client_person).post(path(task), body(statuses["retake"]), format="json")
    assert list(Notification.objects.values_list("person_id", flat=True)) == [supervisor.id]


def test_vendor_and_outsider_and_anonymous(
    client_for, vendor, make_person, anonymous_api, team, task, statuses
):
    assert (
        client_for(vendor).post(path(task), body(statuses["wip"]), format="json").status_code == 403
    )
    outsider = client_for(make_person("manager"))
    assert outsider.post(path(task), body(statuses["wip"]), format="json").status_code == 403
    assert anonymous_api.post(path(task), body(statuses["wip"]), format="json").status_code == 401


def test_manager_posts_as_someone_else_in_the_past(
    client_for, manager, artist, team, task, statuses
):
    response = client_for(manager).post(
        path(task),
        body(statuses["wip"], person_id=str(artist.id), created_at="2024-03-05T14:07:09Z"),
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["person_id"] == str(artist.id)
    assert data["created_at"] == "2024-03-05T14:07:09"


def test_back_dated_comment_does_not_override_newer_status(
    client_for, manager, team, task, statuses
):
    api = client_for(manager)
    api.post(path(task), body(statuses["wfa"]), format="json")
    api.post(path(task), body(statuses["retake"], created_at="2020-01-01T10:00:00"), format="json")
    task.refresh_from_db()
    assert task.task_status_id == statuses["wfa"].id
    assert task.retake_count == 1  # the history holds one retake


def test_artist_cannot_post_as_someone_else(client_for, artist, manager, team, task, statuses):
    response = client_for(artist).post(
        path(task), body(statuses["wip"], person_id=str(manager.id)), format="json"
    )
    assert response.json()["person_id"] == str(artist.id)


# --- bad requests -------------------------------------------------------------------------


def test_bad_bodies(client_for, manager, team, task, statuses):
    api = client_for(manager)
    missing = api.post(path(task), {"comment": "x"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"] is True
    assert api.post(
        path(task), body(statuses["wip"], task_status_id="nope"), format="json"
    ).json() == {
        "error": True,
        "message": "Malformed ID.",
        "data": None,
    }
    unknown = api.post(path(task), body(statuses["wip"], task_status_id=UNKNOWN_ID), format="json")
    assert unknown.status_code == 404  # as Zou, so Gazu raises RouteNotFoundException
    assert (
        api.post(path(task), body(statuses["wip"], checklist="x"), format="json").status_code == 400
    )
    assert api.post(path(task), body(statuses["wip"], comment=3), format="json").status_code == 400
    assert (
        api.post(path(task), body(statuses["wip"], for_client="maybe"), format="json").status_code
        == 400
    )
    assert api.post(path(task), ["x"], format="json").status_code == 400
    assert not Comment.objects.exists()


def test_unknown_and_malformed_task(client_for, manager, team, statuses):
    api = client_for(manager)
    assert (
        api.post(
            f"/api/actions/tasks/{UNKNOWN_ID}/comment", body(statuses["wip"]), format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/actions/tasks/nope/comment", body(statuses["wip"]), format="json"
        ).status_code
        == 400
    )


# --- mentions, hashtags, attachments ------------------------------------------------------


def test_mentions_of_people_and_departments(
    client_for, manager, artist, supervisor, make_person, join, team, task, statuses
):
    animation = Department.objects.get(name="Animation")
    animator = join(team, make_person("user", first_name="Ana", last_name="Mator"))
    animator.departments.set([animation])
    stranger = make_person("user", first_name="Sue", last_name="Supervisor")  # not on the team
    text = "@Sue Supervisor and @Animation please check, @Max not a full name"
    response = client_for(manager).post(path(task), body(statuses["wip"], text), format="json")
    data = response.json()
    assert data["mentions"] == [str(supervisor.id)]
    assert data["department_mentions"] == [str(animation.id)]
    comment = Comment.objects.get()
    assert set(
        CommentMention.objects.filter(comment=comment).values_list("person_id", flat=True)
    ) == {supervisor.id}
    assert CommentDepartmentMention.objects.get(comment=comment).department_id == animation.id
    mentioned = set(Notification.objects.filter(type="mention").values_list("person_id", flat=True))
    assert mentioned == {supervisor.id, animator.id}
    assert stranger.id not in mentioned


def test_hashtag_copies_the_comment_to_sibling_tasks(
    client_for, manager, team, task, layout_task, statuses
):
    response = client_for(manager).post(
        path(task), body(statuses["wip"], "Fix the camera #layout"), format="json"
    )
    assert response.status_code == 201
    copy = Comment.objects.get(object_id=layout_task.id)
    assert copy.text == "Fix the camera #layout\n\n(from Animation)"
    assert copy.task_status_id == statuses["todo"].id  # the sibling keeps its status
    layout_task.refresh_from_db()
    assert layout_task.task_status_id == statuses["todo"].id


def test_all_hashtag_and_unknown_tag(client_for, manager, team, task, layout_task, statuses):
    api = client_for(manager)
    api.post(path(task), body(statuses["wip"], "#nothing here"), format="json")
    assert Comment.objects.count() == 1
    api.post(path(task), body(statuses["wip"], "for everyone #all"), format="json")
    assert Comment.objects.filter(object_id=layout_task.id).count() == 1


def test_multipart_comment_with_attachments(client_for, artist, team, task, statuses):
    upload = SimpleUploadedFile("notes.txt", b"some notes", content_type="text/plain")
    response = client_for(artist).post(
        path(task),
        {
            "task_status_id": str(statuses["wip"].id),
            "comment": "see file",
            "checklist": '[{"text": "check", "checked": false}]',
            "for_client": "false",
            "file": upload,
        },
        format="multipart",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["checklist"] == [{"text": "check", "checked": False}]
    [attachment] = data["attachment_files"]
    assert attachment["name"] == "notes.txt"
    assert attachment["extension"] == "txt"
    assert attachment["mimetype"] == "text/plain"
    assert attachment["size"] == 10
    stored = AttachmentFile.objects.get()
    with default_storage.open(f"attachments/{stored.id}") as handle:
        assert handle.read() == b"some notes"


# --- bounded queries -------------------------------------------------------------------------


@pytest.mark.parametrize("team_size", [2, 20])
def test_posting_runs_a_fixed_number_of_queries(
    team_size,
    client_for,
    manager,
    make_person,
    join,
    team,
    task,
    statuses,
    django_assert_num_queries,
):
    for number in range(team_size):
        person = join(team, make_person("user", first_name=f"P{number}", last_name="Team"))
        task.assignees.add(person)
        Subscription.objects.create(person=make_person("supervisor"), task=task)
    api = client_for(manager)
    text = "@P1 Team please look, @Animation too"
    # Token check and person (2), task with its project/type/status/entity (1),
    # status (1), the caller's team roles (1), savepoint (1), comment (1), team
    # names and departments for mentions (2), mention rows (2), task update (1),
    # assignees and subscribers (2), members of mentioned departments (1),
    # notifications in bulk (1), news (1), automations (1), release (1).
    with django_assert_num_queries(19):
        response = api.post(path(task), body(statuses["wip"], text), format="json")
    assert response.status_code == 201
    assert Notification.objects.filter(type="comment").count() == team_size * 2 + 1


def test_concept_comments_make_no_news(
    client_for, manager, team, make_task, project, statuses, task_types
):
    concept = Entity.objects.create(
        name="Hero sketch", project=project, entity_type=get_or_create_entity_type("Concept")
    )
    concept_task = make_task(concept, task_types[("Concept", "Concept")], status="neutral")
    response = client_for(manager).post(
        path(concept_task), body(statuses["approved"]), format="json"
    )
    assert response.status_code == 201
    concept_task.refresh_from_db()
    assert concept_task.task_status_id == statuses["approved"].id
    assert not News.objects.exists()
