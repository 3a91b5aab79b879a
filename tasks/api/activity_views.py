"""Routes of the activity around the work: news feeds, the caller's
notifications and subscriptions, entity chats and the event log, plus the
generic /data resources of those tables (admin-only, as in Zou).

Views parse and check input, then call ``tasks.activity``.
"""

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, columns, register
from kitsu_backend.api.exceptions import CrudError, Forbidden, NotFound, WrongParameter
from kitsu_backend.api.models import ApiEvent
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance
from kitsu_backend.api.views import (
    KitsuView,
    get_or_404,
    parse_datetime,
    parse_int,
    parse_uuid,
    query_flag,
)
from productions.access import check_project_access
from productions.models import Entity, Plugin, Project
from tasks import activity
from tasks.api.views import check_entity_read, check_task_read, load_task
from tasks.models import (
    NOTIFICATION_TYPES,
    Chat,
    ChatMessage,
    News,
    Notification,
    Subscription,
    TaskType,
)

NOTIFICATION_TYPE_CODES = {code for code, _label in NOTIFICATION_TYPES}


# --- parsing -------------------------------------------------------------------


def optional_uuid(params, name):
    value = params.get(name)
    return parse_uuid(value) if value else None


def optional_datetime(params, name):
    value = params.get(name)
    return parse_datetime(value, name) if value else None


def optional_bool(params, name):
    value = params.get(name)
    if value is None or value == "":
        return None
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise WrongParameter(f"{name} must be true or false.")


def many(params, name):
    """Values of a repeated or comma-separated query parameter."""
    values = []
    for item in params.getlist(name) + params.getlist(f"{name}[]"):
        values.extend(part.strip() for part in item.split(",") if part.strip())
    return values


def load_entity(request, entity_id):
    entity = get_or_404(Entity.objects.select_related("entity_type"), entity_id)
    check_entity_read(request.user, entity)
    return entity


# --- news ----------------------------------------------------------------------


def news_filters(params):
    return {
        "before": optional_datetime(params, "before"),
        "after": optional_datetime(params, "after"),
        "task_type_id": optional_uuid(params, "task_type_id"),
        "task_status_id": optional_uuid(params, "task_status_id"),
        "person_id": optional_uuid(params, "person_id"),
        "episode_id": optional_uuid(params, "episode_id"),
        "only_preview": optional_bool(params, "only_preview"),
    }


class NewsListView(KitsuView):
    def page(self, request, project_ids):
        params = request.query_params
        page = parse_int(params.get("page", 1), "page", minimum=1)
        limit = parse_int(
            params.get("limit", activity.NEWS_PAGE_SIZE), "limit", minimum=1, maximum=1000
        )
        queryset = activity.news_queryset(request.user, project_ids, news_filters(params))
        return self.respond(activity.news_page(queryset, page, limit))


class ProjectNewsView(NewsListView):
    """``GET /data/projects/{project_id}/news``: the feed of one project."""

    def get(self, request, project_id):
        project = get_or_404(Project, project_id)
        check_project_access(request.user, project.pk)
        return self.page(request, [project.pk])


class OpenProjectsNewsView(NewsListView):
    """``GET /data/projects/news``: the feeds of the caller's open projects together."""

    def get(self, request):
        project_ids = activity.open_project_ids_of(request.user)
        wanted = optional_uuid(request.query_params, "project_id")
        if wanted is not None:
            project_ids = [pid for pid in project_ids if pid == wanted]
        return self.page(request, project_ids)


class ProjectNewsDetailView(KitsuView):
    def get(self, request, project_id, news_id):
        project = get_or_404(Project, project_id)
        news_id = parse_uuid(news_id)
        check_project_access(request.user, project.pk)
        news = get_or_404(News.objects.filter(task__project_id=project.pk), news_id)
        visible = activity.news_queryset(request.user, [project.pk], {}).filter(pk=news.pk)
        rows = activity.news_rows(visible)
        if not rows:
            raise Forbidden()
        return self.respond(rows[0])


# --- notifications ------------------------------------------------------------------


