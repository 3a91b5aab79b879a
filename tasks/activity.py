"""What happens around the work: news feeds, notifications, subscriptions,
entity chats and the persisted event log.

Listings are built from a fixed number of ``.values()`` queries joined in
Python, whatever the number of rows; writes run in one transaction and emit
their events after commit.
"""

import logging
import math

from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.models import ApiEvent, utcnow
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.access import project_roles, visible_project_ids
from productions.models import EPISODE, RESERVED_ENTITY_TYPE_NAMES, Entity, Project
from tasks.models import (
    AttachmentFile,
    Chat,
    ChatMessage,
    CommentDepartmentMention,
    CommentMention,
    CommentPreviewLink,
    News,
    Notification,
    Subscription,
)
from tasks.services import OPEN_STATUS_NAME, assigned_task_ids

logger = logging.getLogger(__name__)

NEWS_PAGE_SIZE = 50
NOTIFICATIONS_LIMIT = 100
EVENTS_LIMIT = 100
# Upper bound of the cursor listings (events, login logs), as Gazu documents.
MAX_LIMIT = 1000

# Events about stored files, for ``/data/events/last?only_files=true``.
FILE_EVENT_PREFIXES = (
    "preview-file:",
    "attachment-file:",
    "working-file:",
    "output-file:",
    "preview-background-file:",
)


# --- entity names ------------------------------------------------------------


def entity_names(entity_ids):
    """``{entity_id: (full_entity_name, episode_id, preview_file_id)}`` in one query.

    Names read as the Kitsu feeds show them: ``E01 / SQ01 / SH0010`` for a
    shot of a TV show (``SQ01 / SH0010`` without episode), ``Characters /
    Hero`` for an asset. The episode of an asset is its ``source`` (the
    episode it was created for), as in Zou.
    """
    rows = Entity.objects.filter(pk__in=set(entity_ids) - {None}).values(
        "id",
        "name",
        "entity_type__name",
        "source_id",
        "preview_file_id",
        "parent_id",
        "parent__name",
        "parent__entity_type__name",
        "parent__parent_id",
        "parent__parent__name",
        "parent__parent__entity_type__name",
    )
    names = {}
    for row in rows:
        kind = row["entity_type__name"]
        if kind not in RESERVED_ENTITY_TYPE_NAMES:
            names[row["id"]] = (
                f"{kind} / {row['name']}",
                row["source_id"],
                row["preview_file_id"],
            )
            continue
        chain = [(row["id"], row["name"], kind)]
        if row["parent_id"]:
            chain.insert(
                0, (row["parent_id"], row["parent__name"], row["parent__entity_type__name"])
            )
            if row["parent__parent_id"]:
                chain.insert(
                    0,
                    (
                        row["parent__parent_id"],
                        row["parent__parent__name"],
                        row["parent__parent__entity_type__name"],
                    ),
                )
        episode_id = next((item[0] for item in chain if item[2] == EPISODE), None)
        names[row["id"]] = (
            " / ".join(item[1] for item in chain),
            episode_id,
            row["preview_file_id"],
        )
    return names


# --- news --------------------------------------------------------------------

NEWS_FIELDS = (
    "id",
    "author_id",
    "comment_id",
    "task_id",
    "task__task_type_id",
    "comment__task_status_id",
    "task__task_status_id",
    "task__entity_id",
    "preview_file_id",
    "preview_file__extension",
    "preview_file__revision",
    "task__project_id",
    "task__project__name",
    "created_at",
    "change",
    "author__first_name",
    "author__last_name",
    "author__has_avatar",
    "author__role",
)


