"""Models of the tasks app: task types and statuses, tasks and everything made on them.

Tables and columns follow Zou's names. Entities and projects live in
``productions``, one floor below, and are referred to by string.
"""

from .chats import Chat, ChatMessage
from .comments import (
    NOTIFICATION_TYPES,
    AttachmentFile,
    Comment,
    CommentAcknowledgement,
    CommentDepartmentMention,
    CommentMention,
    CommentPreviewLink,
    News,
    Notification,
)
from .files import FileStatus, OutputFile, OutputType, WorkingFile
from .previews import (
    BuildJob,
    Playlist,
    PlaylistShareLink,
    PreviewFile,
    PreviewFileStorageState,
    StoredFile,
)
from .work import (
    ProductionScheduleVersionTaskLink,
    ProductionScheduleVersionTaskLinkPersonLink,
    Subscription,
    Task,
    TimeSpent,
)
from .workflow import TASK_TYPE_FOR_ENTITIES, TaskStatus, TaskType, TaskTypeAssetTypeLink

__all__ = [
    "NOTIFICATION_TYPES",
    "TASK_TYPE_FOR_ENTITIES",
    "AttachmentFile",
    "BuildJob",
    "Chat",
    "ChatMessage",
    "Comment",
    "CommentAcknowledgement",
    "CommentDepartmentMention",
    "CommentMention",
    "CommentPreviewLink",
    "FileStatus",
    "News",
    "Notification",
    "OutputFile",
    "OutputType",
    "Playlist",
    "PlaylistShareLink",
    "PreviewFile",
    "PreviewFileStorageState",
    "ProductionScheduleVersionTaskLink",
    "ProductionScheduleVersionTaskLinkPersonLink",
    "StoredFile",
    "Subscription",
    "Task",
    "TaskStatus",
    "TaskType",
    "TaskTypeAssetTypeLink",
    "TimeSpent",
    "WorkingFile",
]
