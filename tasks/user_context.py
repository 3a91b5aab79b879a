"""What the /data/user routes answer for the caller: the bootstrap context,
the to-do lists and the caller's tasks on an entity.

Every builder here runs a fixed number of ``.values()`` queries, assembled in
Python, whatever the number of projects or tasks.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import NotFound
from kitsu_backend.api.serialization import columns, serialize_rows
from kitsu_backend.api.views import parse_uuid
from people.models import Department, Person, Studio
from people.presentation import (
    present_client_people,
    present_minimal_people,
    present_people,
)
from productions.access import check_project_access, explicit_project_roles
from productions.models import (
    EPISODE,
    RESERVED_ENTITY_TYPE_NAMES,
    SEQUENCE,
    CustomAction,
    Entity,
    EntityLink,
    EntityType,
    Plugin,
    PreviewBackgroundFile,
    Project,
    ProjectPersonLink,
    ProjectStatus,
    StatusAutomation,
)
from productions.presentation import strip_hidden_data
from productions.user_data import (
    OPEN_STATUS_NAME,
    open_projects_for,
    person_department_ids,
    search_filter_groups_for,
    search_filters_for,
)
from tasks.models import Comment, Notification, Task, TaskStatus, TaskType

# --- the user context ---------------------------------------------------------------


def _persons_for(person):
    """Everyone, in the form the caller's role is entitled to.

    Admins and production managers get full rows; clients only the people of
    their own teams, in the client form; everyone else the minimal form.
    """
    queryset = Person.objects.order_by("last_name", "first_name", "id")
    if roles.is_manager(person):
        return present_people(queryset, relations=True)
    if roles.is_client(person):
        team_project_ids = ProjectPersonLink.objects.filter(person_id=person.pk).values(
            "project_id"
        )
        mates = ProjectPersonLink.objects.filter(project_id__in=team_project_ids).values(
            "person_id"
        )
        return present_client_people(queryset.filter(Q(id__in=mates) | Q(id=person.pk)))
    return present_minimal_people(queryset)


# Zou's key order for an asset type: its workflow comes right after its texts.
_ASSET_TYPE_KEYS = (
    "name",
    "short_name",
    "description",
    "task_types",
    "archived",
    "id",
    "created_at",
    "updated_at",
    "type",
)


def _asset_types():
    """Every asset type with the ids of its workflow's task types (two queries)."""
    queryset = EntityType.objects.exclude(name__in=RESERVED_ENTITY_TYPE_NAMES).order_by("name")
    rows = serialize_rows(EntityType, queryset, relations=True, kitsu_type="AssetType")
    return [{key: row[key] for key in _ASSET_TYPE_KEYS} for row in rows]


def build_context(person):
    """The ``GET /data/user/context`` payload of ``person`` (payloads.md §2)."""
    context = {
        "asset_types": _asset_types(),
        "custom_actions": serialize_rows(CustomAction, CustomAction.objects.order_by("name")),
        "status_automations": serialize_rows(
            StatusAutomation, StatusAutomation.objects.order_by("created_at", "id")
        ),
        "departments": serialize_rows(Department, Department.objects.order_by("name")),
        "studios": serialize_rows(Studio, Studio.objects.order_by("name")),
        "notification_count": Notification.objects.filter(person_id=person.pk, read=False).count(),
        "persons": _persons_for(person),
        "project_status": serialize_rows(ProjectStatus, ProjectStatus.objects.order_by("name")),
        "project_roles": explicit_project_roles(person),
        "projects": open_projects_for(person),
        "task_types": serialize_rows(TaskType, TaskType.objects.all()),
        "task_status": serialize_rows(TaskStatus, TaskStatus.objects.all()),
        "search_filters": search_filters_for(person),
        "search_filter_groups": search_filter_groups_for(person),
        "preview_background_files": serialize_rows(
            PreviewBackgroundFile, PreviewBackgroundFile.objects.order_by("name")
        ),
        "plugins": serialize_rows(Plugin, Plugin.objects.order_by("name")),
    }
    if roles.is_admin(person):
        # USER_LIMIT caps the number of active people an instance may hold.
        context["user_limit"] = settings.USER_LIMIT
    return context


# --- task rows with their names -------------------------------------------------------

