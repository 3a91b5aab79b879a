"""Admin of task types and statuses, tasks, comments, previews, playlists, chats and files."""

from django.contrib import admin

from .models import (
    AttachmentFile,
    BuildJob,
    Chat,
    ChatMessage,
    Comment,
    CommentAcknowledgement,
    CommentDepartmentMention,
    CommentMention,
    CommentPreviewLink,
    FileStatus,
    News,
    Notification,
    OutputFile,
    OutputType,
    Playlist,
    PlaylistShareLink,
    PreviewFile,
    PreviewFileStorageState,
    ProductionScheduleVersionTaskLink,
    ProductionScheduleVersionTaskLinkPersonLink,
    StoredFile,
    Subscription,
    Task,
    TaskStatus,
    TaskType,
    TaskTypeAssetTypeLink,
    TimeSpent,
    WorkingFile,
)

PERSON_SEARCH = ("person__first_name", "person__last_name", "person__email")


# --- workflow -------------------------------------------------------------


@admin.register(TaskType)
class TaskTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "for_entity",
        "department",
        "priority",
        "color",
        "allow_timelog",
        "archived",
    )
    list_filter = ("for_entity", "department", "allow_timelog", "archived")
    list_select_related = ("department",)
    search_fields = ("name", "short_name")


@admin.register(TaskStatus)
class TaskStatusAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "color",
        "priority",
        "is_default",
        "is_wip",
        "is_feedback_request",
        "is_retake",
        "is_done",
        "is_artist_allowed",
        "is_client_allowed",
        "for_concept",
        "archived",
    )
    list_filter = ("for_concept", "is_done", "is_retake", "is_feedback_request", "archived")
    search_fields = ("name", "short_name")


@admin.register(TaskTypeAssetTypeLink)
class TaskTypeAssetTypeLinkAdmin(admin.ModelAdmin):
    list_display = ("asset_type", "task_type")
    list_filter = ("asset_type", "task_type")
    list_select_related = ("asset_type", "task_type")


# --- tasks ----------------------------------------------------------------


class TimeSpentInline(admin.TabularInline):
    model = TimeSpent
    extra = 0
    raw_id_fields = ("person",)
    fields = ("person", "date", "duration")


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "entity",
        "task_type",
        "task_status",
        "project",
        "priority",
        "due_date",
        "retake_count",
    )
    list_filter = (
        "task_status",
        "task_type",
        ("assignees", admin.RelatedOnlyFieldListFilter),
        "project",
    )
    list_select_related = ("entity", "task_type", "task_status", "project")
    search_fields = ("name", "entity__name", "description")
    raw_id_fields = ("project", "entity", "assigner", "assignees", "last_preview_file")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "due_date"
    inlines = (TimeSpentInline,)


@admin.register(TimeSpent)
class TimeSpentAdmin(admin.ModelAdmin):
    list_display = ("person", "task", "date", "duration")
    list_filter = ("date",)
    list_select_related = ("person", "task")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("task", "person")
    date_hierarchy = "date"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("person", "task", "entity", "task_type")
    list_filter = ("task_type",)
    list_select_related = ("person", "task", "entity", "task_type")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("person", "task", "entity")


@admin.register(ProductionScheduleVersionTaskLink)
class ProductionScheduleVersionTaskLinkAdmin(admin.ModelAdmin):
    list_display = ("production_schedule_version", "task", "start_date", "due_date", "estimation")
    list_filter = ("production_schedule_version",)
    list_select_related = ("production_schedule_version", "task")
    raw_id_fields = ("production_schedule_version", "task")


@admin.register(ProductionScheduleVersionTaskLinkPersonLink)
class ProductionScheduleVersionTaskLinkPersonLinkAdmin(admin.ModelAdmin):
    list_display = ("production_schedule_version_task_link", "person")
    list_select_related = ("production_schedule_version_task_link", "person")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("production_schedule_version_task_link", "person")


# --- comments -------------------------------------------------------------


class AttachmentFileInline(admin.TabularInline):
    model = AttachmentFile
    fk_name = "comment"
    extra = 0
    fields = ("name", "extension", "mimetype", "size", "reply_id")
    readonly_fields = fields


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "task_status", "person", "for_client", "pinned", "created_at")
    list_filter = ("task_status", "for_client", "object_type")
    list_select_related = ("task_status", "person")
    search_fields = ("text", "object_id__exact", *PERSON_SEARCH)
    raw_id_fields = ("person", "editor", "preview_file")
    readonly_fields = ("created_at", "updated_at")
    inlines = (AttachmentFileInline,)


@admin.register(CommentPreviewLink)
class CommentPreviewLinkAdmin(admin.ModelAdmin):
    list_display = ("comment", "preview_file")
    raw_id_fields = ("comment", "preview_file")


@admin.register(CommentMention)
class CommentMentionAdmin(admin.ModelAdmin):
    list_display = ("comment", "person")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("comment", "person")


