"""Domain operations on productions: settings, team, metadata columns, schedules,
budgets, preview accounts and project templates.

Views, the admin and commands call these; each write runs in one transaction
and queues its events, which ``events.emit`` sends after commit. Refused
input raises ``ProductionError`` (a 400 for the views) or ``NotFound``.

Task types, task statuses and tasks live in the tasks app, one floor above:
they are reached through the relations of this app's models (the
``task_type`` field of a link, the ``tasks`` reverse relation of an entity),
never imported.
"""

import logging
import secrets
from collections import defaultdict
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, RestrictedError
from django.utils.text import slugify

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource
from kitsu_backend.api.exceptions import NotFound
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from people.models import DayOff, Department, Person, Software
from productions import signals
from productions.access import forget_project_roles, project_roles
from productions.models import (
    EDIT,
    EPISODE,
    PRODUCTION_STYLES,
    RESERVED_ENTITY_TYPE_NAMES,
    SEQUENCE,
    Budget,
    BudgetEntry,
    DepartmentMetadataDescriptorLink,
    Entity,
    EntityLink,
    EntityType,
    MetadataDescriptor,
    PreviewBackgroundFile,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectPreviewBackgroundFileLink,
    ProjectStatus,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTaskTypeSoftwareLink,
    ProjectTemplate,
    ProjectTemplateAssetTypeLink,
    ProjectTemplatePreviewBackgroundFileLink,
    ProjectTemplateStatusAutomationLink,
    ProjectTemplateTaskStatusLink,
    ProjectTemplateTaskTypeLink,
    ScheduleItem,
    StatusAutomation,
    get_or_create_entity_type,
)
from productions.models.configuration import DATA_TYPES

logger = logging.getLogger(__name__)

OPEN = "Open"
CLOSED = "Closed"
# Zou treats these status names as "running" productions.
OPEN_STATUS_NAMES = ("Active", "open", "Open")
PROJECT_ROLES = (roles.ARTIST, roles.SUPERVISOR, roles.MANAGER, roles.CLIENT, roles.VENDOR)
DESCRIPTOR_ENTITY_TYPES = ("Asset", "Shot", "Edit", "Episode", "Sequence", "Project", "Task")
# The all-projects routes do not handle task columns (they need a task type).
ALL_PROJECTS_DESCRIPTOR_ENTITY_TYPES = ("Asset", "Shot", "Edit", "Episode", "Sequence", "Project")
DESCRIPTOR_DATA_TYPES = tuple(code for code, _label in DATA_TYPES)
SCHEDULED_FOR_ENTITIES = ("Asset", "Shot", "Sequence", "Episode", "Edit")
PREVIEW_OPEN_DURATION = timedelta(hours=1)
# Settings a project template carries over to the projects it is applied to.
TEMPLATE_SETTING_FIELDS = (
    "fps",
    "ratio",
    "resolution",
    "production_type",
    "production_style",
    "max_retakes",
    "is_clients_isolated",
    "is_preview_download_allowed",
    "is_set_preview_automated",
    "is_publish_default_for_artists",
    "homepage",
    "hd_bitrate_compression",
    "ld_bitrate_compression",
    "is_client_stats_visible",
    "is_client_task_list_visible",
    "is_client_task_panel_visible",
)
MAX_MOVIE_BITRATE = 28


class ProductionError(Exception):
    """A refused change; views answer it with a 400."""


# --- models of the tasks app, reached through relations ------------------------------


def task_type_model():
    return ProjectTaskTypeLink._meta.get_field("task_type").related_model


def task_status_model():
    return ProjectTaskStatusLink._meta.get_field("task_status").related_model


def _existing(model, object_id, label):
    """The row ``object_id`` of ``model``, or a ProductionError naming it."""
    try:
        return model.objects.get(pk=object_id)
    except (model.DoesNotExist, ValidationError, ValueError, TypeError):
        raise ProductionError(f"{label} with id {object_id} not found") from None


# --- project statuses ----------------------------------------------------------------


def get_or_create_project_status(name):
    status, _created = ProjectStatus.objects.get_or_create(name=name, defaults={"color": "#000000"})
    return status


def open_status_ids():
    return list(
        ProjectStatus.objects.filter(name__in=OPEN_STATUS_NAMES).values_list("id", flat=True)
    )


def is_open(project):
    return ProjectStatus.objects.filter(
        pk=project.project_status_id, name__in=OPEN_STATUS_NAMES
    ).exists()


# --- project presentation ------------------------------------------------------------


def descriptor_filter_for(person, role):
    """What descriptors ``person`` acting as ``role`` sees: a Q, or None for all.

    Clients see the columns flagged ``for_client``; vendors the columns
    without departments or of one of their departments.
    """
    if role == roles.CLIENT:
        return Q(for_client=True)
    if role == roles.VENDOR:
        departments = list(person.departments.values_list("pk", flat=True))
        linked = DepartmentMetadataDescriptorLink.objects.values("metadata_descriptor_id")
        mine = DepartmentMetadataDescriptorLink.objects.filter(
            department_id__in=departments
        ).values("metadata_descriptor_id")
        return ~Q(pk__in=linked) | Q(pk__in=mine)
    return None


def _descriptor_departments(descriptor_ids):
    departments = defaultdict(list)
    for descriptor_id, department_id in DepartmentMetadataDescriptorLink.objects.filter(
        metadata_descriptor_id__in=descriptor_ids
    ).values_list("metadata_descriptor_id", "department_id"):
        departments[descriptor_id].append(department_id)
    return departments


def _short_descriptors(queryset):
    """Descriptors in the reduced form embedded in project payloads, by project id."""
    rows = list(
        queryset.order_by("position", "name").values(
            "id",
            "project_id",
            "name",
            "field_name",
            "data_type",
            "choices",
            "for_client",
            "entity_type",
            "task_type_id",
            "position",
        )
    )
    departments = _descriptor_departments([row["id"] for row in rows])
    by_project = defaultdict(list)
    for row in rows:
        project_id = row.pop("project_id")
        row["for_client"] = bool(row["for_client"])
        row["departments"] = departments.get(row["id"], [])
        by_project[project_id].append(row)
    return by_project


def _first_episodes(project_ids):
    """First episode (by name, running ones first) of each TV show."""
    if not project_ids:
        return {}
    rows = (
        Entity.objects.filter(project_id__in=project_ids, entity_type__name=EPISODE)
        .order_by("project_id", "name")
        .values_list("project_id", "id", "status")
    )
    running, fallback = {}, {}
    for project_id, episode_id, status in rows:
        fallback.setdefault(project_id, episode_id)
        if status == "running":
            running.setdefault(project_id, episode_id)
    return {**fallback, **running}