def news_visibility(person):
    """A filter on news rows for what ``person`` may read, or None for everything.

    Admins read every feed. Team members read the news of their projects,
    except that vendors only see news of the tasks they are assigned to, and
    clients only see news of comments made for clients (and of comments by
    clients, or only their own ones when the project isolates clients), as
    they see the comments themselves.
    """
    if roles.is_admin(person):
        return None
    by_role = project_roles(person)
    condition = Q(pk__in=[])
    staff = [pid for pid, role in by_role.items() if role not in (roles.CLIENT, roles.VENDOR)]
    if staff:
        condition |= Q(task__project_id__in=staff)
    vendor = [pid for pid, role in by_role.items() if role == roles.VENDOR]
    if vendor:
        condition |= Q(task__project_id__in=vendor, task_id__in=assigned_task_ids(person))
    client = [pid for pid, role in by_role.items() if role == roles.CLIENT]
    if client:
        isolated = set(
            Project.objects.filter(pk__in=client, is_clients_isolated=True).values_list(
                "id", flat=True
            )
        )
        shared = [pid for pid in client if pid not in isolated]
        mine_or_for_client = Q(comment__for_client=True) | Q(author_id=person.pk)
        if isolated:
            condition |= Q(task__project_id__in=isolated) & mine_or_for_client
        if shared:
            condition |= Q(task__project_id__in=shared) & (
                mine_or_for_client | Q(author__role=roles.CLIENT)
            )
    return condition


def news_queryset(person, project_ids, filters):
    """News of ``project_ids`` visible to ``person``, narrowed by ``filters``.

    ``filters`` holds parsed query values: ``before``/``after`` datetimes,
    ``task_type_id``, ``task_status_id``, ``person_id`` (author),
    ``episode_id`` and ``only_preview``.
    """
    queryset = News.objects.filter(task__project_id__in=project_ids)
    visibility = news_visibility(person)
    if visibility is not None:
        queryset = queryset.filter(visibility)
    if filters.get("before"):
        queryset = queryset.filter(created_at__lt=filters["before"])
    if filters.get("after"):
        queryset = queryset.filter(created_at__gt=filters["after"])
    if filters.get("task_type_id"):
        queryset = queryset.filter(task__task_type_id=filters["task_type_id"])
    if filters.get("task_status_id"):
        queryset = queryset.filter(comment__task_status_id=filters["task_status_id"])
    if filters.get("person_id"):
        queryset = queryset.filter(author_id=filters["person_id"])
    if filters.get("episode_id"):
        episode_id = filters["episode_id"]
        queryset = queryset.filter(
            Q(task__entity__parent__parent_id=episode_id)
            | Q(task__entity__parent_id=episode_id)
            | Q(task__entity__source_id=episode_id)
        )
    if filters.get("only_preview"):
        queryset = queryset.filter(preview_file_id__isnull=False)
    return queryset


def news_rows(queryset):
    """News rows as the feeds show them (two queries)."""
    rows = list(queryset.values(*NEWS_FIELDS))
    names = entity_names(row["task__entity_id"] for row in rows)
    result = []
    for row in rows:
        full_name, episode_id, preview_id = names.get(row["task__entity_id"], ("", None, None))
        first, last = row["author__first_name"] or "", row["author__last_name"] or ""
        result.append(
            {
                "id": row["id"],
                "type": "News",
                "author_id": row["author_id"],
                "comment_id": row["comment_id"],
                "task_id": row["task_id"],
                "task_type_id": row["task__task_type_id"],
                "task_status_id": row["comment__task_status_id"] or row["task__task_status_id"],
                "task_entity_id": row["task__entity_id"],
                "preview_file_id": row["preview_file_id"],
                "preview_file_extension": row["preview_file__extension"],
                "preview_file_revision": row["preview_file__revision"],
                "project_id": row["task__project_id"],
                "project_name": row["task__project__name"],
                "created_at": row["created_at"],
                "change": row["change"],
                "full_entity_name": full_name,
                "episode_id": episode_id,
                "entity_preview_file_id": preview_id,
                "person": {
                    "id": row["author_id"],
                    "first_name": first,
                    "last_name": last,
                    "full_name": f"{first} {last}".strip(),
                    "has_avatar": row["author__has_avatar"],
                    "role": row["author__role"],
                },
            }
        )
    return result