class UserNotificationsView(KitsuView):
    """The caller's notifications, newest first (``limit``, default 100)."""

    def get(self, request):
        params = request.query_params
        notification_type = params.get("type") or params.get("notification_type")
        if notification_type and notification_type not in NOTIFICATION_TYPE_CODES:
            raise WrongParameter(f"Unknown notification type: {notification_type}.")
        filters = {
            "before": optional_datetime(params, "before"),
            "after": optional_datetime(params, "after"),
            "task_type_id": optional_uuid(params, "task_type_id"),
            "task_status_id": optional_uuid(params, "task_status_id"),
            "type": notification_type,
            "read": optional_bool(params, "read"),
            "watching": optional_bool(params, "watching"),
        }
        limit = parse_int(
            params.get("limit", activity.NOTIFICATIONS_LIMIT), "limit", minimum=1, maximum=1000
        )
        queryset = activity.notifications_queryset(request.user, filters)[:limit]
        return self.respond(activity.notification_rows(queryset, request.user))


def load_own_notification(request, notification_id):
    notification = get_or_404(Notification, notification_id)
    if notification.person_id != request.user.pk:
        raise Forbidden()
    return notification


class UserNotificationView(KitsuView):
    def get(self, request, notification_id):
        notification = load_own_notification(request, notification_id)
        rows = activity.notification_rows(
            Notification.objects.filter(pk=notification.pk), request.user
        )
        return self.respond(rows[0])

    def put(self, request, notification_id):
        notification = load_own_notification(request, notification_id)
        read = self.body().get("read")
        if not isinstance(read, bool):
            raise WrongParameter("read must be true or false.")
        activity.set_notification_read(notification, read)
        rows = activity.notification_rows(
            Notification.objects.filter(pk=notification.pk), request.user
        )
        return self.respond(rows[0])


class MarkAllNotificationsReadView(KitsuView):
    def post(self, request):
        activity.mark_all_notifications_read(request.user)
        return self.respond({"success": True})


# --- subscriptions ---------------------------------------------------------------------


def subscription_row(subscription):
    return serialize_instance(subscription, relations=False)


class TaskSubscribeView(KitsuView):
    def post(self, request, task_id):
        task = load_task(task_id)
        check_task_read(request.user, task)
        (subscription,) = activity.subscribe_to_tasks(request.user, [task])
        return self.respond(subscription_row(subscription), status=201)


class TaskUnsubscribeView(KitsuView):
    """Anyone may stop following a task, even one they no longer reach."""

    def delete(self, request, task_id):
        task = load_task(task_id)
        activity.unsubscribe_from_tasks(request.user, [task.pk])
        return self.respond(None, status=204)


def task_id_list(body):
    task_ids = body.get("task_ids")
    if not isinstance(task_ids, list) or not task_ids:
        raise WrongParameter("task_ids must be a non-empty list of task ids.")
    return [parse_uuid(task_id) for task_id in task_ids]


class TasksSubscribeView(KitsuView):
    """Follow several tasks: every one must exist and be readable."""

    def post(self, request):
        from tasks.models import Task

        task_ids = task_id_list(self.body())
        tasks = list(Task.objects.filter(pk__in=task_ids))
        if len(tasks) != len(set(task_ids)):
            raise NotFound()
        for task in tasks:
            check_task_read(request.user, task)
        subscriptions = activity.subscribe_to_tasks(request.user, tasks)
        return self.respond([subscription_row(item) for item in subscriptions], status=201)


class TasksUnsubscribeView(KitsuView):
    def post(self, request):
        task_ids = task_id_list(self.body())
        activity.unsubscribe_from_tasks(request.user, task_ids)
        return self.respond(None, status=204)


class TaskSubscribedView(KitsuView):
    def get(self, request, task_id):
        task = load_task(task_id)
        return self.respond(activity.is_subscribed_to_task(request.user, task.pk))


def load_sequence_and_task_type(sequence_id, task_type_id):
    sequence = get_or_404(Entity.objects.select_related("entity_type"), sequence_id)
    task_type = get_or_404(TaskType, task_type_id)
    return sequence, task_type


class SequenceSubscribeView(KitsuView):
    def post(self, request, sequence_id, task_type_id):
        sequence, task_type = load_sequence_and_task_type(sequence_id, task_type_id)
        check_entity_read(request.user, sequence)
        subscription = activity.subscribe_to_sequence(request.user, sequence, task_type)
        return self.respond(subscription_row(subscription), status=201)


class SequenceUnsubscribeView(KitsuView):
    def delete(self, request, sequence_id, task_type_id):
        sequence, task_type = load_sequence_and_task_type(sequence_id, task_type_id)
        activity.unsubscribe_from_sequence(request.user, sequence.pk, task_type.pk)
        return self.respond(None, status=204)


