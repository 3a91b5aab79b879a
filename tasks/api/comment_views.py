"""Routes of comments: posting on a task, replies, acknowledgements,
attachments, batches, moves, and the ``/data`` resources of comments,
attachment files and news.

Views parse the request, load the objects (400 for a malformed id, 404 for
an unknown one), check access with the task rules of ``tasks.api.views`` and
call ``tasks.comments``.
"""

import json

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import CrudError, Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, get_or_404, parse_datetime, parse_uuid
from people.models import Person
from productions.access import check_manager_access, check_project_access
from productions.models import Entity, Project, ProjectTaskStatusLink
from tasks import comments
from tasks.api.views import (
    MANAGING,
    STUDIO_REVIEWERS,
    check_task_action,
    check_task_read,
    visible_comments,
)
from tasks.models import (
    AttachmentFile,
    Chat,
    ChatMessage,
    Comment,
    CommentMention,
    News,
    Task,
    TaskStatus,
)

# What the author of a comment may change on it; managers may change more,
# and the people working on the task may tick its checklist.
AUTHOR_FIELDS = frozenset({"text", "checklist", "links", "task_status_id", "for_client"})
CHECKLIST_FIELDS = frozenset({"checklist"})
# Attachments shown in the page rather than downloaded: pictures that
# cannot carry scripts (SVG can, so it is downloaded).
INLINE_MIMETYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# --- loading and access --------------------------------------------------------------


def load_task(task_id):
    return get_or_404(
        Task.objects.select_related("project", "task_type", "task_status", "entity__entity_type"),
        task_id,
    )


def load_comment(task, comment_id):
    comment = get_or_404(Comment.objects.select_related("person", "task_status"), comment_id)
    if comment.object_id != task.pk:
        raise NotFound()
    return comment


def check_comment_read(person, task, comment):
    """Team members who may read the task and see this comment (client rules)."""
    role = check_task_read(person, task)
    queryset = visible_comments(person, role, task.project, Comment.objects.filter(pk=comment.pk))
    if not queryset.exists():
        raise Forbidden()
    return role


def check_author_or_manager(person, task, comment):
    role = check_task_read(person, task)
    if role not in MANAGING and comment.person_id != person.pk:
        raise Forbidden()
    return role


def check_status_allowed(role, project_id, task_status):
    """Artists and vendors post statuses flagged for artists; clients those flagged
    for clients (the project's status link may override the flag)."""
    if role in STUDIO_REVIEWERS:
        return
    if role == roles.CLIENT:
        override = (
            ProjectTaskStatusLink.objects.filter(
                project_id=project_id, task_status_id=task_status.pk
            )
            .values_list("is_client_allowed", flat=True)
            .first()
        )
        allowed = override if override is not None else task_status.is_client_allowed
    else:
        allowed = task_status.is_artist_allowed
    if not allowed:
        raise Forbidden()


def check_comment_post(person, task, task_status):
    """Step 1 of posting: may ``person`` comment on ``task`` with ``task_status``?

    People with action rights on the task may, with a status their role
    allows. Someone only mentioned in the task's conversation may answer,
    but without changing the status. Returns the caller's role.
    """
    role = check_task_read(person, task)
    try:
        check_task_action(person, task)
    except Forbidden:
        mentioned = CommentMention.objects.filter(
            person_id=person.pk, comment__object_id=task.pk
        ).exists()
        if not mentioned or task_status.pk != task.task_status_id:
            raise
        return role
    check_status_allowed(role, task.project_id, task_status)
    return role


# --- body parsing ------------------------------------------------------------------


def uploaded_files(request):
    """Every file of a multipart body, whatever its field name."""
    return [upload for name in request.FILES for upload in request.FILES.getlist(name)]


