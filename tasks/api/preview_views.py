"""Routes of preview media: uploads, every ``/pictures`` and ``/movies``
download, thumbnails of people, projects and the studio, preview
backgrounds, frame extraction, main preview, ordering and annotations; plus
the generic ``/data`` resources of preview files and preview backgrounds.

Downloads stream from Django storage with the caller's cookie or bearer
token; movies answer byte ranges so that players can seek.
"""

import json
import re

from django.db import transaction

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import ApiError, Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.views import (
    KitsuView,
    get_or_404,
    parse_datetime,
    parse_int,
    parse_uuid,
    query_flag,
)
from people.models import Organisation, Person
from productions.access import check_manager_access, check_project_access, scope_to_projects
from productions.models import Entity, PreviewBackgroundFile, Project
from productions.presentation import serialize_entity
from tasks import comments, previews, services
from tasks.api.comment_views import (
    check_comment_post,
    comment_arguments,
    load_task,
    load_task_status,
    run,
)
from tasks.api.views import MANAGING, add_preview_to_comment, check_task_action, check_task_read
from tasks.media.serving import (
    AnyAcceptNegotiation,
    bytes_response,
    content_type_for,
    stored_file_response,
)
from tasks.models import AttachmentFile, ChatMessage, Comment, PreviewFile, Task
from tasks.services import supervises_task_type

PNG = "image/png"
MP4 = "video/mp4"


# --- loading and access ------------------------------------------------------------


def load_preview(preview_id):
    return get_or_404(
        PreviewFile.objects.select_related(
            "task__project", "task__task_type", "task__entity", "task__task_status"
        ),
        preview_id,
    )


def check_preview_read(person, preview):
    """Who may read a task may read its previews; a preview without task is admins' only."""
    if preview.task_id is None:
        roles.require_admin(person)
        return roles.ADMIN
    return check_task_read(person, preview.task)


def uploaded_file(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise WrongParameter("File not provided.")
    return upload


def preview_row(preview):
    return serialize_instance(preview, relations=False)


def download_name(preview, extension):
    """``<project>_<entity>_<task type>_v<revision>.<ext>``, safe for a file name."""
    task = preview.task
    parts = [task.project.name, task.entity.name, task.task_type.name] if task else []
    base = "_".join([*parts, f"v{preview.revision or 1}"])
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '_', base)}.{extension}"


class MediaView(KitsuView):
    """Base of routes answering files: any Accept header is fine."""

    content_negotiation_class = AnyAcceptNegotiation


# --- upload -------------------------------------------------------------------------


class PreviewUploadView(KitsuView):
    def post(self, request, instance_id):
        preview = load_preview(instance_id)
        if preview.task_id is None:
            raise WrongParameter("This preview file is not linked to a task.")
        check_task_action(request.user, preview.task)
        upload = uploaded_file(request)
        normalize = query_flag(request, "normalize", default=True)
        preview = previews.upload_preview(preview, upload, normalize=normalize)
        preview.refresh_from_db()
        return self.respond(preview_row(preview), status=201)


# --- preview pictures and movies ----------------------------------------------------------


class PreviewPictureView(MediaView):
    """One PNG variant of a preview (thumbnails, thumbnails-square, previews, original)."""

    prefix = None

    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return stored_file_response(request, previews.picture_key(self.prefix, preview.pk), PNG)


class PreviewOriginalFileView(MediaView):
    """The original of a preview by extension: the PNG, the movie or the stored file."""

    def get(self, request, instance_id, extension):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return serve_original(request, preview, extension.lower())


def serve_original(request, preview, extension, attachment=False):
    name = download_name(preview, extension) if attachment else None
    if extension == "png":
        key = previews.picture_key("original", preview.pk)
        return stored_file_response(request, key, PNG, download_name=name)
    if extension == "mp4":
        return serve_movie(request, preview, download=name)
    if preview.extension != extension:
        raise NotFound()
    return stored_file_response(
        request, previews.file_key(preview.pk), content_type_for(extension), download_name=name
    )


