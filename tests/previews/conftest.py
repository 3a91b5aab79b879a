"""A production with one shot task, media stored under ``tmp_path``, and real
files made in the test: pictures with Pillow, tiny movies with ffmpeg."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from rest_framework.test import APIClient

from people.tokens import issue_tokens
from productions.access import forget_project_roles
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskTypeLink,
)
from shots.models import Episode, Sequence, Shot
from tasks.media import storage
from tasks.models import Comment, Task, TaskStatus, TaskType

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# Movies are kept tiny (1 s, 64x48) so that the ffmpeg tests stay fast.
MOVIE_SIZE = (64, 48)
MOVIE_FPS = 24

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg is not installed",
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored media go to a fresh folder; x264 runs at its fastest preset."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.PREVIEW_X264_PRESET = "ultrafast"
    return tmp_path / "media"


@pytest.fixture
def stored_files(media_root):
    """Relative paths of every stored file."""

    def list_files():
        if not media_root.exists():
            return set()
        return {
            str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
        }

    return list_files


@pytest.fixture
def init_data(db):
    call_command("init_data", verbosity=0)


@pytest.fixture
def todo(init_data):
    return TaskStatus.objects.get(short_name="todo")


@pytest.fixture
def animation(init_data):
    return TaskType.objects.get(name="Animation", for_entity="Shot")


@pytest.fixture
def project(init_data, animation):
    project = Project.objects.create(
        name="Demo TV",
        production_type="tvshow",
        project_status=ProjectStatus.objects.get(name="Open"),
        resolution="64x48",
        fps="24",
    )
    ProjectTaskTypeLink.objects.create(project=project, task_type=animation)
    return project


@pytest.fixture
def join():
    def add(project, person, role=None):
        ProjectPersonLink.objects.create(project=project, person=person, role=role)
        forget_project_roles(person)
        return person

    return add


@pytest.fixture
def team(project, join, manager, supervisor, artist, client_person, vendor):
    for person in (manager, supervisor, artist, client_person, vendor):
        join(project, person)
    return project


@pytest.fixture
def shot(project):
    episode = Episode.objects.create(name="E01", project=project)
    sequence = Sequence.objects.create(name="SQ01", project=project, parent=episode)
    return Shot.objects.create(
        name="SH0010", project=project, parent=sequence, nb_frames=24, data={"fps": "24"}
    )


@pytest.fixture
def task(team, shot, animation, todo, admin, artist):
    task = Task.objects.create(
        project=team, entity=shot, task_type=animation, task_status=todo, assigner=admin
    )
    task.assignees.add(artist)
    return task


@pytest.fixture
def make_comment(task):
    def make(person):
        return Comment.objects.create(
            object_id=task.id,
            object_type="Task",
            person=person,
            text="new version",
            task_status=task.task_status,
        )

    return make


@pytest.fixture
def new_preview(client_for, artist, task, make_comment):
    """A preview in status processing, created the way clients do (add-preview)."""

    def make(person=None, comment=None):
        person = person or artist
        comment = comment or make_comment(person)
        response = client_for(person).post(
            f"/api/actions/tasks/{task.id}/comments/{comment.id}/add-preview", {}, format="json"
        )
        assert response.status_code == 201, response.content
        from tasks.models import PreviewFile

        return PreviewFile.objects.get(pk=response.json()["id"])

    return make


@pytest.fixture
def cookie_client_for():
    """A client authenticated only by the access-token cookie, as the web UI is."""

    def make(person):
        client = APIClient()
        access, _refresh = issue_tokens(person)
        client.cookies["access_token_cookie"] = access
        return client

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the after-commit callbacks (events, jobs)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


# --- generated media ------------------------------------------------------------------


def png_upload(size=(300, 200), name="frame.png", colour=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def jpeg_upload_rotated(size=(120, 80), name="phone.jpg"):
    """A landscape JPEG whose EXIF says "rotate 90 degrees clockwise to view"."""
    image = Image.new("RGB", size, (10, 120, 240))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def make_movie(path, audio=True, size=MOVIE_SIZE, fps=MOVIE_FPS, duration=1):
    width, height = size
    command = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"testsrc=duration={duration}:size={width}x{height}:rate={fps}",
    ]  # fmt: skip
    if audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={duration}"]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        command += ["-c:a", "aac", "-shortest"]
    command.append(str(path))
    subprocess.run(command, check=True, capture_output=True)
    return path


def movie_upload(tmp_path, audio=True, name="shot.mp4"):
    path = make_movie(tmp_path / f"source-{'audio' if audio else 'silent'}.mp4", audio=audio)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="video/mp4")


def stored_image(key):
    return Image.open(io.BytesIO(storage.read(key)))


def probe_streams(path):
    import json

    output = subprocess.run(
        [
            "ffprobe", "-v", "error", "-count_frames", "-print_format", "json",
            "-show_streams", "-show_format", str(path),
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output)
