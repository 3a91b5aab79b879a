"""What a person reads about their own productions: open projects with their
settings, and their saved search filters and filter groups.

These builders serve the /data/user routes of this app and feed the user
context of the tasks app. Each runs a fixed number of queries whatever the
number of rows.
"""

from collections import defaultdict

from django.db.models import Q

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden, NotFound, WrongParameter
from kitsu_backend.api.serialization import relation_ids, serialize_instance, serialize_rows
from kitsu_backend.api.views import get_or_404, parse_uuid
from people.models import Department
from productions.access import check_project_access, role_in_project
from productions.models import (
    EPISODE,
    DepartmentMetadataDescriptorLink,
    Entity,
    MetadataDescriptor,
    Project,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    SearchFilter,
    SearchFilterGroup,
)

# The project status name that makes a production "open" (Zou relies on it).
OPEN_STATUS_NAME = "Open"
# Key of the filters that belong to no project in the nested listings.
NO_PROJECT_KEY = "all"
DEFAULT_LIST_TYPE = "todo"

# Zou's key order for a project row: the columns, then the many-to-many id
# lists, then the id, timestamps and type.
_PROJECT_TRAILING = ("id", "created_at", "updated_at", "type")


def open_projects_queryset(person):
    """Open projects ``person`` may read: all of them for admins, their teams' otherwise."""
    queryset = Project.objects.filter(project_status__name=OPEN_STATUS_NAME)
    if not roles.is_admin(person):
        queryset = queryset.filter(person_links__person_id=person.pk)
    return queryset.order_by("name")


def person_department_ids(person):
    """Ids of the departments of ``person``, read once per request."""
    cached = getattr(person, "_kitsu_department_ids", None)
    if cached is None:
        cached = set(person.departments.values_list("id", flat=True))
        person._kitsu_department_ids = cached
    return cached


