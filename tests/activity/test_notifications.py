"""The caller's notifications: listing with Zou's keys, one notification,
read/unread marks and their events, and the query count."""

import pytest

from kitsu_backend.api.models import ApiEvent
from tasks.models import CommentMention, Notification, Subscription
from tests.activity.conftest import UNKNOWN_ID

NOTIFICATION_KEYS = {
    "id",
    "type",
    "notification_type",
    "author_id",
    "comment_id",
    "task_id",
    "task_type_id",
    "task_status_id",
    "mentions",
    "department_mentions",
    "reply_mentions",
    "reply_department_mentions",
    "preview_file_id",
    "project_id",
    "project_name",
    "comment_text",
    "reply_text",
    "created_at",
    "read",
    "change",
    "full_entity_name",
    "episode_id",
    "entity_preview_file_id",
    "subscription_id",
    "playlist_id",
    "playlist_name",
    "playlist_for_entity",
    "playlist_is_for_all",
}
URL = "/api/data/user/notifications"


def test_notifications_list_has_zou_keys_and_values(
    team, task, artist, manager, wip, make_notification, client_for, episode, animation
):
    notification = make_notification(artist, manager, task, wip, text="Client note")
    CommentMention.objects.create(comment=notification.comment, person=artist)
    subscription = Subscription.objects.create(person=artist, task=task)

    response = client_for(artist).get(URL)

    assert response.status_code == 200
    (row,) = response.json()
    assert set(row) == NOTIFICATION_KEYS
    assert row["id"] == str(notification.pk)
    assert row["type"] == "Notification"
    assert row["notification_type"] == "comment"
    assert row["author_id"] == str(manager.pk)
    assert row["task_type_id"] == str(animation.pk)
    assert row["task_status_id"] == str(wip.pk)
    assert row["comment_text"] == "Client note"
    assert row["reply_text"] == ""
    assert row["mentions"] == [str(artist.pk)]
    assert row["full_entity_name"] == "E01 / SQ01 / SH0010"
    assert row["episode_id"] == str(episode.pk)
    assert row["project_name"] == "Demo TV"
    assert row["subscription_id"] == str(subscription.pk)
    assert row["read"] is False
    assert (row["playlist_id"], row["playlist_name"], row["playlist_is_for_all"]) == (
        None,
        "",
        False,
    )


def test_reply_notification_shows_the_reply(
    team, task, artist, manager, wip, make_notification, client_for
):
    notification = make_notification(artist, manager, task, wip, kind="reply")
    reply_id = "1b0e3b9e-7a4f-4b8e-9a51-3f6c9d2c1a10"
    notification.comment.replies = [
        {"id": reply_id, "text": "Thanks", "mentions": [str(artist.pk)], "department_mentions": []}
    ]
    notification.comment.save()
    notification.reply_id = reply_id
    notification.save()

    (row,) = client_for(artist).get(URL).json()

    assert row["notification_type"] == "reply"
    assert row["reply_text"] == "Thanks"
    assert row["reply_mentions"] == [str(artist.pk)]


def test_only_own_notifications_are_listed_and_filters_apply(
    team, task, artist, manager, supervisor, wip, make_notification, client_for
):
    mine = make_notification(artist, manager, task, wip)
    make_notification(supervisor, manager, task, wip)
    read = make_notification(artist, supervisor, task, wip, read=True)
    api = client_for(artist)

    assert {row["id"] for row in api.get(URL).json()} == {str(mine.pk), str(read.pk)}
    assert [row["id"] for row in api.get(URL, {"read": "false"}).json()] == [str(mine.pk)]
    assert [row["id"] for row in api.get(URL, {"read": "true"}).json()] == [str(read.pk)]
    assert api.get(URL, {"type": "mention"}).json() == []
    assert len(api.get(URL, {"limit": 1}).json()) == 1
    assert api.get(URL, {"watching": "true"}).json() == []


