"""Playlists: who sees and edits them, their entries, and how entries are read.

A playlist's entries are the ``shots`` JSON list of ``{entity_id,
preview_file_id}`` couples. Reading a playlist resolves each couple to its
preview (extension, revision, size, status…) and lists every other preview of
the entity by task type, so that reviewers can switch versions. That
enrichment is built from one query over the previews of all the entities,
whatever the length of the playlist.
"""

import logging
import uuid

from django.db import transaction
from django.db.models import Q

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden, WrongParameter
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.access import (
    check_project_access,
    check_supervisor_access,
    project_roles,
    scope_to_projects,
)
from productions.models import (
    RESERVED_ENTITY_TYPE_NAMES,
    SHOT,
    Entity,
    ProjectPersonLink,
)
from tasks import messaging, playlist_builds
from tasks.models import BuildJob, Notification, Playlist, PreviewFile, Task

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
SORTABLE = {"name": "name", "created_at": "-created_at", "updated_at": "-updated_at"}


# --- access -----------------------------------------------------------------------


def check_playlist_read(person, playlist):
    """Team members read playlists, clients only those made for them, vendors none."""
    role = check_project_access(person, playlist.project_id)
    if role == roles.VENDOR:
        raise Forbidden()
    if role == roles.CLIENT and not playlist.for_client:
        raise Forbidden()
    return role


def check_playlist_write(person, playlist):
    """Managers change any playlist of their projects, supervisors the ones they made."""
    role = check_supervisor_access(person, playlist.project_id)
    if role == roles.SUPERVISOR and playlist.created_by != person.pk:
        raise Forbidden()
    return role


def check_project_playlists(person, project_id):
    """Reading the playlists of a project: team members other than vendors."""
    role = check_project_access(person, project_id)
    if role == roles.VENDOR:
        raise Forbidden()
    return role


def scope_playlists(person, queryset):
    """Playlists of the person's projects: none where they are a vendor, only
    ``for_client`` ones where they are a client."""
    queryset = scope_to_projects(person, queryset)
    if roles.is_admin(person):
        return queryset
    by_role = project_roles(person)
    vendor = [project_id for project_id, role in by_role.items() if role == roles.VENDOR]
    client = [project_id for project_id, role in by_role.items() if role == roles.CLIENT]
    if vendor:
        queryset = queryset.exclude(project_id__in=vendor)
    if client:
        queryset = queryset.filter(~Q(project_id__in=client) | Q(for_client=True))
    return queryset


# --- listings ---------------------------------------------------------------------


def playlist_list_rows(queryset):
    """Playlist rows without their entries, with the first entry's preview id."""
    rows = serialize_rows(Playlist, queryset)
    for row in rows:
        shots = row.pop("shots", None)
        if isinstance(shots, list) and shots and isinstance(shots[0], dict):
            first = shots[0].get("preview_file_id")
            if first is not None:
                row["first_preview_file_id"] = first
        if row["for_entity"] is None:
            row["for_entity"] = "shot"
    return rows


def sort_playlists(queryset, sort_by):
    return queryset.order_by(SORTABLE.get(sort_by or "updated_at", "-updated_at"), "name")


def project_playlists(project_id, client=False, page=1, sort_by=None, task_type_id=None):
    """One page of a project's playlists (20 per page, as the Kitsu UI expects)."""
    queryset = Playlist.objects.filter(project_id=project_id)
    if client:
        queryset = queryset.filter(for_client=True)
    if task_type_id is not None:
        queryset = queryset.filter(task_type_id=task_type_id)
    page = max(page, 1)
    offset = (page - 1) * PAGE_SIZE
    return playlist_list_rows(sort_playlists(queryset, sort_by)[offset : offset + PAGE_SIZE])


