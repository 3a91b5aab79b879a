"""Comments and previews of a task, and the project-wide listings of them."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import Entity
from tasks.models import Comment, CommentPreviewLink, News, Notification, PreviewFile, Subscription

from .conftest import UNKNOWN_ID

COMMENT_KEYS = {
    "shotgun_id", "object_id", "object_type", "text", "data", "replies", "checklist",
    "pinned", "for_client", "links", "task_status_id", "person_id", "editor_id",
    "preview_file_id", "id", "created_at", "updated_at", "type", "person", "task_status",
    "acknowledgements", "previews", "mentions", "department_mentions", "attachment_files",
}  # fmt: skip


@pytest.fixture
def comment_on(task):
    def make(person, text="note", for_client=False, status=None):
        return Comment.objects.create(
            object_id=task.id,
            object_type="Task",
            person=person,
            text=text,
            for_client=for_client,
            task_status=status or task.task_status,
        )

    return make


def test_task_comments_payload(client_for, manager, team, task, comment_on):
    comment = comment_on(manager, "Looks good")
    rows = client_for(manager).get(f"/api/data/tasks/{task.id}/comments").json()
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == COMMENT_KEYS
    assert row["id"] == str(comment.id)
    assert row["type"] == "Comment"
    assert row["person"] == {
        "first_name": "Max",
        "last_name": "Manager",
        "full_name": "Max Manager",
        "has_avatar": False,
        "role": "manager",
        "id": str(manager.id),
    }
    assert row["task_status"] == {
        "name": "Todo",
        "short_name": "todo",
        "color": "#f5f5f5",
        "id": str(task.task_status_id),
    }


def test_client_comments_are_filtered_by_role(
    client_for, manager, supervisor, artist, client_person, team, task, comment_on
):
    studio = comment_on(manager, "internal")
    shared = comment_on(manager, "for the client", for_client=True)
    from_client = comment_on(client_person, "client says")
    path = f"/api/data/tasks/{task.id}/comments"

    def ids(person):
        return {row["id"] for row in client_for(person).get(path).json()}

    assert ids(supervisor) == {str(studio.id), str(shared.id), str(from_client.id)}
    assert ids(artist) == {str(studio.id), str(shared.id)}
    assert ids(client_person) == {str(shared.id), str(from_client.id)}
    one = f"/api/data/tasks/{task.id}/comments/{from_client.id}"
    assert client_for(artist).get(one).status_code == 403
    assert client_for(client_person).get(one).json()["text"] == "client says"


def test_comment_routes_errors(client_for, make_person, manager, team, task, comment_on):
    comment = comment_on(manager)
    outsider = client_for(make_person("user"))
    assert outsider.get(f"/api/data/tasks/{task.id}/comments").status_code == 403
    api = client_for(manager)
    assert api.get(f"/api/data/tasks/{UNKNOWN_ID}/comments").status_code == 404
    assert api.get(f"/api/data/tasks/{task.id}/comments/{UNKNOWN_ID}").status_code == 404
    assert api.get(f"/api/data/tasks/{task.id}/comments/{comment.id}").status_code == 200


def test_delete_comment_resets_the_status(
    client_for, make_person, join, artist, team, task, comment_on, wip, committed
):
    first = comment_on(artist, "start", status=task.task_status)
    second = comment_on(artist, "wip", status=wip)
    task.task_status = wip
    task.save()
    path = f"/api/data/tasks/{task.id}/comments/{second.id}"
    # Another artist of the team may not delete someone else's comment.
    other_artist = join(team, make_person("user"))
    assert client_for(other_artist).delete(path).status_code == 403
    with committed():
        assert client_for(artist).delete(path).status_code == 204
    task.refresh_from_db()
    assert task.task_status_id == first.task_status_id
    assert not Comment.objects.filter(pk=second.pk).exists()
    changed = ApiEvent.objects.get(name="task:status-changed")
    assert changed.data["new_task_status_id"] == str(first.task_status_id)
    assert changed.data["previous_task_status_id"] == str(wip.id)
    assert ApiEvent.objects.filter(name="comment:delete").exists()


def test_add_preview_numbering(client_for, artist, manager, team, task, comment_on, committed):
    task.assignees.add(artist)
    first = comment_on(artist)
    News.objects.create(author=artist, comment=first, task=task)
    api = client_for(artist)
    with committed():
        response = api.post(
            f"/api/actions/tasks/{task.id}/comments/{first.id}/add-preview", {}, "json"
        )
    assert response.status_code == 201
    preview = response.json()
    assert preview["type"] == "PreviewFile"
    assert (preview["revision"], preview["position"], preview["status"]) == (1, 1, "processing")
    assert CommentPreviewLink.objects.filter(comment=first).count() == 1
    assert News.objects.get(comment=first).preview_file_id is not None
    assert ApiEvent.objects.filter(name="preview-file:new").exists()
    extra = api.post(
        f"/api/actions/tasks/{task.id}/comments/{first.id}/preview-files/{preview['id']}"
    ).json()
    assert (extra["revision"], extra["position"]) == (1, 2)
    second = comment_on(artist)
    next_one = api.post(f"/api/actions/tasks/{task.id}/comments/{second.id}/add-preview").json()
    assert (next_one["revision"], next_one["position"]) == (2, 1)
    previews = api.get(f"/api/data/tasks/{task.id}/previews").json()
    assert [(row["revision"], row["position"]) for row in previews] == [(2, 1), (1, 1), (1, 2)]
    rows = api.get(f"/api/data/tasks/{task.id}/comments").json()
    first_row = next(row for row in rows if row["id"] == str(first.id))
    assert len(first_row["previews"]) == 2
    delete = api.delete(
        f"/api/actions/tasks/{task.id}/comments/{first.id}/preview-files/{extra['id']}"
    )
    assert delete.status_code == 204
    assert not PreviewFile.objects.filter(pk=extra["id"]).exists()


def test_add_preview_rights(client_for, artist, vendor, team, task, comment_on):
    comment = comment_on(artist)
    path = f"/api/actions/tasks/{task.id}/comments/{comment.id}/add-preview"
    assert client_for(artist).post(path).status_code == 403  # not assigned
    assert client_for(vendor).post(path).status_code == 403
    task.assignees.add(artist)
    assert client_for(artist).post(path, {"revision": "x"}, "json").status_code == 400
    assert (
        client_for(artist)
        .post(f"/api/actions/tasks/{task.id}/comments/{UNKNOWN_ID}/add-preview")
        .status_code
        == 404
    )


def test_set_main_preview(client_for, manager, team, task, shot, comment_on, committed):
    comment = comment_on(manager)
    api = client_for(manager)
    preview = api.post(f"/api/actions/tasks/{task.id}/comments/{comment.id}/add-preview").json()
    with committed():
        response = api.put(f"/api/actions/tasks/{task.id}/set-main-preview")
    assert response.status_code == 200
    assert response.json()["preview_file_id"] == preview["id"]
    assert response.json()["type"] == "Shot"
    assert str(Entity.objects.get(pk=shot.pk).preview_file_id) == preview["id"]
    assert ApiEvent.objects.filter(name="preview-file:set-main").exists()
    many = api.put("/api/actions/tasks/set-main-preview", {"task_ids": [str(task.id)]}, "json")
    assert [row["id"] for row in many.json()] == [str(shot.id)]


def test_project_listings_for_admins(client_for, admin, manager, artist, team, task, comment_on):
    comment = comment_on(manager)
    Notification.objects.create(
        type="comment", person=artist, author=manager, comment=comment, task=task
    )
    Subscription.objects.create(person=artist, task=task)
    admin_api = client_for(admin)
    for suffix, count in (("notifications", 1), ("subscriptions", 1), ("preview-files", 0)):
        path = f"/api/data/projects/{team.id}/{suffix}"
        assert len(admin_api.get(path).json()) == count
        assert client_for(manager).get(path).status_code == 403
    paged = admin_api.get(f"/api/data/projects/{team.id}/notifications", {"page": 1}).json()
    assert paged["total"] == 1
    comments = client_for(artist).get(f"/api/data/projects/{team.id}/comments").json()
    assert [row["id"] for row in comments] == [str(comment.id)]
    assert admin_api.get(f"/api/data/projects/{UNKNOWN_ID}/comments").status_code == 404