class PreviewOriginalDownloadView(MediaView):
    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return serve_original(request, preview, preview.extension or "png", attachment=True)


def serve_movie(request, preview, lowdef=False, download=None):
    """The wanted movie variant, or the next one stored (high, low, then source)."""
    key = previews.first_stored(previews.movie_keys(preview.pk, lowdef=lowdef))
    if key is None:
        raise NotFound()
    return stored_file_response(request, key, MP4, download_name=download, byte_ranges=True)


class PreviewMovieView(MediaView):
    lowdef = False

    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return serve_movie(request, preview, lowdef=self.lowdef)


class PreviewMovieDownloadView(MediaView):
    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return serve_movie(request, preview, download=download_name(preview, "mp4"))


class PreviewSourceMovieView(MediaView):
    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        key = previews.movie_key("source", preview.pk)
        return stored_file_response(request, key, MP4, byte_ranges=True)


class PreviewTileView(MediaView):
    def get(self, request, instance_id):
        preview = load_preview(instance_id)
        check_preview_read(request.user, preview)
        return stored_file_response(request, previews.picture_key("tiles", preview.pk), PNG)


class AttachmentThumbnailView(MediaView):
    """The thumbnail of an image attached to a comment or a chat message."""

    def get(self, request, attachment_file_id):
        attachment = get_or_404(AttachmentFile, attachment_file_id)
        if attachment.comment_id is not None:
            comment = Comment.objects.get(pk=attachment.comment_id)
            task = Task.objects.select_related("task_type", "entity").filter(pk=comment.object_id)
            task = task.first()
            if task is None:
                raise NotFound()
            check_task_read(request.user, task)
        elif attachment.chat_message_id is not None:
            message = ChatMessage.objects.select_related("chat").get(pk=attachment.chat_message_id)
            entity = Entity.objects.filter(pk=message.chat.object_id).first()
            if entity is None:
                raise NotFound()
            check_project_access(request.user, entity.project_id)
        else:
            raise Forbidden()
        return bytes_response(previews.attachment_thumbnail(attachment), PNG)


# --- thumbnails of people, projects and the studio ------------------------------------------


class ThumbnailView(MediaView):
    """GET the 400x400 thumbnail of an object that ``has_avatar``; POST a new one."""

    kind = None

    def load(self, instance_id):
        raise NotImplementedError

    def check_read(self, request, instance):
        pass

    def check_upload(self, request, instance):
        roles.require_admin(request.user)

    def get(self, request, instance_id):
        instance = self.load(instance_id)
        self.check_read(request, instance)
        if not instance.has_avatar:
            raise NotFound()
        return stored_file_response(request, previews.thumbnail_key(self.kind, instance.pk), PNG)

    def post(self, request, instance_id):
        instance = self.load(instance_id)
        self.check_upload(request, instance)
        path = previews.store_thumbnail(self.kind, instance, uploaded_file(request))
        return self.respond({"thumbnail_path": path}, status=201)


class PersonThumbnailView(ThumbnailView):
    kind = "persons"

    def load(self, instance_id):
        return get_or_404(Person, instance_id)

    def check_upload(self, request, instance):
        roles.require_self_or_admin(request.user, instance.pk)


class OrganisationThumbnailView(ThumbnailView):
    kind = "organisations"

    def load(self, instance_id):
        organisation = Organisation.get()
        if parse_uuid(instance_id) != organisation.pk:
            raise NotFound()
        return organisation


class ProjectThumbnailView(ThumbnailView):
    kind = "projects"

    def load(self, instance_id):
        return get_or_404(Project, instance_id)

    def check_read(self, request, instance):
        if not roles.is_manager(request.user):
            check_project_access(request.user, instance.pk)

    def check_upload(self, request, instance):
        check_manager_access(request.user, instance.pk)


class ProjectThumbnailDisplayView(ProjectThumbnailView):
    """The ``.png`` address only displays; uploads go to the address without extension."""

    def post(self, request, instance_id):
        raise ApiError(
            {
                "error": True,
                "message": "Upload project thumbnails on the url without extension: "
                "/pictures/thumbnails/projects/<project_id>.",
            },
            status=405,
        )


