"""Public review links of playlists, and the guests who comment through them.

A production manager creates a share link: a random token, an optional
expiry date, an optional password (stored hashed with Django's password
hashers) and whether guests may comment. Anyone holding the token reads the
playlist and its media without an account. To comment, a reviewer first
becomes a guest: a ``Person`` with ``is_guest`` set and the client role,
bound to the link that created it (``data["share_link_id"]``), so that a
guest id leaked from one link is useless with another. Guests comment only
on the tasks whose previews the playlist shows, and change only their own
comments.
"""

import logging
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import ApiError, Forbidden, NotFound, WrongParameter
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.serialization import serialize_rows
from people.models import Person
from productions.models import (
    RESERVED_ENTITY_TYPE_NAMES,
    Entity,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)
from tasks import comments
from tasks.models import (
    AttachmentFile,
    Comment,
    PlaylistShareLink,
    PreviewFile,
    Task,
    TaskStatus,
)
from tasks.playlists import playlist_detail

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 43 URL-safe characters, within the 64 of the column.


class LinkUnavailable(ApiError):
    status_code = 404

    def __init__(self):
        super().__init__(
            {"error": True, "message": "This share link does not exist or was revoked."}
        )


class LinkExpired(ApiError):
    status_code = 410

    def __init__(self):
        super().__init__({"error": True, "message": "This share link has expired."})


class PasswordRequired(ApiError):
    status_code = 403

    def __init__(self, wrong=False):
        message = (
            "Wrong password for this share link."
            if wrong
            else "This share link is protected by a password."
        )
        super().__init__({"error": True, "message": message, "password_required": True})


# --- links ----------------------------------------------------------------------------

LINK_KEYS = (
    "id",
    "token",
    "playlist_id",
    "created_by",
    "expiration_date",
    "is_active",
    "can_comment",
    "has_password",
    "created_at",
    "updated_at",
    "type",
)


def share_link_rows(queryset):
    """Link rows: the password hash never leaves the server, ``has_password`` tells."""
    rows = serialize_rows(PlaylistShareLink, queryset.order_by("created_at"))
    for row in rows:
        row["has_password"] = bool(row.pop("password"))
    return [{key: row[key] for key in LINK_KEYS} for row in rows]


def share_link_row(link):
    return share_link_rows(PlaylistShareLink.objects.filter(pk=link.pk))[0]


def create_share_link(playlist, author, expiration_date=None, can_comment=True, password=None):
    with transaction.atomic():
        link = PlaylistShareLink.objects.create(
            token=secrets.token_urlsafe(TOKEN_BYTES),
            playlist=playlist,
            created_by=author.pk,
            expiration_date=expiration_date,
            can_comment=can_comment,
            password=make_password(password) if password else None,
        )
        events.emit(
            "playlist-share-link:new",
            {"playlist_share_link_id": link.pk, "playlist_id": playlist.pk},
            project_id=playlist.project_id,
        )
    logger.info("Share link %s created for playlist %s", link.pk, playlist.pk)
    return link


def revoke_share_link(link):
    """Deactivate a link; it stays in the table so that its guests keep their history."""
    with transaction.atomic():
        link.is_active = False
        link.save(update_fields=["is_active"])
        events.emit(
            "playlist-share-link:update",
            {"playlist_share_link_id": link.pk, "playlist_id": link.playlist_id},
            project_id=link.playlist.project_id,
        )
    return link


def validate_share_token(token, password=None):
    """The active link of ``token`` with its playlist and project loaded.

    Unknown or revoked: 404. Past its expiry date: 410. Protected and the
    password missing or wrong: 403 with ``password_required``.
    """
    link = (
        PlaylistShareLink.objects.select_related("playlist__project")
        .filter(token=str(token)[:64])
        .first()
    )
    if link is None or not link.is_active:
        raise LinkUnavailable()
    if link.expiration_date is not None and link.expiration_date < utcnow():
        raise LinkExpired()
    if link.password:
        if not password:
            raise PasswordRequired()
        if not check_password(password, link.password):
            raise PasswordRequired(wrong=True)
    return link


