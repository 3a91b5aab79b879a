"""The event emitter: a row in ``api_event`` and a Redis pub/sub message.

Events are sent only once the surrounding transaction commits, so listeners
never hear of a write that was rolled back. The Redis channel carries JSON
``{"name", "data", "project_id", "user_id"}`` messages for the live-update
stream; without ``REDIS_URL`` only the database row is written.
"""

import contextvars
import logging
from functools import cache

from django.conf import settings
from django.db import transaction

from kitsu_backend.api.renderers import dumps

logger = logging.getLogger(__name__)

CHANNEL = "kitsu:events"

# The person acting in the current request; set by the authentication class.
current_person_id = contextvars.ContextVar("current_person_id", default=None)


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def emit(name, data=None, project_id=None, persist=True, user_id=None):
    """Queue event ``name`` (``"<model>:<action>"``) to be sent after commit."""
    data = {key: _plain(value) for key, value in (data or {}).items()}
    if project_id is not None:
        project_id = str(project_id)
        data.setdefault("project_id", project_id)
    if user_id is None:
        user_id = current_person_id.get()
    transaction.on_commit(lambda: _send(name, data, project_id, persist, user_id))


def _plain(value):
    """JSON-ready copy of an event value: ids as strings, lists and numbers kept."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def _send(name, data, project_id, persist, user_id):
    from kitsu_backend.api.models import ApiEvent

    if persist:
        event = ApiEvent.objects.create(
            name=name, data=data, project_id=project_id, user_id=user_id
        )
        data = {**data, "event_id": str(event.id)}
    if settings.REDIS_URL:
        message = {"name": name, "data": data, "project_id": project_id, "user_id": user_id}
        try:
            _redis().publish(CHANNEL, dumps(message))
        except Exception:
            # The event is kept in the database; live clients will catch up on reload.
            logger.warning("Could not publish event %s to Redis", name, exc_info=True)
