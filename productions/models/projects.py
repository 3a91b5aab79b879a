"""Productions, their team and the settings chosen for each of them."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel
from people.models import ROLES, Software

PRODUCTION_STYLES = [
    ("2d", "2D Animation"),
    ("2dpaper", "2D Animation (paper)"),
    ("3d", "3D Animation"),
    ("2d3d", "2D/3D Animation"),
    ("ar", "Augmented Reality"),
    ("vfx", "VFX"),
    ("stop-motion", "Stop Motion"),
    ("motion-design", "Motion Design"),
    ("archviz", "Archviz"),
    ("commercial", "Commercial"),
    ("catalog", "Catalog"),
    ("immersive", "Immersive Experience"),
    ("nft", "NFT Collection"),
    ("video-game", "Video Game"),
    ("vr", "Virtual Reality"),
]


def default_board_roles():
    """Roles that see a task status as a board column unless a project says otherwise."""
    return ["user", "admin", "supervisor", "manager", "vendor"]


class ProjectStatus(BaseModel):
    """The state of a production; the code relies on the names "Open" and "Closed"."""

    name = models.CharField(max_length=20, unique=True)
    color = models.CharField(max_length=7)

    class Meta:
        db_table = "project_status"
        ordering = ["name"]
        verbose_name_plural = "project statuses"

    def __str__(self):
        return self.name


class PreviewBackgroundFile(BaseModel):
    """An HDR environment shown behind 3D previews; one may be the default."""

    name = models.CharField(max_length=40)
    archived = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False, db_index=True)
    original_name = models.CharField(max_length=250, null=True, blank=True)
    extension = models.CharField(max_length=6, null=True, blank=True)
    file_size = models.BigIntegerField(default=0, null=True, blank=True)

    class Meta:
        db_table = "preview_background_file"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Project(BaseModel):
    """A production: technical defaults, dates, flags and the file-tree template.

    The team, the task types, task statuses and asset types enabled, the
    status automations and the preview backgrounds are link tables, exposed
    in JSON as lists of ids under the names of the many-to-many fields.
    """

    name = models.CharField(max_length=80, unique=True)
    code = models.CharField(max_length=80, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    shotgun_id = models.IntegerField(null=True, blank=True)
    file_tree = models.JSONField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    has_avatar = models.BooleanField(default=False)
    fps = models.CharField(max_length=10, default="25", null=True, blank=True)
    ratio = models.CharField(max_length=10, default="16:9", null=True, blank=True)
    resolution = models.CharField(max_length=12, default="1920x1080", null=True, blank=True)
    production_type = models.CharField(max_length=20, default="short", null=True, blank=True)
    production_style = models.CharField(max_length=255, choices=PRODUCTION_STYLES, default="2d3d")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    man_days = models.IntegerField(null=True, blank=True)
    nb_episodes = models.IntegerField(default=0, null=True, blank=True)
    episode_span = models.IntegerField(default=0, null=True, blank=True)
    max_retakes = models.IntegerField(default=0, null=True, blank=True)
    is_clients_isolated = models.BooleanField(default=False)
    is_client_stats_visible = models.BooleanField(default=True)
    is_client_task_list_visible = models.BooleanField(default=True)
    is_client_task_panel_visible = models.BooleanField(default=True)
    is_preview_download_allowed = models.BooleanField(default=False)
    is_set_preview_automated = models.BooleanField(default=False)
    homepage = models.CharField(max_length=80, default="assets", null=True, blank=True)
    is_publish_default_for_artists = models.BooleanField(default=False)
    is_bot_collaboration_enabled = models.BooleanField(default=False)
    is_single_preview_per_revision = models.BooleanField(default=False)
    is_frame_in_numbering = models.BooleanField(default=False)
    revision_padding = models.IntegerField(default=0)
    hd_bitrate_compression = models.IntegerField(null=True, blank=True)
    ld_bitrate_compression = models.IntegerField(null=True, blank=True)
    project_status = models.ForeignKey(
        ProjectStatus,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    default_preview_background_file = models.ForeignKey(
        PreviewBackgroundFile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_schedule_version = models.ForeignKey(
        "productions.ProductionScheduleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ProjectPersonLink",
        related_name="projects",
        blank=True,
    )
    asset_types = models.ManyToManyField(
        "productions.EntityType",
        through="ProjectAssetTypeLink",
        related_name="+",
        blank=True,
    )
    task_statuses = models.ManyToManyField(
        "tasks.TaskStatus",
        through="ProjectTaskStatusLink",
        related_name="+",
        blank=True,
    )
    task_types = models.ManyToManyField(
        "tasks.TaskType",
        through="ProjectTaskTypeLink",
        related_name="+",
        blank=True,
    )
    status_automations = models.ManyToManyField(
        "productions.StatusAutomation",
        through="ProjectStatusAutomationLink",
        related_name="+",
        blank=True,
    )
    preview_background_files = models.ManyToManyField(
        PreviewBackgroundFile,
        through="ProjectPreviewBackgroundFileLink",
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "project"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProjectPersonLink(models.Model):
    """Team membership; ``role`` overrides the person's global role in this project.

    An ``admin`` value is ignored: admin is a global role only.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_links"
    )
    shotgun_id = models.IntegerField(null=True, blank=True)
    role = models.CharField(max_length=255, choices=ROLES, null=True, blank=True)

    class Meta:
        db_table = "project_person_link"
        constraints = [
            models.UniqueConstraint(fields=["project", "person"], name="project_person_link_uc")
        ]

    def __str__(self):
        return f"{self.person} in {self.project}"


