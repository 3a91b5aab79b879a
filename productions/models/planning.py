"""Schedules and budgets of a production."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel
from people.models import POSITIONS, SENIORITIES, Department

from .projects import Project


class Milestone(BaseModel):
    """A named date on a production schedule, optionally tied to a task type."""

    date = models.DateField(null=True, blank=True)
    name = models.CharField(max_length=40)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="milestones"
    )
    task_type = models.ForeignKey(
        "tasks.TaskType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "milestone"

    def __str__(self):
        return f"{self.name} ({self.date})"


class ScheduleItem(BaseModel):
    """A Gantt bar: dates and man-days of a task type in a project.

    ``object_id`` narrows it to one sequence, episode, asset type or edit;
    it is a bare id because it may point to an entity or an entity type.
    """

    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    man_days = models.IntegerField(null=True, blank=True)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="schedule_items"
    )
    task_type = models.ForeignKey(
        "tasks.TaskType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "schedule_item"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "task_type", "object_id"], name="schedule_item_uc"
            )
        ]

    def __str__(self):
        return f"{self.task_type} in {self.project}: {self.start_date} to {self.end_date}"


class ProductionScheduleVersion(BaseModel):
    """A named, lockable what-if version of a production schedule.

    It may be derived from another version (``production_schedule_from``)
    and applied back to the real tasks.
    """

    name = models.CharField(max_length=80)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="schedule_versions")
    # Zou names this column without the ``_id`` suffix, and JSON carries it
    # under that name, so it is a plain UUID column rather than a ForeignKey.
    production_schedule_from = models.UUIDField(null=True, blank=True, db_index=True)
    locked = models.BooleanField(default=False)
    canceled = models.BooleanField(default=False)

    class Meta:
        db_table = "production_schedule_version"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "project"], name="production_schedule_version_uc"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.project})"


class Budget(BaseModel):
    """A named, revisioned budget of a production in one currency."""

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    revision = models.IntegerField(default=1)
    name = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, null=True, blank=True)

    class Meta:
        db_table = "budget"

    def __str__(self):
        return f"{self.name} v{self.revision}"


class BudgetEntry(BaseModel):
    """A staffing line of a budget: who (or which profile), from when, how long, at what rate.

    ``exceptions`` holds per-month overrides.
    """

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="entries")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    start_date = models.DateField()
    months_duration = models.IntegerField()
    daily_salary = models.FloatField()
    position = models.CharField(
        max_length=255, choices=POSITIONS, default="artist", null=True, blank=True
    )
    seniority = models.CharField(
        max_length=255, choices=SENIORITIES, default="mid", null=True, blank=True
    )
    exceptions = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "budget_entry"
        verbose_name_plural = "budget entries"

    def __str__(self):
        return f"{self.department} {self.position} from {self.start_date}"
