"""The generic /data resources of notifications, subscriptions, chats,
chat messages, events and plugins: admins only."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import Plugin
from tests.activity.conftest import UNKNOWN_ID


@pytest.mark.parametrize(
    "slug", ["notifications", "subscriptions", "chats", "chat-messages", "events", "plugins"]
)
def test_admins_only(slug, admin_api, client_for, manager, anonymous_api):
    assert admin_api.get(f"/api/data/{slug}").status_code == 200
    assert client_for(manager).get(f"/api/data/{slug}").status_code == 403
    assert anonymous_api.get(f"/api/data/{slug}").status_code == 401
    assert admin_api.get(f"/api/data/{slug}/{UNKNOWN_ID}").status_code == 404
    assert admin_api.get(f"/api/data/{slug}/nope").status_code == 400


def test_notifications_expose_their_type_as_notification_type(
    team, task, artist, manager, wip, make_notification, admin_api
):
    notification = make_notification(artist, manager, task, wip, kind="mention")

    (row,) = admin_api.get("/api/data/notifications").json()
    one = admin_api.get(f"/api/data/notifications/{notification.pk}").json()

    assert (row["type"], row["notification_type"]) == ("Notification", "mention")
    assert (one["type"], one["notification_type"]) == ("Notification", "mention")


def test_admin_creates_a_notification(team, task, artist, manager, admin_api):
    body = {
        "person_id": str(artist.pk),
        "author_id": str(manager.pk),
        "task_id": str(task.pk),
        "notification_type": "assignation",
    }
    response = admin_api.post("/api/data/notifications", body, format="json")
    assert response.status_code == 201
    assert response.json()["notification_type"] == "assignation"
    bad = admin_api.post(
        "/api/data/notifications", {**body, "notification_type": "nope"}, format="json"
    )
    assert bad.status_code == 400


def test_admin_creates_a_plugin(admin_api, committed):
    body = {
        "plugin_id": "my-plugin",
        "name": "My plugin",
        "version": "1.0.0",
        "maintainer_name": "Ada",
        "license": "MIT",
    }
    with committed():
        response = admin_api.post("/api/data/plugins", body, format="json")
    assert response.status_code == 201
    assert Plugin.objects.get().plugin_id == "my-plugin"
    assert ApiEvent.objects.filter(name="plugin:new").count() == 1
    assert admin_api.post("/api/data/plugins", {"nope": 1}, format="json").status_code == 400