class ProjectTaskTypeLink(BaseModel):
    """A task type enabled in a project: column order, bitrates, client visibility."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="task_type_links")
    task_type = models.ForeignKey(
        "tasks.TaskType", on_delete=models.CASCADE, related_name="project_links"
    )
    priority = models.IntegerField(null=True, blank=True)
    hd_bitrate_compression = models.IntegerField(null=True, blank=True)
    ld_bitrate_compression = models.IntegerField(null=True, blank=True)
    is_client_visible = models.BooleanField(default=True)

    class Meta:
        db_table = "project_task_type_link"
        constraints = [
            models.UniqueConstraint(fields=["project", "task_type"], name="project_tasktype_uc")
        ]

    def __str__(self):
        return f"{self.task_type} in {self.project}"


class ProjectTaskStatusLink(BaseModel):
    """A task status enabled in a project, with the roles that see it on the board.

    ``is_client_allowed``, when set, overrides the status' own client flag.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="task_status_links")
    task_status = models.ForeignKey(
        "tasks.TaskStatus", on_delete=models.CASCADE, related_name="project_links"
    )
    priority = models.IntegerField(null=True, blank=True)
    roles_for_board = models.JSONField(default=default_board_roles, null=True, blank=True)
    is_client_allowed = models.BooleanField(null=True, blank=True)

    class Meta:
        db_table = "project_task_status_link"
        constraints = [
            models.UniqueConstraint(fields=["project", "task_status"], name="project_taskstatus_uc")
        ]

    def __str__(self):
        return f"{self.task_status} in {self.project}"


class ProjectAssetTypeLink(models.Model):
    """An asset type offered in a project's settings."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    asset_type = models.ForeignKey(
        "productions.EntityType", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_asset_type_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "asset_type"], name="project_asset_type_link_uc"
            )
        ]

    def __str__(self):
        return f"{self.asset_type} in {self.project}"


class ProjectStatusAutomationLink(models.Model):
    """A status automation active in a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    status_automation = models.ForeignKey(
        "productions.StatusAutomation", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_status_automation_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "status_automation"],
                name="project_status_automation_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.status_automation} in {self.project}"


class ProjectPreviewBackgroundFileLink(models.Model):
    """A preview background offered in a project's 3D viewer."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    preview_background_file = models.ForeignKey(
        PreviewBackgroundFile, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "project_preview_background_file_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "preview_background_file"],
                name="project_preview_background_file_link_uc",
            )
        ]

    def __str__(self):
        return f"{self.preview_background_file} in {self.project}"


class ProjectTaskTypeSoftwareLink(BaseModel):
    """Software the artists of a project are expected to use for a task type."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    task_type = models.ForeignKey("tasks.TaskType", on_delete=models.CASCADE, related_name="+")
    software = models.ForeignKey(Software, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "project_task_type_software_link"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "task_type", "software"],
                name="project_task_type_software_uc",
            )
        ]

    def __str__(self):
        return f"{self.software} for {self.task_type} in {self.project}"