# --- preview backgrounds ------------------------------------------------------------------


class BackgroundUploadView(KitsuView):
    def post(self, request, instance_id):
        roles.require_admin(request.user)
        background = get_or_404(PreviewBackgroundFile, instance_id)
        upload = uploaded_file(request)
        try:
            previews.upload_background(background, upload)
        except WrongParameter:
            # As Zou does, a background whose file is refused is removed.
            with transaction.atomic():
                events.emit(
                    "preview-background-file:delete",
                    {"preview_background_file_id": background.pk},
                )
                background.delete()
            transaction.on_commit(lambda: previews.delete_background_media(instance_id))
            raise
        return self.respond(serialize_instance(background, relations=False), status=201)


class BackgroundFileView(MediaView):
    def get(self, request, instance_id, extension):
        background = get_or_404(PreviewBackgroundFile, instance_id)
        extension = extension.lower()
        if background.extension != extension:
            raise NotFound()
        return stored_file_response(
            request,
            previews.background_key(background),
            content_type_for(extension),
        )


class BackgroundThumbnailView(MediaView):
    def get(self, request, instance_id):
        background = get_or_404(PreviewBackgroundFile, instance_id)
        return stored_file_response(request, previews.background_thumbnail_key(background.pk), PNG)

    def post(self, request, instance_id):
        # Uploads go to /pictures/preview-background-files/<id>. Zou answers
        # a 500 when no file is sent; a missing file is a 400 here.
        uploaded_file(request)
        raise ApiError(
            {
                "error": True,
                "message": "Upload preview backgrounds on "
                "/pictures/preview-background-files/<preview_background_file_id>.",
            },
            status=405,
        )


# --- actions on a preview ---------------------------------------------------------------


def frame_parameter(request, minimum=0, default=None):
    value = request.query_params.get("frame_number")
    if value in (None, ""):
        return default
    return parse_int(value, "frame_number", minimum=minimum)


def load_managed_preview(request, preview_file_id):
    preview = load_preview(preview_file_id)
    if preview.task_id is None:
        roles.require_admin(request.user)
    else:
        check_manager_access(request.user, preview.task.project_id)
    return preview


class ExtractFrameView(MediaView):
    def get(self, request, preview_file_id):
        preview = load_managed_preview(request, preview_file_id)
        frame = previews.extract_frame(preview, frame_parameter(request, default=0))
        return bytes_response(frame, PNG)


class ExtractTileView(MediaView):
    def get(self, request, preview_file_id):
        preview = load_preview(preview_file_id)
        check_preview_read(request.user, preview)
        return bytes_response(previews.tile(preview), PNG)


class ExtractAnnotatedFrameView(MediaView):
    def get(self, request, preview_file_id):
        preview = load_managed_preview(request, preview_file_id)
        frame_number = frame_parameter(request, minimum=1)
        if preview.extension == "mp4" and frame_number is None:
            raise WrongParameter("frame_number is required for movies.")
        _name, content = previews.annotated_frames(preview, frame_number)[0]
        return bytes_response(content, PNG)


class ExtractAnnotatedFramesView(MediaView):
    def get(self, request, preview_file_id):
        preview = load_managed_preview(request, preview_file_id)
        name = download_name(preview, "zip").removesuffix(".zip")
        return bytes_response(
            previews.annotated_frames_zip(preview),
            "application/zip",
            download_name=f"{name}_annotated_frames.zip",
        )


class ExtractAnnotatedFramesPdfView(MediaView):
    def get(self, request, preview_file_id):
        preview = load_managed_preview(request, preview_file_id)
        name = download_name(preview, "pdf").removesuffix(".pdf")
        return bytes_response(
            previews.annotated_frames_pdf(preview),
            "application/pdf",
            download_name=f"{name}_annotated_frames.pdf",
        )


