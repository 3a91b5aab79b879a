"""Domain operations on preview files: upload, processing, main preview,
ordering, annotations and the pictures derived from them.

Views, the Celery job and commands call these; they hold the rules of Zou's
preview pipeline (behaviour.md section 7). Stored media go through
``tasks.media.storage`` so that S3 works.
"""

import io
import logging
import os
import shutil
import tempfile
import zipfile

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import NotFound, WrongParameter
from productions.models import Entity, ProjectTaskTypeLink
from productions.presentation import kind_of
from tasks import services
from tasks.media import annotations as drawing
from tasks.media import movies, pictures, storage
from tasks.media.storage import (
    FILES,
    MOVIES,
    PICTURE_VARIANTS,
    PICTURES,
    file_key,
    movie_key,
    picture_key,
)
from tasks.models import CommentPreviewLink, PreviewFile, PreviewFileStorageState, Task

logger = logging.getLogger(__name__)

PICTURE_EXTENSIONS = frozenset({"jpe", "jpeg", "jpg", "png"})
MOVIE_EXTENSIONS = frozenset({"avi", "m4v", "mkv", "mov", "mp4", "webm", "wmv"})
# Files kept as uploaded (no processing), as Zou's ALLOWED_FILE_EXTENSION.
FILE_EXTENSIONS = frozenset(
    {
        "ae", "ai", "blend", "clip", "comp", "diff", "exr", "fbx", "fla", "flv", "gif",
        "glb", "gltf", "hip", "kra", "ma", "mb", "md", "mp3", "obj", "pdf", "psd", "psb",
        "rar", "rev", "riv", "sai", "sai2", "sbbkp", "svg", "swf", "tvpp", "wav", "zip",
    }
)  # fmt: skip
BACKGROUND_EXTENSIONS = frozenset({"hdr"})

# Movie variants in the order they are tried when one is missing.
HIGHDEF_FALLBACKS = ("previews", "lowdef", "source")
LOWDEF_FALLBACKS = ("lowdef", "previews", "source")


# --- keys -------------------------------------------------------------------------


def first_stored(keys):
    """The first of ``keys`` that exists in storage, or None."""
    return next((candidate for candidate in keys if storage.exists(candidate)), None)


def movie_keys(preview_id, lowdef=False):
    order = LOWDEF_FALLBACKS if lowdef else HIGHDEF_FALLBACKS
    return [movie_key(prefix, preview_id) for prefix in order]


def split_file_name(file_name):
    """``(name without extension, lower-case extension)`` of an uploaded file name."""
    base = os.path.basename(file_name or "")
    name, dot, extension = base.rpartition(".")
    if not dot:
        return base, ""
    return name, extension.lower()


def _record_states(preview_id, bucket, prefixes):
    for prefix in prefixes:
        PreviewFileStorageState.objects.update_or_create(
            preview_file_id=preview_id, bucket=bucket, prefix=prefix, defaults={"state": "ok"}
        )


# --- upload -------------------------------------------------------------------


def comment_id_of(preview):
    return (
        CommentPreviewLink.objects.filter(preview_file_id=preview.pk)
        .values_list("comment_id", flat=True)
        .first()
    )


def discard_preview(preview):
    """Delete a preview whose upload was refused, with its links."""
    with transaction.atomic():
        project_id = preview.task.project_id if preview.task_id else None
        events.emit("preview-file:delete", {"preview_file_id": preview.pk}, project_id=project_id)
        services.delete_preview_files([preview.pk])


def upload_preview(preview, uploaded_file, normalize=True):
    """Store the media of a preview created by ``add-preview`` and process it.

    Pictures are turned into their PNG variants right away; movies are
    stored as the source and handed to a Celery job; other known files are
    kept as they are. Anything else deletes the preview and answers 400,
    as does a picture Pillow cannot read safely. Returns the preview.
    """
    if preview.original_name:
        raise WrongParameter("A file was already uploaded for this preview file.")
    name, extension = split_file_name(uploaded_file.name)
    if extension in PICTURE_EXTENSIONS:
        return _upload_picture(preview, uploaded_file, name)
    if extension in MOVIE_EXTENSIONS:
        return _upload_movie(preview, uploaded_file, name, normalize)
    if extension in FILE_EXTENSIONS:
        storage.save(file_key(preview.pk), uploaded_file)
        with transaction.atomic():
            _update(
                preview,
                original_name=name,
                extension=extension,
                file_size=uploaded_file.size,
                status="ready",
            )
            _record_states(preview.pk, FILES, ["previews"])
            preview_ready(preview)
        return preview
    logger.info("Preview %s refused: wrong file format %r", preview.pk, extension)
    discard_preview(preview)
    raise WrongParameter(f"Wrong file format, extension: {extension}")


