"""Messages that tell people about their notifications outside Kitsu.

A notification row lights the bell in Kitsu; people who asked for it also
get the news by e-mail (``notifications_enabled``) and in Slack, Mattermost
or Discord (``notifications_<chat>_enabled`` with their user id in that
chat). The chat integrations need the organisation's credentials: a Slack
bot token, a Mattermost incoming-webhook URL, a Discord bot token.

Sending happens in a Celery job queued once the notifications are
committed, so a slow mail server or chat service never delays a comment.
Each channel is tried once per notification; a failure is logged and the
other channels still go out. Nothing here is retried: a duplicate message
is worse than a missing one.

Links point at the Kitsu web UI:

- a task: ``<protocol>://<domain>/productions/<project_id>/<section>/tasks/<task_id>``
  where ``<section>`` is ``shots``, ``assets``, ``sequences``, ``episodes``,
  ``edits`` or ``concepts`` after the entity's type, and a shot of a TV show
  gets ``/episodes/<episode_id>`` before its section;
- a playlist: ``<protocol>://<domain>/productions/<project_id>/playlists/<playlist_id>``
  (with ``/episodes/<episode_id>`` before ``playlists`` for an episode's playlist).
"""

import logging
from dataclasses import dataclass

import requests
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from people.models import Organisation
from productions.models import CONCEPT, EDIT, EPISODE, SEQUENCE, SHOT
from tasks.models import Notification

logger = logging.getLogger(__name__)

# Seconds to wait for a chat service before giving up on that message.
TIMEOUT = 5
SLACK_URL = "https://slack.com/api/chat.postMessage"
DISCORD_API = "https://discord.com/api/v10"
SECTIONS = {
    SHOT: "shots",
    SEQUENCE: "sequences",
    EPISODE: "episodes",
    EDIT: "edits",
    CONCEPT: "concepts",
}


@dataclass
class Message:
    subject: str
    body: str


# --- queueing -----------------------------------------------------------------------


def send_later(notification_ids):
    """Queue the messages of freshly created notifications, once committed.

    ``robust``: without a broker the job runs in the request; whatever goes
    wrong there must not turn an already committed comment into an error.
    """
    ids = [str(notification_id) for notification_id in notification_ids]
    if ids:
        transaction.on_commit(lambda: send_notification_messages.delay(ids), robust=True)


@shared_task(name="tasks.send_notification_messages")
def send_notification_messages(notification_ids):
    """Send the e-mail and chat messages of notifications (ids in).

    Notifications deleted in the meantime (the comment went away) are
    skipped. Returns ``{"sent": n, "failed": n}`` for the worker's log.
    """
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids).select_related(
            "person",
            "author",
            "comment__task_status",
            "task__project",
            "task__task_type",
            "task__entity__entity_type",
            "task__entity__parent",
            "playlist__project",
        )
    )
    organisation = None
    sent = failed = 0
    for notification in notifications:
        person = notification.person
        if not person.active or person.pk == notification.author_id:
            continue
        message = compose(notification)
        if message is None:
            continue
        channels = []
        if person.notifications_enabled and person.email:
            channels.append(("e-mail", send_email))
        if any(
            (
                person.notifications_slack_enabled,
                person.notifications_mattermost_enabled,
                person.notifications_discord_enabled,
            )
        ):
            # One query, only when somebody uses a chat.
            organisation = organisation or Organisation.get()
            channels += chat_channels(person, organisation)
        for name, send in channels:
            try:
                send(person, message, organisation)
            except Exception:
                failed += 1
                logger.warning(
                    "Could not send the %s message of notification %s to %s",
                    name,
                    notification.pk,
                    person.pk,
                    exc_info=True,
                )
            else:
                sent += 1
    return {"sent": sent, "failed": failed}


def chat_channels(person, organisation):
    """The chats ``person`` asked for that the organisation is connected to."""
    channels = []
    if (
        person.notifications_slack_enabled
        and person.notifications_slack_userid
        and organisation.chat_token_slack
    ):
        channels.append(("Slack", send_slack))
    if (
        person.notifications_mattermost_enabled
        and person.notifications_mattermost_userid
        and organisation.chat_webhook_mattermost
    ):
        channels.append(("Mattermost", send_mattermost))
    if (
        person.notifications_discord_enabled
        and person.notifications_discord_userid
        and organisation.chat_token_discord
    ):
        channels.append(("Discord", send_discord))
    return channels


# --- channels -----------------------------------------------------------------------


def send_email(person, message, organisation=None):
    send_mail(message.subject, message.body, None, [person.email], fail_silently=False)


def chat_text(message):
    return f"*{message.subject}*\n{message.body}"


