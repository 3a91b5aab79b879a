"""Entity chats: one room per entity, its participants and messages."""

from django.conf import settings
from django.db import models

from kitsu_backend.api.models import BaseModel


class Chat(BaseModel):
    """The chat room of an object (an entity), with the time of its last message."""

    object_id = models.UUIDField(db_index=True)
    object_type = models.CharField(max_length=80, default="entity", db_index=True)
    last_message = models.DateTimeField(null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, db_table="chat_participant", related_name="+", blank=True
    )

    class Meta:
        db_table = "chat"

    def __str__(self):
        return f"Chat of {self.object_type} {self.object_id}"


class ChatMessage(BaseModel):
    """A message posted in an entity chat; its files are ``attachment_files``."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "chat_message"

    def __str__(self):
        return f"Message of {self.person_id} in {self.chat_id}"