def projects_with_extras(person, queryset, role_for=None):
    """Projects of ``queryset`` as Zou's user context and project page read them.

    Each row has its relations (id lists), ``descriptors`` visible to the
    caller in that project, ``task_type_links``, ``task_types_priority``,
    ``task_statuses_link`` and, for TV shows, ``first_episode_id``. The
    query count does not depend on the number of projects. ``role_for``
    maps a project id to the caller's role in it (for descriptor visibility).
    """
    rows = serialize_rows(Project, queryset, relations=True)
    if not rows:
        return rows
    project_ids = [row["id"] for row in rows]
    role_for = role_for or (lambda project_id: person.role)
    # Group the projects by the descriptor filter that applies to them, so
    # that every distinct visibility costs one query.
    groups = defaultdict(list)
    for project_id in project_ids:
        role = role_for(project_id)
        groups[role if role in (roles.CLIENT, roles.VENDOR) else None].append(project_id)
    descriptors = {}
    for role, ids in groups.items():
        queryset_descriptors = MetadataDescriptor.objects.filter(project_id__in=ids)
        narrowing = descriptor_filter_for(person, role)
        if narrowing is not None:
            queryset_descriptors = queryset_descriptors.filter(narrowing)
        descriptors.update(_short_descriptors(queryset_descriptors))
    task_type_links = defaultdict(dict)
    for link in ProjectTaskTypeLink.objects.filter(project_id__in=project_ids).values(
        "project_id",
        "task_type_id",
        "priority",
        "hd_bitrate_compression",
        "ld_bitrate_compression",
        "is_client_visible",
    ):
        task_type_links[link.pop("project_id")][str(link.pop("task_type_id"))] = link
    task_status_links = defaultdict(dict)
    for link in ProjectTaskStatusLink.objects.filter(project_id__in=project_ids).values(
        "project_id", "task_status_id", "priority", "roles_for_board", "is_client_allowed"
    ):
        task_status_links[link.pop("project_id")][str(link.pop("task_status_id"))] = link
    tv_shows = [row["id"] for row in rows if row["production_type"] == "tvshow"]
    first_episodes = _first_episodes(tv_shows)
    for row in rows:
        project_id = row["id"]
        row["descriptors"] = descriptors.get(project_id, [])
        links = task_type_links.get(project_id, {})
        row["task_type_links"] = links
        row["task_types_priority"] = {key: link["priority"] for key, link in links.items()}
        row["task_statuses_link"] = task_status_links.get(project_id, {})
        if project_id in first_episodes:
            row["first_episode_id"] = first_episodes[project_id]
    return rows


def project_detail(person, project, role):
    """``GET /data/projects/{id}``: the project with its extras and status name."""
    row = projects_with_extras(person, Project.objects.filter(pk=project.pk), lambda _id: role)[0]
    row["project_status_name"] = (
        ProjectStatus.objects.filter(pk=project.project_status_id)
        .values_list("name", flat=True)
        .first()
    )
    return row


def open_projects(person, name=None):
    """Open projects the person may see (every open project for admins), with extras."""
    queryset = Project.objects.filter(project_status__name__in=OPEN_STATUS_NAMES)
    if name is not None:
        queryset = queryset.filter(name=name)
    if roles.is_admin(person):
        return projects_with_extras(person, queryset.order_by("name"))
    project_role = project_roles(person)
    queryset = queryset.filter(pk__in=list(project_role)).order_by("name")
    return projects_with_extras(person, queryset, lambda project_id: project_role.get(project_id))


def all_projects(queryset):
    """Projects without relations, with their status name and their Project columns."""
    rows = serialize_rows(Project, queryset.order_by("name"))
    status_names = dict(ProjectStatus.objects.values_list("id", "name"))
    descriptors = _short_descriptors(
        MetadataDescriptor.objects.filter(
            project_id__in=[row["id"] for row in rows], entity_type="Project"
        )
    )
    for row in rows:
        row["project_status_name"] = status_names.get(row["project_status_id"])
        row["descriptors"] = descriptors.get(row["id"], [])
    return rows


def present_project(project):
    """A project row without relations, as Zou's settings routes answer."""
    return serialize_instance(project, relations=False)


def _project_changed(project):
    events.emit("project:update", {}, project_id=project.pk)


# --- project creation, update and deletion -------------------------------------------


def validate_project_values(values, current=None):
    """Checks shared by project creation and update (style, resolution, bitrates)."""
    if "production_style" in values:
        if values["production_style"] is None:
            values["production_style"] = "2d3d"
        if values["production_style"] not in dict(PRODUCTION_STYLES):
            raise ProductionError("Invalid production_style")
    resolution = values.get("resolution")
    if resolution not in (None, ""):
        width, _sep, height = str(resolution).partition("x")
        if not (
            height.isdigit()
            and 3 <= len(height) <= 4
            and (width == "" or (width.isdigit() and 3 <= len(width) <= 4))
        ):
            raise ProductionError(
                f"Invalid resolution {resolution}. Expected format: '1920x1080' or 'x1080'."
            )
    validate_bitrates(values, current)


def validate_bitrates(values, current=None):
    current = current or {}
    merged = {**current, **values}
    for key in ("hd_bitrate_compression", "ld_bitrate_compression"):
        if key not in values or values[key] is None:
            continue
        bitrate = values[key]
        if isinstance(bitrate, bool) or not isinstance(bitrate, int):
            raise ProductionError(f"Invalid bitrate {bitrate}.")
        if not 1 <= bitrate <= MAX_MOVIE_BITRATE:
            raise ProductionError(
                f"Invalid bitrate {bitrate}. Expected an integer number of Mbit/s "
                f"between 1 and {MAX_MOVIE_BITRATE}."
            )
    lowdef = values.get("ld_bitrate_compression")
    highdef = merged.get("hd_bitrate_compression") or MAX_MOVIE_BITRATE
    if lowdef is not None and lowdef > highdef:
        raise ProductionError(
            f"The low definition bitrate ({lowdef}) cannot exceed the high definition "
            f"one ({highdef})."
        )


def ensure_first_episode(project, person=None):
    """The first episode of a TV show, created as ``E01`` when it has none."""
    first = _first_episodes([project.pk]).get(project.pk)
    if first is not None:
        return first
    episode = Entity.objects.create(
        name="E01",
        project=project,
        entity_type=get_or_create_entity_type(EPISODE),
        created_by=person.pk if person is not None else None,
    )
    events.emit("episode:new", {"episode_id": episode.pk}, project_id=project.pk)
    return episode.pk


def copy_project_descriptors(project):
    """Give a new project the Project columns of the other open projects."""
    owned = set(
        MetadataDescriptor.objects.filter(project=project, entity_type="Project").values_list(
            "field_name", flat=True
        )
    )
    sources = (
        MetadataDescriptor.objects.filter(
            entity_type="Project", project__project_status__name__in=OPEN_STATUS_NAMES
        )
        .exclude(project=project)
        .order_by("position", "name")
    )
    departments = _descriptor_departments([source.pk for source in sources])
    for source in sources:
        if source.field_name in owned:
            continue
        owned.add(source.field_name)
        create_descriptor(
            project,
            "Project",
            source.name,
            source.data_type,
            source.choices,
            source.for_client,
            departments.get(source.pk, []),
        )


def delete_project(project):
    """Remove a closed project with its preview account; the caller emits the event."""
    if is_open(project):
        raise ProductionError("Only closed projects can be deleted")
    # TODO: Zou's ``?force=true`` removes every task, comment, preview and
    # entity of the project first; here a project that still holds any of
    # them is refused with a 400 by the generic delete.
    with transaction.atomic():
        remove_preview_account(project)
        project.delete()