@admin.register(CommentDepartmentMention)
class CommentDepartmentMentionAdmin(admin.ModelAdmin):
    list_display = ("comment", "department")
    list_filter = ("department",)
    raw_id_fields = ("comment",)


@admin.register(CommentAcknowledgement)
class CommentAcknowledgementAdmin(admin.ModelAdmin):
    list_display = ("comment", "person")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("comment", "person")


@admin.register(AttachmentFile)
class AttachmentFileAdmin(admin.ModelAdmin):
    list_display = ("name", "extension", "mimetype", "size", "comment", "chat_message")
    list_filter = ("extension",)
    search_fields = ("name",)
    raw_id_fields = ("comment", "chat_message")


@admin.register(News)
class NewsAdmin(admin.ModelAdmin):
    list_display = ("author", "task", "comment", "change", "created_at")
    list_filter = ("change",)
    list_select_related = ("author", "task")
    search_fields = ("author__first_name", "author__last_name")
    raw_id_fields = ("author", "comment", "task", "preview_file")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("person", "type", "author", "task", "read", "change", "created_at")
    list_filter = ("type", "read", "change")
    list_select_related = ("person", "author", "task")
    search_fields = PERSON_SEARCH
    raw_id_fields = ("person", "author", "comment", "task", "playlist")


# --- previews and playlists -----------------------------------------------


@admin.register(PreviewFile)
class PreviewFileAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "task",
        "revision",
        "position",
        "extension",
        "status",
        "validation_status",
        "created_at",
    )
    list_filter = ("status", "validation_status", "extension")
    list_select_related = ("task",)
    search_fields = ("name", "original_name")
    raw_id_fields = ("task", "person", "source_file")
    readonly_fields = ("created_at", "updated_at")


@admin.register(PreviewFileStorageState)
class PreviewFileStorageStateAdmin(admin.ModelAdmin):
    list_display = ("preview_file", "bucket", "prefix", "state")
    list_filter = ("state", "bucket", "prefix")
    raw_id_fields = ("preview_file",)


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    list_display = ("bucket", "key", "prefix", "size", "deleted_at", "purged_at", "purge_forced")
    list_filter = ("bucket", "prefix", "purge_forced")
    search_fields = ("key", "file_id")


class BuildJobInline(admin.TabularInline):
    model = BuildJob
    extra = 0
    fields = ("job_type", "status", "ended_at", "message")
    readonly_fields = fields


@admin.register(Playlist)
class PlaylistAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "episode", "task_type", "for_entity", "for_client")
    list_filter = ("for_client", "for_entity", "project")
    list_select_related = ("project", "episode", "task_type")
    search_fields = ("name",)
    raw_id_fields = ("project", "episode")
    inlines = (BuildJobInline,)


@admin.register(PlaylistShareLink)
class PlaylistShareLinkAdmin(admin.ModelAdmin):
    list_display = ("playlist", "is_active", "can_comment", "expiration_date", "created_at")
    list_filter = ("is_active", "can_comment")
    list_select_related = ("playlist",)
    search_fields = ("playlist__name",)
    raw_id_fields = ("playlist",)
    # The token grants access and the password is a hash: show neither.
    exclude = ("token", "password")


@admin.register(BuildJob)
class BuildJobAdmin(admin.ModelAdmin):
    list_display = ("playlist", "job_type", "status", "created_at", "ended_at")
    list_filter = ("status", "job_type")
    list_select_related = ("playlist",)
    raw_id_fields = ("playlist",)


# --- chats ----------------------------------------------------------------


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ("__str__", "object_type", "last_message")
    list_filter = ("object_type",)
    raw_id_fields = ("participants",)


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    list_display = ("chat", "person", "created_at")
    list_select_related = ("person",)
    search_fields = ("text", *PERSON_SEARCH)
    raw_id_fields = ("chat", "person")


# --- files ----------------------------------------------------------------


@admin.register(FileStatus)
class FileStatusAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(OutputType)
class OutputTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")
    search_fields = ("name", "short_name")


@admin.register(WorkingFile)
class WorkingFileAdmin(admin.ModelAdmin):
    list_display = ("name", "revision", "task", "entity", "person", "software", "validation_status")
    list_filter = ("validation_status", "software")
    list_select_related = ("task", "entity", "person", "software")
    search_fields = ("name", "path")
    raw_id_fields = ("task", "entity", "person")


@admin.register(OutputFile)
class OutputFileAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "revision",
        "representation",
        "entity",
        "output_type",
        "task_type",
        "file_status",
        "canceled",
    )
    list_filter = ("file_status", "output_type", "task_type", "canceled", "quality")
    list_select_related = ("entity", "output_type", "task_type", "file_status")
    search_fields = ("name", "path")
    raw_id_fields = (
        "entity",
        "asset_instance",
        "person",
        "source_file",
        "temporal_entity",
    )