def test_notification_list_bad_parameters(artist, client_for, anonymous_api):
    api = client_for(artist)
    assert api.get(URL, {"read": "maybe"}).status_code == 400
    assert api.get(URL, {"type": "unknown"}).status_code == 400
    assert api.get(URL, {"before": "yesterday"}).status_code == 400
    assert api.get(URL, {"limit": "0"}).status_code == 400
    assert anonymous_api.get(URL).status_code == 401


def test_one_notification_is_for_its_recipient_only(
    team, task, artist, manager, supervisor, wip, make_notification, client_for
):
    notification = make_notification(artist, manager, task, wip)
    path = f"{URL}/{notification.pk}"

    response = client_for(artist).get(path)
    assert response.status_code == 200
    assert set(response.json()) == NOTIFICATION_KEYS
    assert client_for(supervisor).get(path).status_code == 403
    assert client_for(artist).get(f"{URL}/{UNKNOWN_ID}").status_code == 404
    assert client_for(artist).get(f"{URL}/nope").status_code == 400


def test_marking_a_notification_read_and_unread_emits_events(
    team, task, artist, manager, wip, make_notification, client_for, committed
):
    notification = make_notification(artist, manager, task, wip)
    api = client_for(artist)
    path = f"{URL}/{notification.pk}"

    with committed():
        response = api.put(path, {"read": True}, format="json")
    assert response.status_code == 200
    assert response.json()["read"] is True
    notification.refresh_from_db()
    assert notification.read is True
    event = ApiEvent.objects.get(name="notification:read")
    assert event.data["notification_id"] == str(notification.pk)
    assert event.data["person_id"] == str(artist.pk)

    with committed():
        api.put(path, {"read": False}, format="json")
    notification.refresh_from_db()
    assert notification.read is False
    assert ApiEvent.objects.filter(name="notification:unread").count() == 1


def test_marking_read_refuses_bad_bodies_and_other_people(
    team, task, artist, manager, supervisor, wip, make_notification, client_for
):
    notification = make_notification(artist, manager, task, wip)
    path = f"{URL}/{notification.pk}"
    assert client_for(artist).put(path, {"read": "yes"}, format="json").status_code == 400
    assert client_for(artist).put(path, {}, format="json").status_code == 400
    assert client_for(supervisor).put(path, {"read": True}, format="json").status_code == 403
    assert (
        client_for(artist).put(f"{URL}/{UNKNOWN_ID}", {"read": True}, format="json").status_code
        == 404
    )


def test_mark_all_as_read(
    team,
    task,
    artist,
    manager,
    supervisor,
    wip,
    make_notification,
    client_for,
    committed,
    anonymous_api,
):
    make_notification(artist, manager, task, wip)
    make_notification(artist, supervisor, task, wip)
    other = make_notification(supervisor, manager, task, wip)
    path = "/api/actions/user/notifications/mark-all-as-read"

    with committed():
        response = client_for(artist).post(path, {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert not Notification.objects.filter(person=artist, read=False).exists()
    other.refresh_from_db()
    assert other.read is False
    event = ApiEvent.objects.get(name="notification:all-read")
    assert event.data["person_id"] == str(artist.pk)
    assert anonymous_api.post(path).status_code == 401


@pytest.mark.parametrize("size", [1, 5])
def test_notifications_query_count_does_not_grow(
    team,
    task,
    artist,
    make_person,
    wip,
    make_notification,
    client_for,
    django_assert_num_queries,
    size,
):
    for _ in range(size):
        notification = make_notification(artist, make_person("manager"), task, wip)
        CommentMention.objects.create(comment=notification.comment, person=artist)
    api = client_for(artist)
    # Token blocklist, person, then: notifications, mentions, department
    # mentions, previews, subscriptions, entity names.
    with django_assert_num_queries(8):
        response = api.get(URL)
    assert len(response.json()) == size