# --- team ----------------------------------------------------------------------------


def _check_project_role(role):
    if role is None:
        return
    if role == roles.ADMIN:
        raise ProductionError("admin is a global role and cannot be set per project")
    if role not in PROJECT_ROLES:
        raise ProductionError(f"{role} is not a role")


def team_roles(project):
    return dict(
        ProjectPersonLink.objects.filter(project=project, role__isnull=False).values_list(
            "person_id", "role"
        )
    )


def add_team_member(project, person_id, role=None):
    _check_project_role(role)
    person = _existing(Person, person_id, "Person")
    if person.preview_project_id is not None and person.preview_project_id != project.pk:
        raise ProductionError("A preview account can only belong to its own project")
    with transaction.atomic():
        link, created = ProjectPersonLink.objects.get_or_create(project=project, person=person)
        if role is not None and link.role != role:
            if person.preview_project_id is not None:
                raise ProductionError("A preview account keeps its client role")
            link.role = role
            link.save(update_fields=["role"])
        if created or role is not None:
            _project_changed(project)
    forget_project_roles(person)
    return present_project(project)


def remove_team_member(project, person_id):
    with transaction.atomic():
        ProjectPersonLink.objects.filter(project=project, person_id=person_id).delete()
        _project_changed(project)


def update_team_member_role(project, person_id, role):
    _check_project_role(role)
    person = Person.objects.filter(pk=person_id).first()
    if person is not None and person.preview_project_id is not None:
        raise ProductionError("A preview account keeps its client role")
    with transaction.atomic():
        link = ProjectPersonLink.objects.filter(project=project, person_id=person_id).first()
        if link is None:
            raise ProductionError("Person is not a member of the project team")
        link.role = role
        link.save(update_fields=["role"])
        _project_changed(project)
    return {"project_id": project.pk, "person_id": link.person_id, "role": role}


# --- settings ------------------------------------------------------------------------


def _link(project, link_model, field, target):
    with transaction.atomic():
        _obj, created = link_model.objects.get_or_create(project=project, **{field: target})
        if created:
            _project_changed(project)
    return present_project(project)


def _unlink(project, link_model, field, target_id):
    with transaction.atomic():
        link_model.objects.filter(project=project, **{f"{field}_id": target_id}).delete()
        _project_changed(project)


def add_asset_type(project, asset_type_id):
    asset_type = _existing(EntityType, asset_type_id, "EntityType")
    return _link(project, ProjectAssetTypeLink, "asset_type", asset_type)


def remove_asset_type(project, asset_type_id):
    _unlink(project, ProjectAssetTypeLink, "asset_type", asset_type_id)


def add_task_status(project, task_status_id):
    task_status = _existing(task_status_model(), task_status_id, "TaskStatus")
    return _link(project, ProjectTaskStatusLink, "task_status", task_status)


def remove_task_status(project, task_status_id):
    _unlink(project, ProjectTaskStatusLink, "task_status", task_status_id)


def add_status_automation(project, status_automation_id):
    automation = _existing(StatusAutomation, status_automation_id, "StatusAutomation")
    return _link(project, ProjectStatusAutomationLink, "status_automation", automation)


def remove_status_automation(project, status_automation_id):
    _unlink(project, ProjectStatusAutomationLink, "status_automation", status_automation_id)


def add_preview_background_file(project, preview_background_file_id):
    background = _existing(
        PreviewBackgroundFile, preview_background_file_id, "PreviewBackgroundFile"
    )
    return _link(project, ProjectPreviewBackgroundFileLink, "preview_background_file", background)


def remove_preview_background_file(project, preview_background_file_id):
    _unlink(
        project,
        ProjectPreviewBackgroundFileLink,
        "preview_background_file",
        preview_background_file_id,
    )


def add_task_type(project, task_type_id, priority=None, bitrates=None, is_client_visible=None):
    """Enable a task type; an existing link keeps its priority but takes new bitrates."""
    task_type = _existing(task_type_model(), task_type_id, "TaskType")
    if bitrates:
        validate_bitrates(bitrates, present_project(project))
    changes = dict(bitrates or {})
    if is_client_visible is not None:
        changes["is_client_visible"] = is_client_visible
    with transaction.atomic():
        link = ProjectTaskTypeLink.objects.filter(project=project, task_type=task_type).first()
        if link is None:
            ProjectTaskTypeLink.objects.create(
                project=project, task_type=task_type, priority=priority, **changes
            )
        elif changes:
            for key, value in changes.items():
                setattr(link, key, value)
            link.save()
        _project_changed(project)
    return present_project(project)


def remove_task_type(project, task_type_id):
    _unlink(project, ProjectTaskTypeLink, "task_type", task_type_id)


def set_task_status_link(project, task_status_id, changes):
    """Change a project's override of a task status (client permission, board roles)."""
    with transaction.atomic():
        link = ProjectTaskStatusLink.objects.filter(
            project=project, task_status_id=task_status_id
        ).first()
        if link is None:
            raise NotFound()
        for key, value in changes.items():
            setattr(link, key, value)
        link.save()
        _project_changed(project)
    return serialize_instance(link, relations=False)


def update_settings(project, task_types=(), task_status_ids=(), asset_type_ids=(), replace=False):
    """Enable several task types, statuses and asset types at once (unknown ids are skipped)."""
    task_type_model_ = task_type_model()
    wanted = {str(entry["task_type_id"]): entry for entry in task_types}
    with transaction.atomic():
        existing = {
            str(link.task_type_id): link
            for link in ProjectTaskTypeLink.objects.filter(project=project)
        }
        known_types = {
            str(pk)
            for pk in task_type_model_.objects.filter(pk__in=list(wanted)).values_list(
                "pk", flat=True
            )
        }
        for task_type_id, entry in wanted.items():
            link = existing.get(task_type_id)
            priority = entry.get("priority")
            visibility = entry.get("is_client_visible")
            if link is None:
                if task_type_id in known_types:
                    ProjectTaskTypeLink.objects.create(
                        project=project,
                        task_type_id=task_type_id,
                        priority=priority,
                        **({} if visibility is None else {"is_client_visible": visibility}),
                    )
                continue
            changed = False
            if visibility is not None and link.is_client_visible != visibility:
                link.is_client_visible = visibility
                changed = True
            if priority is not None and link.priority != priority:
                link.priority = priority
                changed = True
            if changed:
                link.save()
        if replace:
            ProjectTaskTypeLink.objects.filter(project=project).exclude(
                task_type_id__in=list(wanted)
            ).delete()
        statuses = task_status_model().objects.filter(pk__in=list(task_status_ids))
        for status in statuses:
            ProjectTaskStatusLink.objects.get_or_create(project=project, task_status=status)
        for asset_type in EntityType.objects.filter(pk__in=list(asset_type_ids)):
            ProjectAssetTypeLink.objects.get_or_create(project=project, asset_type=asset_type)
        _project_changed(project)
    return present_project(project)


def task_type_software_links(project):
    return list(
        ProjectTaskTypeSoftwareLink.objects.filter(project=project)
        .order_by("task_type_id", "software_id")
        .values("project_id", "task_type_id", "software_id")
    )


