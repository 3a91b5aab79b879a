"""Files made from a playlist: the concatenated review movie and the zip of its previews.

The movie is built by a Celery job (run in-process when no broker is
configured): the movie previews of the playlist are copied from storage into a
temporary folder, joined with ffmpeg's concat demuxer (a stream copy, fast when
every input shares its codec settings) and, when that fails or a re-encode is
asked for, with the concat filter, which re-encodes every input to the
project's frame size and rate. The result goes back to storage under the build
job's id, so a retried job overwrites its own output.

Every file is read and written through Django's default storage, never through
a filesystem path, so that media on S3 works the same as a local folder.
"""

import logging
import os
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction

from kitsu_backend.api import events
from kitsu_backend.api.models import utcnow
from tasks.media import storage
from tasks.models import BuildJob, Playlist, PreviewFile

logger = logging.getLogger(__name__)

MOVIE_EXTENSIONS = ("mp4", "mov")
# ffmpeg gets this long per run before the build is declared failed.
FFMPEG_TIMEOUT = 60 * 30


# --- storage keys ---------------------------------------------------------------
# The layout of ``tasks.media.storage``: bucket, variant prefix, then the id.


def movie_key(preview_file_id, variant="previews"):
    """The normalised movie of a preview (``previews``), or its ``lowdef`` variant."""
    return storage.key(storage.MOVIES, variant, preview_file_id)


def picture_key(preview_file_id, variant="original"):
    """A PNG variant (``thumbnails``, ``previews``, ``original``, ``tiles``…) of a preview."""
    return storage.key(storage.PICTURES, variant, preview_file_id)


def original_key(preview_file_id, extension):
    """Where the main file of a preview lives, whatever its kind."""
    if extension in MOVIE_EXTENSIONS:
        return movie_key(preview_file_id)
    if extension == "png":
        return picture_key(preview_file_id)
    return storage.key(storage.FILES, "previews", preview_file_id)


def build_movie_key(build_job_id):
    return storage.key(storage.MOVIES, "playlists", build_job_id)


# --- build jobs -----------------------------------------------------------------


class BuildRunning(Exception):
    """A movie build of this playlist has not finished yet."""


def start_movie_build(playlist, full=False):
    """Record a running build job and enqueue its Celery job once committed.

    Raises ``BuildRunning`` when another build of the playlist is running:
    the playlist row is locked first so that two concurrent requests cannot
    both start one.
    """
    with transaction.atomic():
        Playlist.objects.select_for_update().filter(pk=playlist.pk).first()
        if BuildJob.objects.filter(playlist=playlist, status="running").exists():
            raise BuildRunning()
        job = BuildJob.objects.create(playlist=playlist, status="running", job_type="movie")
        events.emit(
            "build-job:new",
            {"build_job_id": job.pk, "playlist_id": playlist.pk, "created_at": job.created_at},
            project_id=playlist.project_id,
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: build_playlist_movie.delay(job_id, full))
    return job


def end_build_job(job, succeeded, message=None):
    with transaction.atomic():
        job.status = "succeeded" if succeeded else "failed"
        job.ended_at = utcnow()
        job.message = message
        job.save(update_fields=["status", "ended_at", "message"])
        events.emit(
            "build-job:update",
            {"build_job_id": job.pk, "playlist_id": job.playlist_id, "status": job.status},
            project_id=job.playlist.project_id,
        )
    return job


def delete_build_job(job):
    """Remove a build job and, once committed, its movie."""
    key = build_movie_key(job.pk)
    with transaction.atomic():
        events.emit(
            "build-job:delete",
            {"build_job_id": job.pk, "playlist_id": job.playlist_id},
            project_id=job.playlist.project_id,
        )
        job.delete()
        transaction.on_commit(lambda: storage.delete(key))


