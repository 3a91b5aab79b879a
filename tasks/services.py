"""Domain operations on tasks: creation, assignment, deletion, time logging, listings.

Views, admin actions, management commands and the apps above (assets,
shots) call these functions; they never check who is calling, so each entry
point does its own permission checks first. Writes run in one transaction
and queue their events, which are sent after commit.
"""

import logging
from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count, F, Max, Min, ProtectedError, Q, RestrictedError, Sum

from kitsu_backend.api import events
from kitsu_backend.api.deletion import purge
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.serialization import columns, serialize_instance, serialize_rows
from people.models import Person
from people.presentation import present_people, present_person
from productions.models import (
    CONCEPT,
    EDIT,
    EPISODE,
    SCENE,
    SEQUENCE,
    SHOT,
    Entity,
    EntityConceptLink,
    EntityType,
    Project,
    ProjectPersonLink,
    ProjectTaskTypeLink,
)
from productions.presentation import kind_of, strip_hidden_data
from tasks import messaging
from tasks.attachments import remove_attachment_files
from tasks.media import storage
from tasks.models import (
    AttachmentFile,
    Comment,
    CommentPreviewLink,
    Notification,
    PreviewFile,
    ProductionScheduleVersionTaskLink,
    ProductionScheduleVersionTaskLinkPersonLink,
    Subscription,
    Task,
    TaskStatus,
    TimeSpent,
    WorkingFile,
)

logger = logging.getLogger(__name__)

TaskAssignee = Task.assignees.through
OPEN_STATUS_NAME = "Open"


class TaskError(Exception):
    """A refused task operation; the API answers it with a 400."""


# --- statuses and scoping ---------------------------------------------------


def default_task_status(for_concept=False):
    """The status new tasks start in (``is_default``), created on demand.

    Concept tasks have their own default (Neutral); other tasks start in Todo.
    """
    status = (
        TaskStatus.objects.filter(is_default=True, for_concept=for_concept)
        .order_by("priority", "name")
        .first()
    )
    if status is not None:
        return status
    if for_concept:
        defaults = {"name": "Neutral", "color": "#CCCCCC", "is_default": True, "for_concept": True}
        short_name = "neutral"
    else:
        defaults = {"name": "Todo", "color": "#f5f5f5", "is_default": True}
        short_name = "todo"
    status, _created = TaskStatus.objects.get_or_create(short_name=short_name, defaults=defaults)
    return status


def open_project_ids():
    return set(
        Project.objects.filter(project_status__name=OPEN_STATUS_NAME).values_list("id", flat=True)
    )


def assigned_task_ids(person):
    """A subquery of the ids of the tasks ``person`` is assigned to."""
    return TaskAssignee.objects.filter(person_id=person.pk).values("task_id")


def department_ids(person):
    """Ids of the person's departments, read once per request object."""
    cached = getattr(person, "_kitsu_department_ids", None)
    if cached is None:
        cached = set(person.departments.values_list("id", flat=True))
        person._kitsu_department_ids = cached
    return cached


def supervises_task_type(person, task_type_department_id):
    """Whether a supervisor's departments cover a task type (no department = all)."""
    departments = department_ids(person)
    return not departments or task_type_department_id in departments


# --- rows -------------------------------------------------------------------


def task_rows(queryset, assignees=True):
    """Plain task rows (as ``GET /data/tasks/<id>``), with ``assignees`` ids."""
    return serialize_rows(Task, queryset, relations=assignees)


def task_row(task):
    return serialize_instance(task, relations=True)


def _episode_and_sequence(row, prefix=""):
    """Resolve the sequence name and episode of a task row from its entity's parents."""
    kind = row[f"{prefix}entity_type_name"]
    sequence_name = episode_id = episode_name = None
    if kind in (SHOT, SCENE):
        sequence_name = row[f"{prefix}parent_name"]
        episode_id = row[f"{prefix}grandparent_id"]
        episode_name = row[f"{prefix}grandparent_name"]
    elif kind in (SEQUENCE, EDIT):
        episode_id = row[f"{prefix}parent_id"]
        episode_name = row[f"{prefix}parent_name"]
    elif kind not in (EPISODE, CONCEPT):
        # Assets of a TV show point to their episode through ``source``.
        episode_id = row[f"{prefix}source_id"]
        episode_name = row[f"{prefix}source_name"]
    return sequence_name, episode_id, episode_name


