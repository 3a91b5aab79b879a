"""Comments on tasks: posting, replies, acknowledgements, attachments, edits and deletion.

Posting a comment is the heart of the review loop. In one transaction it
stores the comment with its mentions and attachments, copies it to the
sibling tasks named by hashtags, moves the task to the comment's status
(with the dates and retake counter that go with it), notifies the people
following the task, adds a feed entry and runs the project's status
automations. Events are queued on the transaction and sent after commit.

These functions never check who is calling: the views do (see
``tasks.api.comment_views``). A refused operation raises ``CommentError``,
which the API answers with a 400.
"""

import logging
import mimetypes
import re
import uuid
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.db import transaction

from kitsu_backend.api import events
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.permissions import is_admin
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from people.models import Department
from people.presentation import present_minimal, present_person
from productions.models import CONCEPT, ProjectPersonLink
from tasks import notifications, services, status_automations
from tasks.attachments import attachment_path, remove_attachment_files
from tasks.models import (
    AttachmentFile,
    Comment,
    CommentAcknowledgement,
    CommentDepartmentMention,
    CommentMention,
    CommentPreviewLink,
    News,
    Notification,
    PreviewFile,
    Task,
    TaskStatus,
)

logger = logging.getLogger(__name__)

RETAKE_CAP_MESSAGE = "No more retakes allowed on this task"
ALL_TASKS_TAG = "all"
# Attachment extensions are stored in a six-character column.
EXTENSION_LENGTH = 6


class CommentError(Exception):
    """A refused comment operation; the API answers it with a 400."""


def _iso(moment):
    return moment.replace(microsecond=0).isoformat()


# --- parsing -----------------------------------------------------------------------


def _names_mentioned(text, names):
    """The keys of ``names`` (``{key: name}``) written as ``@name`` in ``text``.

    A name matches only as a whole: ``@Max`` does not mention "Max Manager"
    and ``@Max Manager`` does not mention "Max".
    """
    found = []
    for key, name in names.items():
        if name and re.search(rf"@{re.escape(name)}(?![\w])", text):
            found.append(key)
    return found


def find_mentions(project_id, text):
    """``(person_ids, department_ids)`` mentioned in ``text``.

    People are looked up in the project's team, departments among all of
    them; two queries, and none for a text without ``@``.
    """
    if not text or "@" not in text:
        return [], []
    members = {
        person_id: f"{first_name} {last_name or ''}".strip()
        for person_id, first_name, last_name in ProjectPersonLink.objects.filter(
            project_id=project_id
        ).values_list("person_id", "person__first_name", "person__last_name")
    }
    departments = dict(Department.objects.values_list("id", "name"))
    return _names_mentioned(text, members), _names_mentioned(text, departments)


def _hashtags(text):
    return {tag.lower() for tag in re.findall(r"#([\w-]+)", text or "")}


def hashtag_targets(task, text):
    """The sibling tasks (same entity) whose task type ``text`` tags with ``#name``.

    ``#all`` targets every sibling. Task type names are matched without
    case and without spaces ("#LayoutFix" never matches "Layout").
    """
    tags = _hashtags(text)
    if not tags or task.entity_id is None:
        return []
    siblings = (
        Task.objects.select_related("project", "task_type", "task_status", "entity__entity_type")
        .filter(entity_id=task.entity_id)
        .exclude(pk=task.pk)
        .order_by("task_type__priority", "task_type__name")
    )
    if ALL_TASKS_TAG in tags:
        return list(siblings)
    return [
        sibling
        for sibling in siblings
        if sibling.task_type.name.replace(" ", "").lower() in tags
        or (sibling.task_type.short_name or "").lower() in tags
    ]


# --- task status --------------------------------------------------------------------


def retake_cap(task):
    """The maximum number of retakes of the task (0: no cap).

    The entity's ``data.max_retakes`` wins over the project's ``max_retakes``.
    """
    data = task.entity.data if task.entity_id else None
    value = (data or {}).get("max_retakes") if isinstance(data, dict) else None
    try:
        cap = int(value) if value not in (None, "") else 0
    except (TypeError, ValueError):
        cap = 0
    if cap > 0:
        return cap
    return task.project.max_retakes or 0


def check_retake_cap(task, task_status):
    if not task_status.is_retake or task_status.pk == task.task_status_id:
        return
    cap = retake_cap(task)
    if cap > 0 and (task.retake_count or 0) >= cap:
        raise CommentError(RETAKE_CAP_MESSAGE)


