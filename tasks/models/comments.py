"""Comments on tasks, their attachments, and the news and notifications they produce."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel
from people.models import Department

from .workflow import TaskStatus

NOTIFICATION_TYPES = [
    ("comment", "Comment"),
    ("mention", "Mention"),
    ("assignation", "Assignation"),
    ("reply", "Reply"),
    ("reply-mention", "Reply mention"),
    ("playlist-ready", "Playlist ready"),
]


class Comment(BaseModel):
    """A message on a task (``object_type`` "Task", ``object_id`` the task id).

    Every comment carries the task status it sets. ``replies`` is a JSON list
    of replies, ``checklist`` a JSON list of items, ``links`` a list of URLs;
    ``for_client`` makes it visible to clients. The previews uploaded with
    it are ``previews``; people and departments it mentions are
    ``mentions`` and ``department_mentions``; ``acknowledgements`` are the
    people who acknowledged it.
    """

    shotgun_id = models.IntegerField(null=True, blank=True)
    object_id = models.UUIDField(db_index=True)
    object_type = models.CharField(max_length=80, db_index=True)
    text = models.TextField(null=True, blank=True)
    data = models.JSONField(null=True, blank=True)
    replies = models.JSONField(default=list, null=True, blank=True)
    checklist = models.JSONField(default=list, null=True, blank=True)
    pinned = models.BooleanField(null=True, blank=True)
    for_client = models.BooleanField(default=False)
    links = models.JSONField(null=True, blank=True)
    task_status = models.ForeignKey(
        TaskStatus, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preview_file = models.ForeignKey(
        "PreviewFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previews = models.ManyToManyField(
        "PreviewFile",
        through="CommentPreviewLink",
        through_fields=("comment", "preview_file"),
        related_name="+",
        blank=True,
    )
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CommentMention", related_name="+", blank=True
    )
    department_mentions = models.ManyToManyField(
        Department, through="CommentDepartmentMention", related_name="+", blank=True
    )
    acknowledgements = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CommentAcknowledgement", related_name="+", blank=True
    )

    class Meta:
        db_table = "comment"

    def __str__(self):
        return f"Comment of {self.person_id} on {self.object_type} {self.object_id}"


class CommentPreviewLink(models.Model):
    """A preview file uploaded with a comment (one revision may hold several files).

    Zou names the columns ``comment`` and ``preview_file``, without ``_id``.
    """

    comment = models.ForeignKey(
        Comment, db_column="comment", on_delete=models.CASCADE, related_name="+"
    )
    preview_file = models.ForeignKey(
        "PreviewFile", db_column="preview_file", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "comment_preview_link"
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "preview_file"], name="comment_preview_link_uc"
            )
        ]

    def __str__(self):
        return f"{self.preview_file_id} on comment {self.comment_id}"


class CommentMention(models.Model):
    """A person mentioned in a comment."""

    comment = models.ForeignKey(
        Comment, db_column="comment", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_column="person", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "comment_mentions"
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="comment_mentions_uc")
        ]

    def __str__(self):
        return f"{self.person_id} mentioned in {self.comment_id}"


class CommentDepartmentMention(models.Model):
    """A department mentioned in a comment."""

    comment = models.ForeignKey(
        Comment, db_column="comment", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        Department, db_column="department", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "comment_department_mentions"
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "department"], name="comment_department_mentions_uc"
            )
        ]

    def __str__(self):
        return f"{self.department_id} mentioned in {self.comment_id}"


class CommentAcknowledgement(models.Model):
    """A person who acknowledged a comment (the table keeps Zou's spelling)."""

    comment = models.ForeignKey(
        Comment, db_column="comment", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, db_column="person", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        db_table = "comment_acknoledgments"
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="comment_acknoledgments_uc")
        ]

    def __str__(self):
        return f"{self.person_id} acknowledged {self.comment_id}"


class AttachmentFile(BaseModel):
    """A file attached to a comment, a comment reply (``reply_id``) or a chat message.

    The binary lives in file storage; deleting an attachment is left to the
    services that also remove the stored file, hence the PROTECT parents.
    """

    name = models.CharField(max_length=250, null=True, blank=True)
    size = models.BigIntegerField(default=1, null=True, blank=True)
    extension = models.CharField(max_length=6, null=True, blank=True)
    mimetype = models.CharField(max_length=255, null=True, blank=True)
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachment_files",
    )
    reply_id = models.UUIDField(null=True, blank=True)
    chat_message = models.ForeignKey(
        "ChatMessage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachment_files",
    )

    class Meta:
        db_table = "attachment_file"

    def __str__(self):
        return self.name or str(self.id)


class News(BaseModel):
    """An activity-feed entry for a comment on a task; ``change`` tells a status change."""

    change = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey("Task", on_delete=models.CASCADE, related_name="news")
    preview_file = models.ForeignKey(
        "PreviewFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "news"
        verbose_name_plural = "news"

    def __str__(self):
        return f"News by {self.author_id} on {self.task_id}"


class Notification(BaseModel):
    """One notification for one recipient (``person``) about a comment, mention, assignment…

    The column is called ``type`` as in Zou; payloads expose it as
    ``notification_type`` because ``type`` holds the model name there.
    Notifications belong to their recipient and go with them.
    """

    read = models.BooleanField(default=False)
    change = models.BooleanField(default=False)
    type = models.CharField(max_length=255, choices=NOTIFICATION_TYPES)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        "Task", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    playlist = models.ForeignKey(
        "Playlist", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reply_id = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        db_table = "notification"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "author", "comment", "reply_id", "playlist", "type"],
                name="notification_uc",
            )
        ]

    def __str__(self):
        return f"{self.type} for {self.person_id} from {self.author_id}"