DETAIL_LOOKUPS = {
    "project_name": "project__name",
    "project_has_avatar": "project__has_avatar",
    "entity_name": "entity__name",
    "entity_description": "entity__description",
    "entity_data": "entity__data",
    "entity_preview_file_id": "entity__preview_file_id",
    "entity_source_id": "entity__source_id",
    "entity_type_name": "entity__entity_type__name",
    "entity_canceled": "entity__canceled",
    "x_parent_id": "entity__parent_id",
    "x_parent_name": "entity__parent__name",
    "x_grandparent_id": "entity__parent__parent_id",
    "x_grandparent_name": "entity__parent__parent__name",
    "x_source_name": "entity__source__name",
    "x_task_type_name": "task_type__name",
    "x_task_type_for_entity": "task_type__for_entity",
    "x_task_type_color": "task_type__color",
    "x_task_status_name": "task_status__name",
    "x_task_status_color": "task_status__color",
    "x_task_status_short_name": "task_status__short_name",
}


def _detailed_rows(queryset):
    """Task rows plus the names of their project, entity, type and status (one query)."""
    names = columns(Task)
    rows = list(queryset.values(*names, **{key: F(path) for key, path in DETAIL_LOOKUPS.items()}))
    for row in rows:
        row["type"] = "Task"
        row["x_entity_type_name"] = row["entity_type_name"]
        row["x_source_id"] = row["entity_source_id"]
    return rows


def _attach_assignees(rows):
    ids = [row["id"] for row in rows]
    links = defaultdict(list)
    if ids:
        for task_id, person_id in TaskAssignee.objects.filter(task_id__in=ids).values_list(
            "task_id", "person_id"
        ):
            links[task_id].append(person_id)
    for row in rows:
        row["assignees"] = links.get(row["id"], [])


def _attach_last_comments(rows):
    ids = [row["id"] for row in rows]
    last = {}
    if ids:
        comments = (
            Comment.objects.filter(object_id__in=ids)
            .order_by("object_id", "-created_at")
            .values_list("object_id", "text", "created_at", "person_id")
        )
        for task_id, text, created_at, person_id in comments:
            last.setdefault(task_id, {"text": text, "date": created_at, "person_id": person_id})
    for row in rows:
        row["last_comment"] = last.get(row["id"], {})


def _strip_private(row):
    for key in [key for key in row if key.startswith("x_")]:
        del row[key]
    return row


def todo_rows(queryset):
    """Rows of a to-do list (``/data/user/tasks``, ``/data/persons/<id>/tasks``).

    Each row is the task plus the names of what it is about, its assignees
    and its last comment; three queries whatever the number of tasks.
    """
    rows = _detailed_rows(queryset.order_by("project__name", "entity__name", "task_type__name"))
    for row in rows:
        sequence_name, episode_id, episode_name = _episode_and_sequence(row, "x_")
        row["entity_preview_file_id"] = row["entity_preview_file_id"] or ""
        row["entity_source_id"] = row["entity_source_id"] or ""
        row["sequence_name"] = sequence_name
        row["episode_id"] = episode_id
        row["episode_name"] = episode_name
        row["task_type_for_entity"] = row["x_task_type_for_entity"]
        row["task_estimation"] = row["estimation"]
        row["task_duration"] = row["duration"]
        row["task_start_date"] = row["start_date"]
        row["task_due_date"] = row["due_date"]
        row["task_type_name"] = row["x_task_type_name"]
        row["task_status_name"] = row["x_task_status_name"]
        row["task_type_color"] = row["x_task_type_color"]
        row["task_status_color"] = row["x_task_status_color"]
        row["task_status_short_name"] = row["x_task_status_short_name"]
        _strip_private(row)
    _attach_assignees(rows)
    _attach_last_comments(rows)
    return rows


def person_tasks(person, project_ids, done=False):
    """To-do rows of the tasks assigned to ``person`` in ``project_ids``, open or done."""
    queryset = Task.objects.filter(
        pk__in=assigned_task_ids(person),
        project_id__in=project_ids,
        task_status__is_done=done,
    )
    return todo_rows(queryset)


# --- task creation ----------------------------------------------------------


def check_task_type_enabled(project, task_type):
    if not ProjectTaskTypeLink.objects.filter(project=project, task_type=task_type).exists():
        raise TaskError(f"Task type {task_type.name} is not enabled on this project.")


def filter_assets_for_task_type(task_type, assets):
    """Drop the assets whose asset type has a workflow that excludes ``task_type``.

    An asset type with no task types set accepts every asset task type.
    """
    type_ids = {asset.entity_type_id for asset in assets}
    workflows = defaultdict(set)
    links = EntityType.task_types.through.objects.filter(asset_type_id__in=type_ids)
    for asset_type_id, task_type_id in links.values_list("asset_type_id", "task_type_id"):
        workflows[asset_type_id].add(task_type_id)
    return [
        asset
        for asset in assets
        if not workflows.get(asset.entity_type_id)
        or task_type.pk in workflows[asset.entity_type_id]
    ]