def _apply_status(task, task_status, moment):
    """Move the task to ``task_status`` at ``moment`` (§5 rules); returns the changed fields."""
    previous = task.task_status
    changed = task.task_status_id != task_status.pk
    fields = ["last_comment_date"]
    task.last_comment_date = moment
    if not changed:
        return fields
    task.task_status = task_status
    fields.append("task_status")
    if task_status.is_wip and task.real_start_date is None:
        task.real_start_date = moment
        fields.append("real_start_date")
    if task_status.is_retake and not (previous is not None and previous.is_retake):
        task.retake_count = (task.retake_count or 0) + 1
        fields.append("retake_count")
    if task_status.is_feedback_request:
        task.end_date = moment
        fields.append("end_date")
    elif not task_status.is_done and task.end_date is not None:
        task.end_date = None
        fields.append("end_date")
    if task_status.is_done:
        task.done_date = moment
        fields.append("done_date")
    elif task.done_date is not None:
        task.done_date = None
        fields.append("done_date")
    return fields


def replay_task(task):
    """Recompute the task's status, dates and retake counter from its comments.

    Used when the history changes under the task: a back-dated comment, a
    comment edited, deleted or moved. ``real_start_date`` is only ever moved
    earlier (it may have been set by planning). Returns the previous status id.
    """
    previous_status_id = task.task_status_id
    history = list(
        Comment.objects.filter(object_id=task.pk)
        .order_by("created_at")
        .values_list(
            "created_at",
            "task_status_id",
            "task_status__is_wip",
            "task_status__is_retake",
            "task_status__is_feedback_request",
            "task_status__is_done",
        )
    )
    if not history:
        task.task_status = services.default_task_status(
            for_concept=task.task_type.for_entity == CONCEPT
        )
        task.last_comment_date = None
        task.retake_count = 0
        task.end_date = None
        task.done_date = None
        task.save(
            update_fields=[
                "task_status",
                "last_comment_date",
                "retake_count",
                "end_date",
                "done_date",
            ]
        )
        return previous_status_id
    status_id = None
    retakes = 0
    first_wip = feedback_at = done_at = None
    was_retake = False
    for moment, comment_status_id, is_wip, is_retake, is_feedback, is_done in history:
        if comment_status_id != status_id:
            if is_retake and not was_retake:
                retakes += 1
            if is_feedback:
                feedback_at = moment
            if is_done:
                done_at = moment
        if is_wip and first_wip is None:
            first_wip = moment
        status_id = comment_status_id
        was_retake = bool(is_retake)
        last = (moment, is_feedback, is_done)
    moment, is_feedback, is_done = last
    task.task_status_id = status_id
    task.last_comment_date = moment
    task.retake_count = retakes
    if first_wip is not None and (task.real_start_date is None or first_wip < task.real_start_date):
        task.real_start_date = first_wip
    task.end_date = feedback_at if (is_feedback or is_done) else None
    task.done_date = done_at if is_done else None
    task.save(
        update_fields=[
            "task_status",
            "last_comment_date",
            "retake_count",
            "real_start_date",
            "end_date",
            "done_date",
        ]
    )
    return previous_status_id


def emit_task_change(task, previous_status_id, person_id, to_review=None):
    """``task:update``, plus ``task:status-changed`` (and ``task:to-review``) on a change."""
    events.emit("task:update", {"task_id": task.pk}, project_id=task.project_id)
    if task.task_status_id == previous_status_id:
        return
    change = {
        "task_id": task.pk,
        "new_task_status_id": task.task_status_id,
        "previous_task_status_id": previous_status_id,
        "person_id": person_id,
    }
    events.emit("task:status-changed", change, project_id=task.project_id)
    if to_review is None:
        to_review = TaskStatus.objects.filter(
            pk=task.task_status_id, is_feedback_request=True
        ).exists()
    if to_review:
        events.emit("task:to-review", change, project_id=task.project_id)


def reset_task(task, person_id):
    """Replay the task's history and emit what changed."""
    previous_status_id = replay_task(task)
    emit_task_change(task, previous_status_id, person_id)


# --- attachments -------------------------------------------------------------------


