"""The breakdown: which assets are cast in which shots, sequences, episodes and assets.

A casting link is an ``entity_link`` row (``entity_in`` uses ``entity_out``)
with ``nb_occurences`` and a ``label``. Casting an asset in a shot of an
episode also casts it in the episode, so that the episode casting is derived
from its shots. Asset instances are a separate, finer representation
(one row per placement) that is not kept in sync with the links.
"""

import logging
import re
import unicodedata

from django.db import transaction
from django.db.models import Count, Max, Q

from assets.models import Asset
from kitsu_backend.api import events
from kitsu_backend.api.exceptions import WrongParameter
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.models import (
    EPISODE,
    SHOT,
    AssetInstance,
    AssetInstanceLink,
    Entity,
    EntityLink,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from productions.presentation import kind_of
from tasks.models import Task

logger = logging.getLogger(__name__)

LINK_COLUMNS = (
    "entity_in_id",
    "entity_out_id",
    "nb_occurences",
    "label",
    "entity_out__name",
    "entity_out__entity_type__name",
    "entity_out__preview_file_id",
    "entity_out__is_shared",
    "entity_out__project_id",
)


def _visible_links():
    """Casting links whose asset is not canceled, in asset type then name order."""
    return EntityLink.objects.filter(entity_out__canceled=False).order_by(
        "entity_out__entity_type__name", "entity_out__name", "entity_out_id"
    )


def _keyed_entry(row, extra=None):
    entry = {
        "asset_id": row["entity_out_id"],
        "name": row["entity_out__name"],
        "asset_name": row["entity_out__name"],
        "asset_type_name": row["entity_out__entity_type__name"],
    }
    if extra:
        entry.update(extra)
    entry.update(
        {
            "preview_file_id": row["entity_out__preview_file_id"],
            "nb_occurences": row["nb_occurences"],
            "label": row["label"],
            "is_shared": row["entity_out__is_shared"],
            "project_id": row["entity_out__project_id"],
        }
    )
    return entry


def entity_casting(entity_id):
    """``GET .../entities/{entity_id}/casting``: the assets an entity uses (one query)."""
    rows = (
        _visible_links()
        .filter(entity_in_id=entity_id)
        .values(*LINK_COLUMNS, "entity_out__ready_for", "entity_out__source_id")
    )
    return [
        {
            "asset_id": row["entity_out_id"],
            "asset_name": row["entity_out__name"],
            "asset_type_name": row["entity_out__entity_type__name"],
            "ready_for": row["entity_out__ready_for"],
            "episode_id": row["entity_out__source_id"],
            "preview_file_id": row["entity_out__preview_file_id"],
            "nb_occurences": row["nb_occurences"],
            "label": row["label"],
            "is_shared": row["entity_out__is_shared"],
            "project_id": row["entity_out__project_id"],
        }
        for row in rows
    ]


def shots_casting(project_id, sequence_id=None, episode_id=None):
    """Casting of the shots of a project, a sequence or an episode, keyed by shot id."""
    links = _visible_links().filter(
        entity_in__project_id=project_id, entity_in__entity_type__name=SHOT
    )
    if sequence_id is not None:
        links = links.filter(entity_in__parent_id=sequence_id)
    if episode_id == "main":
        return {}
    if episode_id not in (None, "", "all"):
        links = links.filter(entity_in__parent__parent_id=episode_id)
    links = links.order_by(
        "entity_in__parent__name",
        "entity_in__name",
        "entity_out__entity_type__name",
        "entity_out__name",
    )
    castings = {}
    for row in links.values(*LINK_COLUMNS, "entity_in__parent__name"):
        castings.setdefault(row["entity_in_id"], []).append(
            _keyed_entry(row, {"sequence_name": row["entity_in__parent__name"]})
        )
    return castings


def episodes_casting(project_id):
    """Casting of every episode of a project, keyed by episode id."""
    links = _visible_links().filter(
        entity_in__project_id=project_id, entity_in__entity_type__name=EPISODE
    )
    castings = {}
    for row in links.values(*LINK_COLUMNS):
        castings.setdefault(row["entity_in_id"], []).append(_keyed_entry(row))
    return castings


def asset_type_casting(project_id, asset_type_id):
    """Casting of every asset of one type, keyed by the using asset's id."""
    links = _visible_links().filter(
        entity_in__project_id=project_id, entity_in__entity_type_id=asset_type_id
    )
    castings = {}
    for row in links.values(*LINK_COLUMNS):
        castings.setdefault(row["entity_in_id"], []).append(_keyed_entry(row))
    return castings


def linked_assets(entity_id):
    """``GET /data/assets/{asset_id}/assets``: the asset rows an entity uses."""
    from productions.presentation import serialize_entities

    used = EntityLink.objects.filter(entity_in_id=entity_id).values("entity_out_id")
    return serialize_entities(Entity.objects.filter(id__in=used).order_by("name"))


def cast_in(asset_id):
    """Shots (with sequence and episode) and assets that use an asset."""
    links = EntityLink.objects.filter(entity_out_id=asset_id, entity_in__canceled=False)
    result = []
    shot_links = links.filter(entity_in__entity_type__name=SHOT).order_by(
        "entity_in__parent__parent__name", "entity_in__parent__name", "entity_in__name"
    )
    for row in shot_links.values(
        "entity_in_id",
        "entity_in__name",
        "entity_in__parent__name",
        "entity_in__parent__parent_id",
        "entity_in__parent__parent__name",
        "entity_in__preview_file_id",
        "nb_occurences",
    ):
        episode_id = row["entity_in__parent__parent_id"]
        result.append(
            {
                "shot_id": row["entity_in_id"],
                "shot_name": row["entity_in__name"],
                "sequence_name": row["entity_in__parent__name"],
                "episode_id": str(episode_id) if episode_id else None,
                "episode_name": row["entity_in__parent__parent__name"],
                "preview_file_id": row["entity_in__preview_file_id"],
                "nb_occurences": row["nb_occurences"],
            }
        )
    asset_links = links.filter(entity_in__in=Asset.objects.values("id")).order_by(
        "entity_in__entity_type__name", "entity_in__name"
    )
    for row in asset_links.values(
        "entity_in_id",
        "entity_in__name",
        "entity_in__entity_type__name",
        "entity_in__preview_file_id",
        "nb_occurences",
    ):
        result.append(
            {
                "asset_id": row["entity_in_id"],
                "asset_name": row["entity_in__name"],
                "asset_type_name": row["entity_in__entity_type__name"],
                "preview_file_id": row["entity_in__preview_file_id"],
                "nb_occurences": row["nb_occurences"],
            }
        )
    return result


# --- casting updates -----------------------------------------------------------


def parse_casting(body):
    """Validate a casting body: a list of ``{asset_id, nb_occurences, label?}``."""
    from kitsu_backend.api.views import parse_uuid

    if not isinstance(body, list):
        raise WrongParameter("The casting must be a list of {asset_id, nb_occurences}.")
    casting = {}
    for item in body:
        if not isinstance(item, dict) or "asset_id" not in item:
            raise WrongParameter("Each casting entry needs an asset_id.")
        asset_id = parse_uuid(item["asset_id"])
        nb_occurences = item.get("nb_occurences", 1)
        if isinstance(nb_occurences, bool) or not isinstance(nb_occurences, int):
            try:
                nb_occurences = int(nb_occurences)
            except (TypeError, ValueError):
                raise WrongParameter("nb_occurences must be a whole number.") from None
        if nb_occurences < 0:
            raise WrongParameter("nb_occurences must be positive.")
        label = item.get("label") or ""
        if not isinstance(label, str):
            raise WrongParameter("label must be a string.")
        casting[asset_id] = {"nb_occurences": nb_occurences, "label": label[:80]}
    return casting


def check_castable(entity, asset_ids):
    """400 unless every id is an asset of the entity's project or a shared asset."""
    if not asset_ids:
        return
    found = set(
        Asset.objects.filter(id__in=asset_ids)
        .filter(Q(project_id=entity.project_id) | Q(is_shared=True))
        .values_list("id", flat=True)
    )
    missing = [str(asset_id) for asset_id in asset_ids if asset_id not in found]
    if missing:
        raise WrongParameter(
            "Only assets of this production or shared assets can be cast.",
            data={"asset_ids": missing},
        )
    if entity.pk in found:
        raise WrongParameter("An asset cannot be cast in itself.")


def update_casting(entity, casting):
    """Replace the casting of ``entity`` with ``casting`` (``{asset_id: {nb_occurences, label}}``).

    Runs in one transaction. Emits ``entity-link:new|update`` per link, then
    ``<kind>:casting-update`` with the added and removed asset ids; for a shot
    the episode casting follows and the readiness counters of its tasks are
    recomputed. Returns the casting as ``[{asset_id, nb_occurences, label}]``.
    """
    kind = kind_of(entity.entity_type.name)
    check_castable(entity, list(casting))
    project_id = entity.project_id
    with transaction.atomic():
        existing = {
            link.entity_out_id: link
            for link in EntityLink.objects.select_for_update().filter(entity_in_id=entity.pk)
        }
        removed = [asset_id for asset_id in existing if asset_id not in casting]
        added = [asset_id for asset_id in casting if asset_id not in existing]
        if removed:
            EntityLink.objects.filter(entity_in_id=entity.pk, entity_out_id__in=removed).delete()
        new_links = []
        for asset_id, values in casting.items():
            link = existing.get(asset_id)
            if link is None:
                new_links.append(
                    EntityLink(
                        entity_in_id=entity.pk,
                        entity_out_id=asset_id,
                        nb_occurences=values["nb_occurences"],
                        label=values["label"],
                    )
                )
            elif (link.nb_occurences, link.label) != (values["nb_occurences"], values["label"]):
                link.nb_occurences = values["nb_occurences"]
                link.label = values["label"]
                link.save(update_fields=["nb_occurences", "label", "updated_at"])
                events.emit(
                    "entity-link:update",
                    {"entity_link_id": link.pk, "nb_occurences": link.nb_occurences},
                    project_id=project_id,
                )
        EntityLink.objects.bulk_create(new_links)
        for link in new_links:
            events.emit(
                "entity-link:new",
                {
                    "entity_link_id": link.pk,
                    "entity_in_id": link.entity_in_id,
                    "entity_out_id": link.entity_out_id,
                    "nb_occurences": link.nb_occurences,
                },
                project_id=project_id,
            )
        nb_entities_out = len(casting)
        Entity.objects.filter(pk=entity.pk).update(nb_entities_out=nb_entities_out)

        if kind == SHOT:
            episode_id = (
                Entity.objects.filter(pk=entity.parent_id)
                .values_list("parent_id", flat=True)
                .first()
                if entity.parent_id
                else None
            )
            if episode_id is not None:
                sync_episode_casting(episode_id, project_id, added, removed)
            refresh_shot_casting_stats([entity.pk], project_id)
        elif kind == EPISODE and removed:
            _remove_from_episode_shots(entity.pk, removed, project_id)

        event_kind = kind.lower() if kind in (SHOT, EPISODE) else "asset"
        events.emit(
            f"{event_kind}:casting-update",
            {
                f"{event_kind}_id": str(entity.pk),
                "nb_entities_out": nb_entities_out,
                "added_asset_ids": [str(asset_id) for asset_id in added],
                "removed_asset_ids": [str(asset_id) for asset_id in removed],
            },
            project_id=project_id,
        )
    logger.info("Casting of %s %s updated (%d assets)", kind, entity.pk, nb_entities_out)
    return [
        {
            "asset_id": str(asset_id),
            "nb_occurences": values["nb_occurences"],
            "label": values["label"],
        }
        for asset_id, values in casting.items()
    ]


def sync_episode_casting(episode_id, project_id, added, removed):
    """Follow a shot casting change on the shot's episode.

    Assets newly cast in the shot get cast in the episode (once); assets
    removed from the shot leave the episode when no other shot of the episode
    uses them any more. Assets cast directly in the episode are kept.
    """
    episode_shots = Entity.objects.filter(parent__parent_id=episode_id, entity_type__name=SHOT)
    existing = set(
        EntityLink.objects.filter(entity_in_id=episode_id).values_list("entity_out_id", flat=True)
    )
    to_add = [asset_id for asset_id in added if asset_id not in existing]
    still_used = set(
        EntityLink.objects.filter(
            entity_in_id__in=episode_shots.values("id"), entity_out_id__in=removed
        ).values_list("entity_out_id", flat=True)
    )
    to_remove = [
        asset_id for asset_id in removed if asset_id in existing and asset_id not in still_used
    ]
    if not to_add and not to_remove:
        return
    EntityLink.objects.bulk_create(
        [
            EntityLink(entity_in_id=episode_id, entity_out_id=asset_id, nb_occurences=1)
            for asset_id in to_add
        ]
    )
    EntityLink.objects.filter(entity_in_id=episode_id, entity_out_id__in=to_remove).delete()
    nb_entities_out = EntityLink.objects.filter(entity_in_id=episode_id).count()
    Entity.objects.filter(pk=episode_id).update(nb_entities_out=nb_entities_out)
    for asset_id in [*to_add, *to_remove]:
        events.emit("asset:update", {"asset_id": asset_id}, project_id=project_id)
    events.emit(
        "episode:casting-update",
        {
            "episode_id": str(episode_id),
            "nb_entities_out": nb_entities_out,
            "added_asset_ids": [str(asset_id) for asset_id in to_add],
            "removed_asset_ids": [str(asset_id) for asset_id in to_remove],
        },
        project_id=project_id,
    )


def _remove_from_episode_shots(episode_id, asset_ids, project_id):
    """Removing an asset from an episode removes it from the episode's shots too."""
    links = EntityLink.objects.filter(
        entity_in__parent__parent_id=episode_id,
        entity_in__entity_type__name=SHOT,
        entity_out_id__in=asset_ids,
    )
    removed_by_shot = {}
    for shot_id, asset_id in links.values_list("entity_in_id", "entity_out_id"):
        removed_by_shot.setdefault(shot_id, []).append(asset_id)
    if not removed_by_shot:
        return
    links.delete()
    remaining = dict(
        EntityLink.objects.filter(entity_in_id__in=list(removed_by_shot))
        .values("entity_in_id")
        .annotate(total=Count("id"))
        .values_list("entity_in_id", "total")
    )
    for shot_id, removed in removed_by_shot.items():
        nb_entities_out = remaining.get(shot_id, 0)
        Entity.objects.filter(pk=shot_id).update(nb_entities_out=nb_entities_out)
        events.emit(
            "shot:casting-update",
            {
                "shot_id": str(shot_id),
                "nb_entities_out": nb_entities_out,
                "added_asset_ids": [],
                "removed_asset_ids": [str(asset_id) for asset_id in removed],
            },
            project_id=project_id,
        )
    refresh_shot_casting_stats(list(removed_by_shot), project_id)


def task_type_priorities(project_id):
    """``{task_type_id: priority}``: the pipeline order of the project.

    The project's own order (``project_task_type_link.priority``) wins; the
    task type's studio priority fills the gaps.
    """
    links = ProjectTaskTypeLink.objects.filter(project_id=project_id).values_list(
        "task_type_id", "priority", "task_type__priority"
    )
    return {
        task_type_id: (priority if priority is not None else default)
        for task_type_id, priority, default in links
    }


def refresh_shot_casting_stats(shot_ids, project_id):
    """Recount ``nb_assets_ready`` on the tasks of the given shots.

    An asset is ready for a task when its ``ready_for`` task type comes at or
    after the task's type in the project's pipeline order; shared assets of
    another production always count as ready. Each task gets a non-persisted
    ``task:update-casting-stats`` event. Four queries whatever the number
    of shots, plus one update per task whose count changed.
    """
    priorities = task_type_priorities(project_id)
    cast = {}
    for shot_id, ready_for, asset_project_id, is_shared in EntityLink.objects.filter(
        entity_in_id__in=shot_ids
    ).values_list(
        "entity_in_id", "entity_out__ready_for", "entity_out__project_id", "entity_out__is_shared"
    ):
        cast.setdefault(shot_id, []).append(
            (ready_for, is_shared and str(asset_project_id) != str(project_id))
        )
    tasks = list(
        Task.objects.filter(entity_id__in=shot_ids).values_list(
            "id", "entity_id", "task_type_id", "nb_assets_ready"
        )
    )
    for task_id, shot_id, task_type_id, previous in tasks:
        task_priority = priorities.get(task_type_id) or 0
        nb_ready = 0
        for ready_for, is_foreign_shared in cast.get(shot_id, []):
            if is_foreign_shared:
                nb_ready += 1
            elif ready_for is not None:
                ready_priority = priorities.get(ready_for)
                if ready_priority is not None and task_priority <= ready_priority:
                    nb_ready += 1
        if nb_ready != previous:
            Task.objects.filter(pk=task_id).update(nb_assets_ready=nb_ready)
        events.emit(
            "task:update-casting-stats",
            {"task_id": task_id, "nb_assets_ready": nb_ready},
            project_id=project_id,
            persist=False,
        )


# --- entity links ----------------------------------------------------------------


def delete_entity_link(link):
    """Remove one casting link and keep the counters of the using entity right."""
    with transaction.atomic():
        entity = Entity.objects.select_related("entity_type").get(pk=link.entity_in_id)
        casting = {
            asset_id: {"nb_occurences": nb, "label": label or ""}
            for asset_id, nb, label in EntityLink.objects.filter(entity_in_id=entity.pk)
            .exclude(pk=link.pk)
            .values_list("entity_out_id", "nb_occurences", "label")
        }
        events.emit("entity-link:delete", {"entity_link_id": link.pk}, project_id=entity.project_id)
        update_casting(entity, casting)


# --- asset instances -----------------------------------------------------------


def _slug(name):
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def instance_row(instance):
    return serialize_instance(instance, relations=False)


def group_instances(queryset, key):
    """Instance rows grouped by ``key`` (a column of the instance), in number order."""
    rows = serialize_rows(AssetInstance, queryset.order_by("asset_id", "number"))
    result = {}
    for row in rows:
        result.setdefault(str(row[key]), []).append(row)
    return result


def scene_instances(scene_id, asset_type_id=None):
    queryset = AssetInstance.objects.filter(scene_id=scene_id)
    if asset_type_id is not None:
        queryset = queryset.filter(asset__entity_type_id=asset_type_id)
    return group_instances(queryset, "asset_id")


def camera_instances(scene_id):
    camera = get_or_create_entity_type("Camera")
    return scene_instances(scene_id, camera.pk)


def asset_instances_in_asset(asset_id):
    return group_instances(AssetInstance.objects.filter(target_asset_id=asset_id), "asset_id")


def shot_instances(shot_id):
    instance_ids = AssetInstanceLink.objects.filter(entity_id=shot_id).values("asset_instance_id")
    return group_instances(AssetInstance.objects.filter(id__in=instance_ids), "asset_id")


def shot_instances_of_asset(asset_id):
    """``{shot_id: [instance rows]}`` for the instances of an asset placed in shots."""
    instances = {
        row["id"]: row
        for row in serialize_rows(
            AssetInstance, AssetInstance.objects.filter(asset_id=asset_id).order_by("number")
        )
    }
    result = {}
    links = AssetInstanceLink.objects.filter(asset_instance_id__in=list(instances)).order_by(
        "asset_instance__number"
    )
    for shot_id, instance_id in links.values_list("entity_id", "asset_instance_id"):
        result.setdefault(str(shot_id), []).append(instances[instance_id])
    return result


def scene_instances_of_asset(asset_id):
    return group_instances(
        AssetInstance.objects.filter(asset_id=asset_id, scene_id__isnull=False), "scene_id"
    )


def create_instance(asset, project_id, description="", scene=None, target_asset=None):
    """Place ``asset`` in a scene or inside another asset, numbered after the last one."""
    if asset.project_id != project_id and not asset.is_shared:
        raise WrongParameter("The asset belongs to another production.")
    with transaction.atomic():
        siblings = AssetInstance.objects.select_for_update().filter(
            asset_id=asset.pk,
            scene_id=scene.pk if scene else None,
            target_asset_id=target_asset.pk if target_asset else None,
        )
        number = (siblings.aggregate(last=Max("number"))["last"] or 0) + 1
        instance = AssetInstance.objects.create(
            asset=asset,
            scene=scene,
            target_asset=target_asset,
            number=number,
            name=f"{_slug(asset.name)}_{number:04d}",
            description=description or "",
        )
        data = {"asset_id": asset.pk, "asset_instance_id": instance.pk}
        if scene is not None:
            data["scene_id"] = scene.pk
        else:
            data = {
                "asset_id": target_asset.pk,
                "asset_instantiated": asset.pk,
                "asset_instance_id": instance.pk,
            }
        events.emit("asset_instance:new", data, project_id=project_id)
    return instance


def add_instance_to_shot(shot, instance):
    with transaction.atomic():
        AssetInstanceLink.objects.get_or_create(entity_id=shot.pk, asset_instance_id=instance.pk)
        events.emit(
            "asset_instance:add-to-shot",
            {"shot_id": shot.pk, "asset_instance_id": instance.pk},
            project_id=shot.project_id,
        )


def remove_instance_from_shot(shot, instance):
    with transaction.atomic():
        AssetInstanceLink.objects.filter(entity_id=shot.pk, asset_instance_id=instance.pk).delete()
        events.emit(
            "asset_instance:remove-from-shot",
            {"shot_id": shot.pk, "asset_instance_id": instance.pk},
            project_id=shot.project_id,
        )