def json_list(value, name):
    """A list from JSON, or from a JSON string in a multipart form."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise WrongParameter(f"{name} must be a list.") from None
    if not isinstance(value, list):
        raise WrongParameter(f"{name} must be a list.")
    return value


def flag(value, name):
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "false", "0"):
        return value.strip().lower() in ("true", "1")
    raise WrongParameter(f"{name} must be a boolean.")


def text_value(value, name):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise WrongParameter(f"{name} must be a string.")
    return value


def load_task_status(value):
    if value in (None, ""):
        raise WrongParameter("The field task_status_id is required.")
    task_status = TaskStatus.objects.filter(pk=parse_uuid(value)).first()
    if task_status is None:
        # Zou answers an unknown status with a 404, which Gazu reports as
        # RouteNotFoundException.
        raise NotFound("Task status not found.")
    return task_status


def comment_arguments(body):
    """The comment fields common to the single and batch routes."""
    return {
        "text": text_value(body.get("comment", body.get("text")), "comment"),
        "checklist": json_list(body.get("checklist"), "checklist"),
        "links": json_list(body.get("links"), "links"),
        "for_client": flag(body.get("for_client"), "for_client"),
    }


def run(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except comments.CommentError as error:
        raise WrongParameter(str(error)) from None


# --- posting -----------------------------------------------------------------------


class CommentTaskView(KitsuView):
    """``POST /actions/tasks/<id>/comment``: comment, maybe changing the status (201).

    JSON, or multipart with files that become attachments. Managers may
    post as another person (``person_id``) or back-date (``created_at``).
    """

    def post(self, request, task_id):
        task = load_task(task_id)
        body = self.body()
        task_status = load_task_status(body.get("task_status_id"))
        role = check_comment_post(request.user, task, task_status)
        author = request.user
        created_at = None
        if role in MANAGING:
            if body.get("person_id") not in (None, ""):
                author = get_or_404(Person, body["person_id"])
            if body.get("created_at") not in (None, ""):
                created_at = parse_datetime(body["created_at"], "created_at")
        comment = run(
            comments.post_comment,
            task,
            author,
            task_status,
            created_at=created_at,
            files=uploaded_files(request),
            **comment_arguments(body),
        )
        return self.respond(comment.kitsu_payload, status=201)


class CommentManyView(KitsuView):
    """Post several comments on tasks of a project in one transaction (managers).

    Zou answers 200 with an empty list when the caller may not; this server
    answers 403, like every other route.
    """

    def post(self, request, project_id):
        project = get_or_404(Project, project_id)
        check_manager_access(request.user, project.pk)
        items = request.data
        if not isinstance(items, list):
            raise WrongParameter("The body must be a list of comments.")
        prepared = []
        for item in items:
            if not isinstance(item, dict):
                raise WrongParameter("Each comment must be an object.")
            task_id = item.get("object_id") or item.get("task_id")
            if task_id in (None, ""):
                raise WrongParameter("The field object_id is required.")
            task = load_task(task_id)
            if task.project_id != project.pk:
                raise WrongParameter("This task does not belong to this project.")
            task_status = load_task_status(item.get("task_status_id"))
            prepared.append((task, task_status, comment_arguments(item)))
        with transaction.atomic():
            posted = [
                run(comments.post_comment, task, request.user, task_status, **arguments)
                for task, task_status, arguments in prepared
            ]
        return self.respond([comment.kitsu_payload for comment in posted], status=201)


class CopyClientCommentsView(KitsuView):
    """Copy the newest client comment of tasks as internal comments (managers).

    The body may list task ids (``[...]`` or ``{"task_ids": [...]}``);
    without it every task of the project is considered. Answers the
    comments created.
    """

    def post(self, request, project_id):
        project = get_or_404(Project, project_id)
        check_manager_access(request.user, project.pk)
        data = request.data
        if isinstance(data, dict):
            data = data.get("task_ids")
        tasks = Task.objects.select_related(
            "project", "task_type", "task_status", "entity__entity_type"
        ).filter(project=project)
        if data not in (None, "", {}):
            ids = [parse_uuid(value) for value in json_list(data, "task_ids")]
            tasks = tasks.filter(pk__in=ids)
        posted = comments.copy_client_comments(list(tasks), request.user)
        return self.respond([comment.kitsu_payload for comment in posted], status=201)


# --- replies and acknowledgements -----------------------------------------------------


class ReplyView(KitsuView):
    def post(self, request, task_id, comment_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        check_comment_read(request.user, task, comment)
        body = self.body()
        text = text_value(body.get("text"), "text")
        files = uploaded_files(request)
        if not text.strip() and not files:
            raise WrongParameter("The field text is required.")
        reply = comments.reply_to_comment(task, comment, request.user, text, files)
        return self.respond(reply)


class DeleteReplyView(KitsuView):
    def delete(self, request, task_id, comment_id, reply_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        check_comment_read(request.user, task, comment)
        reply = comments.find_reply(comment, parse_uuid(reply_id))
        if reply is None:
            raise NotFound()
        if not roles.is_admin(request.user) and reply.get("person_id") != str(request.user.pk):
            raise Forbidden()
        comment = comments.delete_reply(task, comment, reply["id"])
        return self.respond(comments.comment_payload(comment, viewer=request.user))


class AcknowledgeView(KitsuView):
    def post(self, request, task_id, comment_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        check_comment_read(request.user, task, comment)
        comments.toggle_acknowledgement(task, comment, request.user)
        return self.respond(comments.comment_payload(comment, viewer=request.user))


# --- attachments ---------------------------------------------------------------------


class AddAttachmentView(KitsuView):
    def post(self, request, task_id, comment_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        check_author_or_manager(request.user, task, comment)
        files = uploaded_files(request)
        if not files:
            raise WrongParameter("No file was sent.")
        attachments = comments.add_attachments(task, comment, files)
        rows = comments.attachment_rows(
            AttachmentFile.objects.filter(pk__in=[item.pk for item in attachments]).order_by("name")
        )
        return self.respond(rows, status=201)


class DeleteAttachmentView(KitsuView):
    def delete(self, request, task_id, comment_id, attachment_file_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        attachment = get_or_404(AttachmentFile, attachment_file_id)
        if attachment.comment_id != comment.pk:
            raise NotFound()
        check_author_or_manager(request.user, task, comment)
        comments.delete_attachment(task, comment, attachment)
        return self.respond(None, status=204)


def check_attachment_read(person, attachment):
    """Readers of the comment or the chat the attachment belongs to."""
    if attachment.comment_id is not None:
        comment = Comment.objects.get(pk=attachment.comment_id)
        task = load_task(comment.object_id)
        check_comment_read(person, task, comment)
        return
    if attachment.chat_message_id is not None:
        chat = Chat.objects.get(
            pk=ChatMessage.objects.filter(pk=attachment.chat_message_id).values("chat_id")
        )
        entity = Entity.objects.filter(pk=chat.object_id).values("project_id").first()
        if entity is None:
            raise Forbidden()
        check_project_access(person, entity["project_id"])
        return
    roles.require_admin(person)


class AttachmentFileView(KitsuView):
    """The stored file of an attachment, with its type (cookie or bearer auth)."""

    def perform_content_negotiation(self, request, force=False):
        # Browsers ask for images with ``Accept: image/*``: the file answers
        # whatever the JSON renderers accept.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, attachment_file_id, file_name):
        attachment = get_or_404(AttachmentFile, attachment_file_id)
        check_attachment_read(request.user, attachment)
        path = comments.attachment_path(attachment.pk)
        if not default_storage.exists(path):
            raise NotFound()
        mimetype = attachment.mimetype or "application/octet-stream"
        return FileResponse(
            default_storage.open(path, "rb"),
            content_type=mimetype,
            as_attachment=mimetype not in INLINE_MIMETYPES,
            filename=attachment.name or file_name,
        )


class ProjectAttachmentFilesView(KitsuView):
    """Attachments of the comments and chats of a project (admins, for syncs)."""

    def get(self, request, project_id):
        roles.require_admin(request.user)
        project = get_or_404(Project, project_id)
        task_ids = Task.objects.filter(project=project).values("id")
        comment_ids = Comment.objects.filter(object_id__in=task_ids).values("id")
        entity_ids = Entity.objects.filter(project=project).values("id")
        message_ids = ChatMessage.objects.filter(chat__object_id__in=entity_ids).values("id")
        queryset = AttachmentFile.objects.filter(comment_id__in=comment_ids) | (
            AttachmentFile.objects.filter(chat_message_id__in=message_ids)
        )
        return self.respond(comments.attachment_rows(queryset.order_by("created_at")))


class TaskAttachmentFilesView(KitsuView):
    def get(self, request, task_id):
        roles.require_admin(request.user)
        task = load_task(task_id)
        comment_ids = Comment.objects.filter(object_id=task.pk).values("id")
        queryset = AttachmentFile.objects.filter(comment_id__in=comment_ids)
        return self.respond(comments.attachment_rows(queryset.order_by("created_at")))


# --- moving -----------------------------------------------------------------------------


class MoveCommentView(KitsuView):
    """Move a comment to another task of the same entity (managers); answers the comment."""

    def post(self, request, task_id, comment_id):
        task = load_task(task_id)
        comment = load_comment(task, comment_id)
        check_manager_access(request.user, task.project_id)
        body = self.body()
        target_id = body.get("task_id")
        if target_id in (None, ""):
            raise WrongParameter("The field task_id is required.")
        target = load_task(target_id)
        check_manager_access(request.user, target.project_id)
        run(comments.move_comment, comment, task, target, request.user)
        return self.respond(comments.comment_payload(comment, viewer=request.user))


# --- /data resources --------------------------------------------------------------------


def _comment_task(instance):
    task = getattr(instance, "_kitsu_task", None)
    if task is None:
        task = Task.objects.select_related(
            "project", "task_type", "task_status", "entity__entity_type"
        ).filter(pk=instance.object_id)
        task = task.first()
        instance._kitsu_task = task
    return task


@register
class CommentResource(CrudResource):
    """Comment rows. Listing and creation are for admins; a comment is read by
    the people who see it on its task, edited by its author (managers may
    change more, the task's workers may tick the checklist) and deleted by
    its author or a manager of the project."""

    model = Comment
    slug = "comments"
    protected_fields = frozenset({"object_id", "object_type", "person", "person_id"})

    def _task(self, instance):
        task = _comment_task(instance)
        if task is None:
            raise Forbidden()
        return task

    def project_id(self, instance):
        task = _comment_task(instance)
        return task.project_id if task is not None else None

    def check_read(self, request, instance):
        if roles.is_admin(request.user):
            return
        check_comment_read(request.user, self._task(instance), instance)

    def check_update(self, request, instance, values):
        task = self._task(instance)
        role = check_comment_read(request.user, task, instance)
        changed = {name for name, value in values.items() if getattr(instance, name) != value}
        if role in MANAGING:
            allowed = None
        elif instance.person_id == request.user.pk:
            allowed = AUTHOR_FIELDS
        else:
            check_task_action(request.user, task)
            allowed = CHECKLIST_FIELDS
        if allowed is not None and changed - allowed:
            raise Forbidden()
        if "task_status_id" in changed:
            task_status = TaskStatus.objects.filter(pk=values["task_status_id"]).first()
            if task_status is None:
                raise CrudError("Task status not found.")
            check_status_allowed(role, task.project_id, task_status)

    def update(self, request, instance, values, relations):
        # Relation lists sent back with a whole row are ignored: mentions
        # follow the text, acknowledgements and previews have their routes.
        return comments.update_comment(instance, values, request.user, validate=self.validate)

    def check_delete(self, request, instance):
        task = self._task(instance)
        role = check_task_read(request.user, task)
        if role not in MANAGING and instance.person_id != request.user.pk:
            raise Forbidden()

    def delete(self, request, instance):
        comments.delete_comment(instance, request.user)


@register
class AttachmentFileResource(CrudResource):
    """Attachment rows: admins manage them; readers of the comment read one."""

    model = AttachmentFile
    slug = "attachment-files"

    def check_read(self, request, instance):
        if roles.is_admin(request.user):
            return
        check_attachment_read(request.user, instance)

    def delete(self, request, instance):
        comments.remove_attachment_files([instance.pk])


@register
class NewsResource(CrudResource):
    """Feed entries, managed by admins (the feeds have their own routes)."""

    model = News
    slug = "news"


urlpatterns = [
    route("actions/tasks/{task_id}/comment", CommentTaskView.as_view()),
    route("actions/projects/{project_id}/tasks/comment-many", CommentManyView.as_view()),
    route(
        "actions/projects/{project_id}/tasks/copy-client-comments",
        CopyClientCommentsView.as_view(),
    ),
    route(
        "actions/tasks/{task_id}/comments/{comment_id}/add-attachment",
        AddAttachmentView.as_view(),
    ),
    route("actions/tasks/{task_id}/comments/{comment_id}/move", MoveCommentView.as_view()),
    route("data/tasks/{task_id}/comments/{comment_id}/reply", ReplyView.as_view()),
    route(
        "data/tasks/{task_id}/comments/{comment_id}/reply/{reply_id}",
        DeleteReplyView.as_view(),
    ),
    route("data/tasks/{task_id}/comments/{comment_id}/ack", AcknowledgeView.as_view()),
    route(
        "data/tasks/{task_id}/comments/{comment_id}/attachments/{attachment_file_id}",
        DeleteAttachmentView.as_view(),
    ),
    route(
        "data/attachment-files/{attachment_file_id}/file/{file_name}",
        AttachmentFileView.as_view(),
    ),
    route("data/projects/{project_id}/attachment-files", ProjectAttachmentFilesView.as_view()),
    route("data/tasks/{task_id}/attachment-files", TaskAttachmentFilesView.as_view()),
]
