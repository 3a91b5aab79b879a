"""The routes around a posted comment: replies, acknowledgements, attachments and
their download, batches, moves, edits and deletion through ``/data/comments``."""

from datetime import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent
from people.tokens import issue_tokens
from productions.models import Project
from tasks.models import AttachmentFile, Comment, CommentAcknowledgement, News, Notification

from .conftest import UNKNOWN_ID


@pytest.fixture
def post_comment(client_for, statuses):
    """Post through the API: ``post_comment(person, task, "wip", "text")`` -> 201 body."""

    def post(person, task, status="wip", text="note", **extra):
        response = client_for(person).post(
            f"/api/actions/tasks/{task.id}/comment",
            {"task_status_id": str(statuses[status].id), "comment": text, **extra},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    return post


def upload(name="notes.txt", content=b"some notes", content_type="text/plain"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- replies ---------------------------------------------------------------------------------


def test_reply_and_delete_reply(
    client_for, manager, artist, supervisor, team, task, post_comment, committed
):
    comment = post_comment(manager, task)
    url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/reply"
    with committed():
        response = client_for(artist).post(url, {"text": "On it @Sue Supervisor"}, format="json")
    assert response.status_code == 200
    reply = response.json()
    assert set(reply) == {
        "id", "date", "created_at", "person_id", "text", "mentions",
        "department_mentions", "attachment_files",
    }  # fmt: skip
    assert reply["person_id"] == str(artist.id)
    assert reply["mentions"] == [str(supervisor.id)]
    stored = Comment.objects.get(pk=comment["id"])
    assert [item["id"] for item in stored.replies] == [reply["id"]]
    assert ApiEvent.objects.filter(name="comment:reply").count() == 1
    assert set(
        Notification.objects.filter(reply_id=reply["id"]).values_list("type", "person_id")
    ) == {("reply", manager.id), ("reply-mention", supervisor.id)}

    delete_url = f"{url}/{reply['id']}"
    assert client_for(manager).delete(delete_url).status_code == 403  # not the reply's author
    assert client_for(artist).delete(f"{url}/{UNKNOWN_ID}").status_code == 404
    response = client_for(artist).delete(delete_url)
    assert response.status_code == 200
    assert response.json()["replies"] == []
    assert not Notification.objects.filter(reply_id=reply["id"]).exists()


def test_reply_errors(client_for, manager, make_person, anonymous_api, team, task, post_comment):
    comment = post_comment(manager, task)
    url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/reply"
    assert client_for(manager).post(url, {"text": ""}, format="json").status_code == 400
    assert (
        client_for(make_person("user")).post(url, {"text": "x"}, format="json").status_code == 403
    )
    assert anonymous_api.post(url, {"text": "x"}, format="json").status_code == 401
    unknown = f"/api/data/tasks/{task.id}/comments/{UNKNOWN_ID}/reply"
    assert client_for(manager).post(unknown, {"text": "x"}, format="json").status_code == 404


def test_artist_cannot_reply_to_a_client_comment(
    client_for, client_person, artist, team, task, post_comment
):
    comment = post_comment(client_person, task, "retake")
    url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/reply"
    assert client_for(artist).post(url, {"text": "hi"}, format="json").status_code == 403


# --- acknowledgements ---------------------------------------------------------------------


def test_acknowledge_toggles(client_for, manager, artist, team, task, post_comment, committed):
    comment = post_comment(manager, task)
    url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/ack"
    api = client_for(artist)
    with committed():
        first = api.post(url)
    assert first.status_code == 200
    assert first.json()["acknowledgements"] == [str(artist.id)]
    # Colleagues see the author's reduced person row, without contact details.
    assert first.json()["person"]["id"] == str(manager.id)
    assert "email" not in first.json()["person"]
    with committed():
        second = api.post(url)
    assert second.json()["acknowledgements"] == []
    assert not CommentAcknowledgement.objects.exists()
    names = list(
        ApiEvent.objects.filter(name__startswith="comment:").values_list("name", flat=True)
    )
    assert names.count("comment:acknowledge") == 1
    assert names.count("comment:unacknowledge") == 1
    assert (
        client_for(artist).post(f"/api/data/tasks/{task.id}/comments/nope/ack").status_code == 400
    )


# --- attachments -----------------------------------------------------------------------------


def test_add_download_and_delete_attachment(client_for, manager, artist, team, task, post_comment):
    comment = post_comment(artist, task)
    url = f"/api/actions/tasks/{task.id}/comments/{comment['id']}/add-attachment"
    assert client_for(manager).post(url, {}, format="multipart").status_code == 400
    response = client_for(artist).post(
        url, {"files": [upload(), upload("shot.png", b"\x89PNG", "image/png")]}, format="multipart"
    )
    assert response.status_code == 201
    rows = {row["name"]: row for row in response.json()}
    assert set(rows) == {"notes.txt", "shot.png"}
    assert rows["shot.png"]["comment_id"] == comment["id"]
    text_id, picture_id = rows["notes.txt"]["id"], rows["shot.png"]["id"]
    assert default_storage.exists(f"attachments/{text_id}")

    # The Kitsu UI downloads with its cookie only.
    browser = client_for(None)
    access, _refresh = issue_tokens(manager)
    browser.cookies["access_token_cookie"] = access
    download = browser.get(f"/api/data/attachment-files/{text_id}/file/notes.txt")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"some notes"
    picture = client_for(artist).get(
        f"/api/data/attachment-files/{picture_id}/file/shot.png", HTTP_ACCEPT="image/*"
    )
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert picture["Content-Disposition"].startswith("inline;")

    delete_url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/attachments/{text_id}"
    assert (
        client_for(manager)
        .delete(f"/api/data/tasks/{task.id}/comments/{comment['id']}/attachments/{UNKNOWN_ID}")
        .status_code
        == 404
    )
    response = client_for(manager).delete(delete_url)
    assert response.status_code == 204
    assert not AttachmentFile.objects.filter(pk=text_id).exists()


def test_attachment_access(
    client_for, manager, artist, supervisor, make_person, anonymous_api, team, task, post_comment
):
    comment = post_comment(manager, task)
    url = f"/api/actions/tasks/{task.id}/comments/{comment['id']}/add-attachment"
    # Only the author or a manager attaches files.
    assert client_for(artist).post(url, {"files": upload()}, format="multipart").status_code == 403
    [row] = client_for(manager).post(url, {"files": upload()}, format="multipart").json()
    download = f"/api/data/attachment-files/{row['id']}/file/notes.txt"
    assert client_for(make_person("user")).get(download).status_code == 403
    assert anonymous_api.get(download).status_code == 401
    assert (
        client_for(manager).get(f"/api/data/attachment-files/{UNKNOWN_ID}/file/x").status_code
        == 404
    )
    delete_url = f"/api/data/tasks/{task.id}/comments/{comment['id']}/attachments/{row['id']}"
    assert client_for(supervisor).delete(delete_url).status_code == 403


def test_attachment_listings_are_for_admins(client_for, admin, manager, team, task, post_comment):
    comment = post_comment(manager, task)
    client_for(manager).post(
        f"/api/actions/tasks/{task.id}/comments/{comment['id']}/add-attachment",
        {"files": upload()},
        format="multipart",
    )
    for url in (
        f"/api/data/projects/{team.id}/attachment-files",
        f"/api/data/tasks/{task.id}/attachment-files",
    ):
        rows = client_for(admin).get(url).json()
        assert [row["name"] for row in rows] == ["notes.txt"]
        assert rows[0]["type"] == "AttachmentFile"
        assert client_for(manager).get(url).status_code == 403
    assert (
        client_for(admin).get(f"/api/data/tasks/{UNKNOWN_ID}/attachment-files").status_code == 404
    )
    assert client_for(admin).get("/api/data/projects/nope/attachment-files").status_code == 400


# --- batches and moves --------------------------------------------------------------------------


def test_comment_many(client_for, manager, artist, team, task, layout_task, statuses):
    url = f"/api/actions/projects/{team.id}/tasks/comment-many"
    items = [
        {"object_id": str(task.id), "task_status_id": str(statuses["wip"].id), "comment": "a"},
        {"object_id": str(layout_task.id), "task_status_id": str(statuses["done"].id)},
    ]
    # Zou answers an empty success here; a refusal is a 403.
    assert client_for(artist).post(url, items, format="json").status_code == 403
    response = client_for(manager).post(url, items, format="json")
    assert response.status_code == 201
    assert [row["object_id"] for row in response.json()] == [str(task.id), str(layout_task.id)]
    layout_task.refresh_from_db()
    assert layout_task.task_status_id == statuses["done"].id
    bad = [{"object_id": UNKNOWN_ID, "task_status_id": str(statuses["wip"].id)}]
    assert client_for(manager).post(url, bad, format="json").status_code == 404
    assert client_for(manager).post(url, {"x": 1}, format="json").status_code == 400
    assert Comment.objects.count() == 2


def test_comment_many_refuses_tasks_of_another_project(
    client_for, admin, manager, team, task, statuses
):
    other = Project.objects.create(name="Other")
    response = client_for(admin).post(
        f"/api/actions/projects/{other.id}/tasks/comment-many",
        [{"object_id": str(task.id), "task_status_id": str(statuses["wip"].id)}],
        format="json",
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_copy_client_comments(
    client_for, manager, client_person, artist, team, task, layout_task, post_comment
):
    older = post_comment(client_person, task, "retake", "Too dark")
    Comment.objects.filter(pk=older["id"]).update(created_at=datetime(2024, 1, 1))
    post_comment(client_person, task, "retake", "Much too dark")
    url = f"/api/actions/projects/{team.id}/tasks/copy-client-comments"
    assert client_for(artist).post(url, {}, format="json").status_code == 403
    response = client_for(manager).post(url, {}, format="json")
    assert response.status_code == 201
    [copy] = response.json()
    assert copy["text"] == "Much too dark"
    assert copy["person_id"] == str(manager.id)
    assert copy["for_client"] is False
    assert copy["object_id"] == str(task.id)


def test_move_comment(client_for, manager, artist, team, task, layout_task, statuses, post_comment):
    post_comment(manager, task, "wip", "first")
    moved = post_comment(manager, task, "wfa", "wrong task")
    url = f"/api/actions/tasks/{task.id}/comments/{moved['id']}/move"
    assert (
        client_for(artist).post(url, {"task_id": str(layout_task.id)}, format="json").status_code
        == 403
    )
    assert client_for(manager).post(url, {}, format="json").status_code == 400
    assert client_for(manager).post(url, {"task_id": UNKNOWN_ID}, format="json").status_code == 404
    response = client_for(manager).post(url, {"task_id": str(layout_task.id)}, format="json")
    assert response.status_code == 200
    assert response.json()["object_id"] == str(layout_task.id)
    task.refresh_from_db()
    layout_task.refresh_from_db()
    assert task.task_status_id == statuses["wip"].id
    assert layout_task.task_status_id == statuses["wfa"].id
    assert News.objects.get(comment_id=moved["id"]).task_id == layout_task.id


# --- /data/comments ----------------------------------------------------------------------------


def test_edit_comment_by_author(
    client_for, manager, artist, supervisor, team, task, statuses, post_comment
):
    post_comment(manager, task, "wip")
    comment = post_comment(artist, task, "wfa", "Ready")
    url = f"/api/data/comments/{comment['id']}"
    assert client_for(supervisor).put(url, {"text": "hijack"}, format="json").status_code == 403
    response = client_for(artist).put(
        url,
        {"text": "Ready @Sue Supervisor", "task_status_id": str(statuses["wip"].id)},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["text"] == "Ready @Sue Supervisor"
    assert response.json()["editor_id"] == str(artist.id)
    assert response.json()["mentions"] == [str(supervisor.id)]
    task.refresh_from_db()
    assert task.task_status_id == statuses["wip"].id
    assert Notification.objects.filter(type="mention", person=supervisor).count() == 1
    # An artist may not give their comment a status reserved to supervisors.
    denied = client_for(artist).put(
        url, {"task_status_id": str(statuses["done"].id)}, format="json"
    )
    assert denied.status_code == 403


def test_assignee_may_tick_the_checklist_only(
    client_for, manager, artist, team, task, post_comment
):
    comment = post_comment(manager, task, "wip", "todo list", checklist=[{"text": "a"}])
    url = f"/api/data/comments/{comment['id']}"
    ticked = [{"text": "a", "checked": True}]
    response = client_for(artist).put(url, {"checklist": ticked}, format="json")
    assert response.status_code == 200
    assert response.json()["checklist"] == ticked
    assert client_for(artist).put(url, {"text": "x"}, format="json").status_code == 403


def test_delete_comment_resets_task_and_feed(
    client_for, manager, artist, supervisor, team, task, statuses, post_comment, committed
):
    post_comment(manager, task, "wip")
    last = post_comment(manager, task, "wfa")
    url = f"/api/data/comments/{last['id']}"
    assert client_for(artist).delete(url).status_code == 403
    assert News.objects.filter(comment_id=last["id"]).exists()
    with committed():
        response = client_for(manager).delete(url)
    assert response.status_code == 204
    task.refresh_from_db()
    assert task.task_status_id == statuses["wip"].id
    assert task.end_date is None
    assert not News.objects.filter(comment_id=last["id"]).exists()
    assert not Notification.objects.filter(comment_id=last["id"]).exists()
    names = set(ApiEvent.objects.values_list("name", flat=True))
    assert {"comment:delete", "news:delete", "task:status-changed"} <= names
    assert client_for(manager).delete(f"/api/data/comments/{UNKNOWN_ID}").status_code == 404


def test_author_deletes_own_last_comment(client_for, artist, team, task, statuses, post_comment):
    comment = post_comment(artist, task, "wip")
    assert client_for(artist).delete(f"/api/data/comments/{comment['id']}").status_code == 204
    task.refresh_from_db()
    assert task.task_status_id == statuses["todo"].id
    assert task.last_comment_date is None


def test_read_comment_and_admin_only_listings(
    client_for, admin, manager, artist, client_person, team, task, post_comment
):
    comment = post_comment(manager, task)
    from_client = post_comment(client_person, task, "retake")
    assert client_for(artist).get(f"/api/data/comments/{comment['id']}").status_code == 200
    assert client_for(artist).get(f"/api/data/comments/{from_client['id']}").status_code == 403
    assert client_for(manager).get("/api/data/comments").status_code == 403
    assert len(client_for(admin).get("/api/data/comments").json()) == 2
    assert client_for(manager).get("/api/data/news").status_code == 403
    assert len(client_for(admin).get("/api/data/news").json()) == 2
    attachment_rows = client_for(admin).get("/api/data/attachment-files").json()
    assert attachment_rows == []
    assert client_for(artist).get("/api/data/attachment-files").status_code == 403


# --- the task's comments listing ------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 15])
def test_task_comments_listing_queries_stay_flat(
    count, client_for, manager, artist, team, task, post_comment, django_assert_num_queries
):
    for number in range(count):
        comment = post_comment(manager if number % 2 else artist, task, "wip", f"n{number}")
        client_for(artist).post(f"/api/data/tasks/{task.id}/comments/{comment['id']}/ack")
    api = client_for(manager)
    # Token check and person (2), task (1), team roles (1), comments (1),
    # people (1), statuses (1), acknowledgements, mentions, department
    # mentions, previews and attachments (5).
    with django_assert_num_queries(12):
        rows = api.get(f"/api/data/tasks/{task.id}/comments").json()
    assert len(rows) == count
    assert all(row["acknowledgements"] == [str(artist.id)] for row in rows)
