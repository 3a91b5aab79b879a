"""Domain operations on episodes, sequences, shots, scenes and edits.

Views, the admin and management commands call these; they hold the rules
(who sees what, what a delete does, when a shot version is recorded) so that
every entry point applies them the same way. Reads are built from a few
``.values()`` queries; writes run in one transaction and queue their events,
which are sent after commit.
"""

import logging

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.access import role_in_project, scope_to_projects
from productions.models import (
    EDIT,
    EPISODE,
    SCENE,
    SEQUENCE,
    SHOT,
    Entity,
    EntityVersion,
    Project,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from productions.models.entities import ENTITY_STATUSES
from productions.presentation import (
    entity_type_names,
    kind_of,
    serialize_entities,
    strip_hidden_data,
)
from tasks.models import PreviewFile, Task, TaskType
from tasks.services import purge_entities

logger = logging.getLogger(__name__)

# The JSON ``type`` of each kind's version rows (entity_version).
VERSION_TYPES = {SHOT: "ShotVersion", EDIT: "EditVersion"}
# Columns a PUT on a shot may change; the others are computed or protected.
SHOT_UPDATABLE_FIELDS = (
    "name",
    "code",
    "description",
    "canceled",
    "nb_frames",
    "is_casting_standby",
    "status",
    "parent_id",
    "source_id",
    "preview_file_id",
    "data",
)
STATUS_CODES = {code for code, _label in ENTITY_STATUSES}
TASK_LINK = Task.assignees.through


class BreakdownError(ValueError):
    """A refused breakdown change; views answer it with a 400."""


class MissingParent(BreakdownError):
    """The parent named in a creation does not exist at all; views answer 404 as Zou does."""


# --- reading: kinds and visibility ------------------------------------------


def of_kind(kind):
    """Entities of a reserved kind (Shot, Sequence...)."""
    return Entity.objects.filter(entity_type__name=kind)


def assigned_task_ids(person):
    """Subquery: ids of the tasks assigned to ``person``."""
    return TASK_LINK.objects.filter(person_id=person.pk).values("task_id")


def assigned_entity_ids(person):
    """Subquery: ids of the entities carrying a task assigned to ``person``."""
    return Task.objects.filter(id__in=assigned_task_ids(person)).values("entity_id")


def vendor_entity_filter(person):
    """What a vendor sees of the breakdown: what they work on and its ancestors.

    A vendor sees the entities carrying one of their tasks, the sequence and
    episode above them, and the episode an assigned asset belongs to. Built
    from subqueries so that the listing stays one query.
    """
    assigned = assigned_entity_ids(person)
    parents = Entity.objects.filter(id__in=assigned).values("parent_id")
    grand_parents = Entity.objects.filter(id__in=parents).values("parent_id")
    sources = Entity.objects.filter(id__in=assigned).values("source_id")
    return Q(id__in=assigned) | Q(id__in=parents) | Q(id__in=grand_parents) | Q(id__in=sources)


def effective_role(person, project_id=None):
    """The caller's role in a project, or their global role outside of one."""
    if project_id is None:
        return person.role
    return role_in_project(person, project_id) or person.role


def visible_entities(person, queryset, project_id=None):
    """Narrow an entity queryset to the caller's projects, and for vendors to their work."""
    queryset = scope_to_projects(person, queryset)
    if effective_role(person, project_id) == roles.VENDOR:
        queryset = queryset.filter(vendor_entity_filter(person))
    return queryset


def may_see_entity(person, entity):
    """Vendors only reach the entities they work on (and those above them)."""
    if effective_role(person, entity.project_id) != roles.VENDOR:
        return True
    return Entity.objects.filter(pk=entity.pk).filter(vendor_entity_filter(person)).exists()


def visible_tasks(person, queryset, project_id=None):
    """Narrow a task queryset to what the caller's role may see.

    Vendors see their own tasks and the tasks of their departments; clients
    only the task types the project shows to clients. Both are subqueries,
    so the listing keeps its query count.
    """
    role = effective_role(person, project_id)
    if role == roles.VENDOR:
        departments = person.departments.through.objects.filter(person_id=person.pk)
        queryset = queryset.filter(
            Q(id__in=assigned_task_ids(person))
            | Q(task_type__department_id__in=departments.values("department_id"))
        )
    elif role == roles.CLIENT:
        hidden = ProjectTaskTypeLink.objects.filter(
            project_id=OuterRef("project_id"),
            task_type_id=OuterRef("task_type_id"),
            is_client_visible=False,
        )
        queryset = queryset.exclude(Exists(hidden))
    return queryset


# --- reading: rows ----------------------------------------------------------


def entity_rows(queryset, kind=None, relations=False, viewer=None):
    """Entity rows ordered by name, typed by their kind; ``data`` as ``viewer`` may read it."""
    queryset = queryset.order_by("name", "id")
    if kind is not None:
        rows = serialize_rows(Entity, queryset, relations=relations, kitsu_type=kind)
        return strip_hidden_data(rows, viewer)
    return serialize_entities(queryset, relations=relations, viewer=viewer)


def with_names(rows, queryset, **names):
    """Add related names to rows in one query.

    ``with_names(rows, queryset, project_name="project__name")``.
    """
    keys = list(names)
    extra = {row[0]: row[1:] for row in queryset.values_list("id", *names.values()).iterator()}
    missing = (None,) * len(keys)
    for row in rows:
        row.update(zip(keys, extra.get(row["id"], missing), strict=True))
    return rows


def serialize_entity_row(entity, relations=True, viewer=None):
    row = serialize_instance(entity, relations=relations)
    row["type"] = kind_of(entity.entity_type.name) if entity.entity_type_id else "Entity"
    return strip_hidden_data([row], viewer)[0]


def full_sequence(sequence, viewer=None):
    row = serialize_entity_row(sequence, viewer=viewer)
    row["project_name"] = sequence.project.name
    if sequence.parent_id is not None:
        row["episode_id"] = sequence.parent_id
        row["episode_name"] = sequence.parent.name
    return row


def full_episode(episode, viewer=None):
    row = serialize_entity_row(episode, viewer=viewer)
    row["project_name"] = episode.project.name
    return row


def full_scene(scene, viewer=None):
    row = serialize_entity_row(scene, viewer=viewer)
    row["project_name"] = scene.project.name
    sequence = scene.parent
    if sequence is not None:
        row["sequence_id"] = sequence.id
        row["sequence_name"] = sequence.name
        if sequence.parent_id is not None:
            row["episode_id"] = sequence.parent_id
            row["episode_name"] = sequence.parent.name
    return row


def task_rows(queryset, relations=False, named=True):
    """Task rows (ordered by task type then entity name), with the names Kitsu shows.

    One query for the rows and the joined names, one more for the assignees
    when ``relations`` is asked.
    """
    names = {
        "project_name": "project__name",
        "task_type_name": "task_type__name",
        "task_status_name": "task_status__name",
        "entity_type_name": "entity__entity_type__name",
        "entity_name": "entity__name",
    }
    queryset = queryset.order_by("task_type__priority", "task_type__name", "entity__name", "id")
    rows = serialize_rows(Task, queryset, relations=relations)
    if named and rows:
        extra = {row[0]: row[1:] for row in queryset.values_list("id", *names.values()).iterator()}
        for row in rows:
            values = extra.get(row["id"], (None,) * len(names))
            row.update(zip(names, values, strict=True))
    return rows


def task_types_for(entity_ids_queryset):
    """Task types having a task on the given entities (a subquery of ids)."""
    used = Task.objects.filter(entity_id__in=entity_ids_queryset).values("task_type_id")
    return serialize_rows(TaskType, TaskType.objects.filter(id__in=used))


def versions_for(entity, kind):
    queryset = EntityVersion.objects.filter(entity_id=entity.pk).order_by("-created_at")
    return serialize_rows(EntityVersion, queryset, kitsu_type=VERSION_TYPES.get(kind))


def preview_files_for(entity_id):
    """Previews of an entity's tasks keyed by task type id, newest revision first.

    Each revision's first file carries the other files of that revision in
    ``previews``.
    """
    rows = (
        PreviewFile.objects.filter(task__entity_id=entity_id)
        .order_by(
            "-task__task_type__priority",
            "task__task_type__name",
            "-revision",
            "position",
            "created_at",
        )
        .values(
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
            "file_size",
            "task__task_type_id",
        )
    )
    result = {}
    heads = {}
    for row in rows:
        task_type_id = str(row["task__task_type_id"])
        data = row["data"] or {}
        item = {
            "id": row["id"],
            "revision": row["revision"],
            "original_name": row["original_name"],
            "extension": row["extension"],
            "width": row["width"],
            "height": row["height"],
            "duration": row["duration"],
            "status": row["status"],
            "annotations": row["annotations"],
            "previews": [],
            "created_at": row["created_at"],
            "task_id": row["task_id"],
            "original_width": data.get("original_width"),
            "original_height": data.get("original_height"),
            "original_duration": data.get("original_duration"),
            "original_file_size": data.get("original_file_size"),
        }
        key = (task_type_id, row["task_id"], row["revision"])
        if key in heads:
            heads[key]["previews"].append(item)
            continue
        heads[key] = item
        result.setdefault(task_type_id, []).append(item)
    return result


# --- statistics ---------------------------------------------------------------


def _shot_tasks_by_episode(project_id, person):
    """Tasks of the project's shots with their episode, as seen by ``person``."""
    queryset = Task.objects.filter(
        project_id=project_id,
        entity__entity_type__name=SHOT,
        entity__parent__parent__isnull=False,
    )
    if effective_role(person, project_id) == roles.VENDOR:
        queryset = queryset.filter(id__in=assigned_task_ids(person))
    return queryset


def episode_stats(project_id, person):
    """Task counts (and frames) per episode, task type and status.

    ``{episode_id | "all": {task_type_id | "all": {task_status_id:
    {name, color, count, frames}}}}``.
    """
    rows = (
        _shot_tasks_by_episode(project_id, person)
        .values(
            "entity__parent__parent_id",
            "task_type_id",
            "task_status_id",
            "task_status__short_name",
            "task_status__color",
        )
        .annotate(count=models.Count("id"), frames=models.Sum("entity__nb_frames"))
        .order_by()
    )
    results = {}
    for row in rows:
        episode_id = str(row["entity__parent__parent_id"])
        task_type_id = str(row["task_type_id"])
        status_id = str(row["task_status_id"])
        for first, second in (
            (episode_id, task_type_id),
            (episode_id, "all"),
            ("all", task_type_id),
            ("all", "all"),
        ):
            entry = (
                results.setdefault(first, {})
                .setdefault(second, {})
                .setdefault(
                    status_id,
                    {
                        "name": row["task_status__short_name"],
                        "color": row["task_status__color"],
                        "count": 0,
                        "frames": 0,
                    },
                )
            )
            entry["count"] += row["count"] or 0
            entry["frames"] += row["frames"] or 0
    return results


def _retake_entry():
    return {
        "max_retake_count": 0,
        "evolution": {},
        "done": {"count": 0, "frames": 0},
        "retake": {"count": 0, "frames": 0},
        "other": {"count": 0, "frames": 0},
    }


def episode_retake_stats(project_id, person):
    """Done / retake / other counts per episode and task type, with the evolution per take.

    ``evolution`` maps each take number (1..max retake count) to the counts
    of tasks that were retaken at that take, done, or neither.
    """
    rows = list(
        _shot_tasks_by_episode(project_id, person).values_list(
            "entity__parent__parent_id",
            "entity__nb_frames",
            "task_type_id",
            "retake_count",
            "task_status__is_done",
            "task_status__is_retake",
        )
    )
    results = {"all": {"all": _retake_entry()}}
    for episode_id, frames, task_type_id, retake_count, is_done, is_retake in rows:
        episode_id, task_type_id = str(episode_id), str(task_type_id)
        retake_count = retake_count or 0
        results.setdefault(episode_id, {"all": _retake_entry()})
        results[episode_id].setdefault(task_type_id, _retake_entry())
        results["all"].setdefault(task_type_id, _retake_entry())
        state = "done" if is_done else "retake" if is_retake else "other"
        for first, second in (
            ("all", "all"),
            ("all", task_type_id),
            (episode_id, "all"),
            (episode_id, task_type_id),
        ):
            entry = results[first][second]
            entry["max_retake_count"] = max(entry["max_retake_count"], retake_count)
            entry[state]["count"] += 1
            entry[state]["frames"] += frames or 0
    # The evolution needs each entry's final max retake count, hence a second pass.
    for episode_id, frames, task_type_id, retake_count, is_done, _is_retake in rows:
        episode_id, task_type_id = str(episode_id), str(task_type_id)
        retake_count = retake_count or 0
        for second in ("all", task_type_id):
            entry = results[episode_id][second]
            for take in range(1, entry["max_retake_count"] + 1):
                counts = entry["evolution"].setdefault(
                    str(take),
                    {
                        "done": {"count": 0, "frames": 0},
                        "retake": {"count": 0, "frames": 0},
                        "other": {"count": 0, "frames": 0},
                    },
                )
                state = "retake" if take <= retake_count else "done" if is_done else "other"
                counts[state]["count"] += 1
                counts[state]["frames"] += frames or 0
    return results


# --- writing ------------------------------------------------------------------


def _check_name(name):
    if not isinstance(name, str) or not name.strip():
        raise BreakdownError("The field name is required.")
    if len(name) > 160:
        raise BreakdownError("The name is too long (160 characters at most).")
    return name.strip()


def _check_data(data):
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BreakdownError("data must be a JSON object.")
    return data


def _check_nb_frames(nb_frames):
    if nb_frames is None or nb_frames == "":
        return None
    if isinstance(nb_frames, bool):
        raise BreakdownError("nb_frames must be a whole number.")
    try:
        value = int(nb_frames)
    except (TypeError, ValueError):
        raise BreakdownError("nb_frames must be a whole number.") from None
    if value < 0:
        raise BreakdownError("nb_frames cannot be negative.")
    return value


def _parent_of_kind(kind, parent_id, project, label):
    """The ``kind`` entity ``parent_id`` of ``project`` (400 when it is not one)."""
    if parent_id is None:
        return None
    parent = of_kind(kind).filter(pk=parent_id).first()
    if parent is None:
        raise MissingParent(f"The {label} does not exist.")
    if parent.project_id != project.pk:
        raise BreakdownError(f"The {label} does not belong to this project.")
    return parent


def _create(kind, project, name, parent=None, created_by=None, event_data=None, **values):
    """Get-or-create an entity of ``kind``; the event is sent only on creation.

    As in Zou, creating a name that already exists under the same parent
    returns the existing entity instead of failing.
    """
    entity_type = get_or_create_entity_type(kind)
    existing = Entity.objects.filter(
        entity_type=entity_type, project=project, parent=parent, name=name
    ).first()
    if existing is not None:
        return existing, False
    entity = Entity.objects.create(
        entity_type=entity_type,
        project=project,
        parent=parent,
        name=name,
        created_by=created_by,
        **values,
    )
    key = kind.lower()
    events.emit(
        f"{key}:new",
        {f"{key}_id": entity.pk, **(event_data or {})},
        project_id=project.pk,
    )
    logger.info("%s %s created in project %s", kind, entity.pk, project.pk)
    return entity, True


def create_episode(project, name, description="", data=None, status="running", created_by=None):
    name = _check_name(name)
    if status not in STATUS_CODES:
        status = "running"
    with transaction.atomic():
        return _create(
            EPISODE,
            project,
            name,
            created_by=created_by,
            description=description or "",
            data=_check_data(data),
            status=status,
        )


def create_sequence(project, name, episode_id=None, description="", data=None, created_by=None):
    name = _check_name(name)
    with transaction.atomic():
        episode = _parent_of_kind(EPISODE, episode_id, project, "episode")
        return _create(
            SEQUENCE,
            project,
            name,
            parent=episode,
            created_by=created_by,
            description=description or "",
            data=_check_data(data),
        )


def create_shot(
    project, name, sequence_id=None, nb_frames=None, data=None, description=None, created_by=None
):
    name = _check_name(name)
    nb_frames = _check_nb_frames(nb_frames)
    data = _check_data(data)
    with transaction.atomic():
        sequence = _parent_of_kind(SEQUENCE, sequence_id, project, "sequence")
        return _create(
            SHOT,
            project,
            name,
            parent=sequence,
            created_by=created_by,
            event_data={"episode_id": sequence.parent_id if sequence else None},
            nb_frames=nb_frames,
            data=data,
            description=description,
        )


def create_scene(project, name, sequence_id=None, created_by=None):
    name = _check_name(name)
    with transaction.atomic():
        sequence = _parent_of_kind(SEQUENCE, sequence_id, project, "sequence")
        return _create(SCENE, project, name, parent=sequence, created_by=created_by, data={})


def create_edit(project, name, episode_id=None, description="", data=None, created_by=None):
    name = _check_name(name)
    with transaction.atomic():
        episode = _parent_of_kind(EPISODE, episode_id, project, "episode")
        return _create(
            EDIT,
            project,
            name,
            parent=episode,
            created_by=created_by,
            event_data={"parent_id": episode.pk if episode else None},
            description=description or "",
            data=_check_data(data),
        )


def update_shot(shot, values, person=None):
    """Apply a PUT on a shot; a version is recorded when its name or frame range changes.

    Keys that are not updatable columns (computed ones such as ``tasks`` or
    ``sequence_name`` that Kitsu sends back) are ignored, as Zou does.
    """
    changes = {}
    for key in SHOT_UPDATABLE_FIELDS:
        if key in values:
            changes[key] = values[key]
    if "name" in changes:
        changes["name"] = _check_name(changes["name"])
    if "nb_frames" in changes:
        changes["nb_frames"] = _check_nb_frames(changes["nb_frames"])
    if "data" in changes:
        changes["data"] = _check_data(changes["data"])
    for flag in ("canceled", "is_casting_standby"):
        if flag in changes and not isinstance(changes[flag], bool):
            raise BreakdownError(f"{flag} must be true or false.")
    if "status" in changes and changes["status"] not in STATUS_CODES:
        raise BreakdownError("Unknown status.")
    for key in ("code", "description"):
        if key in changes and changes[key] is not None and not isinstance(changes[key], str):
            raise BreakdownError(f"{key} must be a string.")
    project = shot.project
    with transaction.atomic():
        if "parent_id" in changes:
            sequence = _parent_of_kind(SEQUENCE, _uuid(changes["parent_id"]), project, "sequence")
            changes["parent_id"] = sequence.pk if sequence else None
        if "source_id" in changes:
            scene = _parent_of_kind(SCENE, _uuid(changes["source_id"]), project, "scene")
            changes["source_id"] = scene.pk if scene else None
        if "preview_file_id" in changes:
            preview_id = _uuid(changes["preview_file_id"])
            if preview_id is not None and not PreviewFile.objects.filter(pk=preview_id).exists():
                raise BreakdownError("The preview file does not exist.")
            changes["preview_file_id"] = preview_id
        before = (shot.name, shot.nb_frames, _frame_range(shot.data))
        for key, value in changes.items():
            setattr(shot, key, value)
        shot.save()
        if (shot.name, shot.nb_frames, _frame_range(shot.data)) != before:
            EntityVersion.objects.create(
                name=shot.name,
                entity=shot,
                person=person,
                data={**(shot.data or {}), "nb_frames": shot.nb_frames},
            )
        events.emit("shot:update", {"shot_id": shot.pk}, project_id=shot.project_id)
    return shot


def _frame_range(data):
    data = data or {}
    return (data.get("frame_in"), data.get("frame_out"), data.get("fps"))


def _uuid(value):
    from kitsu_backend.api.views import parse_uuid

    if value is None or value == "":
        return None
    return parse_uuid(value)


def link_shot_to_scene(scene, shot):
    if shot.project_id != scene.project_id:
        raise BreakdownError("The shot does not belong to the project of the scene.")
    with transaction.atomic():
        shot.source = scene
        shot.save(update_fields=["source"])
        events.emit("shot:update", {"shot_id": shot.pk}, project_id=shot.project_id)
        events.emit(
            "shot:add-to-scene",
            {"scene_id": scene.pk, "shot_id": shot.pk},
            project_id=shot.project_id,
        )
    return shot


def unlink_shot_from_scene(scene, shot):
    with transaction.atomic():
        if shot.source_id == scene.pk:
            shot.source = None
            shot.save(update_fields=["source"])
            events.emit("shot:update", {"shot_id": shot.pk}, project_id=shot.project_id)
        events.emit(
            "shot:remove-from-scene",
            {"scene_id": scene.pk, "shot_id": shot.pk},
            project_id=shot.project_id,
        )
    return shot


def set_shot_nb_frames(project, task_type_id, episode_id=None):
    """Copy onto shots the frame count of the latest preview of a task type.

    For each shot with a task of that type, the newest preview of the task
    gives ``nb_frames = round(duration * project fps)``. Returns
    ``[{"id", "nb_frames"}]`` for the shots changed.
    """
    try:
        fps = float(project.fps or 25)
    except ValueError:
        fps = 25.0
    previews = PreviewFile.objects.filter(
        task__project_id=project.pk,
        task__task_type_id=task_type_id,
        task__entity__entity_type__name=SHOT,
        duration__gt=0,
    )
    if episode_id is not None:
        previews = previews.filter(task__entity__parent__parent_id=episode_id)
    latest = {}
    for shot_id, duration in previews.order_by("created_at", "revision").values_list(
        "task__entity_id", "duration"
    ):
        latest[shot_id] = duration
    updates = []
    with transaction.atomic():
        shots = {shot.pk: shot for shot in Entity.objects.filter(pk__in=latest)}
        for shot_id, duration in latest.items():
            shot = shots[shot_id]
            shot.nb_frames = round(duration * fps)
            updates.append({"id": shot_id, "nb_frames": shot.nb_frames})
            events.emit("shot:update", {"shot_id": shot_id}, project_id=project.pk)
        Entity.objects.bulk_update(shots.values(), ["nb_frames"], batch_size=500)
    return updates


# --- deleting -------------------------------------------------------------------


def may_delete(person, entity):
    """Managers of the project delete; creators may delete what they created."""
    role = role_in_project(person, entity.project_id)
    if role is None:
        return False
    if role in (roles.ADMIN, roles.MANAGER):
        return True
    return entity.created_by is not None and entity.created_by == person.pk


def delete_entity(entity, kind, force=False):
    """Delete a breakdown entity as Zou does (behaviour §19).

    Without ``force``, an entity that has tasks is only flagged ``canceled``
    (``<kind>:update``); one without tasks is removed, unless other entities
    still hang under it (400). With ``force`` the entity goes with its
    descendants, their tasks, comments, previews, time spents, links and
    versions (``<kind>:delete``). Returns True when the row was removed.
    """
    key = kind.lower()
    with transaction.atomic():
        has_tasks = Task.objects.filter(entity_id=entity.pk).exists()
        if has_tasks and not force:
            entity.canceled = True
            entity.save(update_fields=["canceled"])
            events.emit(f"{key}:update", {f"{key}_id": entity.pk}, project_id=entity.project_id)
            return False
        if not force and Entity.objects.filter(parent_id=entity.pk).exists():
            raise BreakdownError("Some data are still linked to this entity.")
        descendants = _descendants(entity)
        purge_entities([entity.pk, *descendants])
        names = entity_type_names()
        for child_id, type_id in descendants.items():
            child_key = kind_of(names.get(type_id)).lower()
            events.emit(
                f"{child_key}:delete", {f"{child_key}_id": child_id}, project_id=entity.project_id
            )
        events.emit(f"{key}:delete", {f"{key}_id": entity.pk}, project_id=entity.project_id)
    logger.info("%s %s deleted", kind, entity.pk)
    return True


def _descendants(entity):
    """``{id: entity_type_id}`` of the entities under ``entity`` (two levels: episode > shot)."""
    found = {}
    level = [entity.pk]
    for _depth in range(3):
        rows = list(Entity.objects.filter(parent_id__in=level).values_list("id", "entity_type_id"))
        if not rows:
            break
        found.update(rows)
        level = [row[0] for row in rows]
    return found


def project_exists(project_id):
    return Project.objects.filter(pk=project_id).exists()
