"""Who hears about a comment, and the rows that tell them.

A comment on a task notifies the people following the task: its assignees,
the people subscribed to the task, and the people subscribed to its task type
across the entity's sequence. People mentioned by name or through their
department get a ``mention`` notification as well. Each notification emits a
non-persisted ``notification:new`` event so that the recipient's Kitsu
updates its bell live, and the people who asked for them get an e-mail or a
chat message once the rows are committed (``tasks.messaging``).

The activity feed gets one ``news`` row per comment, except on concepts,
whose review happens outside the production feed.

Every function here writes in bulk: the number of queries does not grow
with the number of recipients. They never check who is calling.
"""

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from people.models import Person
from productions.models import CONCEPT, ProjectPersonLink
from tasks import messaging
from tasks.models import News, Notification, Subscription, Task

TaskAssignee = Task.assignees.through
PersonDepartment = Person.departments.through
# Who may read a comment written by a client: the studio's reviewers and
# clients (see ``visible_comments``); artists and vendors are not told.
CLIENT_COMMENT_READERS = (roles.ADMIN, roles.MANAGER, roles.SUPERVISOR, roles.CLIENT)


def task_followers(task):
    """``{person_id: global role}`` of the task's assignees and subscribers.

    Subscribers are people following the task itself, and people following
    the task's type over the entity's parent (a shot's sequence). Two queries.
    """
    followers = dict(
        TaskAssignee.objects.filter(task_id=task.pk).values_list("person_id", "person__role")
    )
    subscriptions = Subscription.objects.filter(task_id=task.pk)
    parent_id = task.entity.parent_id if task.entity_id else None
    if parent_id is not None:
        subscriptions = subscriptions | Subscription.objects.filter(
            entity_id=parent_id, task_type_id=task.task_type_id
        )
    followers.update(subscriptions.values_list("person_id", "person__role"))
    return followers


def department_member_ids(project_id, department_ids):
    """Ids of the project's team members who belong to one of ``department_ids``."""
    if not department_ids:
        return set()
    team = ProjectPersonLink.objects.filter(project_id=project_id).values("person_id")
    return set(
        PersonDepartment.objects.filter(
            department_id__in=department_ids, person_id__in=team
        ).values_list("person_id", flat=True)
    )


def _create(notifications, send=True):
    Notification.objects.bulk_create(notifications)
    for notification in notifications:
        events.emit(
            "notification:new",
            {"notification_id": notification.pk, "person_id": notification.person_id},
            persist=False,
        )
    if send:
        messaging.send_later(notification.pk for notification in notifications)
    return notifications


def notify_comment(
    task,
    comment,
    author,
    change=False,
    mention_ids=(),
    department_ids=(),
    followers=None,
):
    """Notify a comment's readers; returns the notifications created.

    ``followers`` is the result of ``task_followers`` when the caller has it
    already. The author is never notified of their own comment, and a
    comment written by a client reaches only the people who may read it.
    """
    if followers is None:
        followers = task_followers(task)
    author_is_client = author.role == roles.CLIENT
    recipients = {
        person_id
        for person_id, role in followers.items()
        if person_id != author.pk and (not author_is_client or role in CLIENT_COMMENT_READERS)
    }
    notifications = [
        Notification(
            type="comment",
            change=change,
            person_id=person_id,
            author_id=author.pk,
            comment_id=comment.pk,
            task_id=task.pk,
        )
        for person_id in sorted(recipients, key=str)
    ]
    mentioned = set(mention_ids) | department_member_ids(task.project_id, list(department_ids))
    mentioned.discard(author.pk)
    notifications += [
        Notification(
            type="mention",
            change=change,
            person_id=person_id,
            author_id=author.pk,
            comment_id=comment.pk,
            task_id=task.pk,
        )
        for person_id in sorted(mentioned, key=str)
    ]
    return _create(notifications)


def notify_reply(task, comment, reply_id, author, mention_ids=(), department_ids=()):
    """``reply`` notifications for the followers and the comment's author,
    ``reply-mention`` for the people the reply mentions."""
    followers = task_followers(task)
    recipients = set(followers) | {comment.person_id}
    recipients.discard(author.pk)
    notifications = [
        Notification(
            type="reply",
            person_id=person_id,
            author_id=author.pk,
            comment_id=comment.pk,
            task_id=task.pk,
            reply_id=reply_id,
        )
        for person_id in sorted(recipients, key=str)
    ]
    mentioned = set(mention_ids) | department_member_ids(task.project_id, list(department_ids))
    mentioned.discard(author.pk)
    notifications += [
        Notification(
            type="reply-mention",
            person_id=person_id,
            author_id=author.pk,
            comment_id=comment.pk,
            task_id=task.pk,
            reply_id=reply_id,
        )
        for person_id in sorted(mentioned, key=str)
    ]
    return _create(notifications)


def replace_mention_notifications(task, comment, author, mention_ids, department_ids):
    """After an edit, the ``mention`` notifications follow the new mentions.

    Only the newly mentioned people get a message: the others heard about
    the comment when it was posted.
    """
    previous = Notification.objects.filter(comment_id=comment.pk, type="mention")
    already_told = set(previous.values_list("person_id", flat=True))
    previous.delete()
    mentioned = set(mention_ids) | department_member_ids(task.project_id, list(department_ids))
    mentioned.discard(author.pk)
    created = _create(
        [
            Notification(
                type="mention",
                person_id=person_id,
                author_id=author.pk,
                comment_id=comment.pk,
                task_id=task.pk,
            )
            for person_id in sorted(mentioned, key=str)
        ],
        send=False,
    )
    messaging.send_later(
        notification.pk for notification in created if notification.person_id not in already_told
    )
    return created


def create_news(task, comment, author, change=False, entity_type_name=None):
    """The feed entry of a comment (None on concepts), with its ``news:new`` event."""
    if entity_type_name is None and task.entity_id:
        entity_type_name = task.entity.entity_type.name
    if entity_type_name == CONCEPT:
        return None
    news = News.objects.create(
        change=change, author_id=author.pk, comment_id=comment.pk, task_id=task.pk
    )
    events.emit(
        "news:new",
        {
            "news_id": news.pk,
            "task_status_id": comment.task_status_id,
            "task_type_id": task.task_type_id,
        },
        project_id=task.project_id,
    )
    return news


def delete_comment_feed(comment_ids, project_id=None):
    """Remove the news and notifications of comments (before they go or change)."""
    news_ids = list(News.objects.filter(comment_id__in=comment_ids).values_list("id", flat=True))
    News.objects.filter(pk__in=news_ids).delete()
    Notification.objects.filter(comment_id__in=comment_ids).delete()
    for news_id in news_ids:
        events.emit("news:delete", {"news_id": news_id}, project_id=project_id)
