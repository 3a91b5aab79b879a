"""Review media (preview files), playlists built from them, and stored-file bookkeeping."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel

from .workflow import TaskType

PREVIEW_STATUSES = [
    ("processing", "Processing"),
    ("ready", "Ready"),
    ("broken", "Broken"),
    ("missing", "Missing"),
]
VALIDATION_STATUSES = [("validated", "Validated"), ("rejected", "Rejected"), ("neutral", "Neutral")]
STORAGE_STATES = [("ok", "OK"), ("missing", "Missing"), ("failed", "Failed")]
BUILD_JOB_STATUSES = [("running", "Running"), ("failed", "Failed"), ("succeeded", "Succeeded")]
BUILD_JOB_TYPES = [("archive", "Archive"), ("movie", "Movie")]


class PreviewFile(BaseModel):
    """A reviewable picture, movie or file uploaded for a task.

    Numbered by ``revision`` and by ``position`` inside a revision. ``status``
    follows the processing (processing, ready, broken, missing);
    ``annotations`` holds the review drawings; ``data`` notes which movie
    variants were stored. ``is_movie``, ``url`` and the ``uploaded_movie_*``
    columns are legacy ShotGrid fields. ``comments`` lists the comments this
    preview was posted with.
    """

    name = models.CharField(max_length=250, null=True, blank=True)
    original_name = models.CharField(max_length=250, null=True, blank=True)
    revision = models.IntegerField(default=1, null=True, blank=True)
    position = models.IntegerField(default=1, null=True, blank=True)
    extension = models.CharField(max_length=6, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    path = models.CharField(max_length=400, null=True, blank=True)
    source = models.CharField(max_length=40, null=True, blank=True)
    file_size = models.BigIntegerField(default=0, null=True, blank=True)
    status = models.CharField(max_length=255, choices=PREVIEW_STATUSES, default="processing")
    validation_status = models.CharField(
        max_length=255, choices=VALIDATION_STATUSES, default="neutral"
    )
    annotations = models.JSONField(null=True, blank=True)
    width = models.IntegerField(default=0, null=True, blank=True)
    height = models.IntegerField(default=0, null=True, blank=True)
    duration = models.FloatField(default=0.0, null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    token_in = models.IntegerField(null=True, blank=True)
    token_out = models.IntegerField(null=True, blank=True)
    # Deleting a task is left to the service that also removes the stored
    # media, hence PROTECT.
    task = models.ForeignKey(
        "Task", null=True, blank=True, on_delete=models.PROTECT, related_name="preview_files"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_file = models.ForeignKey(
        "OutputFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shotgun_id = models.IntegerField(null=True, blank=True, unique=True)
    is_movie = models.BooleanField(default=False)
    url = models.CharField(max_length=600, null=True, blank=True)
    uploaded_movie_url = models.CharField(max_length=600, null=True, blank=True)
    uploaded_movie_name = models.CharField(max_length=150, null=True, blank=True)
    comments = models.ManyToManyField(
        "Comment",
        through="CommentPreviewLink",
        through_fields=("preview_file", "comment"),
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "preview_file"
        constraints = [
            models.UniqueConstraint(fields=["name", "task", "revision"], name="preview_uc")
        ]

    def __str__(self):
        return f"{self.original_name or self.name} r{self.revision}.{self.position}"


class PreviewFileStorageState(BaseModel):
    """Whether one stored variant (bucket and prefix) of a preview exists. Not in the API."""

    preview_file = models.ForeignKey(
        PreviewFile, on_delete=models.CASCADE, related_name="storage_states"
    )
    bucket = models.CharField(max_length=20)
    prefix = models.CharField(max_length=40)
    state = models.CharField(max_length=255, choices=STORAGE_STATES)

    class Meta:
        db_table = "preview_file_storage_state"
        constraints = [
            models.UniqueConstraint(
                fields=["preview_file", "bucket", "prefix"],
                name="preview_file_storage_state_uc",
            )
        ]
        indexes = [
            # Variants of a kind in a given state (what is missing or failed).
            models.Index(fields=["bucket", "prefix", "state"], name="preview_storage_state_idx")
        ]

    def __str__(self):
        return f"{self.preview_file_id} {self.bucket}/{self.prefix}: {self.state}"


class StoredFile(BaseModel):
    """Every object written to file storage, with soft deletion and purge bookkeeping.

    Not exposed by the API. ``journal`` records the operations made on it.
    """

    bucket = models.CharField(max_length=20)
    key = models.CharField(max_length=255)
    prefix = models.CharField(max_length=40)
    file_id = models.CharField(max_length=200, db_index=True)
    size = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    purge_forced = models.BooleanField(default=False)
    purged_at = models.DateTimeField(null=True, blank=True)
    purge_attempts = models.IntegerField(default=0)
    last_error = models.TextField(null=True, blank=True)
    journal = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "stored_file"
        constraints = [models.UniqueConstraint(fields=["bucket", "key"], name="stored_file_uc")]
        indexes = [
            # Files waiting to be purged.
            models.Index(fields=["purge_forced", "deleted_at"], name="stored_file_purge_idx")
        ]

    def __str__(self):
        return f"{self.bucket}/{self.key}"


class Playlist(BaseModel):
    """A review list of a project, optionally for one episode and one task type.

    Entries are the ``shots`` JSON list of ``{entity_id, preview_file_id}``.
    ``for_entity`` is the kind listed (shot, asset, sequence, edit),
    ``for_client`` shows it to clients and ``is_for_all`` covers every
    episode.
    """

    name = models.CharField(max_length=80)
    shots = models.JSONField(null=True, blank=True)
    project = models.ForeignKey(
        "productions.Project",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="playlists",
    )
    episode = models.ForeignKey(
        "productions.Entity", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task_type = models.ForeignKey(
        TaskType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    for_client = models.BooleanField(default=False, db_index=True)
    for_entity = models.CharField(
        max_length=10, default="shot", null=True, blank=True, db_index=True
    )
    is_for_all = models.BooleanField(default=False)
    # Zou's column has no ``_id`` suffix and JSON carries it as
    # ``created_by``, so it is a plain UUID rather than a ForeignKey.
    created_by = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "playlist"
        constraints = [
            models.UniqueConstraint(fields=["name", "project", "episode"], name="playlist_uc")
        ]

    def __str__(self):
        return self.name


class PlaylistShareLink(BaseModel):
    """A public token giving external reviewers access to a playlist.

    Optional expiry and password (a bcrypt hash); ``can_comment`` lets guests
    post comments.
    """

    token = models.CharField(max_length=64, unique=True)
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="share_links")
    # Plain UUID for the same reason as ``Playlist.created_by``.
    created_by = models.UUIDField(db_index=True)
    expiration_date = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    can_comment = models.BooleanField(default=True)
    password = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        db_table = "playlist_share_link"
        indexes = [
            # Active links of a playlist.
            models.Index(fields=["playlist", "is_active"], name="playlist_share_link_active_idx")
        ]

    def __str__(self):
        return f"Share link of {self.playlist}"


class BuildJob(BaseModel):
    """The build of a playlist's concatenated movie or zip archive, and how it ended."""

    status = models.CharField(max_length=255, choices=BUILD_JOB_STATUSES, default="running")
    job_type = models.CharField(max_length=255, choices=BUILD_JOB_TYPES, default="movie")
    ended_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(null=True, blank=True)
    playlist = models.ForeignKey(Playlist, on_delete=models.CASCADE, related_name="build_jobs")

    class Meta:
        db_table = "build_job"

    def __str__(self):
        return f"{self.job_type} build of {self.playlist_id}: {self.status}"