def _descriptor_rows(project_ids):
    """Metadata descriptors of the projects, each with its department ids (two queries)."""
    rows = list(
        MetadataDescriptor.objects.filter(project_id__in=project_ids)
        .order_by("entity_type", "position", "name")
        .values(
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
    departments = defaultdict(list)
    links = DepartmentMetadataDescriptorLink.objects.filter(
        metadata_descriptor__project_id__in=project_ids
    ).values_list("metadata_descriptor_id", "department_id")
    for descriptor_id, department_id in links:
        departments[descriptor_id].append(department_id)
    for row in rows:
        row["for_client"] = bool(row["for_client"])
        row["departments"] = departments.get(row["id"], [])
    return rows


def _visible_descriptor(descriptor, role, vendor_departments):
    """Clients see client columns; vendors the columns of no or their departments."""
    if role == roles.CLIENT:
        return descriptor["for_client"]
    if role == roles.VENDOR:
        return not descriptor["departments"] or bool(
            set(descriptor["departments"]) & vendor_departments
        )
    return True


def _first_episodes(project_ids):
    """``{project_id: first episode id}``: the first running episode by name, else any."""
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


def serialize_projects_for(person, queryset):
    """Project rows with the extra data Kitsu reads from the user context.

    Each row carries its relation id lists, the metadata ``descriptors`` the
    caller's role in that project may see, ``task_type_links``,
    ``task_types_priority``, ``task_statuses_link`` and, for TV shows,
    ``first_episode_id``. The query count does not depend on the number of
    projects.
    """
    rows = serialize_rows(Project, queryset)
    if not rows:
        return []
    project_ids = [row["id"] for row in rows]
    relations = relation_ids(Project, project_ids)
    descriptors = _descriptor_rows(project_ids)
    descriptors_by_project = defaultdict(list)
    for descriptor in descriptors:
        descriptors_by_project[descriptor.pop("project_id")].append(descriptor)

    task_type_links = defaultdict(dict)
    for link in (
        ProjectTaskTypeLink.objects.filter(project_id__in=project_ids)
        .order_by("priority", "task_type__name")
        .values(
            "project_id",
            "task_type_id",
            "priority",
            "hd_bitrate_compression",
            "ld_bitrate_compression",
            "is_client_visible",
        )
    ):
        task_type_links[link.pop("project_id")][str(link.pop("task_type_id"))] = link

    task_status_links = defaultdict(dict)
    for link in (
        ProjectTaskStatusLink.objects.filter(project_id__in=project_ids)
        .order_by("priority", "task_status__name")
        .values("project_id", "task_status_id", "priority", "roles_for_board", "is_client_allowed")
    ):
        task_status_links[link.pop("project_id")][str(link.pop("task_status_id"))] = link

    tvshow_ids = [row["id"] for row in rows if row["production_type"] == "tvshow"]
    first_episodes = _first_episodes(tvshow_ids) if tvshow_ids else {}
    needs_departments = any(
        role_in_project(person, project_id) == roles.VENDOR for project_id in project_ids
    )
    vendor_departments = person_department_ids(person) if needs_departments else set()

    result = []
    for row in rows:
        project_id = row["id"]
        project = {key: value for key, value in row.items() if key not in _PROJECT_TRAILING}
        for name, links in relations.items():
            project[name] = links.get(project_id, [])
        for key in _PROJECT_TRAILING:
            project[key] = row[key]
        role = role_in_project(person, project_id)
        project["descriptors"] = [
            descriptor
            for descriptor in descriptors_by_project.get(project_id, [])
            if _visible_descriptor(descriptor, role, vendor_departments)
        ]
        links = task_type_links.get(project_id, {})
        project["task_type_links"] = links
        project["task_types_priority"] = {
            task_type_id: link["priority"] for task_type_id, link in links.items()
        }
        project["task_statuses_link"] = task_status_links.get(project_id, {})
        if project_id in first_episodes:
            project["first_episode_id"] = first_episodes[project_id]
        result.append(project)
    return result


def open_projects_for(person, name=None):
    queryset = open_projects_queryset(person)
    if name:
        queryset = queryset.filter(name=name)
    return serialize_projects_for(person, queryset)


# --- search filters ----------------------------------------------------------------


def _readable_filters(model, person):
    """Saved filters (or groups) ``person`` sees: their own and the shared ones.

    Only filters of open projects or of no project are listed. A shared filter
    is limited to the team of its project (Zou 1.0.97 lists the shared filters
    of every project to everyone); one tied to a department is shown to
    admins, managers and the members of that department.
    """
    queryset = model.objects.filter(
        Q(project__isnull=True) | Q(project__project_status__name=OPEN_STATUS_NAME)
    )
    shared = Q(is_shared=True)
    if not roles.is_admin(person):
        shared &= Q(project__person_links__person_id=person.pk)
    queryset = queryset.filter(Q(person_id=person.pk) | shared)
    if not roles.is_manager(person):
        queryset = queryset.filter(
            Q(department__isnull=True) | Q(department__persons__id=person.pk)
        )
    return queryset.distinct().order_by("-created_at", "id")


def _nest_by_list_type_and_project(rows):
    result = {}
    for row in rows:
        project_key = str(row["project_id"]) if row["project_id"] else NO_PROJECT_KEY
        result.setdefault(row["list_type"], {}).setdefault(project_key, []).append(row)
    return result


def search_filters_for(person):
    """``{list_type: {project_id or "all": [filter rows]}}`` (one query)."""
    queryset = _readable_filters(SearchFilter, person).order_by("created_at", "id")
    return _nest_by_list_type_and_project(serialize_rows(SearchFilter, queryset))


def search_filter_groups_for(person):
    """``{list_type: {project_id or "all": [group rows]}}``, newest first (one query)."""
    queryset = _readable_filters(SearchFilterGroup, person)
    return _nest_by_list_type_and_project(serialize_rows(SearchFilterGroup, queryset))


def owned_or_admin(model, person, object_id):
    """A filter (or group) the caller may change: their own, or any for admins.

    Someone else's filter answers 403 (a known object out of reach), where
    Zou's /data/user/filters/<id> answers 404.
    """
    instance = get_or_404(model, object_id)
    if instance.person_id != person.pk and not roles.is_admin(person):
        raise Forbidden()
    return instance


def _optional_text(body, name, default=None):
    value = body.get(name, default)
    if value is not None and not isinstance(value, str):
        raise WrongParameter(f"The field {name} must be a string.")
    return value


def _required_text(body, name, default=None):
    value = _optional_text(body, name, default)
    if value is None or not value.strip():
        raise WrongParameter(f"The field {name} is required.")
    return value


def _flag(body, name, default=False):
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise WrongParameter(f"The field {name} must be a boolean.")


def _body_project(person, value):
    """The project named in a body: 400 unknown, 403 out of the caller's reach."""
    if value in (None, ""):
        return None
    project_id = parse_uuid(value)
    if not Project.objects.filter(pk=project_id).exists():
        raise WrongParameter(f"No project found with id: {value}")
    check_project_access(person, project_id)
    return project_id


def _body_department(value):
    if value in (None, ""):
        return None
    department_id = parse_uuid(value)
    if not Department.objects.filter(pk=department_id).exists():
        raise WrongParameter(f"No department found with id: {value}")
    return department_id


def _body_group(value):
    """The filter group named in a body (404 when unknown, as Zou answers)."""
    if value in (None, ""):
        return None
    group = SearchFilterGroup.objects.filter(pk=parse_uuid(value)).first()
    if group is None:
        raise NotFound()
    return group


def _may_share(person, project_id):
    """Only production managers (and admins) share a filter, and only within a project."""
    if project_id is None:
        return False
    return role_in_project(person, project_id) in (roles.ADMIN, roles.MANAGER)


def _check_group_sharing(group, is_shared):
    if group is not None and group.is_shared != is_shared:
        raise WrongParameter(
            "A search filter should have the same value for is_shared than its search filter group."
        )


def create_search_filter(person, body):
    name = _required_text(body, "name")
    query = _required_text(body, "query")
    list_type = _required_text(body, "list_type", DEFAULT_LIST_TYPE)
    entity_type = _optional_text(body, "entity_type")
    project_id = _body_project(person, body.get("project_id"))
    department_id = _body_department(body.get("department_id"))
    # As in Zou, a sharing request the caller may not make is turned down silently.
    is_shared = _flag(body, "is_shared") and _may_share(person, project_id)
    group = _body_group(body.get("search_filter_group_id"))
    _check_group_sharing(group, is_shared)
    search_filter = SearchFilter.objects.create(
        list_type=list_type,
        name=name,
        search_query=query,
        project_id=project_id,
        person_id=person.pk,
        entity_type=entity_type,
        is_shared=is_shared,
        search_filter_group=group,
        department_id=department_id,
    )
    return serialize_instance(search_filter)


def update_search_filter(person, search_filter, body):
    changes = {}
    for name in ("name", "search_query"):
        value = _optional_text(body, name)
        if value is not None:
            changes[name] = value
    project_id = search_filter.project_id
    if body.get("project_id") not in (None, ""):
        project_id = changes["project_id"] = _body_project(person, body["project_id"])
    if body.get("department_id") not in (None, ""):
        changes["department_id"] = _body_department(body["department_id"])
    is_shared = search_filter.is_shared
    if body.get("is_shared") is not None:
        requested = _flag(body, "is_shared")
        if requested != search_filter.is_shared and not _may_share(person, project_id):
            requested = False
        is_shared = changes["is_shared"] = requested
    group = search_filter.search_filter_group
    if "search_filter_group_id" in body:
        # An explicit null takes the filter out of its group.
        group = _body_group(body["search_filter_group_id"])
        changes["search_filter_group"] = group
    _check_group_sharing(group, is_shared)
    for name, value in changes.items():
        setattr(search_filter, name, value)
    search_filter.save()
    return serialize_instance(search_filter)


def create_search_filter_group(person, body):
    name = _required_text(body, "name")
    color = _required_text(body, "color")
    list_type = _required_text(body, "list_type", DEFAULT_LIST_TYPE)
    entity_type = _optional_text(body, "entity_type")
    project_id = _body_project(person, body.get("project_id"))
    department_id = _body_department(body.get("department_id"))
    is_shared = _flag(body, "is_shared") and _may_share(person, project_id)
    group = SearchFilterGroup.objects.create(
        list_type=list_type,
        name=name,
        color=color,
        project_id=project_id,
        person_id=person.pk,
        entity_type=entity_type,
        is_shared=is_shared,
        department_id=department_id,
    )
    return serialize_instance(group)


def update_search_filter_group(person, group, body):
    for name in ("name", "color"):
        value = _optional_text(body, name)
        if value is not None:
            setattr(group, name, value)
    if body.get("project_id") not in (None, ""):
        group.project_id = _body_project(person, body["project_id"])
    if body.get("department_id") not in (None, ""):
        group.department_id = _body_department(body["department_id"])
    if body.get("is_shared") is not None:
        requested = _flag(body, "is_shared")
        if requested != group.is_shared and not _may_share(person, group.project_id):
            requested = False
        group.is_shared = requested
        # The filters of a group share or unshare with it, or they could no
        # longer be edited (a filter must agree with its group).
        SearchFilter.objects.filter(search_filter_group=group).update(is_shared=requested)
    group.save()
    return serialize_instance(group)


def hidden_data_keys(person, project_ids):
    """``{project_id: field names}`` of the metadata columns ``person`` may not read.

    Clients read only the columns shared with clients; vendors only the
    columns of no department or of one of theirs (behaviour §4, §17). Other
    roles read everything, and for them no query runs. The caller strips
    these keys from the ``data`` of the rows it returns.

    Entity and task routes apply it through
    ``productions.presentation.strip_hidden_data``, the with-tasks tables
    directly.
    """
    roles_by_project = {
        project_id: role_in_project(person, project_id) for project_id in set(project_ids)
    }
    restricted = [
        project_id
        for project_id, role in roles_by_project.items()
        if role in (roles.CLIENT, roles.VENDOR)
    ]
    if not restricted:
        return {}
    vendor_departments = (
        person_department_ids(person)
        if roles.VENDOR in {roles_by_project[project_id] for project_id in restricted}
        else set()
    )
    hidden = defaultdict(set)
    for descriptor in _descriptor_rows(restricted):
        project_id = descriptor["project_id"]
        if not _visible_descriptor(descriptor, roles_by_project[project_id], vendor_departments):
            hidden[project_id].add(descriptor["field_name"])
    return dict(hidden)


def without_keys(data, keys):
    """``data`` without ``keys`` (the same dict when there is nothing to drop)."""
    if not data or not keys:
        return data
    return {key: value for key, value in data.items() if key not in keys}


def tasks_without_keys(tasks, keys):
    """``tasks`` (row dicts), their ``data`` without the metadata columns ``keys``."""
    if not keys:
        return tasks
    for task in tasks:
        task["data"] = without_keys(task.get("data"), keys)
    return tasks