def create_tasks(project, task_type, entities, assigner=None, name="main"):
    """Create the ``task_type`` task named ``name`` on each entity that lacks one.

    Idempotent: entities that already have that task are skipped. New tasks
    start in the default status (Todo, or Neutral for concept task types).
    Raises ``TaskError`` when the task type is not enabled on the project or
    an entity belongs to another project; nothing is created then. Returns
    the created tasks and emits ``task:new`` for each.
    """
    entities = list(entities)
    check_task_type_enabled(project, task_type)
    for entity in entities:
        if entity.project_id != project.pk:
            raise TaskError(f"Entity {entity.pk} does not belong to this project.")
    with transaction.atomic():
        existing = set(
            Task.objects.filter(
                project=project,
                task_type=task_type,
                name=name,
                entity_id__in=[entity.pk for entity in entities],
            ).values_list("entity_id", flat=True)
        )
        status = default_task_status(for_concept=task_type.for_entity == CONCEPT)
        seen = set()
        tasks = []
        for entity in entities:
            if entity.pk in existing or entity.pk in seen:
                continue
            seen.add(entity.pk)
            tasks.append(
                Task(
                    name=name,
                    project=project,
                    task_type=task_type,
                    task_status=status,
                    entity=entity,
                    assigner=assigner,
                )
            )
        Task.objects.bulk_create(tasks)
        for task in tasks:
            events.emit("task:new", {"task_id": task.pk}, project_id=project.pk)
    logger.info("Created %d %s tasks in project %s", len(tasks), task_type.name, project.pk)
    return tasks


# --- assignment -------------------------------------------------------------


def _ensure_team_member(project_ids, person):
    """Put ``person`` on the team of each project (Zou does it when assigning)."""
    present = set(
        ProjectPersonLink.objects.filter(
            person_id=person.pk, project_id__in=project_ids
        ).values_list("project_id", flat=True)
    )
    for project_id in set(project_ids) - present:
        ProjectPersonLink.objects.create(project_id=project_id, person_id=person.pk)
        events.emit("project:update", {"project_id": project_id}, project_id=project_id)


def assign_tasks(tasks, person, assigner):
    """Assign ``person`` to each of ``tasks``; return the tasks.

    The person joins the project teams if needed. Each new assignment makes
    an ``assignation`` notification for the assignee and emits
    ``task:assign`` and ``task:update``; tasks already assigned to the
    person are left as they are.
    """
    tasks = list(tasks)
    with transaction.atomic():
        already = set(
            TaskAssignee.objects.filter(
                person_id=person.pk, task_id__in=[task.pk for task in tasks]
            ).values_list("task_id", flat=True)
        )
        new = [task for task in tasks if task.pk not in already]
        TaskAssignee.objects.bulk_create(
            [TaskAssignee(task_id=task.pk, person_id=person.pk) for task in new]
        )
        now = utcnow()
        assigner_id = assigner.pk if assigner is not None else None
        Task.objects.filter(pk__in=[task.pk for task in new]).update(
            assigner_id=assigner_id, updated_at=now
        )
        notifications = [
            Notification(
                type="assignation", person_id=person.pk, author_id=assigner_id, task_id=task.pk
            )
            for task in new
            if assigner_id is not None and assigner_id != person.pk
        ]
        Notification.objects.bulk_create(notifications)
        messaging.send_later(notification.pk for notification in notifications)
        _ensure_team_member({task.project_id for task in new}, person)
        for task in new:
            task.assigner_id = assigner_id
            task.updated_at = now
            data = {"task_id": task.pk, "person_id": person.pk}
            events.emit("task:assign", data, project_id=task.project_id)
            events.emit("task:update", {"task_id": task.pk}, project_id=task.project_id)
        for notification in notifications:
            events.emit(
                "notification:new",
                {"notification_id": notification.pk, "person_id": person.pk},
                persist=False,
            )
    return tasks