def add_task_type_software(project, task_type_id, software_id):
    if not ProjectTaskTypeLink.objects.filter(project=project, task_type_id=task_type_id).exists():
        raise ProductionError("The task type is not a task type of the project.")
    software = Software.objects.filter(pk=software_id).first()
    if software is None:
        raise NotFound()
    if software.archived:
        raise ProductionError("The software is archived.")
    with transaction.atomic():
        _link, created = ProjectTaskTypeSoftwareLink.objects.get_or_create(
            project=project, task_type_id=task_type_id, software=software
        )
        if created:
            _project_changed(project)
    return {"project_id": project.pk, "task_type_id": task_type_id, "software_id": software.pk}


def remove_task_type_software(project, task_type_id, software_id):
    with transaction.atomic():
        deleted, _ = ProjectTaskTypeSoftwareLink.objects.filter(
            project=project, task_type_id=task_type_id, software_id=software_id
        ).delete()
        if deleted:
            _project_changed(project)


# --- metadata descriptors ------------------------------------------------------------


def field_name_for(name):
    """Zou's slug of a column name: lower case ASCII words joined by underscores."""
    return slugify(name).replace("-", "_")


def present_descriptors(queryset):
    return serialize_rows(MetadataDescriptor, queryset.order_by("position", "name"), relations=True)


def present_descriptor(descriptor):
    return serialize_instance(descriptor, relations=True)


def _departments_for(ids):
    ids = [department_id for department_id in ids or [] if department_id is not None]
    found = list(Department.objects.filter(pk__in=ids))
    if len(found) != len(set(map(str, ids))):
        raise NotFound()
    return found


def create_descriptor(
    project, entity_type, name, data_type, choices, for_client, departments=(), task_type_id=None
):
    department_rows = _departments_for(departments)
    field_name = field_name_for(name)
    clash = MetadataDescriptor.objects.filter(
        project=project, entity_type=entity_type, task_type_id=task_type_id
    ).filter(Q(name=name) | Q(field_name=field_name))
    if clash.exists():
        raise ProductionError("Metadata descriptor already exists.")
    try:
        with transaction.atomic():
            descriptor = MetadataDescriptor.objects.create(
                project=project,
                entity_type=entity_type,
                task_type_id=task_type_id,
                name=name,
                data_type=data_type,
                choices=choices,
                for_client=bool(for_client),
                field_name=field_name,
            )
            descriptor.departments.set(department_rows)
            events.emit(
                "metadata-descriptor:new",
                {"metadata_descriptor_id": descriptor.pk},
                project_id=project.pk,
            )
    except IntegrityError:
        raise ProductionError("Metadata descriptor already exists.") from None
    return present_descriptor(descriptor)


def _entities_of_kind(project_id, entity_type):
    queryset = Entity.objects.filter(project_id=project_id)
    if entity_type == "Asset":
        return queryset.exclude(entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES)
    if entity_type in RESERVED_ENTITY_TYPE_NAMES:
        return queryset.filter(entity_type__name=entity_type)
    return queryset.none()


def _rewrite_data_key(rows, old_key, new_key):
    """Move (or, with ``new_key`` None, drop) a key inside each row's ``data``."""
    changed = []
    for row in rows:
        data = dict(row.data or {})
        if old_key not in data:
            continue
        value = data.pop(old_key)
        if new_key is not None and value is not None:
            data[new_key] = value
        row.data = data
        changed.append(row)
    return changed


def _rewrite_descriptor_values(descriptor, new_field_name):
    """Rename or remove the values of a column wherever they are stored.

    Task columns live in ``task.data``: the tasks app rewrites them on the
    signal sent here, in the same transaction.
    """
    old = descriptor.field_name
    if descriptor.entity_type == "Task":
        if new_field_name is None:
            signals.descriptor_field_removed.send(
                sender=MetadataDescriptor,
                project_id=descriptor.project_id,
                entity_type=descriptor.entity_type,
                task_type_id=descriptor.task_type_id,
                field_name=old,
            )
        else:
            signals.descriptor_field_renamed.send(
                sender=MetadataDescriptor,
                project_id=descriptor.project_id,
                entity_type=descriptor.entity_type,
                task_type_id=descriptor.task_type_id,
                old_field_name=old,
                new_field_name=new_field_name,
            )
        return
    if descriptor.entity_type == "Project":
        projects = _rewrite_data_key(
            Project.objects.filter(pk=descriptor.project_id), old, new_field_name
        )
        Project.objects.bulk_update(projects, ["data"])
        return
    entities = _rewrite_data_key(
        _entities_of_kind(descriptor.project_id, descriptor.entity_type).filter(data__has_key=old),
        old,
        new_field_name,
    )
    Entity.objects.bulk_update(entities, ["data"], batch_size=500)


def update_descriptor(descriptor, changes, department_ids=None):
    """Apply ``changes`` (name, for_client, data_type, choices); a new name renames
    the field and moves the stored values."""
    with transaction.atomic():
        name = changes.pop("name", None)
        if name:
            field_name = field_name_for(name)
            clash = (
                MetadataDescriptor.objects.filter(
                    project_id=descriptor.project_id,
                    entity_type=descriptor.entity_type,
                    task_type_id=descriptor.task_type_id,
                )
                .exclude(pk=descriptor.pk)
                .filter(Q(name=name) | Q(field_name=field_name))
            )
            if len(name) > 120 or clash.exists():
                raise ProductionError(
                    "Metadata descriptor name is too long."
                    if len(name) > 120
                    else "Metadata descriptor already exists."
                )
            if field_name != descriptor.field_name:
                _rewrite_descriptor_values(descriptor, field_name)
            descriptor.name = name
            descriptor.field_name = field_name
        for key, value in changes.items():
            setattr(descriptor, key, value)
        descriptor.save()
        if department_ids is not None:
            descriptor.departments.set(_departments_for(department_ids))
        events.emit(
            "metadata-descriptor:update",
            {"metadata_descriptor_id": descriptor.pk},
            project_id=descriptor.project_id,
        )
    return present_descriptor(descriptor)


def remove_descriptor(descriptor):
    with transaction.atomic():
        _rewrite_descriptor_values(descriptor, None)
        descriptor_id, project_id = descriptor.pk, descriptor.project_id
        descriptor.delete()
        events.emit(
            "metadata-descriptor:delete",
            {"metadata_descriptor_id": descriptor_id},
            project_id=project_id,
        )


def reorder_descriptors(project_id, entity_type, descriptor_ids):
    with transaction.atomic():
        descriptors = {
            str(descriptor.pk): descriptor
            for descriptor in MetadataDescriptor.objects.filter(
                project_id=project_id, entity_type=entity_type
            )
        }
        wanted = [str(descriptor_id) for descriptor_id in descriptor_ids]
        for descriptor_id in wanted:
            if descriptor_id not in descriptors:
                raise ProductionError(
                    f"Descriptor {descriptor_id} not found for project {project_id} "
                    f"and entity type {entity_type}"
                )
        rest = sorted(
            (d for key, d in descriptors.items() if key not in wanted), key=lambda d: d.name
        )
        ordered = [descriptors[key] for key in wanted] + rest
        for position, descriptor in enumerate(ordered, start=1):
            descriptor.position = position
            descriptor.updated_at = utcnow()
        MetadataDescriptor.objects.bulk_update(ordered, ["position", "updated_at"])
        _project_changed_id(project_id)
    return present_descriptors(
        MetadataDescriptor.objects.filter(project_id=project_id, entity_type=entity_type)
    )