def send_invitations(link, author, emails=(), person_ids=(), message=None):
    """Email the link's address to raw addresses and to people; returns who got it."""
    recipients = {}
    for email in emails:
        try:
            validate_email(email)
        except Exception:
            raise WrongParameter(f"{email!r} is not a valid email address.") from None
        recipients.setdefault(email.lower(), email)
    for email in (
        Person.objects.filter(pk__in=person_ids).exclude(email=None).values_list("email", flat=True)
    ):
        recipients.setdefault(email.lower(), email)
    playlist = link.playlist
    url = f"{settings.DOMAIN_PROTOCOL}://{settings.DOMAIN_NAME}/playlists/shared/{link.token}"
    author_name = f"{author.first_name} {author.last_name}".strip()
    subject = f"[Kitsu] {playlist.project.name}: review of {playlist.name}"
    body = f"{author_name} invites you to review the playlist {playlist.name}:\n{url}\n"
    if message:
        body += f"\n{message}\n"
    sent = []
    for email in recipients.values():
        try:
            send_mail(subject, body, None, [email])
        except Exception:
            logger.warning("Could not send the share link invitation to %s", email, exc_info=True)
            continue
        sent.append(email)
    return sent


# --- what a link gives access to -------------------------------------------------------


def shared_playlist(link):
    """The playlist as reviewers see it: entries with their previews, names and colours.

    The page has no access to the production's data, so each entry carries
    its entity's name and parent name (sequence, or asset type), and the
    task type and status colour of its preview's task.
    """
    playlist = link.playlist
    row = playlist_detail(playlist)
    row["project_name"] = playlist.project.name
    row["project_fps"] = playlist.project.fps
    entries = row["shots"]
    entities = {
        entity["id"]: entity
        for entity in Entity.objects.filter(
            pk__in=[entry["id"] for entry in entries if _is_uuid(entry.get("id"))]
        ).values("id", "name", "parent__name", "entity_type__name")
    }
    task_ids = {
        entry["preview_file_task_id"] for entry in entries if "preview_file_task_id" in entry
    }
    tasks = {
        task["id"]: task
        for task in Task.objects.filter(pk__in=task_ids).values(
            "id",
            "task_type_id",
            "task_type__name",
            "task_type__color",
            "task_type__for_entity",
            "task_status__color",
        )
    }
    for entry in entries:
        entity = entities.get(_as_uuid(entry.get("id")))
        if entity is None:
            continue
        entry["name"] = entity["name"]
        type_name = entity["entity_type__name"]
        entry["parent_name"] = (
            entity["parent__name"] or "" if type_name in RESERVED_ENTITY_TYPE_NAMES else type_name
        )
        task = tasks.get(entry.get("preview_file_task_id"))
        if task is not None:
            entry["preview_file_task_type"] = {
                "id": task["task_type_id"],
                "name": task["task_type__name"],
                "color": task["task_type__color"],
                "for_entity": task["task_type__for_entity"],
            }
            entry["preview_file_task_type_name"] = task["task_type__name"]
            entry["task_status_color"] = task["task_status__color"]
    return row


def shared_context(link):
    """Project, task types, task statuses and entity names for the review page."""
    playlist = link.playlist
    project = playlist.project
    task_types = ProjectTaskTypeLink.objects.filter(project_id=project.pk).order_by(
        "priority", "task_type__priority", "task_type__name"
    )
    statuses = ProjectTaskStatusLink.objects.filter(project_id=project.pk).order_by(
        "priority", "task_status__priority", "task_status__name"
    )
    entity_ids = [
        entry.get("entity_id")
        for entry in playlist.shots or []
        if isinstance(entry, dict) and _is_uuid(entry.get("entity_id"))
    ]
    return {
        "project": {
            "id": project.pk,
            "name": project.name,
            "fps": project.fps,
            "ratio": project.ratio,
            "resolution": project.resolution,
        },
        # No department ids: the review page has no department list to resolve them.
        "task_types": [
            {
                "id": row["task_type_id"],
                "name": row["task_type__name"],
                "color": row["task_type__color"],
                "for_entity": row["task_type__for_entity"],
            }
            for row in task_types.values(
                "task_type_id", "task_type__name", "task_type__color", "task_type__for_entity"
            )
        ],
        "task_statuses": [
            {
                "id": row["task_status_id"],
                "name": row["task_status__name"],
                "short_name": row["task_status__short_name"],
                "color": row["task_status__color"],
                "is_client_allowed": _client_allowed(
                    row["is_client_allowed"], row["task_status__is_client_allowed"]
                ),
                "is_default": row["task_status__is_default"],
                "for_concept": row["task_status__for_concept"],
            }
            for row in statuses.values(
                "task_status_id",
                "task_status__name",
                "task_status__short_name",
                "task_status__color",
                "task_status__is_client_allowed",
                "task_status__is_default",
                "task_status__for_concept",
                "is_client_allowed",
            )
        ],
        "entities": list(
            Entity.objects.filter(pk__in=entity_ids).values("id", "name", "preview_file_id")
        ),
    }