def store_attachments(files, comment=None, reply_id=None, chat_message=None):
    """Save uploaded files as attachment rows and stored files (``attachments/<id>``)."""
    stored = []
    for upload in files:
        name = PurePosixPath(upload.name or "file").name[:250]
        extension = PurePosixPath(name).suffix.lstrip(".").lower()[:EXTENSION_LENGTH]
        mimetype = (
            getattr(upload, "content_type", None)
            or mimetypes.guess_type(name)[0]
            or "application/octet-stream"
        )
        attachment = AttachmentFile(
            name=name,
            size=upload.size,
            extension=extension,
            mimetype=mimetype,
            comment=comment,
            reply_id=reply_id,
            chat_message=chat_message,
        )
        path = attachment_path(attachment.pk)
        if default_storage.exists(path):
            default_storage.delete(path)
        default_storage.save(path, upload)
        stored.append(attachment)
    AttachmentFile.objects.bulk_create(stored)
    return stored


# --- payloads ------------------------------------------------------------------------


def attachment_rows(queryset):
    return serialize_rows(AttachmentFile, queryset)


def comment_payload(comment, task_status=None, person=None, relations=None, viewer=None):
    """A comment as the write routes answer it: full ``task_status`` and ``person``.

    ``relations`` gives the relation lists when the caller knows them (a
    comment just posted); otherwise they are read (five queries). A
    ``viewer`` other than the author (and not an admin) gets the author's
    reduced person row.
    """
    row = serialize_instance(comment, relations=False)
    if relations is None:
        relations = comment_relations(comment)
    row.update(relations)
    task_status = task_status or comment.task_status
    person = person or comment.person
    row["task_status"] = serialize_instance(task_status, relations=False) if task_status else None
    if viewer is None or viewer.pk == person.pk or is_admin(viewer):
        row["person"] = present_person(person, relations=False)
    else:
        row["person"] = present_minimal(person)
    return row


def comment_relations(comment):
    ids = [comment.pk]

    def linked(model, field):
        return list(model.objects.filter(comment_id__in=ids).values_list(field, flat=True))

    return {
        "previews": linked(CommentPreviewLink, "preview_file_id"),
        "mentions": linked(CommentMention, "person_id"),
        "department_mentions": linked(CommentDepartmentMention, "department_id"),
        "acknowledgements": linked(CommentAcknowledgement, "person_id"),
        "attachment_files": attachment_rows(AttachmentFile.objects.filter(comment_id=comment.pk)),
    }


# --- posting -----------------------------------------------------------------------


def _load_task(task_id):
    return Task.objects.select_related(
        "project", "task_type", "task_status", "entity__entity_type"
    ).get(pk=task_id)


def post_comment(
    task,
    author,
    task_status,
    text="",
    checklist=None,
    links=None,
    for_client=False,
    created_at=None,
    files=(),
    hashtags=True,
    seen=None,
):
    """Post a comment on ``task`` with ``task_status``; returns the comment.

    ``task`` must come with its project, task type, status and entity (with
    its entity type) loaded. The returned comment carries
    ``kitsu_payload``, the 201 body of the comment route. ``seen`` is the
    status automation chain this comment belongs to, if any.
    """
    with transaction.atomic():
        return _post_comment(
            task,
            author,
            task_status,
            text or "",
            checklist,
            links,
            for_client,
            created_at,
            files,
            hashtags,
            seen,
        )