@shared_task(name="tasks.build_playlist_movie")
def build_playlist_movie(build_job_id, full=False):
    """Build the movie of a running build job (ids in, idempotent output key)."""
    job = BuildJob.objects.select_related("playlist__project").filter(pk=build_job_id).first()
    if job is None:
        logger.warning("Build job %s is gone, nothing to build", build_job_id)
        return None
    if job.status != "running":
        logger.info("Build job %s already ended (%s)", build_job_id, job.status)
        return job.status
    try:
        run_movie_build(job, full=full)
    except BuildFailed as error:
        logger.warning("Build job %s failed: %s", build_job_id, error)
        end_build_job(job, False, str(error))
    except Exception:
        logger.exception("Build job %s failed unexpectedly", build_job_id)
        end_build_job(job, False, "The movie could not be built.")
    else:
        end_build_job(job, True)
        logger.info("Build job %s succeeded", build_job_id)
    return job.status


class BuildFailed(Exception):
    pass


@dataclass
class EncodingParameters:
    width: int
    height: int
    fps: str


def encoding_parameters(project):
    """The project's frame size (even numbers, as libx264 needs) and frame rate."""
    width, height = 1920, 1080
    try:
        parsed = [int(value) for value in (project.resolution or "").lower().split("x")]
        if len(parsed) == 2 and all(value > 0 for value in parsed):
            width, height = parsed
    except ValueError:
        pass
    fps = project.fps or "25"
    try:
        if float(fps) <= 0:
            fps = "25"
    except ValueError:
        fps = "25"
    return EncodingParameters(width - width % 2, height - height % 2, fps)


def playlist_movie_previews(playlist):
    """Ready movie previews of the playlist entries, in entry order (one query)."""
    entries = [entry for entry in playlist.shots or [] if isinstance(entry, dict)]
    ids = entry_preview_ids(entries)
    rows = {
        str(row["id"]): row
        for row in PreviewFile.objects.filter(
            pk__in=ids, extension__in=MOVIE_EXTENSIONS, status="ready"
        ).values("id", "extension")
    }
    return [rows[str(preview_id)] for preview_id in ids if str(preview_id) in rows]


def entry_preview_ids(entries):
    """Preview ids of playlist entries, in order; ids that are not UUIDs are skipped."""
    ids = []
    for entry in entries:
        try:
            ids.append(uuid.UUID(str(entry.get("preview_file_id"))))
        except ValueError:
            continue
    return ids


def run_movie_build(job, full=False):
    previews = playlist_movie_previews(job.playlist)
    if not previews:
        raise BuildFailed("The playlist has no ready movie preview.")
    params = encoding_parameters(job.playlist.project)
    with tempfile.TemporaryDirectory(prefix="kitsu-build-") as folder:
        inputs = []
        for index, preview in enumerate(previews):
            path = os.path.join(folder, f"input-{index:04d}.mp4")
            copy_from_storage(movie_key(preview["id"]), path)
            inputs.append(path)
        output = os.path.join(folder, "playlist.mp4")
        succeeded = False
        if not full:
            succeeded = concat_with_demuxer(inputs, output, folder)
        if not succeeded:
            succeeded = concat_with_filter(inputs, output, params)
        if not succeeded:
            raise BuildFailed("ffmpeg could not concatenate the movies.")
        storage.save(build_movie_key(job.pk), output)


def copy_from_storage(key, path):
    try:
        with storage.open_file(key) as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, storage.CHUNK_SIZE)
    except (FileNotFoundError, OSError) as error:
        raise BuildFailed(f"A preview movie is missing from storage ({key}).") from error


def run_ffmpeg(arguments):
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *arguments]
    try:
        result = subprocess.run(
            command, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False, text=True
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        logger.warning("ffmpeg could not run: %s", error)
        return False
    if result.returncode != 0:
        logger.info("ffmpeg exited with %s: %s", result.returncode, result.stderr[-2000:])
        return False
    return True


def concat_with_demuxer(inputs, output, folder):
    """Join the inputs without re-encoding; only works when they share their settings."""
    listing = os.path.join(folder, "inputs.txt")
    with open(listing, "w", encoding="utf-8") as handle:
        for path in inputs:
            escaped = path.replace("'", "'\\''")
            handle.write(f"file '{escaped}'\n")
    arguments = ["-f", "concat", "-safe", "0", "-i", listing, "-c", "copy"]
    arguments += ["-movflags", "+faststart", output]
    return run_ffmpeg(arguments) and _is_non_empty(output)


def has_audio(path):
    try:
        result = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a", "-show_entries",
             "stream=index", "-of", "csv=p=0", path],
            capture_output=True, timeout=60, check=False, text=True,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and bool(result.stdout.strip())