def episode_playlists(project_id, episode_id, client=False, sort_by=None, task_type_id=None):
    """Playlists of an episode, of the main pack (``main``) or of every episode (``all``)."""
    queryset = Playlist.objects.filter(project_id=project_id)
    if episode_id == "main":
        queryset = queryset.filter(episode__isnull=True, is_for_all=False)
    elif episode_id == "all":
        queryset = queryset.filter(episode__isnull=True, is_for_all=True)
    else:
        queryset = queryset.filter(episode_id=episode_id)
    if client:
        queryset = queryset.filter(for_client=True)
    if task_type_id is not None:
        queryset = queryset.filter(task_type_id=task_type_id)
    return playlist_list_rows(sort_playlists(queryset, sort_by))


# --- previews of entities -----------------------------------------------------------

# What each preview of the "other revisions" lists carries; kept small because a
# playlist of a few hundred shots lists thousands of them.
PLAYLIST_PREVIEW_KEYS = (
    "id",
    "revision",
    "extension",
    "width",
    "height",
    "duration",
    "status",
    "annotations",
    "previews",
    "created_at",
    "task_id",
)
ENTITY_PREVIEW_KEYS = (
    "id",
    "revision",
    "original_name",
    "extension",
    "width",
    "height",
    "duration",
    "status",
    "annotations",
    "previews",
    "created_at",
    "task_id",
    "original_width",
    "original_height",
    "original_duration",
    "original_file_size",
)
ORIGINAL_KEYS = ("original_width", "original_height", "original_duration", "original_file_size")


def _preview_rows(queryset):
    return queryset.values(
        "id",
        "revision",
        "position",
        "original_name",
        "extension",
        "width",
        "height",
        "duration",
        "status",
        "annotations",
        "created_at",
        "task_id",
        "data",
        "task__entity_id",
        "task__task_type_id",
        "task__task_type__priority",
        "task__task_type__name",
    ).order_by(
        "-task__task_type__priority", "task__task_type__name", "-revision", "position", "created_at"
    )


def _light(row, keys):
    data = row["data"] if isinstance(row["data"], dict) else {}
    values = {**row, **{key: data.get(key) for key in ORIGINAL_KEYS}, "previews": []}
    return {key: values[key] for key in keys}


def group_previews(rows, keys):
    """``({entity_id: {task_type_id: [preview, …]}}, {preview_id: preview})``.

    Previews sharing a revision of a task are folded into the first one, whose
    ``previews`` lists the others (a revision may hold several files).
    """
    by_entity, by_id, heads = {}, {}, {}
    for row in rows:
        preview = _light(row, keys)
        by_id[row["id"]] = preview
        head_key = (row["task_id"], row["revision"])
        head = heads.get(head_key)
        if head is not None:
            head["previews"].append({key: value for key, value in preview.items()})
            continue
        heads[head_key] = preview
        task_types = by_entity.setdefault(row["task__entity_id"], {})
        task_types.setdefault(row["task__task_type_id"], []).append(preview)
    return by_entity, by_id


def previews_for_entity(entity_id):
    """Every preview of an entity by task type id, newest revision first (one query)."""
    rows = _preview_rows(PreviewFile.objects.filter(task__entity_id=entity_id))
    by_entity, _ = group_previews(rows, ENTITY_PREVIEW_KEYS)
    return by_entity.get(entity_id, {})


def latest_previews(entity_ids, task_type_id=None):
    """``{entity_id: preview_id}`` of the latest revision per entity (one query).

    With ``task_type_id``, only previews of tasks of that type count.
    """
    queryset = PreviewFile.objects.filter(task__entity_id__in=entity_ids)
    if task_type_id is not None:
        queryset = queryset.filter(task__task_type_id=task_type_id)
    latest = {}
    for entity_id, preview_id in queryset.order_by(
        "-revision", "position", "-created_at"
    ).values_list("task__entity_id", "id"):
        latest.setdefault(entity_id, preview_id)
    return latest


# --- reading a playlist -------------------------------------------------------------


def _entry_entity_id(entry):
    return entry.get("entity_id") or entry.get("shot_id") or entry.get("id")


def build_job_rows(queryset):
    return serialize_rows(BuildJob, queryset.order_by("-created_at"))