def unassign(tasks, person=None):
    """Remove ``person`` (everyone when None) from the assignees of ``tasks``.

    Emits ``task:unassign`` for each removed assignment and ``task:update``
    for each changed task. Returns the ids of the tasks given.
    """
    tasks = list(tasks)
    by_id = {task.pk: task for task in tasks}
    with transaction.atomic():
        links = TaskAssignee.objects.filter(task_id__in=list(by_id))
        if person is not None:
            links = links.filter(person_id=person.pk)
        removed = list(links.values_list("task_id", "person_id"))
        links.delete()
        changed = {task_id for task_id, _person_id in removed}
        Task.objects.filter(pk__in=changed).update(updated_at=utcnow())
        for task_id, person_id in removed:
            events.emit(
                "task:unassign",
                {"task_id": task_id, "person_id": person_id},
                project_id=by_id[task_id].project_id,
            )
        for task_id in changed:
            events.emit("task:update", {"task_id": task_id}, project_id=by_id[task_id].project_id)
    return [task.pk for task in tasks]


# --- deletion ---------------------------------------------------------------


def delete_preview_files(preview_ids):
    """Delete preview rows and what hangs on them; their stored media goes
    once the transaction commits (a rolled-back delete keeps the files)."""
    preview_ids = list(preview_ids)
    if not preview_ids:
        return
    CommentPreviewLink.objects.filter(preview_file_id__in=preview_ids).delete()
    PreviewFile.objects.filter(pk__in=preview_ids).delete()
    transaction.on_commit(lambda: storage.delete_preview_media(preview_ids))


def delete_comments(comment_ids):
    """Delete comments with their attachments, previews, news and notifications."""
    comment_ids = list(comment_ids)
    if not comment_ids:
        return
    previews = CommentPreviewLink.objects.filter(comment_id__in=comment_ids).values_list(
        "preview_file_id", flat=True
    )
    delete_preview_files(list(previews))
    remove_attachment_files(
        AttachmentFile.objects.filter(comment_id__in=comment_ids).values_list("id", flat=True)
    )
    Comment.objects.filter(pk__in=comment_ids).delete()


def delete_tasks(tasks):
    """Delete tasks with their comments, previews, time spents and subscriptions.

    Emits ``task:delete`` for each. Returns the ids of the deleted tasks.
    """
    tasks = list(tasks)
    task_ids = [task.pk for task in tasks]
    if not task_ids:
        return []
    with transaction.atomic():
        TimeSpent.objects.filter(task_id__in=task_ids).delete()
        comment_ids = Comment.objects.filter(object_id__in=task_ids).values_list("id", flat=True)
        delete_comments(list(comment_ids))
        previews = PreviewFile.objects.filter(task_id__in=task_ids).values_list("id", flat=True)
        delete_preview_files(list(previews))
        WorkingFile.objects.filter(task_id__in=task_ids).delete()
        Subscription.objects.filter(task_id__in=task_ids).delete()
        Task.objects.filter(pk__in=task_ids).delete()
        for task in tasks:
            events.emit("task:delete", {"task_id": task.pk}, project_id=task.project_id)
    logger.info("Deleted %d tasks", len(task_ids))
    return task_ids


def purge_entities(entity_ids):
    """Hard-delete entities with their tasks and every row that depends on them.

    ``entity_ids`` lists parents before their children (episode, sequences,
    shots); children go first. Tasks are removed through ``delete_tasks``
    (with their ``task:delete`` events); the caller emits the entity events.
    TODO: the media files of removed previews and attachments stay in
    storage; only their rows go, so disk space is not reclaimed yet.
    """
    with transaction.atomic():
        delete_tasks(Task.objects.filter(entity_id__in=entity_ids))
        for entity_id in reversed(list(entity_ids)):
            purge(Entity.objects.filter(pk=entity_id))


# --- the full task ----------------------------------------------------------


def _entity_row(entity_id, kitsu_type):
    queryset = Entity.objects.filter(pk=entity_id)
    rows = serialize_rows(Entity, queryset, kitsu_type=kitsu_type)
    return rows[0] if rows else None


def task_full(task, viewer):
    """The task with its entity, project, type, status, people and parents resolved.

    The shape of ``GET /data/tasks/<id>/full``; a constant number of queries.
    """
    row = strip_hidden_data([task_row(task)], viewer)[0]
    entity = Entity.objects.select_related("entity_type").get(pk=task.entity_id)
    row["entity"] = strip_hidden_data([_entity_row(entity.pk, "Entity")], viewer)[0]
    row["entity_type"] = serialize_instance(entity.entity_type, relations=False)
    row["is_subscribed"] = Subscription.objects.filter(
        person_id=viewer.pk, task_id=task.pk
    ).exists()
    row["persons"] = present_people(Person.objects.filter(pk__in=row["assignees"]))
    row["project"] = serialize_instance(task.project, relations=False)
    row["task_status"] = serialize_instance(task.task_status, relations=False)
    row["task_type"] = serialize_instance(task.task_type, relations=False)
    row["assigner"] = present_person(task.assigner) if task.assigner_id else None
    kind = entity.entity_type.name
    if kind in (SHOT, SCENE) and entity.parent_id:
        row["sequence"] = _entity_row(entity.parent_id, SEQUENCE)
        grandparent = row["sequence"]["parent_id"] if row["sequence"] else None
        if grandparent:
            row["episode"] = _entity_row(grandparent, EPISODE)
    elif kind in (SEQUENCE, EDIT) and entity.parent_id:
        row["episode"] = _entity_row(entity.parent_id, EPISODE)
    return row