def news_page(queryset, page=1, limit=NEWS_PAGE_SIZE):
    """Zou's paginated news answer, with ``stats`` counting news per task status.

    Four queries: the count, the status counts, the page and its entities.
    """
    total = queryset.count()
    stats = {
        str(row["comment__task_status_id"]): row["count"]
        for row in queryset.order_by().values("comment__task_status_id").annotate(count=Count("id"))
        if row["comment__task_status_id"] is not None
    }
    offset = (page - 1) * limit
    page_rows = news_rows(queryset.order_by("-created_at", "-id")[offset : offset + limit])
    return {
        "data": page_rows,
        "total": total,
        "nb_pages": math.ceil(total / limit),
        "limit": limit,
        "offset": offset,
        "page": page,
        "stats": stats,
    }


def open_project_ids_of(person):
    """Ids of the open projects ``person`` may read (all open ones for admins)."""
    queryset = Project.objects.filter(project_status__name=OPEN_STATUS_NAME)
    visible = visible_project_ids(person)
    if visible is not None:
        queryset = queryset.filter(pk__in=visible)
    return list(queryset.values_list("id", flat=True))


# --- notifications ------------------------------------------------------------

NOTIFICATION_FIELDS = (
    "id",
    "type",
    "author_id",
    "comment_id",
    "task_id",
    "task__task_type_id",
    "task__task_status_id",
    "task__entity_id",
    "task__project_id",
    "task__project__name",
    "comment__task_status_id",
    "comment__text",
    "comment__replies",
    "reply_id",
    "created_at",
    "read",
    "change",
    "playlist_id",
    "playlist__name",
    "playlist__for_entity",
    "playlist__is_for_all",
    "playlist__project_id",
    "playlist__project__name",
)


def notifications_queryset(person, filters):
    """The caller's notifications, newest first, narrowed by ``filters``.

    ``before``/``after`` are datetimes (``before`` is the cursor for the
    next page), ``read`` and ``watching`` booleans (``watching``: only, or
    never, notifications of tasks the person follows), ``type``,
    ``task_type_id`` and ``task_status_id`` exact values.
    """
    queryset = Notification.objects.filter(person_id=person.pk)
    if filters.get("before"):
        queryset = queryset.filter(created_at__lt=filters["before"])
    if filters.get("after"):
        queryset = queryset.filter(created_at__gt=filters["after"])
    if filters.get("type"):
        queryset = queryset.filter(type=filters["type"])
    if filters.get("task_type_id"):
        queryset = queryset.filter(task__task_type_id=filters["task_type_id"])
    if filters.get("task_status_id"):
        queryset = queryset.filter(comment__task_status_id=filters["task_status_id"])
    if filters.get("read") is not None:
        queryset = queryset.filter(read=filters["read"])
    if filters.get("watching") is not None:
        followed = Subscription.objects.filter(person_id=person.pk, task_id__isnull=False)
        followed = followed.values("task_id")
        if filters["watching"]:
            queryset = queryset.filter(task_id__in=followed)
        else:
            queryset = queryset.exclude(task_id__in=followed)
    return queryset.order_by("-created_at", "-id")


