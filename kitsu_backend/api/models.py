"""Pieces of the data model shared by every app: the base model and the event log."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def utcnow():
    """Naive UTC now. Microseconds are stored, so that rows written in the same
    second keep their order; JSON drops them, as Zou does."""
    return timezone.now()


class BaseModel(models.Model):
    """Every Kitsu row has a UUID id and naive-UTC creation and update timestamps.

    ``kitsu_type`` is the value of the ``type`` key in JSON payloads; it
    defaults to the class name, as in Zou.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=utcnow, editable=False)
    updated_at = models.DateTimeField(default=utcnow, editable=False)

    kitsu_type = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.updated_at = utcnow()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "updated_at" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)

    @classmethod
    def get_kitsu_type(cls):
        return cls.kitsu_type or cls.__name__


class ApiEvent(BaseModel):
    """A persisted copy of an emitted event (``task:update``, ``person:new``…).

    ``project_id`` is a plain UUID rather than a foreign key: projects live in
    an app above this plumbing, and events outlive the rows they name.
    """

    name = models.CharField(max_length=80, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    project_id = models.UUIDField(null=True, blank=True, db_index=True)
    data = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "api_event"
        indexes = [
            models.Index(fields=["project_id", "created_at"], name="api_event_project_created")
        ]

    def __str__(self):
        return f"{self.name} at {self.created_at:%Y-%m-%d %H:%M:%S}"