class SetMainPreviewView(KitsuView):
    def put(self, request, preview_file_id):
        preview = load_preview(preview_file_id)
        if preview.task_id is None:
            raise WrongParameter("This preview file is not linked to a task.")
        role = check_task_read(request.user, preview.task)
        if role == roles.CLIENT:
            # Clients review work but do not choose how entities are illustrated.
            raise Forbidden()
        body = self.body()
        frame_number = body.get("frame_number")
        if frame_number in (None, ""):
            frame_number = None
        else:
            frame_number = parse_int(frame_number, "frame_number", minimum=0)
        entity = previews.set_main_preview(preview, frame_number)
        return self.respond(serialize_entity(entity))


class UpdatePositionView(KitsuView):
    def put(self, request, preview_file_id):
        preview = load_preview(preview_file_id)
        if preview.task_id is None:
            raise WrongParameter("This preview file is not linked to a task.")
        check_task_action(request.user, preview.task)
        (position,) = self.required(self.body(), "position")
        preview = previews.update_position(preview, parse_int(position, "position", minimum=1))
        preview.refresh_from_db()
        return self.respond(preview_row(preview))


class UpdateAnnotationsView(KitsuView):
    def put(self, request, preview_file_id):
        preview = load_preview(preview_file_id)
        if preview.task_id is None:
            raise WrongParameter("This preview file is not linked to a task.")
        role = check_project_access(request.user, preview.task.project_id)
        allowed = role in (roles.ADMIN, roles.MANAGER, roles.CLIENT) or (
            role == roles.SUPERVISOR
            and supervises_task_type(request.user, preview.task.task_type.department_id)
        )
        if not allowed:
            raise Forbidden()
        body = self.body()
        changes = {}
        for name in ("additions", "updates", "deletions"):
            value = body.get(name) or []
            if not isinstance(value, list):
                raise WrongParameter(f"{name} must be a list.")
            changes[name] = value
        preview = previews.update_annotations(preview, request.user, **changes)
        return self.respond(preview_row(preview))


class RunningPreviewFilesView(KitsuView):
    """Previews of open productions still processing, or broken (admins)."""

    def get(self, request):
        roles.require_admin(request.user)
        queryset = PreviewFile.objects.filter(
            status__in=("processing", "broken"),
            task__project_id__in=services.open_project_ids(),
        ).order_by("-created_at", "id")
        cursor = request.query_params.get("cursor_preview_file_id")
        if cursor:
            if not _is_uuid(cursor):
                raise WrongParameter("The cursor_preview_file_id parameter is not a valid id")
            anchor = PreviewFile.objects.filter(pk=cursor).values("created_at").first()
            if anchor is not None:
                queryset = queryset.filter(created_at__lt=anchor["created_at"])
        limit = request.query_params.get("limit")
        if limit not in (None, ""):
            queryset = queryset[: parse_int(limit, "limit", minimum=1)]
        rows = serialize_rows(PreviewFile, queryset)
        details = {
            row["id"]: row
            for row in Task.objects.filter(pk__in=[row["task_id"] for row in rows]).values(
                "id",
                "project_id",
                "project__name",
                "task_type_id",
                "task_type__name",
                "entity_id",
                "entity__name",
            )
        }
        for row in rows:
            task = details.get(row["task_id"], {})
            row["project_id"] = task.get("project_id")
            row["project_name"] = task.get("project__name")
            row["task_type_id"] = task.get("task_type_id")
            row["task_type_name"] = task.get("task_type__name")
            row["entity_id"] = task.get("entity_id")
            row["entity_name"] = task.get("entity__name")
        return self.respond(rows)


def _is_uuid(value):
    try:
        parse_uuid(value)
    except WrongParameter:
        return False
    return True


# --- batch comments ---------------------------------------------------------------------


def numbered_files(request, field, index):
    """Files of the multipart fields ``<field>-<index>`` and ``<field>-<index>-<n>``."""
    pattern = re.compile(rf"^{re.escape(field)}-{index}(-\d+)?$")
    return [
        upload
        for name in request.FILES
        if pattern.match(name)
        for upload in request.FILES.getlist(name)
    ]


