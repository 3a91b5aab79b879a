"""Working files (artists' scenes) and the output files published from them."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel
from people.models import Software

from .previews import VALIDATION_STATUSES
from .workflow import TaskType

OUTPUT_QUALITIES = [("low", "Low"), ("mid", "Mid"), ("high", "High")]


class FileStatus(BaseModel):
    """The state of an output file (created, published…)."""

    name = models.CharField(max_length=40, unique=True)
    color = models.CharField(max_length=7)

    class Meta:
        db_table = "file_status"
        ordering = ["name"]
        verbose_name_plural = "file statuses"

    def __str__(self):
        return self.name


class OutputType(BaseModel):
    """A kind of published output (Geometry, Cache, Render…)."""

    name = models.CharField(max_length=40, unique=True)
    short_name = models.CharField(max_length=20)

    class Meta:
        db_table = "output_type"
        ordering = ["name"]

    def __str__(self):
        return self.name


class WorkingFile(BaseModel):
    """A versioned work file of a task, made with one software."""

    shotgun_id = models.IntegerField(null=True, blank=True, db_index=True)
    name = models.CharField(max_length=250, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    comment = models.TextField(null=True, blank=True)
    revision = models.IntegerField(null=True, blank=True)
    size = models.IntegerField(null=True, blank=True)
    checksum = models.IntegerField(null=True, blank=True)
    path = models.CharField(max_length=400, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    validation_status = models.CharField(
        max_length=255, choices=VALIDATION_STATUSES, default="neutral"
    )
    task = models.ForeignKey(
        "Task", null=True, blank=True, on_delete=models.PROTECT, related_name="working_files"
    )
    entity = models.ForeignKey(
        "productions.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    software = models.ForeignKey(
        Software, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "working_file"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "task", "entity", "revision"], name="working_file_uc"
            )
        ]

    def __str__(self):
        return f"{self.name} v{self.revision}"


class OutputFile(BaseModel):
    """A file published for an entity or an asset instance, possibly within a shot.

    Typed by output type and task type, versioned by ``revision`` and
    ``representation``, with a file status and the working file it came from.
    """

    shotgun_id = models.IntegerField(null=True, blank=True)
    name = models.CharField(max_length=250)
    canceled = models.BooleanField(default=False)
    size = models.IntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=32, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    comment = models.TextField(null=True, blank=True)
    extension = models.CharField(max_length=10, null=True, blank=True)
    revision = models.IntegerField()
    representation = models.CharField(max_length=20, null=True, blank=True, db_index=True)
    nb_elements = models.IntegerField(default=1, null=True, blank=True)
    source = models.CharField(max_length=40, null=True, blank=True)
    path = models.CharField(max_length=400, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    quality = models.CharField(max_length=255, choices=OUTPUT_QUALITIES, null=True, blank=True)
    file_status = models.ForeignKey(FileStatus, on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(
        "productions.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    asset_instance = models.ForeignKey(
        "productions.AssetInstance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    output_type = models.ForeignKey(
        OutputType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task_type = models.ForeignKey(
        TaskType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_file = models.ForeignKey(
        WorkingFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="output_files",
    )
    temporal_entity = models.ForeignKey(
        "productions.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "output_file"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "name",
                    "entity",
                    "asset_instance",
                    "output_type",
                    "task_type",
                    "temporal_entity",
                    "representation",
                    "revision",
                ],
                name="output_file_uc",
            )
        ]

    def __str__(self):
        return f"{self.name} v{self.revision}"