def send_slack(person, message, organisation):
    """Post as the organisation's bot; Slack delivers a user id channel as a DM."""
    response = requests.post(
        SLACK_URL,
        headers={"Authorization": f"Bearer {organisation.chat_token_slack}"},
        json={"channel": person.notifications_slack_userid, "text": chat_text(message)},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    # Slack answers 200 with ``ok: false`` for a bad token or an unknown user.
    answer = response.json()
    if not answer.get("ok"):
        raise RuntimeError(f"Slack refused the message: {answer.get('error')}")


def send_mattermost(person, message, organisation):
    """Post to the incoming webhook; ``@user`` makes Mattermost send a DM."""
    response = requests.post(
        organisation.chat_webhook_mattermost,
        json={"channel": f"@{person.notifications_mattermost_userid}", "text": chat_text(message)},
        timeout=TIMEOUT,
    )
    response.raise_for_status()


def send_discord(person, message, organisation):
    """Open (or reuse) the bot's DM channel with the person, then post to it."""
    headers = {"Authorization": f"Bot {organisation.chat_token_discord}"}
    response = requests.post(
        f"{DISCORD_API}/users/@me/channels",
        headers=headers,
        json={"recipient_id": person.notifications_discord_userid},
        timeout=TIMEOUT,
    )
    response.raise_for_status()
    channel_id = response.json()["id"]
    # Discord caps a message at 2,000 characters.
    response = requests.post(
        f"{DISCORD_API}/channels/{channel_id}/messages",
        headers=headers,
        json={"content": chat_text(message)[:2000]},
        timeout=TIMEOUT,
    )
    response.raise_for_status()


# --- message text -------------------------------------------------------------------


def site_url(path):
    return f"{settings.DOMAIN_PROTOCOL}://{settings.DOMAIN_NAME}{path}"


def task_url(task):
    entity = task.entity
    type_name = entity.entity_type.name if entity is not None else None
    section = SECTIONS.get(type_name, "assets")
    prefix = f"/productions/{task.project_id}"
    # A TV show's shots live under their episode (shot -> sequence -> episode).
    if type_name == SHOT and entity.parent is not None and entity.parent.parent_id:
        prefix += f"/episodes/{entity.parent.parent_id}"
    return site_url(f"{prefix}/{section}/tasks/{task.pk}")


def playlist_url(playlist):
    prefix = f"/productions/{playlist.project_id}"
    if playlist.episode_id:
        prefix += f"/episodes/{playlist.episode_id}"
    return site_url(f"{prefix}/playlists/{playlist.pk}")


def task_label(task):
    """``Project / SQ01 / SH0010 / Animation``: enough to tell tasks apart."""
    parts = [task.project.name]
    entity = task.entity
    if entity is not None:
        if entity.parent is not None:
            parts.append(entity.parent.name)
        parts.append(entity.name)
    parts.append(task.task_type.name)
    return " / ".join(parts)


def reply_text(notification):
    for reply in notification.comment.replies or []:
        if str(reply.get("id")) == str(notification.reply_id):
            return reply.get("text") or ""
    return ""


def compose(notification):
    """The subject and plain-text body of a notification (None when unknown)."""
    author = notification.author.full_name
    kind = notification.type
    if kind == "playlist-ready":
        playlist = notification.playlist
        if playlist is None or playlist.project is None:
            return None
        return Message(
            f"[Kitsu] {playlist.project.name}: playlist {playlist.name} is ready",
            f"{author} shared the playlist {playlist.name} with you.\n\n{playlist_url(playlist)}",
        )
    task = notification.task
    if task is None:
        return None
    label = task_label(task)
    link = task_url(task)
    if kind == "assignation":
        return Message(
            f"[Kitsu] {label}: you are assigned",
            f"{author} assigned you to {label}.\n\n{link}",
        )
    comment = notification.comment
    if comment is None:
        return None
    if kind in ("reply", "reply-mention"):
        action = "mentioned you in a reply" if kind == "reply-mention" else "replied"
        return Message(
            f"[Kitsu] {label}: {author} {action}",
            f"{author} {action} on {label}:\n\n{reply_text(notification)}\n\n{link}",
        )
    text = comment.text or ""
    if kind == "mention":
        return Message(
            f"[Kitsu] {label}: {author} mentioned you",
            f"{author} mentioned you on {label}:\n\n{text}\n\n{link}",
        )
    if notification.change and comment.task_status is not None:
        status = comment.task_status.short_name.upper()
        return Message(
            f"[Kitsu] {label}: {status}",
            f"{author} changed the status of {label} to {status}:\n\n{text}\n\n{link}",
        )
    return Message(
        f"[Kitsu] {label}: new comment",
        f"{author} commented on {label}:\n\n{text}\n\n{link}",
    )
