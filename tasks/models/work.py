"""Tasks, the time logged on them, who follows them and their planned versions."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kitsu_backend.api.models import BaseModel

from .workflow import TaskStatus, TaskType


class Task(BaseModel):
    """The work of one task type on one entity.

    Dates: ``start_date``/``due_date`` are planned; ``real_start_date`` is
    set when the task first enters a WIP status, ``end_date`` on a feedback
    request and ``done_date`` when it is done. ``duration`` is the sum of the
    time spents and ``estimation`` the planned time, both in minutes.
    ``nb_assets_ready`` counts the cast assets ready for this step.
    """

    name = models.CharField(max_length=80, default="main")
    description = models.TextField(null=True, blank=True)
    priority = models.IntegerField(default=0, null=True, blank=True)
    difficulty = models.IntegerField(default=3)
    duration = models.FloatField(default=0.0, null=True, blank=True)
    estimation = models.FloatField(default=0.0, null=True, blank=True)
    completion_rate = models.IntegerField(default=0, null=True, blank=True)
    retake_count = models.IntegerField(default=0, null=True, blank=True)
    sort_order = models.IntegerField(default=0, null=True, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    real_start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    done_date = models.DateTimeField(null=True, blank=True)
    last_comment_date = models.DateTimeField(null=True, blank=True)
    nb_assets_ready = models.IntegerField(default=0, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    nb_drawings = models.IntegerField(default=0, null=True, blank=True)
    shotgun_id = models.IntegerField(null=True, blank=True)
    last_preview_file = models.ForeignKey(
        "PreviewFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        "productions.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    task_type = models.ForeignKey(
        TaskType, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    task_status = models.ForeignKey(
        TaskStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    entity = models.ForeignKey(
        "productions.Entity",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        db_table="task_person_link",
        related_name="assigned_tasks",
        blank=True,
    )

    class Meta:
        db_table = "task"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "project", "task_type", "entity"], name="task_uc"
            ),
            models.CheckConstraint(
                condition=Q(difficulty__gt=0) & Q(difficulty__lt=6), name="check_difficulty"
            ),
        ]
        indexes = [
            # The tasks of an entity within its project (entity pages, casting).
            models.Index(fields=["entity", "project"], name="task_entity_project_idx"),
        ]

    def __str__(self):
        return f"{self.task_type} / {self.name} ({self.entity_id})"


class TimeSpent(BaseModel):
    """Minutes a person logged on a task on one date; ``Task.duration`` is their sum."""

    duration = models.FloatField()
    date = models.DateField()
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="time_spents"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_spents",
    )

    class Meta:
        db_table = "time_spent"
        constraints = [
            models.UniqueConstraint(fields=["person", "task", "date"], name="time_spent_uc"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="check_duration_positive"),
        ]

    def __str__(self):
        return f"{self.person} on {self.task_id} {self.date}: {self.duration} min"


class Subscription(BaseModel):
    """A person following one task, or one task type across a sequence.

    Followers are notified of new comments. Subscriptions are bookkeeping:
    they go with the person, task or entity they refer to.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions"
    )
    entity = models.ForeignKey(
        "productions.Entity", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task_type = models.ForeignKey(
        TaskType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "subscription"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "task_type", "entity"], name="subscription_entity_uc"
            ),
            models.UniqueConstraint(fields=["person", "task"], name="subscription_task_uc"),
        ]

    def __str__(self):
        target = self.task_id or f"{self.task_type} of {self.entity_id}"
        return f"{self.person} follows {target}"


class ProductionScheduleVersionTaskLink(BaseModel):
    """A task as planned in a schedule version: dates, estimate and assignees."""

    production_schedule_version = models.ForeignKey(
        "productions.ProductionScheduleVersion",
        on_delete=models.CASCADE,
        related_name="task_links",
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    start_date = models.DateTimeField(null=True, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    estimation = models.FloatField(default=0.0, null=True, blank=True)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProductionScheduleVersionTaskLinkPersonLink",
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "production_schedule_version_task_link"
        constraints = [
            models.UniqueConstraint(
                fields=["production_schedule_version", "task"],
                name="production_schedule_version_task_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.task_id} in {self.production_schedule_version}"


class ProductionScheduleVersionTaskLinkPersonLink(models.Model):
    """A planned assignee of a task in a schedule version."""

    production_schedule_version_task_link = models.ForeignKey(
        ProductionScheduleVersionTaskLink, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "production_schedule_version_task_link_person_link"
        constraints = [
            models.UniqueConstraint(
                fields=["production_schedule_version_task_link", "person"],
                name="production_schedule_version_task_link_person_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.person} on {self.production_schedule_version_task_link}"