def _client_allowed(project_value, status_value):
    return bool(status_value if project_value is None else project_value)


def playlist_entity_ids(link):
    return {
        _as_uuid(entry.get("entity_id") or entry.get("id"))
        for entry in link.playlist.shots or []
        if isinstance(entry, dict)
    } - {None}


def playlist_task_ids(link):
    """Ids of the tasks whose previews the playlist shows (guests comment on those)."""
    preview_ids = {
        _as_uuid(entry.get("preview_file_id"))
        for entry in link.playlist.shots or []
        if isinstance(entry, dict)
    } - {None}
    return set(PreviewFile.objects.filter(pk__in=preview_ids).values_list("task_id", flat=True))


def shared_preview(link, preview_file_id):
    """A preview of one of the playlist's entities (any revision), else 404."""
    preview_id = _as_uuid(preview_file_id)
    if preview_id is None:
        raise WrongParameter("Malformed ID.")
    preview = (
        PreviewFile.objects.filter(pk=preview_id, task__entity_id__in=playlist_entity_ids(link))
        .select_related("task")
        .first()
    )
    if preview is None:
        raise NotFound()
    return preview


def shared_person(link, person_id):
    """A person whose avatar the review page may show: a team member or a guest of the link."""
    person_id = _as_uuid(person_id)
    if person_id is None:
        raise WrongParameter("Malformed ID.")
    person = (
        Person.objects.filter(pk=person_id)
        .filter(
            Q(project_links__project_id=link.playlist.project_id)
            | Q(is_guest=True, data__share_link_id=str(link.pk))
        )
        .first()
    )
    if person is None:
        raise NotFound()
    return person


# --- guests ---------------------------------------------------------------------------


def get_or_create_guest(link, first_name, last_name="", guest_id=None):
    """``(guest, created)``: the link's guest of that id or name, or a new one."""
    if guest_id:
        guest = _guest_of_link(link, guest_id)
        if guest is not None:
            return guest, False
    first_name = (first_name or "Guest").strip()[:80] or "Guest"
    last_name = (last_name or "").strip()[:80]
    existing = Person.objects.filter(
        is_guest=True,
        first_name=first_name,
        last_name=last_name,
        data__share_link_id=str(link.pk),
    ).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        guest = Person.objects.create_user(
            email=f"guest-{uuid.uuid4().hex[:12]}@guest.kitsu",
            first_name=first_name,
            last_name=last_name,
            role="client",
            is_guest=True,
            data={"share_link_id": str(link.pk)},
        )
        events.emit("person:new", {"person_id": guest.pk})
    logger.info("Guest %s created on share link %s", guest.pk, link.pk)
    return guest, True


def _guest_of_link(link, guest_id):
    guest_id = _as_uuid(guest_id)
    if guest_id is None:
        return None
    return Person.objects.filter(
        pk=guest_id, is_guest=True, data__share_link_id=str(link.pk)
    ).first()


def guest_for_link(link, guest_id):
    """The guest acting through ``link``: 400 without an id, 403 for anyone else."""
    if not guest_id:
        raise WrongParameter("The field guest_id is required.")
    if _as_uuid(guest_id) is None:
        raise WrongParameter("Malformed ID.")
    guest = _guest_of_link(link, guest_id)
    if guest is None:
        raise Forbidden("This guest does not belong to this share link.")
    return guest


def check_can_comment(link):
    if not link.can_comment:
        raise Forbidden("Comments are disabled on this share link.")


# --- comments -------------------------------------------------------------------------


def shared_comments_queryset(link):
    """Comments the review page shows: those meant for clients, and the guests' own."""
    return Comment.objects.filter(object_id__in=playlist_task_ids(link)).filter(
        Q(for_client=True) | Q(person__is_guest=True)
    )


def _status_for_guest(task, task_status_id):
    """The status a guest comment sets: the task's own when none is given,
    else one the project lets clients use."""
    if not task_status_id:
        return task.task_status
    status_id = _as_uuid(task_status_id)
    if status_id is None:
        raise WrongParameter("Malformed ID.")
    status = TaskStatus.objects.filter(pk=status_id).first()
    if status is None:
        raise WrongParameter("This task status does not exist.")
    if status.pk == task.task_status_id:
        return status
    override = (
        ProjectTaskStatusLink.objects.filter(project_id=task.project_id, task_status_id=status.pk)
        .values_list("is_client_allowed", flat=True)
        .first()
    )
    if not _client_allowed(override, status.is_client_allowed):
        raise Forbidden("Guests may not set this task status.")
    return status