def notification_rows(queryset, person):
    """Notification rows with Zou's keys, in six queries whatever their number.

    The notification's own ``type`` column is exposed as
    ``notification_type`` (``type`` is the model name). Mentions come from
    the comment, or from the reply when the notification is about one;
    ``preview_file_id`` is the comment's first preview; ``subscription_id``
    tells whether the recipient follows the task.
    """
    rows = list(queryset.values(*NOTIFICATION_FIELDS))
    comment_ids = {row["comment_id"] for row in rows if row["comment_id"]}
    task_ids = {row["task_id"] for row in rows if row["task_id"]}
    mentions, department_mentions, previews = {}, {}, {}
    for comment_id, person_id in CommentMention.objects.filter(
        comment_id__in=comment_ids
    ).values_list("comment_id", "person_id"):
        mentions.setdefault(comment_id, []).append(person_id)
    for comment_id, department_id in CommentDepartmentMention.objects.filter(
        comment_id__in=comment_ids
    ).values_list("comment_id", "department_id"):
        department_mentions.setdefault(comment_id, []).append(department_id)
    for comment_id, preview_id in (
        CommentPreviewLink.objects.filter(comment_id__in=comment_ids)
        .order_by("preview_file__revision", "preview_file__position", "preview_file__created_at")
        .values_list("comment_id", "preview_file_id")
    ):
        previews.setdefault(comment_id, preview_id)
    subscriptions = dict(
        Subscription.objects.filter(person_id=person.pk, task_id__in=task_ids).values_list(
            "task_id", "id"
        )
    )
    names = entity_names(row["task__entity_id"] for row in rows)
    return [
        _notification_row(row, mentions, department_mentions, previews, subscriptions, names)
        for row in rows
    ]


def _find_reply(replies, reply_id):
    if not reply_id:
        return None
    for reply in replies or []:
        if isinstance(reply, dict) and str(reply.get("id")) == str(reply_id):
            return reply
    return None


def _notification_row(row, mentions, department_mentions, previews, subscriptions, names):
    full_name, episode_id, entity_preview_id = names.get(row["task__entity_id"], ("", None, None))
    reply = _find_reply(row["comment__replies"], row["reply_id"]) or {}
    comment_id = row["comment_id"]
    return {
        "id": row["id"],
        "type": "Notification",
        "notification_type": row["type"],
        "author_id": row["author_id"],
        "comment_id": comment_id,
        "task_id": row["task_id"],
        "task_type_id": row["task__task_type_id"],
        "task_status_id": row["comment__task_status_id"] or row["task__task_status_id"],
        "mentions": mentions.get(comment_id, []),
        "department_mentions": department_mentions.get(comment_id, []),
        "reply_mentions": list(reply.get("mentions") or []),
        "reply_department_mentions": list(reply.get("department_mentions") or []),
        "preview_file_id": previews.get(comment_id),
        "project_id": row["task__project_id"] or row["playlist__project_id"],
        "project_name": row["task__project__name"] or row["playlist__project__name"] or "",
        "comment_text": row["comment__text"] or "",
        "reply_text": reply.get("text") or "",
        "created_at": row["created_at"],
        "read": row["read"],
        "change": row["change"],
        "full_entity_name": full_name,
        "episode_id": episode_id,
        "entity_preview_file_id": entity_preview_id,
        "subscription_id": subscriptions.get(row["task_id"]),
        "playlist_id": row["playlist_id"],
        "playlist_name": row["playlist__name"] or "",
        "playlist_for_entity": row["playlist__for_entity"] or "",
        "playlist_is_for_all": bool(row["playlist__is_for_all"]),
    }


def set_notification_read(notification, read):
    """Mark one notification read or unread; ``notification:read|unread`` after commit."""
    with transaction.atomic():
        if notification.read != read:
            notification.read = read
            notification.save(update_fields=["read"])
        events.emit(
            "notification:read" if read else "notification:unread",
            {"notification_id": notification.pk, "person_id": notification.person_id},
        )
    return notification


def mark_all_notifications_read(person):
    """Mark every unread notification of ``person`` read; ``notification:all-read``."""
    with transaction.atomic():
        count = Notification.objects.filter(person_id=person.pk, read=False).update(
            read=True, updated_at=utcnow()
        )
        events.emit("notification:all-read", {"person_id": person.pk})
    logger.info("%s notifications of %s marked read", count, person.pk)
    return count


# --- subscriptions -------------------------------------------------------------


