"""Studio and project configuration: custom columns, automations, actions, saved filters."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from kitsu_backend.api.models import BaseModel
from people.models import Department

from .projects import Project

DATA_TYPES = [
    ("string", "String"),
    ("number", "Number"),
    ("list", "List"),
    ("taglist", "Tag list"),
    ("boolean", "Boolean"),
    ("checklist", "Checklist"),
    ("date", "Date"),
    ("url", "URL"),
    ("textarea", "Text area"),
    ("person", "Person"),
]
OUT_FIELD_TYPES = [("status", "Status"), ("ready_for", "Ready for")]
IMPORT_SOURCES = [("csv", "CSV"), ("shotgun", "ShotGrid")]


class MetadataDescriptor(BaseModel):
    """A custom column of a project for one entity kind (or for the tasks of a task type).

    Values live in ``entity.data`` / ``task.data`` under ``field_name``.
    ``departments`` restricts which supervisors may edit the column and
    which vendors may see it.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="metadata_descriptors"
    )
    entity_type = models.CharField(max_length=60, db_index=True)
    task_type = models.ForeignKey(
        "tasks.TaskType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=120)
    data_type = models.CharField(max_length=255, choices=DATA_TYPES, null=True, blank=True)
    field_name = models.CharField(max_length=120)
    choices = models.JSONField(null=True, blank=True)
    for_client = models.BooleanField(default=False, db_index=True)
    position = models.IntegerField(null=True, blank=True)
    departments = models.ManyToManyField(
        Department,
        through="DepartmentMetadataDescriptorLink",
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "metadata_descriptor"
        # Names and field names are unique per project and entity kind, and
        # per task type for task columns; NULL task types are compared
        # separately because NULLs never collide in a unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["project", "entity_type", "name"],
                condition=Q(task_type__isnull=True),
                name="metadata_descriptor_uc",
            ),
            models.UniqueConstraint(
                fields=["project", "entity_type", "field_name"],
                condition=Q(task_type__isnull=True),
                name="metadata_descriptor_uc2",
            ),
            models.UniqueConstraint(
                fields=["project", "entity_type", "task_type", "name"],
                condition=Q(task_type__isnull=False),
                name="metadata_descriptor_task_type_uc",
            ),
            models.UniqueConstraint(
                fields=["project", "entity_type", "task_type", "field_name"],
                condition=Q(task_type__isnull=False),
                name="metadata_descriptor_task_type_uc2",
            ),
        ]

    def __str__(self):
        return f"{self.entity_type}.{self.field_name} ({self.project})"


class DepartmentMetadataDescriptorLink(models.Model):
    """A department allowed to edit (and, for vendors, to see) a custom column."""

    metadata_descriptor = models.ForeignKey(
        MetadataDescriptor, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "department_metadata_descriptor_link"
        constraints = [
            models.UniqueConstraint(
                fields=["metadata_descriptor", "department"],
                name="department_metadata_descriptor_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.department} on {self.metadata_descriptor}"


class StatusAutomation(BaseModel):
    """When a task of ``in_task_type`` reaches ``in_task_status``, change another one.

    With ``out_field_type == "status"`` the ``out_task_type`` task of the
    same entity gets ``out_task_status``; with ``"ready_for"`` the asset's
    ``ready_for`` becomes ``out_task_type``. ``entity_type`` is "asset" (any
    asset type) or a reserved kind in lower case ("shot"…).
    """

    entity_type = models.CharField(max_length=40, default="asset", null=True, blank=True)
    in_task_type = models.ForeignKey(
        "tasks.TaskType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    in_task_status = models.ForeignKey(
        "tasks.TaskStatus", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    out_field_type = models.CharField(max_length=255, choices=OUT_FIELD_TYPES, default="status")
    out_task_type = models.ForeignKey(
        "tasks.TaskType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    out_task_status = models.ForeignKey(
        "tasks.TaskStatus", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_last_revision = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)

    class Meta:
        db_table = "status_automation"

    def __str__(self):
        return (
            f"{self.entity_type}: {self.in_task_type} {self.in_task_status} -> "
            f"{self.out_task_type} {self.out_field_type} {self.out_task_status or ''}".rstrip()
        )


class CustomAction(BaseModel):
    """A studio-defined link in Kitsu's list menus; Kitsu sends the selection to ``url``."""

    name = models.CharField(max_length=80)
    url = models.CharField(max_length=400, null=True, blank=True)
    entity_type = models.CharField(max_length=40, default="all", null=True, blank=True)
    is_ajax = models.BooleanField(default=False)

    class Meta:
        db_table = "custom_action"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SearchFilterGroup(BaseModel):
    """A coloured folder of saved search filters for one list page."""

    list_type = models.CharField(max_length=80, db_index=True)
    entity_type = models.CharField(max_length=80, null=True, blank=True)
    name = models.CharField(max_length=200, default="")
    color = models.CharField(max_length=8, default="")
    is_shared = models.BooleanField(default=False)
    # Saved filters belong to their owner: they go when the person goes.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "search_filter_group"

    def __str__(self):
        return f"{self.list_type}: {self.name}"


class SearchFilter(BaseModel):
    """A saved search query of a list page, personal or shared with the project team."""

    list_type = models.CharField(max_length=80, db_index=True)
    entity_type = models.CharField(max_length=80, null=True, blank=True)
    name = models.CharField(max_length=200, default="")
    search_query = models.CharField(max_length=500, default="")
    is_shared = models.BooleanField(default=False)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_filter_group = models.ForeignKey(
        SearchFilterGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="search_filters",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "search_filter"

    def __str__(self):
        return f"{self.list_type}: {self.name or self.search_query}"


class Plugin(BaseModel):
    """The manifest of an installed plug-in: identity, version, maintainer, UI panels."""

    plugin_id = models.CharField(max_length=80, unique=True)
    name = models.CharField(max_length=80, db_index=True)
    description = models.TextField(null=True, blank=True)
    version = models.CharField(max_length=50)
    maintainer_name = models.CharField(max_length=200)
    maintainer_email = models.EmailField(max_length=255, null=True, blank=True)
    website = models.TextField(null=True, blank=True)
    license = models.CharField(max_length=80)
    revision = models.CharField(max_length=12, null=True, blank=True)
    frontend_project_enabled = models.BooleanField(default=False)
    frontend_studio_enabled = models.BooleanField(default=False)
    icon = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "plugin"
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} {self.version}"


class DataImportError(BaseModel):
    """The payload of a row a CSV or ShotGrid import could not take in."""

    event_data = models.JSONField()
    source = models.CharField(max_length=255, choices=IMPORT_SOURCES, null=True, blank=True)

    class Meta:
        db_table = "data_import_error"

    def __str__(self):
        return f"{self.source} import error at {self.created_at:%Y-%m-%d %H:%M:%S}"
