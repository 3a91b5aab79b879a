"""The production of the comment tests, a known site address, eager jobs and a
fake HTTP layer: no test here ever reaches a real mail server or chat."""

from unittest import mock

import pytest

from kitsu_backend.celery import app as celery_app
from people.models import Organisation
from tasks.models import TaskStatus
from tests.comments.conftest import (  # noqa: F401  (fixtures used by the tests)
    asset,
    committed,
    join,
    make_task,
    media,
    project,
    shot,
    statuses,
    task,
    task_types,
    team,
)

DOMAIN = "kitsu.example.com"
SLACK_TOKEN = "xoxb-test-token"
MATTERMOST_HOOK = "https://chat.example.com/hooks/abc123"
DISCORD_TOKEN = "discord-bot-token"


@pytest.fixture(autouse=True)
def site(settings):
    """Links use a known address; jobs run in the calling process whatever
    the environment says about a broker."""
    settings.DOMAIN_PROTOCOL = "https"
    settings.DOMAIN_NAME = DOMAIN
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield f"https://{DOMAIN}"
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def http_post():
    """Every ``requests.post``: answers Slack's ``ok`` by default."""
    with mock.patch("tasks.messaging.requests.post") as post:
        post.return_value.status_code = 200
        post.return_value.json.return_value = {"ok": True, "id": "dm-channel-1"}
        yield post


@pytest.fixture
def chats(db):
    """The organisation connected to the three chats."""
    organisation = Organisation.get()
    organisation.chat_token_slack = SLACK_TOKEN
    organisation.chat_webhook_mattermost = MATTERMOST_HOOK
    organisation.chat_token_discord = DISCORD_TOKEN
    organisation.save()
    return organisation


@pytest.fixture
def enable():
    """``enable(person, email=True, slack="U1", mattermost="name", discord="42")``."""

    def switch(person, email=False, slack=None, mattermost=None, discord=None):
        person.notifications_enabled = email
        for chat, user_id in (("slack", slack), ("mattermost", mattermost), ("discord", discord)):
            setattr(person, f"notifications_{chat}_enabled", user_id is not None)
            setattr(person, f"notifications_{chat}_userid", user_id or "")
        person.save()
        return person

    return switch


@pytest.fixture
def post_comment(client_for, django_capture_on_commit_callbacks):
    """Post a comment and run what waits for the commit (the messages)."""

    def post(person, target, text="A note", status="wip"):
        status_id = TaskStatus.objects.get(short_name=status).id
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(person).post(
                f"/api/actions/tasks/{target.id}/comment",
                {"task_status_id": str(status_id), "comment": text, "checklist": []},
                format="json",
            )
        return response

    return post
