"""Domain operations on assets and asset types: reads, creation, deletion, sharing.

Views call these after parsing and access checks; every write runs in one
transaction and queues its events, which are sent after commit.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q

from assets.models import Asset, AssetType
from assets.with_tasks import EVERYTHING, assigned_task_ids, collect_tasks
from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden, WrongParameter
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions import access
from productions.models import (
    EPISODE,
    Entity,
    EntityLink,
    Project,
)
from productions.presentation import serialize_entities, serialize_entity
from productions.user_data import hidden_data_keys, tasks_without_keys, without_keys
from tasks.models import Task
from tasks.services import purge_entities

logger = logging.getLogger(__name__)

# Field lists of GET /data/assets/with-tasks, in the order of its compact form.
ASSET_FIELDS = (
    "id",
    "name",
    "preview_file_id",
    "description",
    "asset_type_name",
    "asset_type_id",
    "canceled",
    "ready_for",
    "episode_id",
    "casting_episode_ids",
    "is_casting_standby",
    "is_shared",
    "data",
    "tasks",
)
ASSET_TASK_FIELDS = (
    "id",
    "due_date",
    "done_date",
    "duration",
    "entity_id",
    "estimation",
    "end_date",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)


# --- loading and access ---------------------------------------------------------


def load_asset(asset_id):
    """The asset ``asset_id``: 400 for a malformed id, 404 when it is not an asset."""
    from kitsu_backend.api.views import get_or_404

    return get_or_404(Asset.objects.all(), asset_id)


def load_asset_type(asset_type_id):
    from kitsu_backend.api.views import get_or_404

    return get_or_404(AssetType.objects.all(), asset_type_id)


def load_project(project_id):
    from kitsu_backend.api.views import get_or_404

    return get_or_404(Project.objects.all(), project_id)


def is_assigned_to_entity(person, entity_id):
    return Task.objects.filter(entity_id=entity_id, id__in=assigned_task_ids(person.pk)).exists()


def check_entity_read(person, entity):
    """The caller's role in the entity's project; vendors must be assigned to it (403)."""
    role = access.check_project_access(person, entity.project_id)
    if role == roles.VENDOR and not is_assigned_to_entity(person, entity.pk):
        raise Forbidden()
    return role


def check_entity_delete(person, entity):
    """Managers of the project, or the person who created the entity."""
    role = access.check_project_access(person, entity.project_id)
    if role in (roles.ADMIN, roles.MANAGER):
        return role
    if entity.created_by is not None and str(entity.created_by) == str(person.pk):
        return role
    raise Forbidden()


# --- reading --------------------------------------------------------------------


def scope_assets(person, queryset, role=None):
    """Narrow an asset queryset to what ``person`` may list.

    ``role`` is the caller's role in the project the query is limited to;
    without it the global role is used, over every project the person reaches.
    """
    queryset = access.scope_to_projects(person, queryset)
    if (role or person.role) == roles.VENDOR:
        entity_ids = Task.objects.filter(id__in=assigned_task_ids(person.pk)).values("entity_id")
        queryset = queryset.filter(id__in=entity_ids)
    return queryset


def filter_by_episode(queryset, episode_id):
    """Assets of an episode: those whose main episode it is, and those cast in it.

    ``main`` keeps the assets without episode, ``all`` keeps everything.
    """
    if episode_id in (None, "", "all"):
        return queryset
    if episode_id == "main":
        return queryset.filter(source_id__isnull=True)
    cast_ids = EntityLink.objects.filter(entity_in_id=episode_id).values("entity_out_id")
    return queryset.filter(Q(source_id=episode_id) | Q(id__in=cast_ids))


def asset_rows(queryset, viewer=None):
    """Entity rows (``type`` "Asset") of an asset queryset, ordered by name."""
    return serialize_entities(queryset.order_by("name", "id"), viewer=viewer)


def asset_types_rows(queryset, relations=False):
    return serialize_rows(AssetType, queryset.order_by("name"), relations=relations)


def project_asset_types(project_id):
    """Asset types used by at least one asset of the project."""
    used = Asset.objects.filter(project_id=project_id).values("entity_type_id")
    return asset_types_rows(AssetType.objects.filter(id__in=used))


def shot_asset_types(shot_id):
    """Asset types of the assets cast in a shot."""
    cast = EntityLink.objects.filter(entity_in_id=shot_id).values("entity_out__entity_type_id")
    return asset_types_rows(AssetType.objects.filter(id__in=cast))


def assets_with_tasks(
    person,
    project_id=None,
    episode_id=None,
    asset_type_id=None,
    asset_id=None,
    visibility=EVERYTHING,
):
    """Rows of ``GET /data/assets/with-tasks`` (``ASSET_FIELDS``, tasks as ``ASSET_TASK_FIELDS``).

    Five queries whatever the number of assets: assets with their type name,
    episode casting links, tasks, assignees and the caller's subscriptions.
    Canceled assets are listed (Kitsu greys them out).
    """
    assets = Asset.objects.all()
    if project_id is not None:
        assets = assets.filter(project_id=project_id)
    else:
        assets = access.scope_to_projects(person, assets)
    if asset_id is not None:
        assets = assets.filter(id=asset_id)
    if asset_type_id is not None:
        assets = assets.filter(entity_type_id=asset_type_id)
    assets = filter_by_episode(assets, episode_id)
    entity_condition = visibility.entity_filter()
    if entity_condition is not None:
        assets = assets.filter(entity_condition)

    rows = list(
        assets.order_by("entity_type__name", "name", "id").values(
            "id",
            "name",
            "preview_file_id",
            "description",
            "entity_type__name",
            "entity_type_id",
            "canceled",
            "ready_for",
            "source_id",
            "is_casting_standby",
            "is_shared",
            "data",
            "project_id",
        )
    )
    if not rows:
        return []
    asset_ids = assets.values("id")
    # Metadata columns clients and vendors may not read (no query for staff).
    hidden = hidden_data_keys(person, {row["project_id"] for row in rows})

    episode_links = EntityLink.objects.filter(
        entity_in__entity_type__name=EPISODE, entity_out_id__in=asset_ids
    )
    if project_id is not None:
        episode_links = episode_links.filter(entity_in__project_id=project_id)
    casting_episodes = {}
    for asset_key, episode_key in episode_links.order_by("entity_in__name").values_list(
        "entity_out_id", "entity_in_id"
    ):
        casting_episodes.setdefault(asset_key, []).append(episode_key)

    tasks = collect_tasks(asset_ids, ASSET_TASK_FIELDS, person, visibility)
    result = []
    for row in rows:
        key = row["id"]
        # Zou writes an empty preview and episode as "" and ``ready_for`` as
        # the string of its value ("None" when unset) in this listing.
        result.append(
            {
                "id": key,
                "name": row["name"],
                "preview_file_id": str(row["preview_file_id"] or ""),
                "description": row["description"],
                "asset_type_name": row["entity_type__name"],
                "asset_type_id": row["entity_type_id"],
                "canceled": row["canceled"],
                "ready_for": str(row["ready_for"]),
                "episode_id": str(row["source_id"] or ""),
                "casting_episode_ids": casting_episodes.get(key, []),
                "is_casting_standby": row["is_casting_standby"],
                "is_shared": row["is_shared"],
                "data": without_keys(row["data"] or {}, hidden.get(row["project_id"])),
                "tasks": tasks_without_keys(tasks.get(key, []), hidden.get(row["project_id"])),
            }
        )
    return result


def full_asset(person, asset, visibility=EVERYTHING):
    """``GET /data/assets/{asset_id}``: the entity row with relations, names and tasks."""
    row = serialize_entity(asset, relations=True, viewer=person)
    row.pop("source_id", None)
    row.pop("nb_frames", None)
    names = (
        Entity.objects.filter(pk=asset.pk)
        .values("project__name", "entity_type__name", "entity_type_id")
        .get()
    )
    row["project_name"] = names["project__name"]
    row["asset_type_id"] = names["entity_type_id"]
    row["asset_type_name"] = names["entity_type__name"]
    listed = assets_with_tasks(person, asset_id=asset.pk, visibility=visibility)
    if listed:
        row.update(listed[0])
    return row


def asset_tasks(asset_id, visibility=EVERYTHING):
    """``GET /data/assets/{asset_id}/tasks``: task rows with project, type, status, entity names."""
    from kitsu_backend.api.serialization import columns

    names = columns(Task)
    tasks = Task.objects.filter(entity_id=asset_id)
    condition = visibility.task_filter()
    if condition is not None:
        tasks = tasks.filter(condition)
    rows = tasks.order_by("task_type__priority", "task_type__name", "name").values(
        *names,
        "project__name",
        "task_type__name",
        "task_status__name",
        "entity__entity_type__name",
        "entity__name",
    )
    result = []
    for row in rows:
        task = {name: row[name] for name in names}
        task["type"] = "Task"
        task["project_name"] = row["project__name"]
        task["task_type_name"] = row["task_type__name"]
        task["task_status_name"] = row["task_status__name"]
        task["entity_type_name"] = row["entity__entity_type__name"]
        task["entity_name"] = row["entity__name"]
        result.append(task)
    return result


def asset_task_types(asset_id, visibility=EVERYTHING):
    from tasks.models import TaskType

    tasks = Task.objects.filter(entity_id=asset_id)
    condition = visibility.task_filter()
    if condition is not None:
        tasks = tasks.filter(condition)
    task_types = TaskType.objects.filter(id__in=tasks.values("task_type_id"))
    return serialize_rows(TaskType, task_types.order_by("priority", "name"))


# --- writing --------------------------------------------------------------------


def create_asset(
    project,
    asset_type,
    name,
    created_by,
    description=None,
    data=None,
    episode_id=None,
    is_shared=False,
):
    """Create an asset; 400 when the name is taken or the episode is not of the project.

    As in Zou, no task is created here: task creation is a separate call.
    """
    episode = None
    if episode_id:
        episode = Entity.objects.filter(
            pk=episode_id, project_id=project.pk, entity_type__name=EPISODE
        ).first()
        if episode is None:
            raise WrongParameter("The episode does not belong to this project.")
    if Asset.objects.filter(
        project_id=project.pk, entity_type_id=asset_type.pk, name=name, parent__isnull=True
    ).exists():
        raise WrongParameter("An asset with this name already exists for this type.")
    try:
        with transaction.atomic():
            asset = Asset.objects.create(
                project=project,
                entity_type=asset_type,
                name=name,
                description=description,
                data=data if data is not None else {},
                source=episode,
                is_shared=bool(is_shared),
                created_by=created_by,
            )
            events.emit(
                "asset:new",
                {"asset_id": asset.pk, "asset_type": asset_type.pk},
                project_id=project.pk,
            )
    except IntegrityError:
        raise WrongParameter("An asset with this name already exists for this type.") from None
    logger.info("Asset %s created in project %s", asset.pk, project.pk)
    return asset


def remove_entity(entity, kind, force=False):
    """Zou's entity deletion: cancel when it has tasks, delete when forced or bare.

    ``kind`` is the event prefix and id key (``asset``, ``concept``).
    Returns True when the entity was deleted, False when it was canceled.
    """
    has_tasks = Task.objects.filter(entity_id=entity.pk).exists()
    project_id = entity.project_id
    with transaction.atomic():
        if has_tasks and not force:
            Entity.objects.filter(pk=entity.pk).update(canceled=True)
            events.emit(f"{kind}:update", {f"{kind}_id": entity.pk}, project_id=project_id)
            logger.info("%s %s canceled", kind.capitalize(), entity.pk)
            return False
        purge_entities([entity.pk])
        events.emit(f"{kind}:delete", {f"{kind}_id": entity.pk}, project_id=project_id)
    logger.info("%s %s deleted", kind.capitalize(), entity.pk)
    return True


def set_shared(assets, is_shared):
    """Flag ``assets`` (a queryset) as shared or not; returns their rows after the change."""
    with transaction.atomic():
        changed = list(assets.values_list("id", "project_id"))
        Entity.objects.filter(id__in=[asset_id for asset_id, _ in changed]).update(
            is_shared=bool(is_shared)
        )
        for asset_id, project_id in changed:
            events.emit("asset:update", {"asset_id": asset_id}, project_id=project_id)
    return serialize_entities(
        Asset.objects.filter(id__in=[asset_id for asset_id, _ in changed]).order_by("name")
    )


def shared_assets_used(project_id, episode_id=None):
    """Shared assets of other productions cast in shots of this one."""
    shots = Entity.objects.filter(project_id=project_id, entity_type__name="Shot")
    if episode_id not in (None, "", "main", "all"):
        shots = shots.filter(parent__parent_id=episode_id)
    cast = EntityLink.objects.filter(entity_in_id__in=shots.values("id")).values("entity_out_id")
    assets = (
        Asset.objects.filter(id__in=cast, is_shared=True, canceled=False)
        .exclude(project_id=project_id)
        .order_by("name", "id")
    )
    return serialize_entities(assets)


def asset_type_row(asset_type):
    row = serialize_instance(asset_type, relations=True)
    row["type"] = "AssetType"
    return row