def playlist_detail(playlist):
    """The playlist with its entries resolved to previews, and its build jobs.

    Three queries whatever the number of entries: the build jobs, and the
    previews of every entity of the playlist (the row is already loaded).
    """
    row = serialize_instance(playlist, relations=False)
    row["build_jobs"] = build_job_rows(BuildJob.objects.filter(playlist_id=playlist.pk))
    entries = [dict(entry) for entry in playlist.shots or [] if isinstance(entry, dict)]
    entity_ids = set()
    for entry in entries:
        entity_id = _entry_entity_id(entry)
        if entity_id is not None:
            entry["id"] = entity_id
            entity_ids.add(str(entity_id))
    valid_ids = [entity_id for entity_id in entity_ids if _is_uuid(entity_id)]
    rows = _preview_rows(PreviewFile.objects.filter(task__entity_id__in=valid_ids))
    by_entity, by_id = group_previews(rows, PLAYLIST_PREVIEW_KEYS)
    by_entity = {str(key): value for key, value in by_entity.items()}
    by_id = {str(key): value for key, value in by_id.items()}
    for entry in entries:
        entry["preview_files"] = by_entity.get(str(entry.get("id")), {})
        preview = by_id.get(str(entry.get("preview_file_id")))
        if preview is None:
            entry.pop("preview_file_id", None)
            continue
        entry["preview_file_id"] = preview["id"]
        for key in (
            "extension",
            "revision",
            "width",
            "height",
            "duration",
            "status",
            "annotations",
            "task_id",
            "previews",
        ):
            entry[f"preview_file_{key}"] = preview[key]
    row["shots"] = entries
    if row["for_entity"] is None:
        row["for_entity"] = "shot"
    return row


def _is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- writing ------------------------------------------------------------------------


def add_entities(playlist, couples):
    """Append ``(entity_id, preview_file_id or None)`` couples to a playlist.

    A couple without a preview takes the entity's latest revision (of the
    playlist's task type when it has one). Exact duplicates of an existing
    entry are skipped. Entities must belong to the playlist's project and
    previews to the entity; otherwise ``WrongParameter``.
    """
    entity_ids = {entity_id for entity_id, _ in couples}
    known = set(
        Entity.objects.filter(pk__in=entity_ids, project_id=playlist.project_id).values_list(
            "pk", flat=True
        )
    )
    if known != entity_ids:
        raise WrongParameter("An entity does not exist or belongs to another project.")
    preview_ids = {preview_id for _, preview_id in couples if preview_id is not None}
    owners = dict(
        PreviewFile.objects.filter(pk__in=preview_ids).values_list("pk", "task__entity_id")
    )
    for entity_id, preview_id in couples:
        if preview_id is not None and owners.get(preview_id) != entity_id:
            raise WrongParameter("A preview file does not belong to its entity.")
    missing = [entity_id for entity_id, preview_id in couples if preview_id is None]
    latest = latest_previews(missing, playlist.task_type_id) if missing else {}
    added = []
    with transaction.atomic():
        locked = Playlist.objects.select_for_update().get(pk=playlist.pk)
        entries = [entry for entry in locked.shots or [] if isinstance(entry, dict)]
        present = {
            (str(_entry_entity_id(entry)), str(entry.get("preview_file_id"))) for entry in entries
        }
        for entity_id, preview_id in couples:
            preview_id = preview_id if preview_id is not None else latest.get(entity_id)
            entry = {
                "entity_id": str(entity_id),
                "preview_file_id": str(preview_id) if preview_id is not None else None,
            }
            couple = (entry["entity_id"], str(entry["preview_file_id"]))
            if couple in present:
                continue
            present.add(couple)
            entries.append(entry)
            added.append(entry)
        locked.shots = entries
        locked.save(update_fields=["shots"])
        for entry in added:
            events.emit(
                "playlist:add_entity",
                {"playlist_id": locked.pk, **entry},
                project_id=locked.project_id,
            )
        events.emit("playlist:update", {"playlist_id": locked.pk}, project_id=locked.project_id)
    return locked