def _update(preview, **values):
    for field, value in values.items():
        setattr(preview, field, value)
    preview.save(update_fields=[*values, "updated_at"])


def _upload_picture(preview, uploaded_file, name):
    try:
        image = pictures.open_picture(uploaded_file)
        variants = pictures.preview_variants(image)
    except pictures.PictureError as error:
        logger.info("Preview %s refused: %s", preview.pk, error)
        discard_preview(preview)
        raise WrongParameter(str(error)) from None
    for prefix, content in variants.items():
        storage.save(picture_key(prefix, preview.pk), content)
    with transaction.atomic():
        _update(
            preview,
            original_name=name,
            extension="png",
            width=image.width,
            height=image.height,
            file_size=uploaded_file.size,
            status="ready",
        )
        _record_states(preview.pk, PICTURES, PICTURE_VARIANTS)
        preview_ready(preview)
    return preview


def _upload_movie(preview, uploaded_file, name, normalize):
    storage.save(movie_key("source", preview.pk), uploaded_file)
    with transaction.atomic():
        _update(
            preview,
            original_name=name,
            extension="mp4",
            file_size=uploaded_file.size,
            status="processing",
        )
        _record_states(preview.pk, MOVIES, ["source"])
        emit_add_file(preview)
        enqueue_movie_processing(preview.pk, normalize)
    return preview


def enqueue_movie_processing(preview_id, normalize=True):
    """Run the movie job once the preview row is committed (eagerly without a broker)."""
    from tasks import tasks as task_jobs

    # robust: when the job runs eagerly, a storage failure it gives up on
    # must not turn the already committed upload into an error answer; the
    # preview stays "processing" and shows in the running list.
    transaction.on_commit(
        lambda: task_jobs.process_movie_preview.delay(str(preview_id), normalize), robust=True
    )


def emit_add_file(preview):
    comment_id = comment_id_of(preview)
    project_id = preview.task.project_id
    events.emit(
        "preview-file:add-file",
        {
            "comment_id": comment_id,
            "task_id": preview.task_id,
            "preview_file_id": preview.pk,
            "revision": preview.revision,
            "extension": preview.extension,
            "status": preview.status,
        },
        project_id=project_id,
    )
    if comment_id is not None:
        events.emit("comment:update", {"comment_id": comment_id}, project_id=project_id)


def preview_ready(preview):
    """What follows a successful processing: the task's last preview, the
    entity thumbnail when the project automates it, and the events."""
    task = Task.objects.select_related("project").get(pk=preview.task_id)
    if preview.position == 1:
        task.last_preview_file_id = preview.pk
        task.save(update_fields=["last_preview_file", "updated_at"])
    if task.project.is_set_preview_automated:
        use_as_entity_thumbnail(preview, task)
    emit_add_file(preview)


def use_as_entity_thumbnail(preview, task):
    entity = Entity.objects.select_related("entity_type").get(pk=task.entity_id)
    entity.preview_file_id = preview.pk
    entity.save(update_fields=["preview_file", "updated_at"])
    kind = kind_of(entity.entity_type.name).lower()
    events.emit(
        "preview-file:set-main",
        {"entity_id": entity.pk, "preview_file_id": preview.pk},
        project_id=task.project_id,
    )
    events.emit(f"{kind}:update", {f"{kind}_id": entity.pk}, project_id=task.project_id)
    return entity


# --- movie processing ---------------------------------------------------------------


def movie_settings(preview):
    """``(width, height, fps, hd bitrate, ld bitrate)`` wanted for a preview's movies.

    The frame rate of the entity (a shot's ``data.fps``) wins over the
    project's; bitrates come from the task type's project settings, then
    the project's, then the instance defaults.
    """
    task = preview.task
    project = task.project
    resolution = movies.parse_resolution(project.resolution)
    fps = (task.entity.data or {}).get("fps") or project.fps or 25
    try:
        fps = float(fps)
    except (TypeError, ValueError):
        fps = 25.0
    link = ProjectTaskTypeLink.objects.filter(
        project_id=project.pk, task_type_id=task.task_type_id
    ).first()
    hd = (link and link.hd_bitrate_compression) or project.hd_bitrate_compression
    ld = (link and link.ld_bitrate_compression) or project.ld_bitrate_compression
    return (
        resolution,
        fps if fps > 0 else 25.0,
        hd or settings.MOVIE_HIGHDEF_BITRATE,
        ld or settings.MOVIE_LOWDEF_BITRATE,
    )