# --- listings ---------------------------------------------------------------


def open_task_rows(queryset):
    """Rows of the task list page (``/data/tasks/open-tasks``), one query plus assignees."""
    rows = _detailed_rows(queryset)
    for row in rows:
        sequence_name, episode_id, episode_name = _episode_and_sequence(row, "x_")
        row["entity_preview_file_id"] = row["entity_preview_file_id"] or ""
        row["entity_source_id"] = row["entity_source_id"] or ""
        row["sequence_name"] = sequence_name
        row["episode_id"] = episode_id
        row["episode_name"] = episode_name
        row["task_type_for_entity"] = row["x_task_type_for_entity"]
        row["type_name"] = row["x_task_type_name"]
        row["status_name"] = row["x_task_status_name"]
        row["type_color"] = row["x_task_type_color"]
        row["status_color"] = row["x_task_status_color"]
        row["status_short_name"] = row["x_task_status_short_name"]
        _strip_private(row)
    _attach_assignees(rows)
    return rows


def filter_open_tasks(queryset, filters):
    """Apply the task-list filters (``OpenTaskFilters`` values) to a task queryset."""
    if filters.get("task_type_id"):
        queryset = queryset.filter(task_type_id=filters["task_type_id"])
    else:
        queryset = queryset.exclude(task_type__for_entity=CONCEPT)
    if filters.get("task_status_id"):
        queryset = queryset.filter(task_status_id=filters["task_status_id"])
    person_ids = filters.get("person_ids")
    if person_ids == "unassigned":
        queryset = queryset.filter(assignees__isnull=True)
    elif person_ids:
        queryset = queryset.filter(
            pk__in=TaskAssignee.objects.filter(person_id__in=person_ids).values("task_id")
        )
    if filters.get("studio_id"):
        queryset = queryset.filter(
            pk__in=TaskAssignee.objects.filter(person__studio_id=filters["studio_id"]).values(
                "task_id"
            )
        )
    if filters.get("department_id"):
        queryset = queryset.filter(
            pk__in=TaskAssignee.objects.filter(person__departments=filters["department_id"]).values(
                "task_id"
            )
        )
    if filters.get("start_date"):
        queryset = queryset.filter(start_date__gte=filters["start_date"])
    if filters.get("due_date"):
        queryset = queryset.filter(due_date__lte=filters["due_date"])
    if filters.get("priority") is not None:
        queryset = queryset.filter(task_type__priority=filters["priority"])
    return queryset


def open_tasks_page(queryset, page=1, limit=200):
    """The ``{data, stats, limit, is_more, page}`` answer of the task list page."""
    ordered = queryset.order_by(
        "project__name",
        "entity__parent__parent__name",
        "entity__parent__name",
        "entity__entity_type__name",
        "entity__name",
        "task_type__name",
        "id",
    )
    offset = (page - 1) * limit
    rows = open_task_rows(ordered[offset : offset + limit])
    totals = queryset.aggregate(
        total=Count("id"), total_duration=Sum("duration"), total_estimation=Sum("estimation")
    )
    statuses = [
        {"task_status_id": status_id, "amount": amount}
        for status_id, amount in queryset.order_by()
        .values_list("task_status_id")
        .annotate(amount=Count("id"))
        .values_list("task_status_id", "amount")
    ]
    total = totals["total"] or 0
    return {
        "data": rows,
        "stats": {
            "total_duration": totals["total_duration"] or 0,
            "total_estimation": totals["total_estimation"] or 0,
            "total": total,
            "status": statuses,
        },
        "limit": limit,
        "is_more": page * limit < total,
        "page": page,
    }