def batch_items(request):
    """The ``comments`` list of a batch body: JSON, or a JSON string in a multipart form."""
    data = request.data
    raw = data.get("comments") if hasattr(data, "get") else None
    if raw in (None, ""):
        raise WrongParameter("The field comments is required.")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise WrongParameter("comments must be a JSON list.") from None
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise WrongParameter("comments must be a list of objects.")
    return raw


class BatchCommentView(KitsuView):
    """Post several comments, each with its attachments and previews, in one call.

    Multipart fields ``attachment_file-<i>`` and ``preview_file-<i>`` go to
    the i-th comment. Every comment is checked before any is posted. A
    preview file in a format that cannot be used is dropped, as Zou does,
    and the comment stays.
    """

    def post(self, request, task_id=None):
        items = batch_items(request)
        fixed_task = load_task(task_id) if task_id is not None else None
        if fixed_task is not None:
            check_task_action(request.user, fixed_task)
        prepared = []
        for item in items:
            if fixed_task is None and item.get("task_id") in (None, ""):
                raise WrongParameter("The field task_id is required.")
            task = fixed_task or load_task(item["task_id"])
            task_status = load_task_status(item.get("task_status_id"))
            role = check_comment_post(request.user, task, task_status)
            author, created_at = request.user, None
            if role in MANAGING:
                if item.get("person_id") not in (None, ""):
                    author = get_or_404(Person, item["person_id"])
                if item.get("created_at") not in (None, ""):
                    created_at = parse_datetime(item["created_at"], "created_at")
            prepared.append((task, task_status, author, created_at, comment_arguments(item)))
        results = []
        for index, (task, task_status, author, created_at, arguments) in enumerate(prepared):
            comment = run(
                comments.post_comment,
                task,
                author,
                task_status,
                created_at=created_at,
                files=numbered_files(request, "attachment_file", index),
                **arguments,
            )
            payload = dict(comment.kitsu_payload)
            payload["preview_files"] = []
            for upload in numbered_files(request, "preview_file", index):
                preview = add_preview_to_comment(task, comment, author)
                try:
                    previews.upload_preview(preview, upload)
                except WrongParameter:
                    continue
                preview.refresh_from_db()
                payload["preview_files"].append(preview_row(preview))
            results.append(payload)
        return self.respond(results, status=201)


# --- generic /data resources --------------------------------------------------------------