class SequenceSubscribedView(KitsuView):
    def get(self, request, sequence_id, task_type_id):
        sequence, task_type = load_sequence_and_task_type(sequence_id, task_type_id)
        return self.respond(
            activity.is_subscribed_to_sequence(request.user, sequence.pk, task_type.pk)
        )


# --- chats -----------------------------------------------------------------------------


class EntityChatView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        return self.respond(activity.chat_row(activity.chat_of(entity)))


class EntityChatMessagesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        chat = activity.chat_of(entity)
        queryset = ChatMessage.objects.filter(chat=chat).order_by("created_at", "id")
        return self.respond(activity.chat_message_rows(queryset))

    def post(self, request, entity_id):
        entity = load_entity(request, entity_id)
        body = self.body()
        text = body.get("message", body.get("text"))
        if text is not None and not isinstance(text, str):
            raise WrongParameter("message must be a text.")
        files = list(request.FILES.values()) if request.FILES else []
        if not (text or "").strip() and not files:
            raise WrongParameter("The field message is required.")
        chat = activity.chat_of(entity)
        message = activity.post_chat_message(
            chat, request.user, text or "", entity.project_id, files
        )
        rows = activity.chat_message_rows(ChatMessage.objects.filter(pk=message.pk))
        return self.respond(rows[0], status=201)


def load_chat_message(entity, chat_message_id):
    chat_message_id = parse_uuid(chat_message_id)
    return get_or_404(ChatMessage.objects.filter(chat__object_id=entity.pk), chat_message_id)


class EntityChatMessageView(KitsuView):
    def get(self, request, entity_id, chat_message_id):
        entity = load_entity(request, entity_id)
        message = load_chat_message(entity, chat_message_id)
        return self.respond(
            activity.chat_message_rows(ChatMessage.objects.filter(pk=message.pk))[0]
        )

    def delete(self, request, entity_id, chat_message_id):
        entity = load_entity(request, entity_id)
        message = load_chat_message(entity, chat_message_id)
        if message.person_id != request.user.pk and not roles.is_admin(request.user):
            raise Forbidden()
        activity.delete_chat_message(message, entity.project_id)
        return self.respond(None, status=204)


class JoinChatView(KitsuView):
    def post(self, request, entity_id):
        entity = load_entity(request, entity_id)
        chat = activity.join_chat(activity.chat_of(entity), request.user, entity.project_id)
        return self.respond(activity.chat_row(chat), status=201)

    def delete(self, request, entity_id):
        entity = load_entity(request, entity_id)
        activity.leave_chat(activity.chat_of(entity), request.user, entity.project_id)
        return self.respond(None, status=204)


class UserChatsView(KitsuView):
    def get(self, request):
        queryset = Chat.objects.filter(participants=request.user)
        return self.respond(activity.chat_rows(queryset))


# --- events --------------------------------------------------------------------------


def cursor_filters(params, cursor_name, model):
    cursor = None
    cursor_id = optional_uuid(params, cursor_name)
    if cursor_id is not None:
        cursor = model.objects.filter(pk=cursor_id).first()
        if cursor is None:
            raise WrongParameter(f"{cursor_name} does not match any row.")
    return {
        "after": optional_datetime(params, "after"),
        "before": optional_datetime(params, "before"),
        "cursor": cursor,
        "person_ids": [parse_uuid(value) for value in many(params, "person_ids")],
    }


def cursor_limit(params):
    return parse_int(
        params.get("limit", activity.EVENTS_LIMIT), "limit", minimum=1, maximum=activity.MAX_LIMIT
    )


class LastEventsView(KitsuView):
    """``GET /data/events/last``: managers read the events of their projects."""

    def get(self, request):
        roles.require_manager(request.user)
        params = request.query_params
        filters = cursor_filters(params, "cursor_event_id", ApiEvent)
        filters.update(
            {
                "project_id": optional_uuid(params, "project_id"),
                "name": params.get("name") or None,
                "name_prefixes": many(params, "name_prefix") + many(params, "name_prefixes"),
                "name_suffixes": many(params, "name_suffix") + many(params, "name_suffixes"),
                "only_files": query_flag(request, "only_files"),
            }
        )
        return self.respond(activity.last_events(request.user, filters, cursor_limit(params)))


