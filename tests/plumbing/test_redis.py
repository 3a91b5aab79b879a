"""The Redis side of token revocation and events (run when REDIS_URL is set)."""

import json

import pytest
import redis
from django.conf import settings

from kitsu_backend.api import events
from people.models import RevokedToken

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def test_logout_revokes_in_redis_for_every_process(admin_api):
    assert admin_api.get("/api/auth/logout").status_code == 200

    response = admin_api.get("/api/auth/authenticated")

    assert response.status_code == 401
    assert response.json() == {"msg": "Token has been revoked"}
    # The blocklist lives in Redis, shared by every worker, not in the table.
    assert RevokedToken.objects.count() == 0
    keys = redis.Redis.from_url(settings.REDIS_URL).keys("kitsu:revoked:*")
    assert len(keys) >= 2  # the access token and its refresh token


def test_events_are_published_after_commit(db, django_capture_on_commit_callbacks):
    subscriber = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    subscriber.subscribe(events.CHANNEL)
    subscriber.get_message(timeout=1)  # the subscription confirmation

    with django_capture_on_commit_callbacks(execute=True):
        events.emit("department:new", {"department_id": "d1"}, project_id=None)

    message = subscriber.get_message(timeout=2)
    subscriber.close()
    assert message is not None
    payload = json.loads(message["data"])
    assert payload["name"] == "department:new"
    assert payload["data"]["department_id"] == "d1"
    assert "event_id" in payload["data"]