def _project_changed_id(project_id):
    events.emit("project:update", {}, project_id=project_id)


def managed_open_project_ids(person):
    """Open projects where ``person`` acts as a manager (every open one for admins)."""
    open_ids = Project.objects.filter(project_status__name__in=OPEN_STATUS_NAMES)
    if roles.is_admin(person):
        return list(open_ids.order_by("name").values_list("pk", flat=True))
    managed = [
        project_id for project_id, role in project_roles(person).items() if role == roles.MANAGER
    ]
    return list(open_ids.filter(pk__in=managed).order_by("name").values_list("pk", flat=True))


def create_descriptor_on_projects(
    project_ids, entity_type, name, data_type, choices, for_client, departments
):
    field_name = field_name_for(name)
    created = []
    with transaction.atomic():
        taken = set(
            MetadataDescriptor.objects.filter(
                project_id__in=project_ids, entity_type=entity_type, field_name=field_name
            ).values_list("project_id", flat=True)
        )
        for project in Project.objects.filter(pk__in=project_ids).order_by("name"):
            if project.pk not in taken:
                created.append(
                    create_descriptor(
                        project, entity_type, name, data_type, choices, for_client, departments
                    )
                )
    return created


def update_descriptor_on_projects(project_ids, entity_type, field_name, changes, department_ids):
    with transaction.atomic():
        descriptors = list(
            MetadataDescriptor.objects.filter(
                project_id__in=project_ids, entity_type=entity_type, field_name=field_name
            )
        )
        return [
            update_descriptor(descriptor, dict(changes), department_ids)
            for descriptor in descriptors
        ]


def remove_descriptor_from_projects(project_ids, entity_type, field_name):
    removed = []
    with transaction.atomic():
        for descriptor in MetadataDescriptor.objects.filter(
            project_id__in=project_ids, entity_type=entity_type, field_name=field_name
        ):
            removed.append(descriptor.pk)
            remove_descriptor(descriptor)
    return removed


def reorder_descriptors_on_projects(project_ids, entity_type, field_order):
    updated = []
    with transaction.atomic():
        for project_id in project_ids:
            by_field = dict(
                MetadataDescriptor.objects.filter(
                    project_id=project_id, entity_type=entity_type
                ).values_list("field_name", "pk")
            )
            ordered = [by_field[name] for name in field_order if name in by_field]
            if ordered:
                updated.extend(reorder_descriptors(project_id, entity_type, ordered))
    return updated


def supervisor_may_edit_departments(person, department_ids):
    """Zou's rule for supervisors: the column must name departments, and all the
    supervisor's departments must be among them (a supervisor without department
    may edit any column that names departments)."""
    mine = {str(pk) for pk in person.departments.values_list("pk", flat=True)}
    wanted = {str(pk) for pk in department_ids}
    return bool(wanted) and (not mine or mine <= wanted)


# --- schedules -----------------------------------------------------------------------


def present_schedule_items(queryset):
    return list(
        queryset.values(
            "id", "start_date", "end_date", "man_days", "project_id", "task_type_id", "object_id"
        )
    )


def _get_or_create_items(project, task_type_ids_by_object):
    """Create the missing schedule items, idempotently.

    The project row is locked first (``select_for_update``, a no-op on
    SQLite, which serializes writers anyway), so two first reads running at
    once cannot both insert the task-type level rows, whose NULL
    ``object_id`` the unique constraint does not cover.
    """
    created = []
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        for object_id, task_type_id in task_type_ids_by_object:
            item, was_created = ScheduleItem.objects.get_or_create(
                project=project,
                task_type_id=task_type_id,
                object_id=object_id,
                defaults={"start_date": date.today(), "end_date": date.today() + timedelta(days=1)},
            )
            if was_created:
                created.append(item.pk)
                events.emit(
                    "schedule-item:new", {"schedule_item_id": item.pk}, project_id=project.pk
                )
    return created


def task_type_schedule_items(project):
    """Task-type level bars: one per scheduled task type used by the project's tasks."""
    task_types = task_type_model().objects.filter(
        tasks__project=project, for_entity__in=SCHEDULED_FOR_ENTITIES
    )
    enabled = set(
        ProjectTaskTypeLink.objects.filter(project=project).values_list("task_type_id", flat=True)
    )
    wanted = {
        pk
        for pk in task_types.values_list("pk", flat=True).distinct()
        if not enabled or pk in enabled
    }
    existing = set(
        ScheduleItem.objects.filter(project=project, object_id__isnull=True).values_list(
            "task_type_id", flat=True
        )
    )
    missing = [(None, task_type_id) for task_type_id in wanted - existing]
    if missing:
        _get_or_create_items(project, missing)
    rows = present_schedule_items(
        ScheduleItem.objects.filter(
            project=project, object_id__isnull=True, task_type_id__in=wanted
        )
    )
    # Items of task types without a type (legacy rows) are kept, as Zou does.
    rows += present_schedule_items(
        ScheduleItem.objects.filter(project=project, object_id__isnull=True, task_type__isnull=True)
    )
    return sorted(rows, key=lambda row: (row["start_date"] or date.min, str(row["id"])))


def _entity_schedule_items(project, task_type_id, objects):
    """Bars of ``task_type_id`` for each of ``objects`` (``{id: name}``), sorted by name."""
    existing = set(
        ScheduleItem.objects.filter(
            project=project, task_type_id=task_type_id, object_id__in=list(objects)
        ).values_list("object_id", flat=True)
    )
    missing = [(object_id, task_type_id) for object_id in objects if object_id not in existing]
    if missing:
        _get_or_create_items(project, missing)
    rows = present_schedule_items(
        ScheduleItem.objects.filter(
            project=project, task_type_id=task_type_id, object_id__in=list(objects)
        )
    )
    for row in rows:
        row["name"] = objects[row["object_id"]]
    return sorted(rows, key=lambda row: row["name"])


def asset_types_schedule_items(project, task_type_id, episode_id=None):
    assets = Entity.objects.filter(project=project, canceled=False).exclude(
        entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES
    )
    if episode_id is not None:
        cast_in_episode = EntityLink.objects.filter(entity_in_id=episode_id).values("entity_out_id")
        assets = assets.filter(Q(source_id=episode_id) | Q(pk__in=cast_in_episode))
    objects = dict(
        EntityType.objects.filter(pk__in=assets.values("entity_type_id")).values_list("id", "name")
    )
    return _entity_schedule_items(project, task_type_id, objects)


def episodes_schedule_items(project, task_type_id, episode_id=None):
    episodes = Entity.objects.filter(project=project, entity_type__name=EPISODE)
    if episode_id is not None:
        episodes = episodes.filter(pk=episode_id)
    return _entity_schedule_items(project, task_type_id, dict(episodes.values_list("id", "name")))