def process_movie(preview_id, normalize=True):
    """Build every variant of an uploaded movie; the preview ends ``ready`` or ``broken``.

    Safe to run twice: it only works on a preview still ``processing`` and
    writes deterministic keys.
    """
    preview = (
        PreviewFile.objects.select_related("task__project", "task__entity")
        .filter(pk=preview_id)
        .first()
    )
    if preview is None:
        logger.warning("Movie preview %s is gone, nothing to process", preview_id)
        return None
    if preview.status != "processing":
        logger.info("Movie preview %s is already %s", preview_id, preview.status)
        return preview.status
    source_key = movie_key("source", preview_id)
    if not storage.exists(source_key):
        return _mark_broken(preview, "the uploaded movie is missing from storage")
    resolution, fps, hd_bitrate, ld_bitrate = movie_settings(preview)
    folder = tempfile.mkdtemp(prefix="preview-")
    try:
        paths = {name: os.path.join(folder, name) for name in ("hd.mp4", "ld.mp4", "frame.png")}
        paths["tile"] = os.path.join(folder, "tile.png")
        with storage.local_copy(source_key) as source:
            try:
                info = movies.probe(source)
                size = resolution or (info.width - info.width % 2, info.height - info.height % 2)
                if normalize:
                    movies.normalize(source, paths["hd.mp4"], *size, fps, hd_bitrate, info)
                else:
                    shutil.copyfile(source, paths["hd.mp4"])
            except movies.MovieError as error:
                return _mark_broken(preview, str(error))
        try:
            hd_info = movies.probe(paths["hd.mp4"])
            movies.lowdef(paths["hd.mp4"], paths["ld.mp4"], ld_bitrate)
            movies.extract_frame(paths["hd.mp4"], paths["frame.png"])
            variants = pictures.preview_variants(pictures.open_picture(paths["frame.png"]))
            movies.tile_sheet(paths["hd.mp4"], paths["tile"], hd_info)
        except (movies.MovieError, pictures.PictureError) as error:
            return _mark_broken(preview, str(error))
        storage.save(movie_key("previews", preview_id), paths["hd.mp4"])
        storage.save(movie_key("lowdef", preview_id), paths["ld.mp4"])
        for prefix, content in variants.items():
            storage.save(picture_key(prefix, preview_id), content)
        storage.save(picture_key("tiles", preview_id), paths["tile"])
        file_size = os.path.getsize(paths["hd.mp4"])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with transaction.atomic():
        preview = (
            PreviewFile.objects.select_for_update(of=("self",))
            .select_related("task")
            .get(pk=preview_id)
        )
        if preview.status != "processing":
            return preview.status
        _update(
            preview,
            width=hd_info.width,
            height=hd_info.height,
            duration=round(hd_info.duration, 3),
            file_size=file_size,
            status="ready",
        )
        _record_states(preview_id, MOVIES, ["previews", "lowdef"])
        _record_states(preview_id, PICTURES, [*PICTURE_VARIANTS, "tiles"])
        preview_ready(preview)
        events.emit(
            "preview-file:update",
            {"preview_file_id": preview_id},
            project_id=preview.task.project_id,
        )
    logger.info("Movie preview %s is ready", preview_id)
    return "ready"


def _mark_broken(preview, reason):
    logger.warning("Movie preview %s is broken: %s", preview.pk, reason)
    with transaction.atomic():
        _update(preview, status="broken")
        emit_add_file(preview)
        events.emit(
            "preview-file:update",
            {"preview_file_id": preview.pk},
            project_id=preview.task.project_id,
        )
    return "broken"


# --- frames and tiles ---------------------------------------------------------------


def _movie_fps(preview):
    return movie_settings(preview)[1]


def extract_frame(preview, frame_number=0):
    """PNG bytes of frame ``frame_number`` of a movie preview (the picture itself otherwise).

    Raises NotFound when the media is not stored.
    """
    if preview.extension != "mp4":
        return _stored_picture(preview)
    movie = first_stored(movie_keys(preview.pk))
    if movie is None:
        raise NotFound()
    with storage.local_copy(movie, ".mp4") as path, tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "frame.png")
        try:
            movies.extract_frame(path, target, frame_number, _movie_fps(preview))
        except movies.MovieError as error:
            raise WrongParameter(f"The frame could not be extracted: {error}") from None
        if not os.path.exists(target):
            raise WrongParameter("This frame is beyond the end of the movie.")
        with open(target, "rb") as handle:
            return handle.read()