def open_tasks_stats(queryset):
    """Per project: amounts, done amounts, duration and estimation, with a per type/status list."""
    stats = (
        queryset.exclude(task_type__for_entity=CONCEPT)
        .order_by()
        .values("project_id", "task_type_id", "task_status_id")
        .annotate(
            amount=Count("id"),
            amount_done=Count("id", filter=Q(task_status__is_done=True)),
            total_duration=Sum("duration"),
            total_estimation=Sum("estimation"),
        )
    )
    result = {}
    for stat in stats:
        stat["total_duration"] = stat["total_duration"] or 0
        stat["total_estimation"] = stat["total_estimation"] or 0
        project = result.setdefault(
            stat["project_id"],
            {
                "amount": 0,
                "amount_done": 0,
                "total_duration": 0,
                "total_estimation": 0,
                "task_types": [],
            },
        )
        for key in ("amount", "amount_done", "total_duration", "total_estimation"):
            project[key] += stat[key]
        project["task_types"].append(stat)
    return result


def open_tasks_burndown(queryset):
    """Totals, schedule bounds and tasks done per day, for a burndown chart."""
    totals = queryset.aggregate(
        total=Count("id"),
        total_estimation=Sum("estimation"),
        first_start=Min("start_date"),
        last_due=Max("due_date"),
        project_start=Min("project__start_date"),
        project_end=Max("project__end_date"),
    )
    done = defaultdict(lambda: [0, 0])
    for done_date, estimation in queryset.filter(done_date__isnull=False).values_list(
        "done_date", "estimation"
    ):
        day = done_date.date()
        done[day][0] += 1
        done[day][1] += estimation or 0
    start = totals["first_start"].date() if totals["first_start"] else totals["project_start"]
    end = totals["last_due"].date() if totals["last_due"] else totals["project_end"]
    planning = sorted(day for day in (start, end) if day is not None)
    days = sorted(done.items())
    if start is not None and planning:
        # Done dates before the planned window (imported history) are folded
        # onto its first day so that they do not stretch the chart.
        window_start = planning[0]
        early = [item for item in days if item[0] <= window_start]
        if early:
            folded = [sum(item[1][0] for item in early), sum(item[1][1] for item in early)]
            days = [(window_start, folded)] + [item for item in days if item[0] > window_start]
    bounds = list(planning) + ([days[0][0], days[-1][0]] if days else [])
    return {
        "total": totals["total"] or 0,
        "total_estimation": totals["total_estimation"] or 0,
        "start_date": min(bounds) if bounds else None,
        "end_date": max(bounds) if bounds else None,
        "done_by_day": [
            {"date": day, "done": amount, "done_estimation": estimation}
            for day, (amount, estimation) in days
        ],
    }


def persons_task_dates(project_ids):
    """First start date and last due date of the tasks of each active person."""
    rows = (
        TaskAssignee.objects.filter(person__active=True, task__project_id__in=project_ids)
        .values("person_id")
        .annotate(min_date=Min("task__start_date"), max_date=Max("task__due_date"))
        .order_by("person_id")
    )
    return [
        {"person_id": row["person_id"], "min_date": row["min_date"], "max_date": row["max_date"]}
        for row in rows
    ]


def related_tasks(person, task_type_id, project_ids):
    """Tasks of a type on the entities where ``person`` has at least one task."""
    entity_ids = Task.objects.filter(
        pk__in=assigned_task_ids(person), project_id__in=project_ids
    ).values("entity_id")
    queryset = Task.objects.filter(
        entity_id__in=entity_ids, task_type_id=task_type_id, project_id__in=project_ids
    )
    return task_rows(queryset)


# --- time spents --------------------------------------------------------------


def recompute_duration(task):
    """Set ``task.duration`` to the sum of its time spents (minutes)."""
    total = TimeSpent.objects.filter(task_id=task.pk).aggregate(total=Sum("duration"))["total"]
    task.duration = total or 0.0
    task.save(update_fields=["duration"])
    events.emit("task:update", {"task_id": task.pk}, project_id=task.project_id)


def set_time_spent(task, person, day, duration, add=False):
    """Set (or, with ``add``, increase) the minutes ``person`` logged on ``task`` on ``day``.

    A total of zero or less removes the entry. Returns the entry, or None
    when it was removed.
    """
    with transaction.atomic():
        entry = (
            TimeSpent.objects.select_for_update()
            .filter(task_id=task.pk, person_id=person.pk, date=day)
            .first()
        )
        total = duration + (entry.duration if entry is not None and add else 0)
        if total <= 0:
            if entry is None:
                raise TaskError("The duration must be greater than zero.")
            delete_time_spent(entry, task)
            return None
        if entry is None:
            entry = TimeSpent.objects.create(
                task_id=task.pk, person_id=person.pk, date=day, duration=total
            )
            action = "new"
        else:
            entry.duration = total
            entry.save(update_fields=["duration"])
            action = "update"
        events.emit(f"time-spent:{action}", {"time_spent_id": entry.pk}, project_id=task.project_id)
        Person.objects.filter(pk=person.pk).update(last_presence=date.today())
        recompute_duration(task)
    return entry