def sequences_schedule_items(project, task_type_id, episode_id=None):
    sequences = Entity.objects.filter(project=project, entity_type__name=SEQUENCE)
    if episode_id is not None:
        sequences = sequences.filter(parent_id=episode_id)
    return _entity_schedule_items(project, task_type_id, dict(sequences.values_list("id", "name")))


def edits_schedule_items(project, task_type_id, episode_id=None):
    edits = Entity.objects.filter(project=project, entity_type__name=EDIT, canceled=False)
    if episode_id is not None:
        edits = edits.filter(parent_id=episode_id)
    return _entity_schedule_items(project, task_type_id, dict(edits.values_list("id", "name")))


def present_milestones(queryset):
    return list(queryset.values("id", "date", "name", "project_id", "task_type_id"))


def schedule_version_task_links(version, task_type_id=None, relations=False):
    """Task links of a schedule version (the tasks app's rows, reached by relation)."""
    queryset = version.task_links.all()
    if task_type_id is not None:
        queryset = queryset.filter(task__task_type_id=task_type_id)
    return serialize_rows(queryset.model, queryset, relations=relations)


# --- day offs ------------------------------------------------------------------------


def team_day_offs(project, viewer, start=None, end=None, full=False):
    """Day offs of the team, by person id; descriptions only for managers or their owner."""
    queryset = DayOff.objects.filter(
        person_id__in=ProjectPersonLink.objects.filter(project=project).values("person_id")
    )
    if start is not None:
        queryset = queryset.filter(end_date__gte=start)
    if end is not None:
        queryset = queryset.filter(date__lte=end)
    rows = serialize_rows(DayOff, queryset.order_by("date"))
    result = defaultdict(list)
    for row in rows:
        if not full and row["person_id"] != viewer.pk:
            row.pop("description", None)
        result[str(row["person_id"])].append(row)
    return dict(result)


# --- budgets -------------------------------------------------------------------------

BUDGET_KEYS = ("id", "project_id", "revision", "name", "currency")
BUDGET_ENTRY_KEYS = (
    "id",
    "budget_id",
    "department_id",
    "person_id",
    "start_date",
    "months_duration",
    "daily_salary",
    "position",
    "seniority",
    "exceptions",
)


def create_budget(project, name, currency="USD"):
    with transaction.atomic():
        last = (
            Budget.objects.select_for_update()
            .filter(project=project)
            .order_by("-revision")
            .values_list("revision", flat=True)
            .first()
        )
        budget = Budget.objects.create(
            project=project, name=name, currency=currency, revision=(last or 0) + 1
        )
        events.emit("budget:create", {"budget_id": budget.pk}, project_id=project.pk)
    return serialize_instance(budget, relations=False)


def update_budget(budget, name=None, currency=None):
    with transaction.atomic():
        if name is not None:
            budget.name = name
        if currency is not None:
            budget.currency = currency
        budget.save()
        events.emit("budget:update", {"budget_id": budget.pk}, project_id=budget.project_id)
    return serialize_instance(budget, relations=False)


def delete_budget(budget):
    with transaction.atomic():
        budget_id, project_id = budget.pk, budget.project_id
        BudgetEntry.objects.filter(budget=budget).delete()
        budget.delete()
        events.emit("budget:delete", {"budget_id": budget_id}, project_id=project_id)


def clean_budget_exceptions(exceptions):
    """Per-month overrides: positive whole numbers only; anything else is dropped."""
    if exceptions is None:
        return {}
    if not isinstance(exceptions, dict):
        raise ProductionError("exceptions must be an object.")
    cleaned = {}
    for key, value in exceptions.items():
        if value is None:
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ProductionError(f"Wrong value for exception {key}.") from None
        if number > 0:
            cleaned[key] = number
    return cleaned


def save_budget_entry(budget, values, entry=None):
    """Create (``entry`` None) or update a budget entry from checked column values."""
    with transaction.atomic():
        if entry is None:
            entry = BudgetEntry(budget=budget, exceptions={})
            action = "create"
        else:
            action = "update"
        for key, value in values.items():
            setattr(entry, key, value)
        CrudResource().validate(entry)
        entry.save()
        events.emit(
            f"budget-entry:{action}",
            {"budget_id": budget.pk, "budget_entry_id": entry.pk},
            project_id=budget.project_id,
        )
    return serialize_instance(entry, relations=False)


def delete_budget_entry(budget, entry):
    with transaction.atomic():
        entry_id = entry.pk
        entry.delete()
        events.emit(
            "budget-entry:delete",
            {"budget_id": budget.pk, "budget_entry_id": entry_id},
            project_id=budget.project_id,
        )


# --- preview accounts ----------------------------------------------------------------


def present_preview_account(person):
    if person is None:
        return None
    return {
        "id": person.pk,
        "email": person.email,
        "full_name": f"{person.first_name} {person.last_name or ''}".strip(),
        "preview_open_until": person.preview_open_until,
    }


def preview_account(project):
    return Person.objects.filter(preview_project_id=project.pk).first()


def create_or_reset_preview_account(project):
    """A read-only client account bound to the project; returns (account, password).

    Calling it again gives the existing account a new password and closes it.
    """
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        person = preview_account(project)
        if person is None:
            person = Person(
                email=f"preview-{secrets.token_hex(6)}@preview.kitsu.invalid",
                first_name="Preview",
                last_name=project.name,
                role=roles.CLIENT,
                preview_project_id=project.pk,
            )
            person.set_password(password)
            person.save()
            ProjectPersonLink.objects.get_or_create(project=project, person=person)
            events.emit("person:new", {"person_id": person.pk})
            _project_changed(project)
        else:
            person.set_password(password)
            person.preview_opened_at = None
            person.preview_open_until = None
            person.save()
            events.emit("person:update", {"person_id": person.pk})
    return present_preview_account(person), password


def set_preview_account_open(project, is_open):
    with transaction.atomic():
        person = preview_account(project)
        if person is None:
            raise NotFound("No preview account for this project")
        if is_open:
            now = utcnow()
            if person.preview_open_until is None or person.preview_open_until < now:
                person.preview_opened_at = now
            person.preview_open_until = now + PREVIEW_OPEN_DURATION
        else:
            person.preview_opened_at = None
            person.preview_open_until = None
        person.save()
        events.emit("person:update", {"person_id": person.pk})
    return present_preview_account(person)


def remove_preview_account(project):
    """Delete the project's preview account (its tokens go with the row)."""
    with transaction.atomic():
        person = preview_account(project)
        if person is None:
            return
        person_id = person.pk
        try:
            with transaction.atomic():
                person.delete()
        except (ProtectedError, RestrictedError, IntegrityError):
            # Something still points at the account: disable it instead.
            ProjectPersonLink.objects.filter(person=person).delete()
            person.active = False
            person.preview_project_id = None
            person.preview_opened_at = None
            person.preview_open_until = None
            person.save()
        events.emit("person:delete", {"person_id": person_id})
        _project_changed(project)


# --- project templates ---------------------------------------------------------------


def _template_changed(template, action="update"):
    events.emit(f"project-template:{action}", {"project_template_id": template.pk})