def concat_with_filter(inputs, output, params):
    """Re-encode every input to the project's size and rate and join them.

    Audio is kept only when every input has a sound track: the concat filter
    needs the same streams in each segment.
    """
    with_audio = all(has_audio(path) for path in inputs)
    arguments, chains, labels = [], [], []
    for index, path in enumerate(inputs):
        arguments += ["-i", path]
        chains.append(
            f"[{index}:v]scale={params.width}:{params.height}:force_original_aspect_ratio=decrease,"
            f"pad={params.width}:{params.height}:(ow-iw)/2:(oh-ih)/2,setsar=1,"
            f"fps={params.fps},format=yuv420p[v{index}]"
        )
        labels.append(f"[v{index}]" + (f"[{index}:a]" if with_audio else ""))
    audio_flag = 1 if with_audio else 0
    graph = ";".join(chains) + ";" + "".join(labels)
    graph += f"concat=n={len(inputs)}:v=1:a={audio_flag}[v]" + ("[a]" if with_audio else "")
    arguments += ["-filter_complex", graph, "-map", "[v]"]
    if with_audio:
        arguments += ["-map", "[a]", "-c:a", "aac"]
    arguments += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p"]
    arguments += ["-movflags", "+faststart", output]
    return run_ffmpeg(arguments) and _is_non_empty(output)


def _is_non_empty(path):
    return os.path.exists(path) and os.path.getsize(path) > 0


# --- zip of the previews --------------------------------------------------------


def playlist_zip(playlist, destination):
    """Write into the open binary file ``destination`` a zip of the entries' previews.

    Every file of each entry's revision is included (all positions), named
    after the entity and the task type so that reviewers can tell them apart.
    Previews whose file is missing from storage are skipped.
    """
    from productions.models import Entity

    entries = [entry for entry in playlist.shots or [] if isinstance(entry, dict)]
    chosen = PreviewFile.objects.filter(pk__in=entry_preview_ids(entries)).values(
        "id", "task_id", "revision"
    )
    wanted = {(row["task_id"], row["revision"]) for row in chosen}
    rows = list(
        PreviewFile.objects.filter(task_id__in={task_id for task_id, _ in wanted})
        .values(
            "id",
            "task_id",
            "revision",
            "position",
            "extension",
            "original_name",
            "task__entity_id",
            "task__task_type__name",
        )
        .order_by("task_id", "revision", "position")
    )
    rows = [row for row in rows if (row["task_id"], row["revision"]) in wanted]
    names = dict(
        Entity.objects.filter(pk__in={row["task__entity_id"] for row in rows}).values_list(
            "id", "name"
        )
    )
    used = set()
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            extension = row["extension"] or "bin"
            key = original_key(row["id"], extension)
            base = "_".join(
                part
                for part in (
                    names.get(row["task__entity_id"], ""),
                    row["task__task_type__name"] or "",
                    f"v{row['revision']}",
                    str(row["position"]) if (row["position"] or 1) > 1 else "",
                )
                if part
            )
            name = f"{_safe_name(base) or row['id']}.{extension}"
            if name in used:
                name = f"{_safe_name(base)}_{row['id']}.{extension}"
            try:
                with storage.open_file(key) as source, archive.open(name, "w") as target:
                    shutil.copyfileobj(source, target, storage.CHUNK_SIZE)
            except (FileNotFoundError, OSError):
                logger.warning("Preview %s is missing from storage, left out of the zip", row["id"])
                continue
            used.add(name)
    return destination


def _safe_name(text):
    return "".join(char if char.isalnum() or char in "-_." else "_" for char in text).strip("_")
