"""Pipeline steps (task types) and workflow states (task statuses)."""

from django.db import models

from kitsu_backend.api.models import BaseModel
from people.models import Department

# The kinds of entity a task type can be made for (``task_type.for_entity``).
TASK_TYPE_FOR_ENTITIES = ("Asset", "Shot", "Sequence", "Episode", "Edit", "Concept")


class TaskType(BaseModel):
    """A pipeline step (Modeling, Animation…) for one kind of entity.

    ``priority`` orders the steps (the column order in lists, the pipeline
    order used by casting readiness and status automations);
    ``allow_timelog`` says whether time may be logged on its tasks.
    """

    name = models.CharField(max_length=40)
    short_name = models.CharField(max_length=20, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    color = models.CharField(max_length=7, default="#FFFFFF", null=True, blank=True)
    priority = models.IntegerField(default=1, null=True, blank=True)
    for_entity = models.CharField(max_length=30, default="Asset", null=True, blank=True)
    allow_timelog = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    shotgun_id = models.IntegerField(null=True, blank=True, db_index=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="task_types"
    )

    class Meta:
        db_table = "task_type"
        ordering = ["for_entity", "priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "for_entity", "department"], name="task_type_uc"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.for_entity})"


class TaskStatus(BaseModel):
    """A workflow state of tasks; its flags drive what a status change does.

    ``is_default`` marks the status of new tasks, ``is_wip`` stamps the real
    start date, ``is_feedback_request`` the end date and the supervisors'
    review list, ``is_retake`` counts retakes, ``is_done`` stamps the done
    date. ``is_artist_allowed`` and ``is_client_allowed`` say who may post a
    comment with this status; ``for_concept`` marks the concept review
    statuses.
    """

    name = models.CharField(max_length=40)
    archived = models.BooleanField(default=False)
    short_name = models.CharField(max_length=10, unique=True)
    description = models.TextField(null=True, blank=True)
    color = models.CharField(max_length=7)
    priority = models.IntegerField(default=1, null=True, blank=True)
    is_done = models.BooleanField(default=False, db_index=True)
    is_artist_allowed = models.BooleanField(default=True)
    is_client_allowed = models.BooleanField(default=True)
    is_retake = models.BooleanField(default=False)
    is_feedback_request = models.BooleanField(default=False, db_index=True)
    is_default = models.BooleanField(default=False, db_index=True)
    is_wip = models.BooleanField(default=False, db_index=True)
    shotgun_id = models.IntegerField(null=True, blank=True)
    for_concept = models.BooleanField(default=False)

    class Meta:
        db_table = "task_status"
        ordering = ["priority", "name"]
        verbose_name_plural = "task statuses"

    def __str__(self):
        return f"{self.name} ({self.short_name})"


class TaskTypeAssetTypeLink(models.Model):
    """A task type in the workflow of an asset type (``EntityType.task_types``)."""

    asset_type = models.ForeignKey(
        "productions.EntityType", on_delete=models.CASCADE, related_name="+"
    )
    task_type = models.ForeignKey(TaskType, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "task_type_asset_type_link"
        constraints = [
            models.UniqueConstraint(
                fields=["asset_type", "task_type"], name="task_type_asset_type_link_uc"
            )
        ]

    def __str__(self):
        return f"{self.task_type} for {self.asset_type}"