class EventNamesView(KitsuView):
    def get(self, request):
        roles.require_manager(request.user)
        return self.respond(activity.event_names())


class LastLoginLogsView(KitsuView):
    def get(self, request):
        from people.models import LoginLog

        roles.require_admin(request.user)
        params = request.query_params
        filters = cursor_filters(params, "cursor_login_log_id", LoginLog)
        return self.respond(activity.last_login_logs(filters, cursor_limit(params)))


# --- generic /data resources ------------------------------------------------------------
# Admin-only, as the generic hooks default to: these rows belong to people
# (notifications, subscriptions) or are bookkeeping that the routes above
# serve to everyone else.


@register
class ChatResource(CrudResource):
    model = Chat
    slug = "chats"


@register
class ChatMessageResource(CrudResource):
    model = ChatMessage
    slug = "chat-messages"


@register
class NotificationResource(CrudResource):
    model = Notification
    slug = "notifications"

    # The ``type`` column holds the notification type; payloads carry it as
    # ``notification_type`` because ``type`` is the model name there.

    def serialize_queryset(self, request, queryset, relations=False):
        rows = list(queryset.values(*columns(Notification)))
        for row in rows:
            row["notification_type"] = row["type"]
            row["type"] = "Notification"
        return rows

    def serialize(self, request, instance):
        return self.serialize_queryset(request, Notification.objects.filter(pk=instance.pk))[0]

    def parse_body(self, body, updating=False):
        body = dict(body)
        notification_type = body.pop("notification_type", None)
        values, relations = super().parse_body(body, updating)
        if notification_type is not None:
            if notification_type not in NOTIFICATION_TYPE_CODES:
                raise CrudError(f"Unknown notification type: {notification_type}.")
            values["type"] = notification_type
        return values, relations


@register
class SubscriptionResource(CrudResource):
    model = Subscription
    slug = "subscriptions"


@register
class EventResource(CrudResource):
    model = ApiEvent
    slug = "events"


@register
class PluginResource(CrudResource):
    model = Plugin
    slug = "plugins"


urlpatterns = [
    route("data/projects/news", OpenProjectsNewsView.as_view()),
    route("data/projects/{project_id}/news", ProjectNewsView.as_view()),
    route("data/projects/{project_id}/news/{news_id}", ProjectNewsDetailView.as_view()),
    route("data/user/notifications", UserNotificationsView.as_view()),
    route("data/user/notifications/{notification_id}", UserNotificationView.as_view()),
    route("actions/user/notifications/mark-all-as-read", MarkAllNotificationsReadView.as_view()),
    route("actions/user/tasks/subscribe", TasksSubscribeView.as_view()),
    route("actions/user/tasks/unsubscribe", TasksUnsubscribeView.as_view()),
    route("actions/user/tasks/{task_id}/subscribe", TaskSubscribeView.as_view()),
    route("actions/user/tasks/{task_id}/unsubscribe", TaskUnsubscribeView.as_view()),
    route(
        "actions/user/sequences/{sequence_id}/task-types/{task_type_id}/subscribe",
        SequenceSubscribeView.as_view(),
    ),
    route(
        "actions/user/sequences/{sequence_id}/task-types/{task_type_id}/unsubscribe",
        SequenceUnsubscribeView.as_view(),
    ),
    route("data/user/tasks/{task_id}/subscribed", TaskSubscribedView.as_view()),
    route(
        "data/user/sequences/{sequence_id}/task-types/{task_type_id}/subscribed",
        SequenceSubscribedView.as_view(),
    ),
    route(
        "data/user/entities/{sequence_id}/task-types/{task_type_id}/subscribed",
        SequenceSubscribedView.as_view(),
    ),
    route("data/user/chats", UserChatsView.as_view()),
    route("actions/user/chats/{entity_id}/join", JoinChatView.as_view()),
    route("data/entities/{entity_id}/chat", EntityChatView.as_view()),
    route("data/entities/{entity_id}/chat/messages", EntityChatMessagesView.as_view()),
    route(
        "data/entities/{entity_id}/chat/messages/{chat_message_id}",
        EntityChatMessageView.as_view(),
    ),
    route("data/events/last", LastEventsView.as_view()),
    route("data/events/names", EventNamesView.as_view()),
    route("data/events/login-logs/last", LastLoginLogsView.as_view()),
]
