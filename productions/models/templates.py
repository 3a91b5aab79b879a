"""Project templates: a production's configuration saved for reuse, without its data."""

from django.db import models

from kitsu_backend.api.models import BaseModel

from .projects import PRODUCTION_STYLES, PreviewBackgroundFile, default_board_roles


class ProjectTemplate(BaseModel):
    """A reusable snapshot of a project's settings, flags, file tree and workflow.

    Metadata columns are kept as a JSON list (``metadata_descriptors``) rather
    than as descriptor rows, since a template has no project to attach them to.
    """

    name = models.CharField(max_length=80, unique=True)
    description = models.TextField(null=True, blank=True)
    fps = models.CharField(max_length=10, default="25", null=True, blank=True)
    ratio = models.CharField(max_length=10, default="16:9", null=True, blank=True)
    resolution = models.CharField(max_length=12, default="1920x1080", null=True, blank=True)
    production_type = models.CharField(max_length=20, default="short", null=True, blank=True)
    production_style = models.CharField(max_length=255, choices=PRODUCTION_STYLES, default="2d3d")
    max_retakes = models.IntegerField(default=0, null=True, blank=True)
    is_clients_isolated = models.BooleanField(default=False)
    is_client_stats_visible = models.BooleanField(default=True)
    is_client_task_list_visible = models.BooleanField(default=True)
    is_client_task_panel_visible = models.BooleanField(default=True)
    is_preview_download_allowed = models.BooleanField(default=False)
    is_set_preview_automated = models.BooleanField(default=False)
    is_publish_default_for_artists = models.BooleanField(default=False)
    is_single_preview_per_revision = models.BooleanField(default=False)
    is_frame_in_numbering = models.BooleanField(default=False)
    revision_padding = models.IntegerField(default=0)
    homepage = models.CharField(max_length=80, default="assets", null=True, blank=True)
    hd_bitrate_compression = models.IntegerField(null=True, blank=True)
    ld_bitrate_compression = models.IntegerField(null=True, blank=True)
    file_tree = models.JSONField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    metadata_descriptors = models.JSONField(default=list, null=True, blank=True)
    default_preview_background_file = models.ForeignKey(
        PreviewBackgroundFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task_types = models.ManyToManyField(
        "tasks.TaskType",
        through="ProjectTemplateTaskTypeLink",
        related_name="+",
        blank=True,
    )
    task_statuses = models.ManyToManyField(
        "tasks.TaskStatus",
        through="ProjectTemplateTaskStatusLink",
        related_name="+",
        blank=True,
    )
    asset_types = models.ManyToManyField(
        "productions.EntityType",
        through="ProjectTemplateAssetTypeLink",
        related_name="+",
        blank=True,
    )
    status_automations = models.ManyToManyField(
        "productions.StatusAutomation",
        through="ProjectTemplateStatusAutomationLink",
        related_name="+",
        blank=True,
    )
    preview_background_files = models.ManyToManyField(
        PreviewBackgroundFile,
        through="ProjectTemplatePreviewBackgroundFileLink",
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "project_template"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProjectTemplateTaskTypeLink(BaseModel):
    """A task type of a template, with its priority, bitrates and client visibility."""

    project_template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="task_type_links"
    )
    task_type = models.ForeignKey("tasks.TaskType", on_delete=models.CASCADE, related_name="+")
    priority = models.IntegerField(null=True, blank=True)
    hd_bitrate_compression = models.IntegerField(null=True, blank=True)
    ld_bitrate_compression = models.IntegerField(null=True, blank=True)
    is_client_visible = models.BooleanField(default=True)

    class Meta:
        db_table = "project_template_task_type_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project_template", "task_type"], name="project_template_tasktype_uc"
            )
        ]

    def __str__(self):
        return f"{self.task_type} in {self.project_template}"


class ProjectTemplateTaskStatusLink(BaseModel):
    """A task status of a template, with its priority and board roles."""

    project_template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="task_status_links"
    )
    task_status = models.ForeignKey("tasks.TaskStatus", on_delete=models.CASCADE, related_name="+")
    priority = models.IntegerField(null=True, blank=True)
    roles_for_board = models.JSONField(default=default_board_roles, null=True, blank=True)
    is_client_allowed = models.BooleanField(null=True, blank=True)

    class Meta:
        db_table = "project_template_task_status_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project_template", "task_status"],
                name="project_template_taskstatus_uc",
            )
        ]

    def __str__(self):
        return f"{self.task_status} in {self.project_template}"


class ProjectTemplateAssetTypeLink(models.Model):
    """An asset type of a template."""

    project_template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="+"
    )
    asset_type = models.ForeignKey(
        "productions.EntityType", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_template_asset_type_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project_template", "asset_type"],
                name="project_template_asset_type_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.asset_type} in {self.project_template}"


class ProjectTemplateStatusAutomationLink(models.Model):
    """A status automation of a template."""

    project_template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="+"
    )
    status_automation = models.ForeignKey(
        "productions.StatusAutomation", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_template_status_automation_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project_template", "status_automation"],
                name="project_template_status_automation_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.status_automation} in {self.project_template}"


class ProjectTemplatePreviewBackgroundFileLink(models.Model):
    """A preview background of a template."""

    project_template = models.ForeignKey(
        ProjectTemplate, on_delete=models.CASCADE, related_name="+"
    )
    preview_background_file = models.ForeignKey(
        PreviewBackgroundFile, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_template_preview_background_file_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project_template", "preview_background_file"],
                name="project_template_preview_background_file_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.preview_background_file} in {self.project_template}"