def subscribe_to_tasks(person, tasks):
    """Follow ``tasks`` (idempotent: an existing subscription is kept)."""
    with transaction.atomic():
        existing = {
            subscription.task_id: subscription
            for subscription in Subscription.objects.filter(
                person_id=person.pk, task_id__in=[task.pk for task in tasks]
            )
        }
        result = []
        for task in tasks:
            subscription = existing.get(task.pk)
            if subscription is None:
                subscription = Subscription.objects.create(person_id=person.pk, task_id=task.pk)
                existing[task.pk] = subscription
            result.append(subscription)
    return result


def unsubscribe_from_tasks(person, task_ids):
    with transaction.atomic():
        Subscription.objects.filter(person_id=person.pk, task_id__in=task_ids).delete()


def subscribe_to_sequence(person, sequence, task_type):
    """Follow every task of ``task_type`` in ``sequence`` (one row per pair)."""
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.get_or_create(
                person_id=person.pk, entity_id=sequence.pk, task_type_id=task_type.pk
            )
    except IntegrityError:
        # A concurrent request created the same pair first.
        subscription = Subscription.objects.get(
            person_id=person.pk, entity_id=sequence.pk, task_type_id=task_type.pk
        )
    return subscription


def unsubscribe_from_sequence(person, sequence_id, task_type_id):
    with transaction.atomic():
        Subscription.objects.filter(
            person_id=person.pk, entity_id=sequence_id, task_type_id=task_type_id
        ).delete()


def is_subscribed_to_task(person, task_id):
    return Subscription.objects.filter(person_id=person.pk, task_id=task_id).exists()


def is_subscribed_to_sequence(person, sequence_id, task_type_id):
    return Subscription.objects.filter(
        person_id=person.pk, entity_id=sequence_id, task_type_id=task_type_id
    ).exists()


# --- chats ---------------------------------------------------------------------


def chat_of(entity):
    """The chat room of ``entity``, created on first use.

    There is no unique key on the chat's object: the oldest room of an
    entity is the one used, so a room created twice by concurrent first
    calls does no harm.
    """
    chat = Chat.objects.filter(object_id=entity.pk).order_by("created_at", "id").first()
    if chat is None:
        chat = Chat.objects.create(object_id=entity.pk, object_type="entity")
    return chat


def chat_row(chat):
    return serialize_instance(chat, relations=True)


def chat_rows(queryset):
    return serialize_rows(Chat, queryset.order_by("-last_message", "id"), relations=True)


def join_chat(chat, person, project_id):
    with transaction.atomic():
        chat.participants.add(person)
        events.emit(
            "chat:joined", {"chat_id": chat.pk, "person_id": person.pk}, project_id=project_id
        )
    return chat


def leave_chat(chat, person, project_id):
    with transaction.atomic():
        chat.participants.remove(person)
        events.emit(
            "chat:left", {"chat_id": chat.pk, "person_id": person.pk}, project_id=project_id
        )


def chat_message_rows(queryset):
    """Messages with their ``attachment_files`` (two queries)."""
    rows = serialize_rows(ChatMessage, queryset)
    attachments = {}
    for attachment in AttachmentFile.objects.filter(
        chat_message_id__in=[row["id"] for row in rows]
    ).values("id", "name", "size", "extension", "mimetype", "chat_message_id"):
        attachments.setdefault(attachment["chat_message_id"], []).append(attachment)
    for row in rows:
        row["attachment_files"] = attachments.get(row["id"], [])
    return rows


def post_chat_message(chat, person, text, project_id, files=()):
    """Add a message (and its attachments) to ``chat``; ``chat:new-message`` after commit.

    ``files`` are uploaded files; each one becomes an attachment, stored as
    the attachments of comments are.
    """
    from tasks.comments import store_attachments

    with transaction.atomic():
        message = ChatMessage.objects.create(chat=chat, person_id=person.pk, text=text)
        if files:
            store_attachments(files, chat_message=message)
        chat.last_message = message.created_at
        chat.save(update_fields=["last_message"])
        events.emit(
            "chat:new-message",
            {"chat_id": chat.pk, "chat_message_id": message.pk, "person_id": person.pk},
            project_id=project_id,
        )
    return message