def _post_comment(
    task, author, task_status, text, checklist, links, for_client, created_at, files, hashtags, seen
):
    check_retake_cap(task, task_status)
    now = utcnow()
    moment = created_at or now
    comment = Comment.objects.create(
        object_id=task.pk,
        object_type="Task",
        text=text,
        checklist=list(checklist or []),
        links=list(links or []),
        for_client=bool(for_client),
        task_status=task_status,
        person=author,
        replies=[],
        created_at=moment,
        updated_at=now,
    )
    mention_ids, department_ids = find_mentions(task.project_id, text)
    CommentMention.objects.bulk_create(
        CommentMention(comment_id=comment.pk, person_id=person_id) for person_id in mention_ids
    )
    CommentDepartmentMention.objects.bulk_create(
        CommentDepartmentMention(comment_id=comment.pk, department_id=department_id)
        for department_id in department_ids
    )
    attachments = store_attachments(files, comment=comment)
    events.emit(
        "comment:new",
        {
            "comment_id": comment.pk,
            "task_id": task.pk,
            "task_status_id": task_status.pk,
            "person_id": author.pk,
            "for_client": comment.for_client,
        },
        project_id=task.project_id,
    )

    previous_status_id = task.task_status_id
    is_latest = created_at is None or not (
        Comment.objects.filter(object_id=task.pk, created_at__gt=moment).exists()
    )
    if is_latest:
        fields = _apply_status(task, task_status, moment)
        task.save(update_fields=fields)
    else:
        replay_task(task)
    status_changed = task.task_status_id != previous_status_id
    emit_task_change(
        task, previous_status_id, author.pk, to_review=bool(task.task_status.is_feedback_request)
    )

    notifications.notify_comment(
        task,
        comment,
        author,
        change=status_changed,
        mention_ids=mention_ids,
        department_ids=department_ids,
    )
    notifications.create_news(
        task, comment, author, change=status_changed, entity_type_name=_entity_type_name(task)
    )

    if hashtags:
        origin = task.task_type.name
        for sibling in hashtag_targets(task, text):
            # A copy keeps the sibling's own status: hashtags share the
            # note, they do not move other steps.
            post_comment(
                sibling,
                author,
                sibling.task_status,
                text=f"{text}\n\n(from {origin})",
                checklist=checklist,
                links=links,
                for_client=for_client,
                hashtags=False,
                seen=seen,
            )

    # Automations react to a status being reached, so a comment that keeps
    # the status (a note, a hashtag copy) does not trigger them again.
    if status_changed:
        status_automations.run_status_automations(task, author, seen=seen)

    comment.kitsu_payload = comment_payload(
        comment,
        task_status,
        author,
        relations={
            "previews": [],
            "mentions": mention_ids,
            "department_mentions": department_ids,
            "acknowledgements": [],
            "attachment_files": [serialize_instance(item, relations=False) for item in attachments],
        },
    )
    logger.info("Comment %s posted on task %s", comment.pk, task.pk)
    return comment


def _entity_type_name(task):
    if task.entity_id is None:
        return None
    return task.entity.entity_type.name


# --- replies and acknowledgements ---------------------------------------------------


def reply_to_comment(task, comment, author, text, files=()):
    """Append a reply to the comment's ``replies`` JSON; returns the reply."""
    with transaction.atomic():
        # Lock the row: two replies at once must not overwrite each other.
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        mention_ids, department_ids = find_mentions(task.project_id, text)
        reply_id = uuid.uuid4()
        attachments = store_attachments(files, comment=comment, reply_id=reply_id)
        now = _iso(utcnow())
        reply = {
            "id": str(reply_id),
            "date": now,
            "created_at": now,
            "person_id": str(author.pk),
            "text": text,
            "mentions": [str(person_id) for person_id in mention_ids],
            "department_mentions": [str(department_id) for department_id in department_ids],
            "attachment_files": [str(attachment.pk) for attachment in attachments],
        }
        comment.replies = [*(comment.replies or []), reply]
        comment.save(update_fields=["replies"])
        events.emit(
            "comment:reply",
            {"task_id": task.pk, "comment_id": comment.pk, "reply_id": reply_id},
            project_id=task.project_id,
        )
        notifications.notify_reply(
            task, comment, reply_id, author, mention_ids=mention_ids, department_ids=department_ids
        )
    return reply


def find_reply(comment, reply_id):
    for reply in comment.replies or []:
        if str(reply.get("id")) == str(reply_id):
            return reply
    return None


