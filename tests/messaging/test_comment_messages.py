"""E-mail and chat messages sent after a comment, a reply or a mention edit."""

import logging
from unittest import mock

import pytest
import requests
from django.core import mail

from tasks import messaging, notifications
from tasks.models import Comment, Notification, Subscription

from .conftest import DISCORD_TOKEN, MATTERMOST_HOOK, SLACK_TOKEN


def shot_task_url(site, task):
    episode_id = task.entity.parent.parent_id
    return f"{site}/productions/{task.project_id}/episodes/{episode_id}/shots/tasks/{task.id}"


# --- e-mail ---------------------------------------------------------------------------------


def test_assignee_with_email_enabled_gets_one_email(
    post_comment, manager, artist, team, task, enable, site, http_post
):
    enable(artist, email=True)
    response = post_comment(manager, task, "Timing is off at frame 12")
    assert response.status_code == 201
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [artist.email]
    assert email.subject == "[Kitsu] Demo TV / SQ01 / SH0010 / Animation: WIP"
    assert email.body == (
        "Max Manager changed the status of Demo TV / SQ01 / SH0010 / Animation to WIP:\n\n"
        f"Timing is off at frame 12\n\n{shot_task_url(site, task)}"
    )
    http_post.assert_not_called()


def test_comment_without_status_change_says_so(
    post_comment, manager, artist, team, task, enable, site
):
    enable(artist, email=True)
    # The task is already "todo": posting "todo" does not change it.
    response = post_comment(manager, task, "Looks fine", status="todo")
    assert response.status_code == 201
    assert Notification.objects.get(person=artist).change is False
    assert [email.subject for email in mail.outbox] == [
        "[Kitsu] Demo TV / SQ01 / SH0010 / Animation: new comment"
    ]
    assert mail.outbox[0].body.startswith("Max Manager commented on Demo TV / SQ01 / SH0010")


def test_nothing_is_sent_when_notifications_are_disabled(
    post_comment, manager, artist, team, task, chats, enable, http_post
):
    # Chat user ids are known but every switch is off.
    enable(artist)
    artist.notifications_slack_userid = "U0ART"
    artist.save()
    response = post_comment(manager, task)
    assert response.status_code == 201
    assert Notification.objects.filter(person=artist, type="comment").count() == 1
    assert mail.outbox == []
    http_post.assert_not_called()


def test_the_author_never_gets_a_message(
    post_comment, artist, supervisor, team, task, chats, enable, http_post
):
    enable(artist, email=True, slack="U0ART", mattermost="art", discord="42")
    Subscription.objects.create(person=enable(supervisor, email=True), task=task)
    response = post_comment(artist, task, "Done on my side")
    assert response.status_code == 201
    # The job ran (the subscriber got their e-mail) but skipped the author.
    assert [email.to for email in mail.outbox] == [[supervisor.email]]
    http_post.assert_not_called()


def test_inactive_people_get_nothing(post_comment, manager, artist, team, task, enable):
    enable(artist, email=True)
    artist.active = False
    artist.save()
    assert post_comment(manager, task).status_code == 201
    assert mail.outbox == []


def test_mentioned_person_gets_a_mention_email(
    post_comment, manager, supervisor, team, task, enable, site
):
    enable(supervisor, email=True)
    response = post_comment(manager, task, "@Sue Supervisor please check")
    assert response.status_code == 201
    assert [email.subject for email in mail.outbox] == [
        "[Kitsu] Demo TV / SQ01 / SH0010 / Animation: Max Manager mentioned you"
    ]
    assert shot_task_url(site, task) in mail.outbox[0].body


# --- chats ----------------------------------------------------------------------------------


def test_slack_and_mattermost_payloads(
    post_comment, manager, artist, team, task, chats, enable, http_post
):
    enable(artist, slack="U0ART", mattermost="art")
    response = post_comment(manager, task, "Needs more squash")
    assert response.status_code == 201
    assert mail.outbox == []
    assert http_post.call_count == 2
    slack, mattermost = http_post.call_args_list
    text = (
        "*[Kitsu] Demo TV / SQ01 / SH0010 / Animation: WIP*\n"
        "Max Manager changed the status of Demo TV / SQ01 / SH0010 / Animation to WIP:\n\n"
        "Needs more squash\n\n"
    )
    assert slack.args == ("https://slack.com/api/chat.postMessage",)
    assert slack.kwargs["headers"] == {"Authorization": f"Bearer {SLACK_TOKEN}"}
    assert slack.kwargs["json"]["channel"] == "U0ART"
    assert slack.kwargs["json"]["text"].startswith(text)
    assert slack.kwargs["timeout"] == 5
    assert mattermost.args == (MATTERMOST_HOOK,)
    assert "headers" not in mattermost.kwargs
    assert mattermost.kwargs["json"]["channel"] == "@art"
    assert mattermost.kwargs["json"]["text"] == slack.kwargs["json"]["text"]
    assert mattermost.kwargs["timeout"] == 5