@register
class PreviewFileResource(CrudResource):
    """Preview rows: listed within the caller's projects, read by who reads the
    task, updated by who may act on it, deleted by the project's managers."""

    model = PreviewFile
    slug = "preview-files"
    protected_fields = frozenset({"task_id", "task"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        if roles.is_admin(request.user):
            return queryset
        return scope_to_projects(request.user, queryset, field="task__project_id")

    def check_read(self, request, instance):
        check_preview_read(request.user, instance)

    def check_update(self, request, instance, values):
        if instance.task_id is None:
            roles.require_admin(request.user)
        else:
            check_task_action(request.user, instance.task)

    def check_delete(self, request, instance):
        if instance.task_id is None:
            roles.require_admin(request.user)
        else:
            check_manager_access(request.user, instance.task.project_id)

    def get_queryset(self):
        return PreviewFile.objects.select_related(
            "task__project", "task__task_type", "task__entity"
        )

    def project_id(self, instance):
        return instance.task.project_id if instance.task_id else None

    def serialize(self, request, instance):
        return serialize_instance(instance, relations=False)

    def delete(self, request, instance):
        # Rows now, stored media after commit.
        services.delete_preview_files([instance.pk])


@register
class PreviewBackgroundFileResource(CrudResource):
    """HDR backgrounds of 3D previews: every logged-in person reads them, admins write."""

    model = PreviewBackgroundFile
    slug = "preview-background-files"

    def check_list(self, request):
        pass

    def check_read(self, request, instance):
        pass

    def delete(self, request, instance):
        background_id = instance.pk
        instance.delete()
        transaction.on_commit(lambda: previews.delete_background_media(background_id))


def _picture(prefix):
    return type(f"Preview{prefix.title()}PictureView", (PreviewPictureView,), {"prefix": prefix})


urlpatterns = [
    # upload
    route("pictures/preview-files/{instance_id}", PreviewUploadView.as_view()),
    # preview pictures
    route("pictures/thumbnails/preview-files/{instance_id}.png", _picture("thumbnails").as_view()),
    route(
        "pictures/thumbnails-square/preview-files/{instance_id}.png",
        _picture("thumbnails-square").as_view(),
    ),
    route("pictures/previews/preview-files/{instance_id}.png", _picture("previews").as_view()),
    route("pictures/originals/preview-files/{instance_id}.png", _picture("original").as_view()),
    route(
        "pictures/originals/preview-files/{instance_id}/download",
        PreviewOriginalDownloadView.as_view(),
    ),
    route(
        "pictures/originals/preview-files/{instance_id}.{extension}",
        PreviewOriginalFileView.as_view(),
    ),
    route(
        "pictures/thumbnails/attachment-files/{attachment_file_id}.png",
        AttachmentThumbnailView.as_view(),
    ),
    # movies
    route("movies/originals/preview-files/{instance_id}.mp4", PreviewMovieView.as_view()),
    route(
        "movies/originals/preview-files/{instance_id}/download",
        PreviewMovieDownloadView.as_view(),
    ),
    route(
        "movies/low/preview-files/{instance_id}.mp4",
        type("PreviewLowdefMovieView", (PreviewMovieView,), {"lowdef": True}).as_view(),
    ),
    route("movies/source/preview-files/{instance_id}.mp4", PreviewSourceMovieView.as_view()),
    route("movies/tiles/preview-files/{instance_id}.png", PreviewTileView.as_view()),
    # thumbnails of people, projects and the studio
    route("pictures/thumbnails/persons/{instance_id}.png", PersonThumbnailView.as_view()),
    route("pictures/thumbnails/persons/{instance_id}", PersonThumbnailView.as_view()),
    route(
        "pictures/thumbnails/organisations/{instance_id}.png",
        OrganisationThumbnailView.as_view(),
    ),
    route("pictures/thumbnails/organisations/{instance_id}", OrganisationThumbnailView.as_view()),
    route("pictures/thumbnails/projects/{instance_id}.png", ProjectThumbnailDisplayView.as_view()),
    route("pictures/thumbnails/projects/{instance_id}", ProjectThumbnailView.as_view()),
    # preview backgrounds
    route("pictures/preview-background-files/{instance_id}", BackgroundUploadView.as_view()),
    route(
        "pictures/preview-background-files/{instance_id}.{extension}",
        BackgroundFileView.as_view(),
    ),
    route(
        "pictures/thumbnails/preview-background-files/{instance_id}.png",
        BackgroundThumbnailView.as_view(),
    ),
    # actions
    route("actions/preview-files/{preview_file_id}/extract-frame", ExtractFrameView.as_view()),
    route("actions/preview-files/{preview_file_id}/extract-tile", ExtractTileView.as_view()),
    route(
        "actions/preview-files/{preview_file_id}/extract-annotated-frame",
        ExtractAnnotatedFrameView.as_view(),
    ),
    route(
        "actions/preview-files/{preview_file_id}/extract-annotated-frames",
        ExtractAnnotatedFramesView.as_view(),
    ),
    route(
        "actions/preview-files/{preview_file_id}/extract-annotated-frames-pdf",
        ExtractAnnotatedFramesPdfView.as_view(),
    ),
    route("actions/preview-files/{preview_file_id}/set-main-preview", SetMainPreviewView.as_view()),
    route(
        "actions/preview-files/{preview_file_id}/update-annotations",
        UpdateAnnotationsView.as_view(),
    ),
    route("actions/preview-files/{preview_file_id}/update-position", UpdatePositionView.as_view()),
    route("data/playlists/preview-files/running", RunningPreviewFilesView.as_view()),
    route("actions/tasks/batch-comment", BatchCommentView.as_view()),
    route("actions/tasks/{task_id}/batch-comment", BatchCommentView.as_view()),
]