def guest_task(link, task_id):
    """A task of the playlist a guest may comment on (400 malformed, 403 outside it)."""
    task_id = _as_uuid(task_id)
    if task_id is None:
        raise WrongParameter("Malformed ID.")
    if task_id not in playlist_task_ids(link):
        raise Forbidden("This task is not part of the shared playlist.")
    # Loaded with what the comment service needs.
    return Task.objects.select_related(
        "project", "task_type", "task_status", "entity__entity_type"
    ).get(pk=task_id)


def post_guest_comment(link, guest, task, task_status_id=None, text="", checklist=None):
    """A guest's comment (always for clients) through the studio's comment service:
    status change, notifications of the task's followers and feed entry included.
    Returns the comment, whose ``kitsu_payload`` is the 201 body."""
    status = _status_for_guest(task, task_status_id)
    if checklist is not None and not isinstance(checklist, list):
        raise WrongParameter("checklist must be a list.")
    try:
        return comments.post_comment(
            task,
            guest,
            status,
            text=text or "",
            checklist=checklist,
            for_client=True,
            hashtags=False,
        )
    except comments.CommentError as error:
        raise WrongParameter(str(error)) from None


def guest_comment(link, guest, comment_id):
    """A comment of ``guest`` on a task of the playlist (404 unknown, 403 someone else's)."""
    comment_id = _as_uuid(comment_id)
    if comment_id is None:
        raise WrongParameter("Malformed ID.")
    comment = Comment.objects.select_related("task_status", "person").filter(pk=comment_id).first()
    if comment is None:
        raise NotFound()
    if comment.person_id != guest.pk or comment.object_id not in playlist_task_ids(link):
        raise Forbidden("Guests may only change their own comments on this playlist.")
    return comment


def update_guest_comment(comment, guest, data):
    """Edit the text, checklist or status of a guest's own comment."""
    values = {}
    if "text" in data:
        values["text"] = data.get("text") or ""
    if "checklist" in data:
        checklist = data.get("checklist") or []
        if not isinstance(checklist, list):
            raise WrongParameter("checklist must be a list.")
        values["checklist"] = checklist
    if data.get("task_status_id"):
        task = Task.objects.select_related("task_status").get(pk=comment.object_id)
        values["task_status"] = _status_for_guest(task, data["task_status_id"])
    with transaction.atomic():
        comments.update_comment(comment, values, guest)
        events.emit(
            "comment:update",
            {"comment_id": comment.pk, "task_id": comment.object_id},
            project_id=comment_project_id(comment),
        )
    return comment


def delete_guest_comment(comment, guest):
    """Delete a guest's comment; its task takes back the status of the previous one."""
    with transaction.atomic():
        project_id = comment_project_id(comment)
        comments.delete_comment(comment, guest)
        events.emit(
            "comment:delete",
            {"comment_id": comment.pk, "task_id": comment.object_id},
            project_id=project_id,
        )


def comment_project_id(comment):
    return Task.objects.filter(pk=comment.object_id).values_list("project_id", flat=True).first()


def add_guest_attachments(comment, files):
    task = Task.objects.get(pk=comment.object_id)
    return comments.add_attachments(task, comment, files)


def delete_guest_attachment(comment, attachment_id):
    attachment_id = _as_uuid(attachment_id)
    if attachment_id is None:
        raise WrongParameter("Malformed ID.")
    attachment = AttachmentFile.objects.filter(pk=attachment_id, comment_id=comment.pk).first()
    if attachment is None:
        raise NotFound()
    task = Task.objects.get(pk=comment.object_id)
    comments.delete_attachment(task, comment, attachment)


def shared_attachment(link, attachment_id):
    """An attachment of a comment the review page shows (404 for any other)."""
    attachment_id = _as_uuid(attachment_id)
    if attachment_id is None:
        raise WrongParameter("Malformed ID.")
    attachment = AttachmentFile.objects.filter(
        pk=attachment_id, comment__in=shared_comments_queryset(link)
    ).first()
    if attachment is None:
        raise NotFound()
    return attachment


def save_guest_annotations(link, preview, annotations):
    """Replace the drawings of a preview of the playlist."""
    if not isinstance(annotations, list):
        raise WrongParameter("annotations must be a list.")
    with transaction.atomic():
        preview.annotations = annotations
        preview.save(update_fields=["annotations"])
        events.emit(
            "preview-file:annotation-update",
            {"preview_file_id": preview.pk},
            project_id=link.playlist.project_id,
        )
    return preview


# --- small helpers --------------------------------------------------------------------


def _as_uuid(value):
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _is_uuid(value):
    return _as_uuid(value) is not None