def delete_time_spent(entry, task):
    with transaction.atomic():
        events.emit("time-spent:delete", {"time_spent_id": entry.pk}, project_id=task.project_id)
        entry.delete()
        recompute_duration(task)


def time_spents_by_person(queryset):
    """``{"total": minutes, <person_id>: [time spent rows]}``."""
    result = {"total": 0}
    for row in serialize_rows(TimeSpent, queryset.order_by("date", "created_at")):
        result["total"] += row["duration"]
        result.setdefault(str(row["person_id"]), []).append(row)
    return result


def project_month_time_spents(project_id):
    """Minutes per department, per person and per ``YYYY-MM`` month, with totals."""
    data = {}
    rows = (
        TimeSpent.objects.filter(
            task__project_id=project_id, task__task_type__department__isnull=False
        )
        .values_list("task__task_type__department_id", "person_id", "date", "duration")
        .order_by("date")
    )
    for department_id, person_id, day, duration in rows:
        department = data.setdefault(department_id, {"total": 0})
        person = department.setdefault(person_id, {"total": 0})
        month = day.strftime("%Y-%m")
        person[month] = person.get(month, 0) + duration
        person["total"] += duration
        department["total"] += duration
    return data


# --- entities -----------------------------------------------------------------


def delete_entities(entities):
    """Remove entities; those with tasks (or still referenced) are canceled instead.

    Returns the ids handled. Emits ``<kind>:update`` for a canceled entity
    and ``<kind>:delete`` for a removed one.
    """
    entities = list(entities)
    with_tasks = set(
        Task.objects.filter(entity_id__in=[entity.pk for entity in entities]).values_list(
            "entity_id", flat=True
        )
    )
    handled = []
    with transaction.atomic():
        for entity in entities:
            entity_id = entity.pk
            kind = kind_of(entity.entity_type.name).lower()
            removed = False
            if entity_id not in with_tasks:
                try:
                    with transaction.atomic():
                        entity.delete()
                    removed = True
                except (ProtectedError, RestrictedError):
                    removed = False
            action = "delete"
            if not removed:
                Entity.objects.filter(pk=entity_id).update(canceled=True, updated_at=utcnow())
                action = "update"
            events.emit(f"{kind}:{action}", {f"{kind}_id": entity_id}, project_id=entity.project_id)
            handled.append(entity_id)
    return handled


def linked_entities_with_tasks(entity_id):
    """Entities linked to ``entity_id`` by concept links, each with its tasks."""
    linked_ids = EntityConceptLink.objects.filter(entity_out_id=entity_id).values("entity_in_id")
    entities = list(
        Entity.objects.filter(pk__in=linked_ids).values(
            "id",
            "name",
            "description",
            "canceled",
            "data",
            "entity_type_id",
            "nb_frames",
            "parent_id",
            "preview_file_id",
            "project_id",
            "source_id",
            "nb_entities_out",
            "is_casting_standby",
            "created_at",
            "updated_at",
            "created_by",
            project_name=F("project__name"),
            entity_type_name=F("entity_type__name"),
        )
    )
    ids = [row["id"] for row in entities]
    concept_links = defaultdict(list)
    for entity_in, entity_out in EntityConceptLink.objects.filter(entity_in_id__in=ids).values_list(
        "entity_in_id", "entity_out_id"
    ):
        concept_links[entity_in].append(entity_out)
    tasks = defaultdict(list)
    task_list = list(
        Task.objects.filter(entity_id__in=ids).values(
            "id",
            "duration",
            "due_date",
            "end_date",
            "entity_id",
            "estimation",
            "last_comment_date",
            "nb_assets_ready",
            "priority",
            "real_start_date",
            "retake_count",
            "start_date",
            "task_status_id",
            "task_type_id",
            "assigner_id",
        )
    )
    _attach_assignees(task_list)
    for task in task_list:
        task["priority"] = task["priority"] or 0
        tasks[task["entity_id"]].append(task)
    result = []
    for row in entities:
        data = row["data"] or {}
        row["data"] = data
        row["fps"] = data.get("fps")
        row["frame_in"] = data.get("frame_in")
        row["frame_out"] = data.get("frame_out")
        row["type"] = kind_of(row.pop("entity_type_name"))
        row["tasks"] = tasks.get(row["id"], [])
        row["entity_concept_links"] = concept_links.get(row["id"], [])
        result.append(row)
    return result