def _stored_picture(preview):
    key = picture_key("original", preview.pk)
    if not storage.exists(key):
        raise NotFound()
    return storage.read(key)


def tile(preview):
    """The stored tile sheet of a movie preview, built and stored first when missing."""
    key = picture_key("tiles", preview.pk)
    if storage.exists(key):
        return storage.read(key)
    if preview.extension != "mp4":
        raise NotFound()
    movie = first_stored(movie_keys(preview.pk))
    if movie is None:
        raise NotFound()
    with storage.local_copy(movie, ".mp4") as path, tempfile.TemporaryDirectory() as folder:
        target = os.path.join(folder, "tile.png")
        try:
            movies.tile_sheet(path, target)
        except movies.MovieError as error:
            raise WrongParameter(f"The tile sheet could not be built: {error}") from None
        storage.save(key, target)
    _record_states(preview.pk, PICTURES, ["tiles"])
    return storage.read(key)


# --- main preview, position, annotations ---------------------------------------------


def set_main_preview(preview, frame_number=None):
    """Illustrate the preview's entity with it, optionally from a given movie frame."""
    if frame_number is not None:
        if preview.extension != "mp4":
            raise WrongParameter("Can't use a given frame on non movie preview")
        frame = extract_frame(preview, frame_number)
        try:
            variants = pictures.preview_variants(pictures.open_picture(frame))
        except pictures.PictureError as error:
            raise WrongParameter(str(error)) from None
        for prefix, content in variants.items():
            storage.save(picture_key(prefix, preview.pk), content)
    with transaction.atomic():
        return use_as_entity_thumbnail(preview, preview.task)


def update_position(preview, position):
    """Move a preview to ``position`` (1-based) within its revision, renumbering the others."""
    with transaction.atomic():
        Task.objects.select_for_update().filter(pk=preview.task_id).first()
        siblings = list(
            PreviewFile.objects.filter(task_id=preview.task_id, revision=preview.revision)
            .exclude(pk=preview.pk)
            .order_by("position", "created_at")
        )
        position = min(max(position, 1), len(siblings) + 1)
        siblings.insert(position - 1, preview)
        for index, sibling in enumerate(siblings, start=1):
            if sibling.position != index or sibling.pk == preview.pk:
                sibling.position = index
                sibling.save(update_fields=["position", "updated_at"])
        events.emit(
            "preview-file:update",
            {"preview_file_id": preview.pk},
            project_id=preview.task.project_id,
        )
    return preview


def update_annotations(preview, person, additions=(), updates=(), deletions=()):
    """Merge drawing changes into the preview's annotations under a row lock.

    Several reviewers draw on the same preview at once: each sends only
    what changed, and the merge happens here on the latest stored state.
    """
    with transaction.atomic():
        locked = PreviewFile.objects.select_for_update().get(pk=preview.pk)
        merged = drawing.merge(locked.annotations or [], additions, updates, deletions)
        _update(locked, annotations=merged)
        events.emit(
            "preview-file:annotation-update",
            {
                "preview_file_id": locked.pk,
                "person_id": person.pk,
                "updated_at": timezone.now().replace(microsecond=0).isoformat(),
            },
            project_id=preview.task.project_id,
        )
    return locked


def annotated_frames(preview, frame_number=None):
    """``[(file name, png bytes)]`` of the preview's annotations drawn on their frames.

    With ``frame_number`` (1-based, movies only) just that frame. Raises 400
    when there is nothing to draw.
    """
    notes = [note for note in (preview.annotations or []) if drawing.objects_of(note)]
    if not notes:
        raise WrongParameter("This preview has no annotation.")
    is_movie = preview.extension == "mp4"
    if preview.extension not in ("png", "mp4"):
        raise WrongParameter("Annotations can only be drawn on pictures and movies.")
    fps = _movie_fps(preview) if is_movie else 1
    if is_movie and frame_number is not None:
        notes = [note for note in notes if drawing.frame_of(note, fps) == frame_number]
        if not notes:
            raise WrongParameter(f"No annotation on frame {frame_number}.")
    elif not is_movie and frame_number is not None:
        # A picture has one frame: its first annotation is the one drawn.
        notes = notes[:1]
    frames = []
    for note in notes:
        frame = drawing.frame_of(note, fps) if is_movie else 1
        base = extract_frame(preview, frame - 1) if is_movie else _stored_picture(preview)
        image = drawing.render(pictures.open_picture(base), note)
        frames.append((f"{preview.pk}_frame_{frame:04d}.png", pictures.to_png(image)))
    return frames