def delete_playlist(playlist):
    """Remove a playlist with its build jobs (and their movies) and share links."""
    with transaction.atomic():
        for job in BuildJob.objects.select_related("playlist").filter(playlist=playlist):
            playlist_builds.delete_build_job(job)
        playlist.delete()


def notify_clients(playlist, author, studio_id=None, department_id=None):
    """``playlist-ready`` notifications for the client members of the team.

    A client notified before about the same playlist by the same author gets
    their notification marked unread again rather than a second one.
    """
    links = ProjectPersonLink.objects.filter(project_id=playlist.project_id).filter(
        Q(role=roles.CLIENT) | Q(role__isnull=True, person__role=roles.CLIENT)
    )
    links = links.filter(person__active=True, person__is_guest=False)
    if studio_id is not None:
        links = links.filter(person__studio_id=studio_id)
    if department_id is not None:
        links = links.filter(person__departments__id=department_id)
    person_ids = set(links.values_list("person_id", flat=True))
    notifications = []
    with transaction.atomic():
        for person_id in person_ids:
            notification, _ = Notification.objects.update_or_create(
                person_id=person_id,
                author_id=author.pk,
                playlist_id=playlist.pk,
                comment=None,
                reply_id=None,
                type="playlist-ready",
                defaults={"read": False},
            )
            notifications.append(notification)
            events.emit(
                "notification:new",
                {"notification_id": notification.pk, "person_id": person_id},
                project_id=playlist.project_id,
                persist=False,
            )
        # Sent again to a client notified before: the playlist changed since.
        messaging.send_later(notification.pk for notification in notifications)
    logger.info("Playlist %s: %s clients notified", playlist.pk, len(notifications))
    return notifications


# --- temporary playlists -------------------------------------------------------------


def temp_playlist(project_id, task_ids, sort=False):
    """Playlist entries for tasks, not saved: each task's entity with its latest preview.

    A fixed number of queries: the tasks with their entities, the previews.
    """
    tasks = list(
        Task.objects.filter(pk__in=task_ids, project_id=project_id).values(
            "id",
            "task_type_id",
            "entity_id",
            "entity__name",
            "entity__parent_id",
            "entity__parent__name",
            "entity__entity_type_id",
            "entity__entity_type__name",
        )
    )
    order = {task_id: index for index, task_id in enumerate(task_ids)}
    tasks.sort(key=lambda task: order.get(task["id"], 0))
    rows = _preview_rows(
        PreviewFile.objects.filter(task__entity_id__in={task["entity_id"] for task in tasks})
    )
    by_entity, _ = group_previews(rows, ENTITY_PREVIEW_KEYS)
    result = []
    for task in tasks:
        type_name = task["entity__entity_type__name"]
        entry = {
            "id": task["entity_id"],
            "name": task["entity__name"],
            "preview_file_task_id": task["id"],
        }
        if type_name in RESERVED_ENTITY_TYPE_NAMES:
            entry["sequence_id"] = task["entity__parent_id"] if type_name == SHOT else None
            entry["sequence_name"] = task["entity__parent__name"] if type_name == SHOT else None
            entry["parent_name"] = task["entity__parent__name"] or ""
        else:
            entry["asset_type_id"] = task["entity__entity_type_id"]
            entry["asset_type_name"] = type_name
            entry["parent_name"] = type_name
        previews = by_entity.get(task["entity_id"], {})
        same_type = previews.get(task["task_type_id"]) or []
        if same_type:
            latest = same_type[0]
            entry["preview_file_id"] = latest["id"]
            entry["preview_file_extension"] = latest["extension"]
            entry["preview_file_status"] = latest["status"]
            entry["preview_file_annotations"] = latest["annotations"]
            entry["preview_file_previews"] = latest["previews"]
        entry["preview_files"] = previews
        result.append(entry)
    if sort:
        result.sort(key=lambda entry: (entry["parent_name"] or "", entry["name"] or ""))
    return result
