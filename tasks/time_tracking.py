"""Reading the time people log: timesheet tables, per-person summaries and
the monthly presence sheet, plus the clean-up a new day off triggers.

Time is counted in minutes. Who sees which time entries is decided once, by
``time_scope``: admins see everything; production managers and supervisors
see the time logged on the productions they manage or supervise (supervisors
only on task types of their departments, when they have departments); anyone
else sees their own time only, and clients see none at all.

Each listing is one aggregate query over ``time_spent`` whose rows are
bucketed in Python, so its cost does not depend on the number of entries.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.signals import post_save
from django.dispatch import receiver

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden
from kitsu_backend.api.serialization import serialize_rows
from people.models import DayOff, DesktopLoginLog, Person
from people.services import iso_week_bounds, month_bounds, year_bounds
from productions.access import project_roles
from tasks.models import Task, TimeSpent
from tasks.services import department_ids, recompute_duration

logger = logging.getLogger(__name__)

OVERSEEING_ROLES = (roles.MANAGER, roles.SUPERVISOR)
DETAIL_LEVELS = ("year", "month", "week", "day")


# --- who sees which time ------------------------------------------------------------


@dataclass(frozen=True)
class TimeScope:
    """The time entries a viewer may read.

    ``everything`` for admins. Otherwise entries of ``managed`` projects,
    entries of ``supervised`` projects on task types of ``departments`` (all
    task types when empty), and, when ``own_person_id`` is set, the viewer's
    own entries wherever they were logged.
    """

    everything: bool = False
    managed: frozenset = field(default_factory=frozenset)
    supervised: frozenset = field(default_factory=frozenset)
    departments: frozenset = field(default_factory=frozenset)
    own_person_id: object = None
    overseer: bool = False

    @property
    def project_ids(self):
        return self.managed | self.supervised

    def condition(self):
        """A ``Q`` on ``TimeSpent`` rows matching this scope."""
        if self.everything:
            return Q()
        allowed = Q(task__project_id__in=self.managed)
        if self.supervised:
            supervised = Q(task__project_id__in=self.supervised)
            if self.departments:
                supervised &= Q(task__task_type__department_id__in=self.departments)
            allowed |= supervised
        if self.own_person_id is not None:
            allowed |= Q(person_id=self.own_person_id)
        return allowed


def time_scope(viewer):
    """What ``viewer`` may read of the logged time (403 for clients)."""
    if roles.is_admin(viewer):
        return TimeScope(everything=True)
    if roles.is_client(viewer):
        raise Forbidden()
    by_project = project_roles(viewer)
    managed = frozenset(pid for pid, role in by_project.items() if role == roles.MANAGER)
    supervised = frozenset(pid for pid, role in by_project.items() if role == roles.SUPERVISOR)
    overseer = bool(managed or supervised) or viewer.role in OVERSEEING_ROLES
    if not overseer:
        return TimeScope(own_person_id=viewer.pk)
    departments = frozenset(department_ids(viewer)) if supervised else frozenset()
    return TimeScope(managed=managed, supervised=supervised, departments=departments, overseer=True)


def person_time_scope(viewer, person):
    """What ``viewer`` may read of ``person``'s time.

    People read all of their own time and admins everyone's; managers and
    supervisors read the part logged on the productions they oversee; anyone
    else is refused.
    """
    if roles.is_client(viewer):
        raise Forbidden()
    if roles.is_admin(viewer) or viewer.pk == person.pk:
        return TimeScope(everything=True)
    scope = time_scope(viewer)
    if not scope.overseer:
        raise Forbidden()
    return scope


# --- periods -----------------------------------------------------------------------------
# Years, months and ISO weeks are cut as for day offs (``people.services``).

year_period = year_bounds
month_period = month_bounds
week_period = iso_week_bounds


def day_period(year, month, day):
    """The one-day period of a date (ValueError when it does not exist)."""
    moment = date(year, month, day)
    return moment, moment


# --- timesheet tables -----------------------------------------------------------------------


def _unit(day, detail):
    if detail == "year":
        return str(day.year)
    if detail == "week":
        return str(day.isocalendar()[1])
    if detail == "day":
        return str(day.day)
    return str(day.month)


def time_table(scope, detail, period=None, filters=None):
    """``{unit: {person_id: minutes}}`` over ``period`` (all time when None).

    The unit is the year, month number, ISO week number or day of the month,
    as a string, depending on ``detail``. ``filters`` is an extra ``Q`` (a
    project, a department, a studio). One query.
    """
    queryset = TimeSpent.objects.filter(scope.condition())
    if filters is not None:
        queryset = queryset.filter(filters)
    if period is not None:
        queryset = queryset.filter(date__range=period)
    rows = queryset.values("person_id", "date").annotate(minutes=Sum("duration")).order_by("date")
    table = {}
    for row in rows:
        column = table.setdefault(_unit(row["date"], detail), {})
        person_id = str(row["person_id"])
        column[person_id] = column.get(person_id, 0) + row["minutes"]
    return table


# --- one person's time -----------------------------------------------------------------------


def person_time_spents(person, scope, period=None, filters=None):
    """The raw time spent rows of ``person`` (one query)."""
    queryset = TimeSpent.objects.filter(scope.condition(), person_id=person.pk)
    if filters is not None:
        queryset = queryset.filter(filters)
    if period is not None:
        queryset = queryset.filter(date__range=period)
    return serialize_rows(TimeSpent, queryset.order_by("date", "created_at"))


def person_task_durations(person, scope, period, filters=None):
    """Minutes ``person`` logged per task over ``period``, with the names a
    timesheet shows next to each task (one query)."""
    queryset = TimeSpent.objects.filter(scope.condition(), person_id=person.pk)
    if filters is not None:
        queryset = queryset.filter(filters)
    rows = (
        queryset.filter(date__range=period)
        .values(
            "task_id",
            "task__task_type_id",
            "task__project_id",
            "task__project__name",
            "task__entity__name",
            "task__entity__entity_type__name",
            "task__entity__parent__name",
            "task__entity__parent__parent__name",
        )
        .annotate(minutes=Sum("duration"))
        .order_by("task__project__name", "task__entity__name", "task_id")
    )
    return [
        {
            "task_id": row["task_id"],
            "task_type_id": row["task__task_type_id"],
            "project_id": row["task__project_id"],
            "project_name": row["task__project__name"],
            "entity_name": row["task__entity__name"],
            "entity_type_name": row["task__entity__entity_type__name"],
            "sequence_name": row["task__entity__parent__name"],
            "episode_name": row["task__entity__parent__parent__name"],
            "duration": row["minutes"],
        }
        for row in rows
    ]


# --- presence sheet -----------------------------------------------------------------------


def presence_grid(year, month):
    """The presence sheet of a month, as CSV rows.

    A header ``[year, "1", ..., "<last day>"]``, then one row per active
    person (guests excluded), in name order: the full name and an ``X`` for
    each day the person logged time or logged in from a desktop tool. Three
    queries.
    """
    start, end = month_period(year, month)
    last_day = end.day
    present = defaultdict(set)
    logins = DesktopLoginLog.objects.filter(
        date__gte=datetime.combine(start, datetime.min.time()),
        date__lt=datetime.combine(end + timedelta(days=1), datetime.min.time()),
    ).values_list("person_id", "date")
    for person_id, moment in logins:
        present[person_id].add(moment.day)
    logged = (
        TimeSpent.objects.filter(date__range=(start, end))
        .values_list("person_id", "date")
        .distinct()
    )
    for person_id, day in logged:
        present[person_id].add(day.day)
    rows = [[str(year), *(str(day) for day in range(1, last_day + 1))]]
    people = (
        Person.objects.filter(active=True, is_guest=False)
        .order_by("first_name", "last_name")
        .values_list("id", "first_name", "last_name")
    )
    for person_id, first_name, last_name in people:
        days = present.get(person_id, ())
        full_name = f"{first_name} {last_name or ''}".strip()
        rows.append([full_name, *("X" if day in days else "" for day in range(1, last_day + 1))])
    return rows


# --- day offs ----------------------------------------------------------------------------------


def remove_time_spents(person_id, start, end):
    """Delete the time ``person_id`` logged from ``start`` to ``end`` (included).

    Each deletion is announced (``time-spent:delete``) and the duration of
    every task concerned is recomputed. Returns the number of entries removed.
    """
    with transaction.atomic():
        entries = list(
            TimeSpent.objects.filter(person_id=person_id, date__range=(start, end)).values_list(
                "id", "task_id", "task__project_id"
            )
        )
        if not entries:
            return 0
        TimeSpent.objects.filter(pk__in=[entry_id for entry_id, _, _ in entries]).delete()
        for entry_id, _task_id, project_id in entries:
            events.emit("time-spent:delete", {"time_spent_id": entry_id}, project_id=project_id)
        task_ids = {task_id for _, task_id, _ in entries if task_id is not None}
        for task in Task.objects.filter(pk__in=task_ids).only("id", "project_id", "duration"):
            recompute_duration(task)
    logger.info(
        "Removed %s time entries of person %s covered by a day off", len(entries), person_id
    )
    return len(entries)


@receiver(post_save, sender=DayOff, dispatch_uid="tasks.clear_time_on_day_off")
def clear_time_on_new_day_off(sender, instance, created, raw=False, **kwargs):
    """A new day off wipes the time its person logged on the days it covers."""
    if not created or raw or instance.person_id is None or instance.date is None:
        return
    remove_time_spents(instance.person_id, instance.date, instance.end_date or instance.date)