# The task columns, in Zou's key order.
_TASK_COLUMNS = columns(Task)
# Joined columns of a to-do row, read in the same query as the task.
_JOINED = {
    "project_name": "project__name",
    "project_has_avatar": "project__has_avatar",
    "entity_name": "entity__name",
    "entity_description": "entity__description",
    "entity_data": "entity__data",
    "entity_preview_file_id": "entity__preview_file_id",
    "entity_source_id": "entity__source_id",
    "entity_source_name": "entity__source__name",
    "entity_type_name": "entity__entity_type__name",
    "entity_canceled": "entity__canceled",
    "entity_parent_id": "entity__parent_id",
    "entity_parent_name": "entity__parent__name",
    "grandparent_id": "entity__parent__parent_id",
    "grandparent_name": "entity__parent__parent__name",
    "task_type_name": "task_type__name",
    "task_type_for_entity": "task_type__for_entity",
    "task_type_color": "task_type__color",
    "task_status_name": "task_status__name",
    "task_status_color": "task_status__color",
    "task_status_short_name": "task_status__short_name",
}


def open_team_project_ids(person):
    """Subquery of the open projects whose team includes ``person`` (admins too).

    The to-do lists follow Zou: an admin's own tasks are listed only for the
    productions they joined.
    """
    return ProjectPersonLink.objects.filter(
        person_id=person.pk, project__project_status__name=OPEN_STATUS_NAME
    ).values("project_id")


def _task_row(values):
    """A task row in the to-do form from one ``.values()`` row."""
    row = {key: values[key] for key in _TASK_COLUMNS}
    row["type"] = "Task"
    entity_type_name = values["entity_type_name"]
    source_id = values["entity_source_id"]
    # The episode: the sequence's parent for shots, else the entity's source
    # (the episode of an asset), else the parent of a sequence.
    episode_id = values["grandparent_id"]
    episode_name = values["grandparent_name"]
    if episode_id is None:
        episode_id = source_id or ""
        if source_id is not None:
            # "MP" (main pack) names an asset whose episode is gone.
            episode_name = values["entity_source_name"] or "MP"
    if entity_type_name == SEQUENCE and values["entity_parent_id"] is not None:
        episode_id = values["entity_parent_id"]
        episode_name = values["entity_parent_name"]
    row.update(
        {
            "project_name": values["project_name"],
            "project_has_avatar": values["project_has_avatar"],
            "entity_name": values["entity_name"],
            "entity_description": values["entity_description"],
            "entity_data": values["entity_data"],
            "entity_preview_file_id": values["entity_preview_file_id"] or "",
            "entity_source_id": source_id or "",
            "entity_type_name": entity_type_name,
            "entity_canceled": values["entity_canceled"],
            # The entity's parent, whatever its kind, as Zou reports it.
            "sequence_name": values["entity_parent_name"],
            "episode_id": episode_id,
            "episode_name": episode_name,
            "task_type_for_entity": values["task_type_for_entity"],
            "task_estimation": values["estimation"],
            "task_duration": values["duration"],
            "task_start_date": values["start_date"],
            "task_due_date": values["due_date"],
            "task_type_name": values["task_type_name"],
            "task_status_name": values["task_status_name"],
            "task_type_color": values["task_type_color"],
            "task_status_color": values["task_status_color"],
            "task_status_short_name": values["task_status_short_name"],
        }
    )
    return row


def _attach_assignees(rows):
    assignees = defaultdict(list)
    links = Task.assignees.through.objects.filter(
        task_id__in=[row["id"] for row in rows]
    ).values_list("task_id", "person_id")
    for task_id, person_id in links:
        assignees[task_id].append(person_id)
    for row in rows:
        row["assignees"] = assignees.get(row["id"], [])


def _attach_last_comments(rows):
    """``last_comment`` of each task: text, date and author of its latest comment.

    Comments by people acting as clients in the task's project are skipped,
    as Zou does, so artists never see a client's words in their list.
    """
    # Nested in the role subquery below, so the comment is two levels out.
    task_project = Task.objects.filter(pk=OuterRef(OuterRef("object_id"))).values("project_id")[:1]
    link_role = ProjectPersonLink.objects.filter(
        person_id=OuterRef("person_id"), project_id=Subquery(task_project)
    ).values("role")[:1]
    comments = (
        Comment.objects.filter(object_id__in=[row["id"] for row in rows])
        .annotate(acting_role=Coalesce(Subquery(link_role), F("person__role")))
        .exclude(acting_role=roles.CLIENT)
        .order_by("object_id", "created_at", "id")
        .values_list("object_id", "text", "created_at", "person_id")
    )
    last = {}
    for task_id, text, created_at, person_id in comments:
        last[task_id] = {"text": text, "date": created_at, "person_id": person_id}
    for row in rows:
        row["last_comment"] = last.get(row["id"], {})