def template_task_types(template):
    links = {
        link["task_type_id"]: link
        for link in ProjectTemplateTaskTypeLink.objects.filter(project_template=template).values(
            "task_type_id",
            "priority",
            "hd_bitrate_compression",
            "ld_bitrate_compression",
            "is_client_visible",
        )
    }
    model = task_type_model()
    rows = serialize_rows(model, model.objects.filter(pk__in=list(links)))
    for row in rows:
        link = links[row["id"]]
        for key in (
            "priority",
            "hd_bitrate_compression",
            "ld_bitrate_compression",
            "is_client_visible",
        ):
            row[key] = link[key]
    return sorted(rows, key=lambda row: (row["priority"] or 0, row["name"]))


def template_task_statuses(template):
    links = {
        link["task_status_id"]: link
        for link in ProjectTemplateTaskStatusLink.objects.filter(project_template=template).values(
            "task_status_id", "priority", "roles_for_board", "is_client_allowed"
        )
    }
    model = task_status_model()
    rows = serialize_rows(model, model.objects.filter(pk__in=list(links)))
    for row in rows:
        link = links[row["id"]]
        row["priority"] = link["priority"]
        row["roles_for_board"] = list(link["roles_for_board"] or [])
        row["link_is_client_allowed"] = link["is_client_allowed"]
    return sorted(rows, key=lambda row: (row["priority"] or 0, row["name"]))


def template_asset_types(template):
    return list(
        EntityType.objects.filter(
            pk__in=ProjectTemplateAssetTypeLink.objects.filter(project_template=template).values(
                "asset_type_id"
            )
        ).values("id", "name")
    )


def template_status_automations(template):
    return serialize_rows(
        StatusAutomation,
        StatusAutomation.objects.filter(
            pk__in=ProjectTemplateStatusAutomationLink.objects.filter(
                project_template=template
            ).values("status_automation_id")
        ),
    )


def _present_background(background):
    return {"id": background.pk, "name": background.name, "is_default": bool(background.is_default)}


def template_preview_background_files(template):
    backgrounds = PreviewBackgroundFile.objects.filter(
        pk__in=ProjectTemplatePreviewBackgroundFileLink.objects.filter(
            project_template=template
        ).values("preview_background_file_id")
    )
    return [_present_background(background) for background in backgrounds]


def add_template_task_type(
    template, task_type_id, priority=None, bitrates=None, is_client_visible=None
):
    task_type = _existing(task_type_model(), task_type_id, "Task type")
    if bitrates:
        validate_bitrates(bitrates, serialize_instance(template, relations=False))
    changes = dict(bitrates or {})
    if is_client_visible is not None:
        changes["is_client_visible"] = is_client_visible
    if priority is not None:
        changes["priority"] = priority
    with transaction.atomic():
        link, created = ProjectTemplateTaskTypeLink.objects.get_or_create(
            project_template=template, task_type=task_type, defaults=changes
        )
        if not created and changes:
            for key, value in changes.items():
                setattr(link, key, value)
            link.save()
        _template_changed(template)
    return serialize_instance(link, relations=False)


def add_template_task_status(
    template, task_status_id, priority=None, roles_for_board=None, **extra
):
    """Add (or update) a status of a template; ``is_client_allowed`` in ``extra``
    is applied only when given."""
    task_status = _existing(task_status_model(), task_status_id, "Task status")
    changes = {}
    if priority is not None:
        changes["priority"] = priority
    if roles_for_board:
        changes["roles_for_board"] = roles_for_board
    if "is_client_allowed" in extra:
        changes["is_client_allowed"] = extra["is_client_allowed"]
    with transaction.atomic():
        link = ProjectTemplateTaskStatusLink.objects.filter(
            project_template=template, task_status=task_status
        ).first()
        if link is None:
            link = ProjectTemplateTaskStatusLink(
                project_template=template,
                task_status=task_status,
                roles_for_board=roles_for_board or None,
            )
        for key, value in changes.items():
            setattr(link, key, value)
        link.save()
        _template_changed(template)
    return serialize_instance(link, relations=False)


def _template_link(template, link_model, field, target):
    with transaction.atomic():
        link_model.objects.get_or_create(project_template=template, **{field: target})
        _template_changed(template)


def _template_unlink(template, link_model, field, target_id):
    with transaction.atomic():
        link_model.objects.filter(project_template=template, **{f"{field}_id": target_id}).delete()
        _template_changed(template)


def add_template_asset_type(template, asset_type_id):
    asset_type = _existing(EntityType, asset_type_id, "Asset type")
    _template_link(template, ProjectTemplateAssetTypeLink, "asset_type", asset_type)
    return {"id": asset_type.pk, "name": asset_type.name}


def add_template_status_automation(template, status_automation_id):
    automation = _existing(StatusAutomation, status_automation_id, "Status automation")
    _template_link(template, ProjectTemplateStatusAutomationLink, "status_automation", automation)
    return serialize_instance(automation, relations=False)


def add_template_preview_background_file(template, preview_background_file_id):
    background = _existing(
        PreviewBackgroundFile, preview_background_file_id, "Preview background file"
    )
    _template_link(
        template, ProjectTemplatePreviewBackgroundFileLink, "preview_background_file", background
    )
    return _present_background(background)


def remove_template_task_type(template, task_type_id):
    _template_unlink(template, ProjectTemplateTaskTypeLink, "task_type", task_type_id)


def remove_template_task_status(template, task_status_id):
    _template_unlink(template, ProjectTemplateTaskStatusLink, "task_status", task_status_id)


def remove_template_asset_type(template, asset_type_id):
    _template_unlink(template, ProjectTemplateAssetTypeLink, "asset_type", asset_type_id)


def remove_template_status_automation(template, status_automation_id):
    _template_unlink(
        template, ProjectTemplateStatusAutomationLink, "status_automation", status_automation_id
    )


def remove_template_preview_background_file(template, preview_background_file_id):
    with transaction.atomic():
        ProjectTemplatePreviewBackgroundFileLink.objects.filter(
            project_template=template, preview_background_file_id=preview_background_file_id
        ).delete()
        if str(template.default_preview_background_file_id or "") == str(
            preview_background_file_id
        ):
            template.default_preview_background_file = None
            template.save()
        _template_changed(template)


def set_template_default_background(template, preview_background_file_id):
    with transaction.atomic():
        if preview_background_file_id is not None:
            linked = ProjectTemplatePreviewBackgroundFileLink.objects.filter(
                project_template=template, preview_background_file_id=preview_background_file_id
            ).exists()
            if not linked:
                raise ProductionError("Preview background file is not linked to this template")
        template.default_preview_background_file_id = preview_background_file_id
        template.save()
        _template_changed(template)
    return serialize_instance(template, relations=False)


def _clean_template_descriptor(entry):
    if not isinstance(entry, dict):
        raise ProductionError("Each metadata descriptor must be an object")
    name = entry.get("name") or ""
    task_type_id = entry.get("task_type_id")
    return {
        "name": name,
        "field_name": entry.get("field_name") or field_name_for(name),
        "entity_type": entry.get("entity_type"),
        "task_type_id": str(task_type_id) if task_type_id else None,
        "data_type": entry.get("data_type"),
        "choices": entry.get("choices") or [],
        "for_client": bool(entry.get("for_client", False)),
        "departments": [str(pk) for pk in entry.get("departments") or [] if pk is not None],
        "position": entry.get("position"),
    }