# --- schedule versions ----------------------------------------------------------


def _copy_task_links(version, sources):
    """Upsert the task links of ``version`` from ``sources``.

    Each source is (task_id, start_date, due_date, estimation, person ids).
    """
    existing = {
        link.task_id: link
        for link in ProductionScheduleVersionTaskLink.objects.filter(
            production_schedule_version=version
        )
    }
    to_create, to_update = [], []
    for task_id, start_date, due_date, estimation, _people in sources:
        link = existing.get(task_id)
        if link is None:
            link = ProductionScheduleVersionTaskLink(
                production_schedule_version=version, task_id=task_id
            )
            to_create.append(link)
        else:
            to_update.append(link)
        link.start_date, link.due_date, link.estimation = start_date, due_date, estimation
    ProductionScheduleVersionTaskLink.objects.bulk_create(to_create)
    ProductionScheduleVersionTaskLink.objects.bulk_update(
        to_update, ["start_date", "due_date", "estimation"]
    )
    links = {link.task_id: link for link in [*to_create, *to_update]}
    PersonLink = ProductionScheduleVersionTaskLinkPersonLink
    PersonLink.objects.filter(
        production_schedule_version_task_link_id__in=[link.pk for link in links.values()]
    ).delete()
    PersonLink.objects.bulk_create(
        [
            PersonLink(production_schedule_version_task_link_id=links[task_id].pk, person_id=pid)
            for task_id, _start, _due, _estimation, people in sources
            for pid in people
        ]
    )
    return len(links)


def set_task_links_from_production(version):
    """Fill a schedule version with the dates, estimates and assignees of the tasks."""
    with transaction.atomic():
        tasks = list(
            Task.objects.filter(project_id=version.project_id).values(
                "id", "start_date", "due_date", "estimation"
            )
        )
        _attach_assignees(tasks)
        sources = [
            (t["id"], t["start_date"], t["due_date"], t["estimation"], t["assignees"])
            for t in tasks
        ]
        count = _copy_task_links(version, sources)
    return {"success": True, "task_link_count": count}


def set_task_links_from_version(version, other):
    """Fill a schedule version from another version of the same project."""
    if version.pk == other.pk:
        raise TaskError("A production schedule version cannot be copied onto itself.")
    if version.project_id != other.project_id:
        raise TaskError("Both schedule versions must belong to the same project.")
    with transaction.atomic():
        links = list(
            ProductionScheduleVersionTaskLink.objects.filter(
                production_schedule_version=other
            ).values("id", "task_id", "start_date", "due_date", "estimation")
        )
        people = defaultdict(list)
        for link_id, person_id in ProductionScheduleVersionTaskLinkPersonLink.objects.filter(
            production_schedule_version_task_link_id__in=[link["id"] for link in links]
        ).values_list("production_schedule_version_task_link_id", "person_id"):
            people[link_id].append(person_id)
        sources = [
            (
                link["task_id"],
                link["start_date"],
                link["due_date"],
                link["estimation"],
                people[link["id"]],
            )
            for link in links
        ]
        count = _copy_task_links(version, sources)
        version.production_schedule_from = other.pk
        version.save(update_fields=["production_schedule_from"])
        events.emit(
            "production_schedule_version:update",
            {"production_schedule_version_id": version.pk},
            project_id=version.project_id,
        )
    return {"success": True, "task_link_count": count}


def apply_version_to_production(version):
    """Copy a schedule version's dates and estimates onto the real tasks, then lock it."""
    with transaction.atomic():
        links = list(
            ProductionScheduleVersionTaskLink.objects.filter(
                production_schedule_version=version, task__project_id=version.project_id
            ).select_related("task")
        )
        tasks = []
        for link in links:
            task = link.task
            task.start_date, task.due_date = link.start_date, link.due_date
            task.estimation = link.estimation
            task.updated_at = utcnow()
            tasks.append(task)
        Task.objects.bulk_update(tasks, ["start_date", "due_date", "estimation", "updated_at"])
        for task in tasks:
            events.emit("task:update", {"task_id": task.pk}, project_id=task.project_id)
        version.locked = True
        version.save(update_fields=["locked"])
        Project.objects.filter(pk=version.project_id).update(
            from_schedule_version_id=version.pk, updated_at=utcnow()
        )
        events.emit(
            "production_schedule_version:update",
            {"production_schedule_version_id": version.pk},
            project_id=version.project_id,
        )
        events.emit(
            "project:update", {"project_id": version.project_id}, project_id=version.project_id
        )
    return {"success": True, "task_count": len(tasks)}
