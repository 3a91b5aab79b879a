"""Concepts (concept art under review) and the folders that file them.

Concepts are entities of the ``Concept`` kind; their tasks use the statuses
flagged ``for_concept``. Folders are entities of the ``ConceptFolder`` kind
and a concept's ``parent`` is its folder.
"""

import logging

from django.db import IntegrityError, transaction

from assets.models import Concept, ConceptFolder
from assets.services import remove_entity
from assets.with_tasks import EVERYTHING, collect_tasks
from kitsu_backend.api import events
from kitsu_backend.api.exceptions import WrongParameter
from kitsu_backend.api.serialization import serialize_rows
from productions.models import Entity, EntityConceptLink
from productions.presentation import serialize_entities, serialize_entity
from tasks.models import PreviewFile

logger = logging.getLogger(__name__)

CONCEPT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "end_date",
    "entity_id",
    "estimation",
    "is_subscribed",
    "last_comment_date",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)


def concept_rows(queryset, viewer=None):
    """Entity rows of concepts with their ``project_name``."""
    queryset = queryset.order_by("name", "id")
    rows = serialize_entities(queryset, viewer=viewer)
    names = dict(queryset.values_list("id", "project__name"))
    for row in rows:
        row["project_name"] = names.get(row["id"])
    return rows


def concepts_with_tasks(person, concepts, visibility=EVERYTHING):
    """Concept rows with their tasks and linked entities (four to six queries)."""
    entity_condition = visibility.entity_filter()
    if entity_condition is not None:
        concepts = concepts.filter(entity_condition)
    rows = list(
        concepts.order_by("name", "id").values(
            "id",
            "name",
            "description",
            "data",
            "canceled",
            "entity_type_id",
            "parent_id",
            "preview_file_id",
            "source_id",
            "nb_frames",
            "nb_entities_out",
            "is_casting_standby",
            "created_by",
            "created_at",
            "updated_at",
            "project_id",
            "project__name",
        )
    )
    if not rows:
        return []
    ids = concepts.values("id")
    tasks = collect_tasks(ids, CONCEPT_TASK_FIELDS, person, visibility)
    links = {}
    for concept_id, entity_id in EntityConceptLink.objects.filter(entity_in_id__in=ids).values_list(
        "entity_in_id", "entity_out_id"
    ):
        links.setdefault(concept_id, []).append(entity_id)
    result = []
    for row in rows:
        data = row["data"] or {}
        result.append(
            {
                "canceled": row["canceled"],
                "data": data,
                "description": row["description"],
                "entity_type_id": row["entity_type_id"],
                "fps": data.get("fps"),
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "id": row["id"],
                "name": row["name"],
                "nb_frames": row["nb_frames"],
                "parent_id": row["parent_id"],
                "preview_file_id": row["preview_file_id"],
                "project_id": row["project_id"],
                "project_name": row["project__name"],
                "source_id": row["source_id"],
                "nb_entities_out": row["nb_entities_out"],
                "is_casting_standby": row["is_casting_standby"],
                "tasks": tasks.get(row["id"], []),
                "entity_concept_links": links.get(row["id"], []),
                "type": "Concept",
                "updated_at": row["updated_at"],
                "created_at": row["created_at"],
                "created_by": row["created_by"],
            }
        )
    return result


def full_concept(person, concept, visibility=EVERYTHING):
    listed = concepts_with_tasks(person, Concept.objects.filter(pk=concept.pk), visibility)
    row = listed[0] if listed else {}
    row.update(serialize_entity(concept, relations=True, viewer=person))
    return row


def concept_preview_files(concept_id):
    previews = PreviewFile.objects.filter(task__entity_id=concept_id).order_by(
        "-revision", "position", "-created_at"
    )
    return serialize_rows(PreviewFile, previews)


def _linked_entity_ids(project_id, entity_ids):
    """Validate the entities a concept illustrates: ids of the same production."""
    from kitsu_backend.api.views import parse_uuid

    if entity_ids in (None, ""):
        return []
    if not isinstance(entity_ids, list):
        raise WrongParameter("entity_concept_links must be a list of entity ids.")
    ids = [parse_uuid(value) for value in entity_ids]
    found = set(
        Entity.objects.filter(id__in=ids, project_id=project_id).values_list("id", flat=True)
    )
    missing = [str(value) for value in ids if value not in found]
    if missing:
        raise WrongParameter(
            "Linked entities must belong to the same production.", data={"ids": missing}
        )
    return ids


def _folder_of(project_id, folder_id):
    from kitsu_backend.api.views import parse_uuid

    if folder_id in (None, ""):
        return None
    folder = ConceptFolder.objects.filter(pk=parse_uuid(folder_id), project_id=project_id).first()
    if folder is None:
        raise WrongParameter("The concept folder does not belong to this project.")
    return folder