def annotated_frames_zip(preview):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in annotated_frames(preview):
            archive.writestr(name, content)
    return buffer.getvalue()


def annotated_frames_pdf(preview):
    pages = [
        pictures.open_picture(content).convert("RGB") for _, content in annotated_frames(preview)
    ]
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:])
    return buffer.getvalue()


# --- deletion ---------------------------------------------------------------------------


# --- thumbnails of people, projects, the studio and backgrounds ----------------------------


def thumbnail_key(kind, instance_id):
    """Where the thumbnail of a person, project or organisation is stored."""
    if kind == "persons":
        from people.services import AVATAR_PATH

        # Shared with people.services.clear_avatar, which deletes it.
        return AVATAR_PATH.format(person_id=instance_id)
    return storage.key(PICTURES, f"thumbnails-{kind}", instance_id)


def store_thumbnail(kind, instance, uploaded_file):
    """Store a 400x400 PNG thumbnail of ``instance`` and flag ``has_avatar`` (400 if unreadable)."""
    try:
        content = pictures.thumbnail_png(uploaded_file)
    except pictures.PictureError as error:
        raise WrongParameter(str(error)) from None
    storage.save(thumbnail_key(kind, instance.pk), content)
    model_name = kind[:-1]
    with transaction.atomic():
        instance.has_avatar = True
        instance.save(update_fields=["has_avatar", "updated_at"])
        events.emit(f"{model_name}:set-thumbnail", {f"{model_name}_id": instance.pk})
    return f"/api/pictures/thumbnails/{kind}/{instance.pk}.png"


def background_key(background):
    return storage.key(PICTURES, "preview-backgrounds", background.pk)


def background_thumbnail_key(background_id):
    return storage.key(PICTURES, "thumbnails-preview-backgrounds", background_id)


def upload_background(background, uploaded_file):
    """Store an HDR preview background and a 150x100 thumbnail of it when ffmpeg can read it."""
    name, extension = split_file_name(uploaded_file.name)
    if extension not in BACKGROUND_EXTENSIONS:
        raise WrongParameter(f"Wrong file format, extension: {extension}")
    storage.save(background_key(background), uploaded_file)
    _store_background_thumbnail(background, uploaded_file)
    with transaction.atomic():
        background.original_name = name
        background.extension = extension
        background.file_size = uploaded_file.size
        background.save(update_fields=["original_name", "extension", "file_size", "updated_at"])
        events.emit("preview-background-file:update", {"preview_background_file_id": background.pk})
        events.emit(
            "preview-background-file:add-file",
            {"preview_background_file_id": background.pk, "extension": extension},
        )
    return background


def _store_background_thumbnail(background, uploaded_file):
    uploaded_file.seek(0)
    try:
        content = pictures.hdr_thumbnail_png(uploaded_file.read())
    except (pictures.PictureError, IndexError) as error:
        # The background itself is stored; only its picture in the list is missing.
        logger.warning("No thumbnail for preview background %s: %s", background.pk, error)
        return
    storage.save(background_thumbnail_key(background.pk), content)


def delete_background_media(background_id):
    storage.delete(storage.key(PICTURES, "preview-backgrounds", background_id))
    storage.delete(background_thumbnail_key(background_id))


def attachment_thumbnail(attachment):
    """PNG bytes of a 150x100 thumbnail of a picture attachment, built and stored on first use."""
    from tasks.attachments import attachment_path

    key = picture_key("thumbnails", attachment.pk)
    if storage.exists(key):
        return storage.read(key)
    extension = (attachment.extension or "").lower()
    source = attachment_path(attachment.pk)
    if extension not in PICTURE_EXTENSIONS or not storage.exists(source):
        raise NotFound()
    try:
        image = pictures.open_picture(storage.read(source))
    except pictures.PictureError:
        raise NotFound() from None
    content = pictures.to_png(pictures.fit(image, pictures.THUMBNAIL_SIZE))
    storage.save(key, content)
    return content
