"""Quotas: how many shots, frames, seconds and drawings people complete.

A shot task counts as completed on its feedback date (``end_date``, the
first review request) or on its approval date (``done_date``), depending on
the count mode:

- ``feedback`` and ``done`` ("raw") credit the whole shot to each assignee on
  the completion day;
- ``weighted`` and ``weighteddone`` spread the shot over the days time was
  logged on the task, in proportion to the minutes of each day. A completed
  task nobody logged time on is spread evenly over the working days between
  its WIP date and its completion date instead.

Statistics are keyed by person (or by task type, for one person's figures)
plus ``"total"``, then by period (``day``, ``week``, ``month``, ``year``) and
measure (``frames``, ``seconds``, ``count``, ``drawings`` and, except for
years, ``entries``: how many buckets of that period have data, per enclosing
period). Completion datetimes are stored in UTC and are counted on the local
day of the person asking; time spent dates are already local days.
"""

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Exists, OuterRef

from productions.models import SHOT, Entity
from productions.presentation import serialize_entities
from tasks.models import Task, TimeSpent
from tasks.services import TaskAssignee

logger = logging.getLogger(__name__)

COUNT_MODES = ("weighted", "weighteddone", "feedback", "done")
DEFAULT_FPS = 25.0
MEASURES = ("frames", "seconds", "count", "drawings")


class QuotaError(ValueError):
    """A bad quota request parameter; the API answers it with a 400."""


def parse_count_mode(value):
    """``(feedback, weighted)`` flags of a count mode (``weighted`` by default)."""
    mode = value or "weighted"
    if mode not in COUNT_MODES:
        raise QuotaError("count_mode must be equal to weighted, weighteddone, feedback, or done")
    return "done" not in mode, "weighted" in mode


def project_fps(project):
    """The frame rate of a production; a missing or unreadable one counts as 25."""
    try:
        fps = float(project.fps)
    except (TypeError, ValueError):
        return DEFAULT_FPS
    return fps if fps > 0 else DEFAULT_FPS


def viewer_timezone(person):
    try:
        return ZoneInfo(person.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment, zone):
    """The day a moment falls on for the viewer: UTC datetimes are converted,
    plain dates (time spents) are kept."""
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=UTC).astimezone(zone).date()
    return moment