def delete_chat_message(message, project_id):
    from tasks.comments import remove_attachment_files

    with transaction.atomic():
        remove_attachment_files(
            AttachmentFile.objects.filter(chat_message_id=message.pk).values_list("pk", flat=True)
        )
        events.emit(
            "chat:deleted-message",
            {"chat_id": message.chat_id, "chat_message_id": message.pk},
            project_id=project_id,
        )
        message.delete()


# --- events --------------------------------------------------------------------


def event_visibility(person):
    """Events a manager may read: those of their projects and studio-wide ones.

    An event names its project in ``project_id`` or, for some studio-level
    events such as ``project:update``, only in its data; either one must be
    a project the person may read. Events naming no project at all (task
    types, people...) are studio settings every manager already reads.
    """
    project_ids = visible_project_ids(person)
    if project_ids is None:
        return None
    ids = list(project_ids)
    return (
        Q(project_id__in=ids)
        | Q(project_id__isnull=True, data__project_id__in=[str(pid) for pid in ids])
        | Q(project_id__isnull=True, data__project_id__isnull=True)
        | Q(project_id__isnull=True, data__isnull=True)
    )


def last_events(person, filters, limit=EVENTS_LIMIT):
    """Latest events, newest first (one query, two with a cursor).

    ``filters``: ``after``/``before`` datetimes; ``cursor_event_id`` (only
    events older than that one, for the next page); ``project_id``;
    ``name`` (exact); ``name_prefixes``/``name_suffixes`` (lists, any may
    match); ``person_ids`` (acting users); ``only_files``.
    """
    queryset = ApiEvent.objects.all()
    visibility = event_visibility(person)
    if visibility is not None:
        queryset = queryset.filter(visibility)
    if filters.get("after"):
        queryset = queryset.filter(created_at__gt=filters["after"])
    if filters.get("before"):
        queryset = queryset.filter(created_at__lt=filters["before"])
    if filters.get("cursor"):
        cursor = filters["cursor"]
        queryset = queryset.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.pk)
        )
    if filters.get("project_id"):
        queryset = queryset.filter(project_id=filters["project_id"])
    if filters.get("name"):
        queryset = queryset.filter(name=filters["name"])
    prefixes = list(filters.get("name_prefixes") or [])
    if filters.get("only_files"):
        prefixes.extend(FILE_EVENT_PREFIXES)
    if prefixes:
        condition = Q(pk__in=[])
        for prefix in prefixes:
            condition |= Q(name__startswith=prefix)
        queryset = queryset.filter(condition)
    if filters.get("name_suffixes"):
        condition = Q(pk__in=[])
        for suffix in filters["name_suffixes"]:
            condition |= Q(name__endswith=suffix)
        queryset = queryset.filter(condition)
    if filters.get("person_ids"):
        queryset = queryset.filter(user_id__in=filters["person_ids"])
    return list(
        queryset.order_by("-created_at", "-id").values(
            "id", "created_at", "name", "user_id", "project_id", "data"
        )[:limit]
    )


def event_names():
    return sorted(ApiEvent.objects.order_by().values_list("name", flat=True).distinct())


def last_login_logs(filters, limit=EVENTS_LIMIT):
    """Latest logins, newest first, with the same cursor rules as events."""
    from people.models import LoginLog

    queryset = LoginLog.objects.all()
    if filters.get("after"):
        queryset = queryset.filter(created_at__gt=filters["after"])
    if filters.get("before"):
        queryset = queryset.filter(created_at__lt=filters["before"])
    if filters.get("cursor"):
        cursor = filters["cursor"]
        queryset = queryset.filter(
            Q(created_at__lt=cursor.created_at) | Q(created_at=cursor.created_at, id__lt=cursor.pk)
        )
    if filters.get("person_ids"):
        queryset = queryset.filter(person_id__in=filters["person_ids"])
    return serialize_rows(LoginLog, queryset.order_by("-created_at", "-id")[:limit])
