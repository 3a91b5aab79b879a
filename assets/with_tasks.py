"""Building blocks of the "entities with their tasks" tables of the Kitsu UI.

The assets, shots, sequences and concepts lists all have the same shape: one
row per entity with the entity's own columns and a nested list of reduced
task rows. They are the hottest routes of the product, so every piece here
runs a fixed number of ``.values()`` queries whatever the number of rows:

- ``collect_tasks`` reads the tasks of a set of entities, their assignees and
  the caller's subscriptions (three queries) and groups them by entity;
- ``task_visibility`` says which tasks a vendor or a client may see;
- ``rows_response`` answers with plain JSON, the compact form (a header naming
  the fields, rows as positional arrays) or NDJSON lines, with an ETag.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.tables import table_response
from tasks.models import Subscription, Task

# Keys of a task row that are not columns of the task table.
COMPUTED_TASK_FIELDS = ("is_subscribed", "assignees")


@dataclass(frozen=True)
class TaskVisibility:
    """Which tasks (and so which entities) a person may see in a listing.

    ``assignee_id``: only entities with a task assigned to that person
    (vendors); their tasks and those of their departments are listed.
    ``task_type_ids``: only tasks of these task types (clients).
    """

    assignee_id: object = None
    department_ids: frozenset = field(default_factory=frozenset)
    task_type_ids: object = None

    @property
    def is_restricted(self):
        return self.assignee_id is not None or self.task_type_ids is not None

    def task_filter(self):
        """A ``Q`` on tasks, or None when every task is visible."""
        condition = Q()
        if self.assignee_id is not None:
            assigned = Q(id__in=assigned_task_ids(self.assignee_id))
            if self.department_ids:
                assigned |= Q(task_type__department_id__in=self.department_ids)
            condition &= assigned
        if self.task_type_ids is not None:
            condition &= Q(task_type_id__in=self.task_type_ids)
        return condition if self.is_restricted else None

    def entity_filter(self, field_name="id"):
        """A ``Q`` on entities keeping those a vendor is assigned to, or None."""
        if self.assignee_id is None:
            return None
        entity_ids = Task.objects.filter(id__in=assigned_task_ids(self.assignee_id)).values(
            "entity_id"
        )
        return Q(**{f"{field_name}__in": entity_ids})


EVERYTHING = TaskVisibility()


def assigned_task_ids(person_id):
    """Subquery of the ids of the tasks assigned to ``person_id``."""
    return Task.assignees.through.objects.filter(person_id=person_id).values("task_id")


def task_visibility(person, role, project_id=None):
    """The ``TaskVisibility`` of ``person`` acting with ``role``.

    Vendors see the entities they are assigned to; clients see the task types
    the project shows to clients (``is_client_visible`` on the project's
    task type links). Everyone else sees everything.
    """
    if role == roles.VENDOR:
        department_ids = frozenset(person.departments.values_list("id", flat=True))
        return TaskVisibility(assignee_id=person.pk, department_ids=department_ids)
    if role == roles.CLIENT:
        from productions.models import ProjectTaskTypeLink

        links = ProjectTaskTypeLink.objects.filter(is_client_visible=True)
        if project_id is not None:
            links = links.filter(project_id=project_id)
        return TaskVisibility(task_type_ids=links.values("task_type_id"))
    return EVERYTHING


def collect_tasks(entity_ids, task_fields, person=None, visibility=EVERYTHING):
    """``{entity_id: [task row, ...]}`` for the tasks of the given entities.

    ``entity_ids`` is a queryset of entity ids (``.values("id")``) used as a
    subquery, so that a project of thousands of shots sends no long ``IN``
    list. ``task_fields`` lists the keys of each task row in order: task
    columns (attnames such as ``task_status_id``) plus ``assignees`` (person
    ids) and ``is_subscribed`` (whether ``person`` follows the task).
    Three queries: tasks, assignees, subscriptions.
    """
    columns = [name for name in task_fields if name not in COMPUTED_TASK_FIELDS]
    if "id" not in columns:
        columns.append("id")
    if "entity_id" not in columns:
        columns.append("entity_id")
    tasks = Task.objects.filter(entity_id__in=entity_ids)
    condition = visibility.task_filter()
    if condition is not None:
        tasks = tasks.filter(condition)
    # Pipeline order (task type priority, then name) is how Kitsu shows columns.
    rows = list(
        tasks.order_by("task_type__priority", "task_type__name", "name", "id").values(*columns)
    )
    task_ids_query = tasks.values("id")

    assignees = defaultdict(list)
    if "assignees" in task_fields and rows:
        links = Task.assignees.through.objects.filter(task_id__in=task_ids_query)
        for task_id, person_id in links.order_by("id").values_list("task_id", "person_id"):
            assignees[task_id].append(person_id)

    subscribed = set()
    if "is_subscribed" in task_fields and rows and person is not None:
        subscribed = set(
            Subscription.objects.filter(
                person_id=person.pk, task_id__in=task_ids_query
            ).values_list("task_id", flat=True)
        )

    by_entity = defaultdict(list)
    for row in rows:
        task_id = row["id"]
        task = {}
        for name in task_fields:
            if name == "assignees":
                task[name] = assignees.get(task_id, [])
            elif name == "is_subscribed":
                task[name] = task_id in subscribed
            elif name == "priority":
                task[name] = row[name] or 0
            else:
                task[name] = row[name]
        by_entity[row["entity_id"]].append(task)
    return by_entity


def compact(rows, fields, task_fields):
    """Rows as positional arrays in ``fields`` order, tasks in ``task_fields`` order."""
    result = []
    for row in rows:
        values = []
        for name in fields:
            if name == "tasks":
                values.append([[task[key] for key in task_fields] for task in row["tasks"]])
            else:
                values.append(row[name])
        result.append(values)
    return result


def rows_response(request, rows, fields_key, fields, task_fields):
    """Answer a with-tasks listing as plain JSON, compact or streamed rows."""
    header = {"compact": True, fields_key: list(fields), "task_fields": list(task_fields)}
    return table_response(request, rows, header, lambda plain: compact(plain, fields, task_fields))