def set_template_descriptors(template, descriptors):
    if descriptors is None:
        descriptors = []
    if not isinstance(descriptors, list):
        raise ProductionError("metadata_descriptors must be a list")
    cleaned = [_clean_template_descriptor(entry) for entry in descriptors]
    with transaction.atomic():
        template.metadata_descriptors = cleaned
        template.save()
        _template_changed(template)
    return serialize_instance(template, relations=False)


def _snapshot_descriptors(project):
    queryset = MetadataDescriptor.objects.filter(project=project).order_by("position", "name")
    departments = _descriptor_departments([descriptor.pk for descriptor in queryset])
    return [
        {
            "name": descriptor.name,
            "field_name": descriptor.field_name,
            "entity_type": descriptor.entity_type,
            "task_type_id": str(descriptor.task_type_id) if descriptor.task_type_id else None,
            "data_type": descriptor.data_type,
            "choices": descriptor.choices or [],
            "for_client": bool(descriptor.for_client),
            "departments": [str(pk) for pk in departments.get(descriptor.pk, [])],
            "position": descriptor.position,
        }
        for descriptor in queryset
    ]


def create_template_from_project(project, name, description=None):
    values = {field: getattr(project, field) for field in TEMPLATE_SETTING_FIELDS}
    with transaction.atomic():
        if ProjectTemplate.objects.filter(name=name).exists():
            raise ProductionError("A project template with this name already exists")
        template = ProjectTemplate.objects.create(
            name=name,
            description=description,
            file_tree=dict(project.file_tree) if project.file_tree else None,
            data=dict(project.data) if project.data else None,
            metadata_descriptors=_snapshot_descriptors(project),
            default_preview_background_file_id=project.default_preview_background_file_id,
            **values,
        )
        ProjectTemplateTaskTypeLink.objects.bulk_create(
            ProjectTemplateTaskTypeLink(
                project_template=template,
                task_type_id=link.task_type_id,
                priority=link.priority,
                hd_bitrate_compression=link.hd_bitrate_compression,
                ld_bitrate_compression=link.ld_bitrate_compression,
                is_client_visible=link.is_client_visible,
            )
            for link in ProjectTaskTypeLink.objects.filter(project=project)
        )
        ProjectTemplateTaskStatusLink.objects.bulk_create(
            ProjectTemplateTaskStatusLink(
                project_template=template,
                task_status_id=link.task_status_id,
                priority=link.priority,
                roles_for_board=link.roles_for_board,
                is_client_allowed=link.is_client_allowed,
            )
            for link in ProjectTaskStatusLink.objects.filter(project=project)
        )
        ProjectTemplateAssetTypeLink.objects.bulk_create(
            ProjectTemplateAssetTypeLink(project_template=template, asset_type_id=pk)
            for pk in ProjectAssetTypeLink.objects.filter(project=project).values_list(
                "asset_type_id", flat=True
            )
        )
        ProjectTemplateStatusAutomationLink.objects.bulk_create(
            ProjectTemplateStatusAutomationLink(project_template=template, status_automation_id=pk)
            for pk in ProjectStatusAutomationLink.objects.filter(project=project).values_list(
                "status_automation_id", flat=True
            )
        )
        ProjectTemplatePreviewBackgroundFileLink.objects.bulk_create(
            ProjectTemplatePreviewBackgroundFileLink(
                project_template=template, preview_background_file_id=pk
            )
            for pk in ProjectPreviewBackgroundFileLink.objects.filter(project=project).values_list(
                "preview_background_file_id", flat=True
            )
        )
        _template_changed(template, "new")
    return serialize_instance(template, relations=False)


def apply_template(project, template, overrides=None):
    """Copy a template's settings and links onto a project (existing links are kept)."""
    overrides = overrides or {}
    with transaction.atomic():
        for field in TEMPLATE_SETTING_FIELDS:
            value = overrides.get(field)
            if value is None:
                value = getattr(template, field)
            if value is not None:
                setattr(project, field, value)
        for field in ("file_tree", "data"):
            value = overrides.get(field) or getattr(template, field)
            if value:
                setattr(project, field, dict(value))
        if (
            template.default_preview_background_file_id is not None
            and "default_preview_background_file_id" not in overrides
            and project.default_preview_background_file_id is None
        ):
            project.default_preview_background_file_id = template.default_preview_background_file_id
        project.save()
        for link in ProjectTemplateTaskTypeLink.objects.filter(project_template=template):
            ProjectTaskTypeLink.objects.get_or_create(
                project=project,
                task_type_id=link.task_type_id,
                defaults={
                    "priority": link.priority,
                    "hd_bitrate_compression": link.hd_bitrate_compression,
                    "ld_bitrate_compression": link.ld_bitrate_compression,
                    "is_client_visible": link.is_client_visible,
                },
            )
        for link in ProjectTemplateTaskStatusLink.objects.filter(project_template=template):
            ProjectTaskStatusLink.objects.get_or_create(
                project=project,
                task_status_id=link.task_status_id,
                defaults={
                    "priority": link.priority,
                    "roles_for_board": link.roles_for_board,
                    "is_client_allowed": link.is_client_allowed,
                },
            )
        for pk in ProjectTemplateAssetTypeLink.objects.filter(
            project_template=template
        ).values_list("asset_type_id", flat=True):
            ProjectAssetTypeLink.objects.get_or_create(project=project, asset_type_id=pk)
        for pk in ProjectTemplateStatusAutomationLink.objects.filter(
            project_template=template
        ).values_list("status_automation_id", flat=True):
            ProjectStatusAutomationLink.objects.get_or_create(
                project=project, status_automation_id=pk
            )
        for pk in ProjectTemplatePreviewBackgroundFileLink.objects.filter(
            project_template=template
        ).values_list("preview_background_file_id", flat=True):
            ProjectPreviewBackgroundFileLink.objects.get_or_create(
                project=project, preview_background_file_id=pk
            )
        for entry in template.metadata_descriptors or []:
            _descriptor_from_snapshot(project, entry)
        _project_changed(project)
    return present_project(project)


def _descriptor_from_snapshot(project, entry):
    name = entry.get("name") or ""
    entity_type = entry.get("entity_type")
    task_type_id = entry.get("task_type_id")
    if not name or not entity_type or (entity_type == "Task" and task_type_id is None):
        return
    exists = MetadataDescriptor.objects.filter(
        project=project, entity_type=entity_type, name=name, task_type_id=task_type_id
    ).exists()
    if exists:
        return
    try:
        with transaction.atomic():
            create_descriptor(
                project,
                entity_type,
                name,
                entry.get("data_type"),
                entry.get("choices") or [],
                entry.get("for_client", False),
                entry.get("departments") or [],
                task_type_id=task_type_id,
            )
    except (ProductionError, NotFound, IntegrityError):
        # A snapshot naming a column that clashes or a department that is
        # gone is skipped, as Zou skips it.
        logger.warning("Skipped template column %s on project %s", name, project.pk)