def delete_reply(task, comment, reply_id):
    """Remove a reply with its attachments and notifications; returns the comment."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment.replies = [
            reply for reply in comment.replies or [] if str(reply.get("id")) != str(reply_id)
        ]
        comment.save(update_fields=["replies"])
        remove_attachment_files(
            AttachmentFile.objects.filter(comment_id=comment.pk, reply_id=reply_id).values_list(
                "id", flat=True
            )
        )
        Notification.objects.filter(comment_id=comment.pk, reply_id=reply_id).delete()
        events.emit(
            "comment:delete-reply",
            {"task_id": task.pk, "comment_id": comment.pk, "reply_id": reply_id},
            project_id=task.project_id,
        )
    return comment


def toggle_acknowledgement(task, comment, person):
    """Acknowledge the comment for ``person``, or withdraw it; returns True when acknowledged."""
    with transaction.atomic():
        deleted, _ = CommentAcknowledgement.objects.filter(
            comment_id=comment.pk, person_id=person.pk
        ).delete()
        if not deleted:
            CommentAcknowledgement.objects.create(comment_id=comment.pk, person_id=person.pk)
        events.emit(
            "comment:unacknowledge" if deleted else "comment:acknowledge",
            {"comment_id": comment.pk, "person_id": person.pk, "task_id": task.pk},
            project_id=task.project_id,
        )
    return not deleted


# --- attachments of a comment ----------------------------------------------------


def add_attachments(task, comment, files):
    with transaction.atomic():
        attachments = store_attachments(files, comment=comment)
        events.emit(
            "comment:update",
            {"comment_id": comment.pk, "task_id": task.pk},
            project_id=task.project_id,
        )
    return attachments


def delete_attachment(task, comment, attachment):
    with transaction.atomic():
        remove_attachment_files([attachment.pk])
        events.emit(
            "comment:update",
            {"comment_id": comment.pk, "task_id": task.pk},
            project_id=task.project_id,
        )


# --- edit, delete, move --------------------------------------------------------------


def update_comment(comment, values, editor, validate=None):
    """Apply an edit; mentions follow the new text, the task follows a new status.

    ``validate`` checks the edited comment before it is saved. Runs inside
    the caller's transaction (the generic update view's).
    """
    task = _load_task(comment.object_id)
    previous_status_id = comment.task_status_id
    previous_text = comment.text
    for name, value in values.items():
        setattr(comment, name, value)
    if validate is not None:
        validate(comment)
    comment.editor_id = editor.pk
    comment.save()
    if comment.text != previous_text:
        mention_ids, department_ids = find_mentions(task.project_id, comment.text)
        CommentMention.objects.filter(comment_id=comment.pk).delete()
        CommentDepartmentMention.objects.filter(comment_id=comment.pk).delete()
        CommentMention.objects.bulk_create(
            CommentMention(comment_id=comment.pk, person_id=person_id) for person_id in mention_ids
        )
        CommentDepartmentMention.objects.bulk_create(
            CommentDepartmentMention(comment_id=comment.pk, department_id=department_id)
            for department_id in department_ids
        )
        notifications.replace_mention_notifications(
            task, comment, comment.person, mention_ids, department_ids
        )
    if comment.task_status_id != previous_status_id:
        reset_task(task, editor.pk)
    return comment


def delete_comment(comment, person):
    """Delete a comment with its feed entries, previews and files; reset its task."""
    task = Task.objects.select_related("task_type").filter(pk=comment.object_id).first()
    project_id = task.project_id if task is not None else None
    with transaction.atomic():
        notifications.delete_comment_feed([comment.pk], project_id)
        remove_attachment_files(
            AttachmentFile.objects.filter(comment_id=comment.pk).values_list("id", flat=True)
        )
        services.delete_comments([comment.pk])
        if task is not None:
            reset_task(task, person.pk)


def move_comment(comment, source, target, person):
    """Move a comment, its previews and its feed entries to another task of the entity."""
    if target.entity_id != source.entity_id or target.pk == source.pk:
        raise CommentError("A comment can only move to another task of the same entity.")
    with transaction.atomic():
        comment.object_id = target.pk
        comment.save(update_fields=["object_id"])
        preview_ids = CommentPreviewLink.objects.filter(comment_id=comment.pk).values(
            "preview_file_id"
        )
        PreviewFile.objects.filter(pk__in=preview_ids).update(task_id=target.pk)
        News.objects.filter(comment_id=comment.pk).update(task_id=target.pk)
        Notification.objects.filter(comment_id=comment.pk).update(task_id=target.pk)
        events.emit(
            "comment:update",
            {"comment_id": comment.pk, "task_id": target.pk},
            project_id=target.project_id,
        )
        reset_task(source, person.pk)
        reset_task(target, person.pk)
    return comment


# --- batches ----------------------------------------------------------------------------


def latest_client_comments(task_ids):
    """``{task_id: comment}``: the newest comment written by a client on each task."""
    latest = {}
    for comment in (
        Comment.objects.filter(object_id__in=task_ids, person__role="client")
        .select_related("task_status")
        .order_by("object_id", "-created_at")
    ):
        latest.setdefault(comment.object_id, comment)
    return latest


def copy_client_comments(tasks, author):
    """Copy each task's newest client comment as an internal comment by ``author``."""
    tasks = {task.pk: task for task in tasks}
    posted = []
    with transaction.atomic():
        for task_id, client_comment in latest_client_comments(list(tasks)).items():
            task = tasks[task_id]
            posted.append(
                post_comment(
                    task,
                    author,
                    task.task_status,
                    text=client_comment.text,
                    checklist=client_comment.checklist,
                    links=client_comment.links,
                    for_client=False,
                    hashtags=False,
                )
            )
    return posted