def create_concept(project, person, body):
    """Create a concept; a concept of the same name in the project is returned as is."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise WrongParameter("The field name is required.")
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise WrongParameter("data must be an object.")
    links = _linked_entity_ids(project.pk, body.get("entity_concept_links"))
    folder = _folder_of(project.pk, body.get("parent_id") or body.get("concept_folder_id"))
    existing = Concept.objects.filter(project_id=project.pk, name=name).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            concept = Concept.objects.create(
                project=project,
                name=name,
                description=body.get("description"),
                data=data,
                parent=folder,
                created_by=person.pk,
            )
            EntityConceptLink.objects.bulk_create(
                [EntityConceptLink(entity_in=concept, entity_out_id=link) for link in links]
            )
            events.emit("concept:new", {"concept_id": concept.pk}, project_id=project.pk)
    except IntegrityError:
        raise WrongParameter("A concept with this name already exists.") from None
    logger.info("Concept %s created in project %s", concept.pk, project.pk)
    return concept, True


def remove_concept(concept, force=False):
    return remove_entity(concept, "concept", force=force)


def scope_concepts(person, queryset, role=None):
    from assets.services import scope_assets

    return scope_assets(person, queryset, role)


# --- folders -----------------------------------------------------------------------


def folder_rows(project_id):
    return serialize_entities(
        ConceptFolder.objects.filter(project_id=project_id).order_by("name", "id")
    )


def create_folder(project, person, body):
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise WrongParameter("The field name is required.")
    if ConceptFolder.objects.filter(project_id=project.pk, name=name).exists():
        raise WrongParameter("A concept folder with this name already exists.")
    with transaction.atomic():
        folder = ConceptFolder.objects.create(
            project=project,
            name=name,
            description=body.get("description"),
            data=body.get("data") if isinstance(body.get("data"), dict) else {},
            created_by=person.pk,
        )
        events.emit("concept-folder:new", {"concept_folder_id": folder.pk}, project_id=project.pk)
    return folder


def update_folder(folder, body):
    changes = {}
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip():
            raise WrongParameter("The field name cannot be empty.")
        if (
            ConceptFolder.objects.filter(project_id=folder.project_id, name=name)
            .exclude(pk=folder.pk)
            .exists()
        ):
            raise WrongParameter("A concept folder with this name already exists.")
        changes["name"] = name
    if "description" in body:
        changes["description"] = body["description"]
    if "data" in body:
        if body["data"] is not None and not isinstance(body["data"], dict):
            raise WrongParameter("data must be an object.")
        changes["data"] = body["data"]
    with transaction.atomic():
        for key, value in changes.items():
            setattr(folder, key, value)
        folder.save()
        events.emit(
            "concept-folder:update",
            {"concept_folder_id": folder.pk},
            project_id=folder.project_id,
        )
    return folder


def delete_folder(folder):
    """Delete a folder; its concepts stay in the project, out of any folder."""
    with transaction.atomic():
        moved = list(Concept.objects.filter(parent_id=folder.pk).values_list("id", flat=True))
        Entity.objects.filter(id__in=moved).update(parent=None)
        for concept_id in moved:
            events.emit("concept:update", {"concept_id": concept_id}, project_id=folder.project_id)
        Entity.objects.filter(pk=folder.pk).delete()
        events.emit(
            "concept-folder:delete",
            {"concept_folder_id": folder.pk},
            project_id=folder.project_id,
        )


def move_concepts(project, body):
    """Put concepts in a folder (or out of any with ``concept_folder_id`` null)."""
    from kitsu_backend.api.views import parse_uuid

    concept_ids = body.get("concept_ids")
    if not isinstance(concept_ids, list) or not concept_ids:
        raise WrongParameter("concept_ids must be a non-empty list.")
    ids = [parse_uuid(value) for value in concept_ids]
    folder = _folder_of(project.pk, body.get("concept_folder_id"))
    concepts = Concept.objects.filter(id__in=ids, project_id=project.pk)
    found = set(concepts.values_list("id", flat=True))
    missing = [str(value) for value in ids if value not in found]
    if missing:
        raise WrongParameter(
            "Some concepts do not belong to this project.", data={"concept_ids": missing}
        )
    with transaction.atomic():
        Entity.objects.filter(id__in=found).update(parent=folder)
        for concept_id in found:
            events.emit("concept:update", {"concept_id": concept_id}, project_id=project.pk)
    return concept_rows(Concept.objects.filter(id__in=found))