def _attach_cast_episodes(rows):
    """``episode_ids``/``episode_names`` of the assets cast in episodes (TV shows)."""
    asset_ids = {
        row["entity_id"]
        for row in rows
        if row["entity_type_name"] not in RESERVED_ENTITY_TYPE_NAMES
    }
    if not asset_ids:
        return
    links = (
        EntityLink.objects.filter(entity_out_id__in=asset_ids, entity_in__entity_type__name=EPISODE)
        .order_by("entity_in__name")
        .values_list("entity_out_id", "entity_in_id", "entity_in__name")
    )
    episodes = defaultdict(lambda: ([], []))
    for asset_id, episode_id, episode_name in links:
        episodes[asset_id][0].append(episode_id)
        episodes[asset_id][1].append(episode_name)
    for row in rows:
        if row["entity_id"] in episodes:
            row["episode_ids"], row["episode_names"] = episodes[row["entity_id"]]


def task_rows(queryset, cast_episodes=False):
    """To-do rows of the tasks of ``queryset`` (ordered as it is)."""
    values = list(queryset.values(*_TASK_COLUMNS, **{key: F(v) for key, v in _JOINED.items()}))
    rows = [_task_row(value) for value in values]
    if not rows:
        return rows
    if cast_episodes:
        _attach_cast_episodes(rows)
    _attach_assignees(rows)
    _attach_last_comments(rows)
    return rows


def _assigned_in_open_team_projects(person):
    return Task.objects.filter(
        assignees=person, project_id__in=open_team_project_ids(person)
    ).exclude(entity__isnull=True)


def todo_tasks(person):
    """The caller's assigned tasks not done, in the open projects of their teams."""
    queryset = _assigned_in_open_team_projects(person).filter(task_status__is_done=False)
    queryset = queryset.order_by("project__name", "entity__name", "task_type__name", "id")
    return strip_hidden_data(task_rows(queryset, cast_episodes=True), person)


def done_tasks(person):
    """The caller's assigned done tasks, last finished first."""
    queryset = _assigned_in_open_team_projects(person).filter(task_status__is_done=True)
    queryset = queryset.order_by(
        F("end_date").desc(nulls_first=True), "task_type__name", "entity__name", "id"
    )
    return strip_hidden_data(task_rows(queryset, cast_episodes=True), person)


# --- tasks to check -------------------------------------------------------------------


def _to_check_scope(person):
    """Tasks waiting for feedback the caller reviews, or None when they review none.

    Admins review every open production; production managers the open
    productions of their teams; supervisors those too, limited to the task
    types of their departments (all of them when they have no department).
    """
    queryset = Task.objects.filter(
        task_status__is_feedback_request=True, project__project_status__name=OPEN_STATUS_NAME
    ).exclude(entity__isnull=True)
    if roles.is_admin(person):
        return queryset
    if person.role == roles.MANAGER:
        return queryset.filter(project_id__in=open_team_project_ids(person))
    if person.role == roles.SUPERVISOR:
        queryset = queryset.filter(project_id__in=open_team_project_ids(person))
        departments = person_department_ids(person)
        if departments:
            queryset = queryset.filter(task_type__department_id__in=departments)
        return queryset
    return None


def _episode_filter(episode_id):
    """Every way a row resolves its episode: sequence chain, source, sequence parent."""
    return (
        Q(entity__parent__parent_id=episode_id)
        | Q(entity__source_id=episode_id)
        | Q(entity__parent_id=episode_id)
    )


TO_CHECK_ORDERS = {
    "priority": (
        F("priority").desc(nulls_last=True),
        F("due_date").asc(nulls_last=True),
    ),
    "due_date": (F("due_date").asc(nulls_last=True),),
    "estimation": (F("estimation").desc(nulls_last=True),),
}
_NAME_ORDER = (
    "project__name",
    "entity__parent__parent__name",
    "entity__parent__name",
    "entity__entity_type__name",
    "entity__name",
    "task_type__name",
)