def test_discord_opens_a_dm_then_posts_to_it(
    post_comment, manager, artist, team, task, chats, enable, http_post
):
    enable(artist, discord="424242")
    assert post_comment(manager, task, "Hello").status_code == 201
    open_dm, message = http_post.call_args_list
    headers = {"Authorization": f"Bot {DISCORD_TOKEN}"}
    assert open_dm.args == ("https://discord.com/api/v10/users/@me/channels",)
    assert open_dm.kwargs["headers"] == headers
    assert open_dm.kwargs["json"] == {"recipient_id": "424242"}
    assert message.args == ("https://discord.com/api/v10/channels/dm-channel-1/messages",)
    assert message.kwargs["headers"] == headers
    assert "Hello" in message.kwargs["json"]["content"]


def test_chats_without_organisation_credentials_are_skipped(
    post_comment, manager, artist, team, task, enable, http_post
):
    enable(artist, email=True, slack="U0ART", mattermost="art", discord="42")
    assert post_comment(manager, task).status_code == 201
    http_post.assert_not_called()
    assert len(mail.outbox) == 1


def test_a_failing_webhook_is_logged_and_the_comment_still_posts(
    post_comment, manager, artist, team, task, chats, enable, http_post, caplog
):
    enable(artist, email=True, mattermost="art")
    http_post.side_effect = requests.ConnectionError("chat.example.com is down")
    with caplog.at_level(logging.WARNING, logger="tasks.messaging"):
        response = post_comment(manager, task, "Still here")
    assert response.status_code == 201
    assert Comment.objects.filter(text="Still here").count() == 1
    # The other channel still went out.
    assert [email.to for email in mail.outbox] == [[artist.email]]
    assert http_post.call_count == 1
    failures = [record for record in caplog.records if record.name == "tasks.messaging"]
    assert len(failures) == 1
    assert "Mattermost" in failures[0].getMessage()
    assert failures[0].exc_info[0] is requests.ConnectionError


def test_slack_refusal_counts_as_a_failure(manager, artist, team, task, chats, enable, http_post):
    enable(artist, slack="U0GONE")
    http_post.return_value.json.return_value = {"ok": False, "error": "user_not_found"}
    comment = Comment.objects.create(
        object_id=task.id, object_type="Task", text="Hi", person=manager
    )
    notification = Notification.objects.create(
        type="comment", person=artist, author=manager, comment=comment, task=task
    )
    result = messaging.send_notification_messages([str(notification.pk)])
    assert result == {"sent": 0, "failed": 1}


# --- replies and edits ----------------------------------------------------------------------


def test_reply_sends_the_reply_text(
    post_comment, client_for, manager, artist, team, task, enable, committed
):
    comment_id = post_comment(artist, task, "First pass").json()["id"]
    enable(artist, email=True)
    with committed():
        response = client_for(manager).post(
            f"/api/data/tasks/{task.id}/comments/{comment_id}/reply",
            {"text": "Nice, push the arcs"},
            format="json",
        )
    assert response.status_code == 200
    assert [email.subject for email in mail.outbox] == [
        "[Kitsu] Demo TV / SQ01 / SH0010 / Animation: Max Manager replied"
    ]
    assert "Nice, push the arcs" in mail.outbox[0].body


def test_mention_edit_messages_only_the_newly_mentioned(
    manager, supervisor, client_person, team, task, enable, committed
):
    enable(supervisor, email=True)
    enable(client_person, email=True)
    comment = Comment.objects.create(
        object_id=task.id, object_type="Task", text="x", person=manager
    )
    Notification.objects.create(
        type="mention", person=supervisor, author=manager, comment=comment, task=task
    )
    with committed():
        notifications.replace_mention_notifications(
            task, comment, manager, [supervisor.pk, client_person.pk], []
        )
    assert Notification.objects.filter(comment=comment, type="mention").count() == 2
    assert [email.to for email in mail.outbox] == [[client_person.email]]


# --- queueing -------------------------------------------------------------------------------


def test_job_is_queued_after_commit_with_the_notification_ids(
    client_for, manager, artist, team, task, statuses, committed
):
    queued = mock.patch.object(messaging.send_notification_messages, "delay")
    with queued as delay, committed() as callbacks:
        response = client_for(manager).post(
            f"/api/actions/tasks/{task.id}/comment",
            {"task_status_id": str(statuses["wip"].id), "comment": "Queued"},
            format="json",
        )
        # Nothing leaves before the commit.
        delay.assert_not_called()
    assert response.status_code == 201
    assert callbacks
    notification = Notification.objects.get(person=artist)
    delay.assert_called_once_with([str(notification.pk)])


@pytest.mark.parametrize("ids", [[], ["00000000-0000-4000-8000-000000000000"]])
def test_nothing_to_send(ids, db, http_post):
    assert messaging.send_notification_messages(ids) == {"sent": 0, "failed": 0}
    assert mail.outbox == []