def utc_bounds(first_day, last_day, zone):
    """Naive UTC instants of the start of ``first_day`` and of the day after
    ``last_day``, both local to ``zone``."""

    def start_of(day):
        local = datetime.combine(day, time.min, tzinfo=zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    return start_of(first_day), start_of(last_day + timedelta(days=1))


def working_days(first_day, last_day):
    """The weekdays (Monday to Friday) from ``first_day`` to ``last_day``, both included."""
    days = []
    day = first_day
    while day <= last_day:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- statistics -------------------------------------------------------------------------------


class QuotaTable:
    """Accumulates completed work per entry (person, task type or total) and period."""

    def __init__(self, fps, zone):
        self.fps = fps
        self.zone = zone
        self.data = {}

    def _entry(self, entry_id):
        entry = self.data.get(entry_id)
        if entry is None:
            entry = {
                period: {measure: {} for measure in (*MEASURES, "entries")}
                for period in ("day", "week", "month")
            }
            entry["year"] = {measure: {} for measure in MEASURES}
            self.data[entry_id] = entry
        return entry

    def add(self, entry_id, moment, frames, drawings):
        """Credit ``frames`` and ``drawings`` (one more count) on the day of ``moment``."""
        day = local_day(moment, self.zone)
        day_key = day.isoformat()
        year_key = day_key[:4]
        month_key = day_key[:7]
        week_key = f"{year_key}-{day.isocalendar()[1]}"
        seconds = frames / self.fps
        entry = self._entry(entry_id)
        # ``entries`` counts the days with work per month, the weeks per year
        # and the months per year: the first time a bucket is seen.
        for period, key, parent_key in (
            ("day", day_key, month_key),
            ("week", week_key, year_key),
            ("month", month_key, year_key),
            ("year", year_key, None),
        ):
            bucket = entry[period]
            if key not in bucket["frames"]:
                for measure in MEASURES:
                    bucket[measure][key] = 0
                if parent_key is not None:
                    bucket["entries"][parent_key] = bucket["entries"].get(parent_key, 0) + 1
            bucket["frames"][key] += frames
            bucket["seconds"][key] += seconds
            bucket["drawings"][key] += drawings
            bucket["count"][key] += 1

    def credit(self, entry_id, moment, frames, drawings):
        for key in (entry_id, "total"):
            self.add(key, moment, frames, drawings)


def _shot_tasks(project_id, task_type_id=None, studio_id=None, feedback=True):
    """Completed shot tasks of a production (a queryset, used as a subquery)."""
    completion = "end_date" if feedback else "done_date"
    tasks = Task.objects.filter(
        project_id=project_id,
        entity__entity_type__name=SHOT,
        **{f"{completion}__isnull": False},
    )
    if task_type_id is not None:
        tasks = tasks.filter(task_type_id=task_type_id)
    if studio_id is not None:
        in_studio = TaskAssignee.objects.filter(person__studio_id=studio_id).values("task_id")
        tasks = tasks.filter(pk__in=in_studio)
    return tasks


def _without_time(tasks):
    return tasks.filter(real_start_date__isnull=False).filter(
        ~Exists(TimeSpent.objects.filter(task_id=OuterRef("pk")))
    )


def quotas(
    project,
    viewer,
    task_type_id=None,
    person_id=None,
    studio_id=None,
    feedback=True,
    weighted=True,
):
    """Quota statistics of a production (see the module docstring).

    With ``person_id``, only that person's work, keyed by task type. Two
    queries in weighted mode, one in raw mode.
    """
    table = QuotaTable(project_fps(project), viewer_timezone(viewer))
    tasks = _shot_tasks(project.pk, task_type_id, studio_id, feedback)
    completion = "task__end_date" if feedback else "task__done_date"

    def entry_of(person, task_type):
        return str(task_type if person_id is not None else person)

    if not weighted:
        assignments = TaskAssignee.objects.filter(task__in=tasks)
        if person_id is not None:
            assignments = assignments.filter(person_id=person_id)
        rows = assignments.values_list(
            "person_id",
            "task__task_type_id",
            completion,
            "task__nb_drawings",
            "task__entity__nb_frames",
        )
        for assignee, task_type, completed, drawings, frames in rows:
            table.credit(entry_of(assignee, task_type), completed, frames or 0, drawings or 0)
        return table.data

    logged = TimeSpent.objects.filter(task__in=tasks, task__duration__gt=0)
    if person_id is not None:
        logged = logged.filter(person_id=person_id)
    rows = logged.values_list(
        "person_id",
        "task__task_type_id",
        "task__duration",
        "task__nb_drawings",
        "task__entity__nb_frames",
        "date",
        "duration",
    )
    for person, task_type, task_minutes, drawings, frames, day, minutes in rows:
        share = minutes / task_minutes
        table.credit(
            entry_of(person, task_type),
            day,
            round((frames or 0) * share),
            round((drawings or 0) * share),
        )

    assignments = TaskAssignee.objects.filter(task__in=_without_time(tasks))
    if person_id is not None:
        assignments = assignments.filter(person_id=person_id)
    rows = assignments.values_list(
        "person_id",
        "task__task_type_id",
        "task__real_start_date",
        completion,
        "task__nb_drawings",
        "task__entity__nb_frames",
    )
    for assignee, task_type, started, completed, drawings, frames in rows:
        # Spread evenly over the working days from the WIP day to the
        # completion day, as the viewer sees those days.
        days = working_days(local_day(started, table.zone), local_day(completed, table.zone))
        if not days:
            continue
        daily_frames = round((frames or 0) / len(days))
        daily_drawings = round((drawings or 0) / len(days))
        for day in days:
            table.credit(entry_of(assignee, task_type), day, daily_frames, daily_drawings)
    return table.data


# --- shots behind one person's quota -----------------------------------------------------------


def quota_shots(
    person,
    viewer,
    project_id,
    task_type_id,
    first_day,
    last_day,
    feedback=True,
    weighted=True,
):
    """The shots that make ``person``'s quota between two days (included).

    Each shot row has its ``full_name`` and a ``weight``: the share of the
    shot credited to the period (1 in raw mode). Sorted by full name. Five
    queries in weighted mode, four in raw mode.
    """
    zone = viewer_timezone(viewer)
    utc_start, utc_end = utc_bounds(first_day, last_day, zone)
    completion = "end_date" if feedback else "done_date"
    tasks = Task.objects.filter(
        project_id=project_id,
        task_type_id=task_type_id,
        entity__entity_type__name=SHOT,
        **{f"{completion}__isnull": False},
    )
    assigned = TaskAssignee.objects.filter(person_id=person.pk).values("task_id")
    weights = {}
    if weighted:
        logged = TimeSpent.objects.filter(
            task__in=tasks,
            task__duration__gt=0,
            person_id=person.pk,
            date__range=(first_day, last_day),
        ).values_list("task__entity_id", "task__duration", "duration")
        for entity_id, task_minutes, minutes in logged:
            weights[entity_id] = weights.get(entity_id, 0) + round(minutes / task_minutes, 2)
        spread = (
            _without_time(tasks)
            .filter(pk__in=assigned, real_start_date__lt=utc_end)
            .filter(**{f"{completion}__gte": utc_start})
            .values_list("entity_id", "real_start_date", completion)
        )
        for entity_id, started, completed in spread:
            if entity_id in weights:
                continue
            first, last = local_day(started, zone), local_day(completed, zone)
            total = len(working_days(first, last))
            inside = len(working_days(max(first, first_day), min(last, last_day)))
            weights[entity_id] = round(inside / total, 2) if total else 0
    else:
        completed = tasks.filter(pk__in=assigned).filter(
            **{f"{completion}__gte": utc_start, f"{completion}__lt": utc_end}
        )
        for entity_id in completed.values_list("entity_id", flat=True):
            weights[entity_id] = 1
    if not weights:
        return []
    shots = Entity.objects.filter(pk__in=weights)
    names = {
        entity_id: " / ".join(part for part in (episode, sequence, name) if part)
        for entity_id, name, sequence, episode in shots.values_list(
            "id", "name", "parent__name", "parent__parent__name"
        )
    }
    rows = serialize_entities(shots)
    for row in rows:
        row["full_name"] = names[row["id"]]
        row["weight"] = weights[row["id"]]
    return sorted(rows, key=lambda row: row["full_name"])