def tasks_to_check(person, filters=None, order_by=None, page=None, limit=100):
    """Tasks waiting for feedback, narrowed by ``filters``; paginated when ``page`` is given.

    ``filters`` keys: project_id, task_type_id, task_status_id, person_ids
    (a list, or "unassigned"), episode_id, due_date_since, due_date_until.
    """
    filters = filters or {}
    queryset = _to_check_scope(person)
    if queryset is None:
        queryset = Task.objects.none()
    if filters.get("project_id"):
        queryset = queryset.filter(project_id=filters["project_id"])
    if filters.get("task_type_id"):
        queryset = queryset.filter(task_type_id=filters["task_type_id"])
    if filters.get("task_status_id"):
        queryset = queryset.filter(task_status_id=filters["task_status_id"])
    if filters.get("person_ids") == "unassigned":
        queryset = queryset.filter(assignees__isnull=True)
    elif filters.get("person_ids"):
        assigned = Task.assignees.through.objects.filter(person_id__in=filters["person_ids"])
        queryset = queryset.filter(id__in=assigned.values("task_id"))
    if filters.get("episode_id"):
        queryset = queryset.filter(_episode_filter(filters["episode_id"]))
    if filters.get("due_date_since"):
        queryset = queryset.filter(due_date__gte=filters["due_date_since"])
    if filters.get("due_date_until"):
        queryset = queryset.filter(due_date__lte=filters["due_date_until"])

    if order_by == "entity_name":
        ordering = (
            "project__name",
            "task_type__name",
            "entity__parent__parent__name",
            "entity__parent__name",
            "entity__name",
        )
    else:
        ordering = (*TO_CHECK_ORDERS.get(order_by, ()), *_NAME_ORDER)
    queryset = queryset.order_by(*ordering, "id")

    if page is None:
        return task_rows(queryset)

    totals = queryset.order_by().aggregate(
        total_duration=Sum("duration"), total_estimation=Sum("estimation")
    )
    total = queryset.order_by().count()
    offset = (page - 1) * limit
    return {
        "data": task_rows(queryset[offset : offset + limit]),
        "stats": {
            "total": total,
            "total_duration": totals["total_duration"] or 0,
            "total_estimation": totals["total_estimation"] or 0,
        },
        "page": page,
        "limit": limit,
        "is_more": page * limit < total,
    }


def tasks_to_check_filter_values(person):
    """The distinct ids the tasks-to-check list can be filtered on (two queries)."""
    values = {
        "project_ids": set(),
        "task_type_ids": set(),
        "task_status_ids": set(),
        "episode_ids": set(),
        "person_ids": set(),
    }
    queryset = _to_check_scope(person)
    if queryset is not None:
        rows = queryset.values_list(
            "project_id",
            "task_type_id",
            "task_status_id",
            "entity__parent__parent_id",
            "entity__source_id",
            "entity__parent_id",
            "entity__entity_type__name",
        ).distinct()
        for project_id, task_type_id, status_id, episode_id, source_id, parent_id, kind in rows:
            values["project_ids"].add(project_id)
            values["task_type_ids"].add(task_type_id)
            values["task_status_ids"].add(status_id)
            if episode_id is None:
                episode_id = source_id
            if kind == SEQUENCE and parent_id is not None:
                episode_id = parent_id
            if episode_id is not None:
                values["episode_ids"].add(episode_id)
        values["person_ids"] = set(
            Task.assignees.through.objects.filter(task_id__in=queryset.values("id")).values_list(
                "person_id", flat=True
            )
        )
    return {key: sorted(str(value) for value in ids) for key, ids in values.items()}


# --- the caller's work on one entity ---------------------------------------------------

ASSET = "Asset"


def load_entity_of_kind(person, entity_id, kind):
    """The entity ``entity_id`` if it is of ``kind`` ("Asset" or a reserved kind name).

    400 for a malformed id, 404 when no such entity of that kind exists, 403
    when it belongs to a project outside the caller's teams (Zou answers
    these /data/user routes with an empty list there instead).
    """
    entity_id = parse_uuid(entity_id)
    row = (
        Entity.objects.filter(pk=entity_id).values("id", "project_id", "entity_type__name").first()
    )
    if row is None:
        raise NotFound()
    type_name = row["entity_type__name"]
    is_asset = type_name not in RESERVED_ENTITY_TYPE_NAMES
    if (kind == ASSET and not is_asset) or (kind != ASSET and type_name != kind):
        raise NotFound()
    check_project_access(person, row["project_id"])
    return row


def assigned_open_tasks(person):
    """The caller's assigned tasks in open projects (the base of the entity routes)."""
    return Task.objects.filter(assignees=person, project__project_status__name=OPEN_STATUS_NAME)


def entity_tasks_for(person, entity_id):
    """Plain task rows (no relations) of the caller on an entity."""
    queryset = assigned_open_tasks(person).filter(entity_id=entity_id).order_by("name", "id")
    return serialize_rows(Task, queryset)


def entity_task_types_for(person, entity_id):
    """The task types of the caller's tasks on an entity."""
    task_type_ids = assigned_open_tasks(person).filter(entity_id=entity_id).values("task_type_id")
    return serialize_rows(TaskType, TaskType.objects.filter(id__in=task_type_ids))


def worked_entity_ids(person):
    """Subquery of the entities the caller has a task on, in open projects."""
    return assigned_open_tasks(person).values("entity_id")


def load_project_for(person, project_id):
    """The project id checked: 400 malformed, 404 unknown, 403 outside the caller's teams."""
    project_id = parse_uuid(project_id)
    if not Project.objects.filter(pk=project_id).exists():
        raise NotFound()
    check_project_access(person, project_id)
    return project_id
