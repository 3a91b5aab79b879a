"""A small TV show for the playlist tests: a team of every role, shots with
animation and layout tasks, previews, and helpers to store real movies."""

import subprocess

import pytest
from django.core.management import call_command

from productions.access import forget_project_roles
from productions.models import Project, ProjectPersonLink, ProjectStatus, ProjectTaskTypeLink
from shots.models import Episode, Sequence, Shot
from tasks.media import storage
from tasks.models import Playlist, PreviewFile, Task, TaskStatus, TaskType

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def media(settings, tmp_path):
    """Stored files go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path / "media"


@pytest.fixture
def init_data(db):
    call_command("init_data", verbosity=0)


@pytest.fixture
def todo(init_data):
    return TaskStatus.objects.get(short_name="todo")


@pytest.fixture
def wip(init_data):
    return TaskStatus.objects.get(short_name="wip")


@pytest.fixture
def animation(init_data):
    return TaskType.objects.get(name="Animation", for_entity="Shot")


@pytest.fixture
def layout(init_data):
    return TaskType.objects.get(name="Layout", for_entity="Shot")


@pytest.fixture
def project(init_data, animation, layout):
    project = Project.objects.create(
        name="Demo TV",
        production_type="tvshow",
        resolution="64x48",
        fps="25",
        project_status=ProjectStatus.objects.get(name="Open"),
    )
    for task_type in (animation, layout):
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_type)
    return project


@pytest.fixture
def other_project(init_data):
    return Project.objects.create(
        name="Other Show", project_status=ProjectStatus.objects.get(name="Open")
    )


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
def episode(project):
    return Episode.objects.create(name="E01", project=project)


@pytest.fixture
def sequence(project, episode):
    return Sequence.objects.create(name="SQ01", project=project, parent=episode)


@pytest.fixture
def make_shot(project, sequence):
    def make(name):
        return Shot.objects.create(name=name, project=project, parent=sequence, nb_frames=25)

    return make


@pytest.fixture
def shot(make_shot):
    return make_shot("SH0010")


@pytest.fixture
def make_task(project, todo, admin):
    def make(entity, task_type):
        return Task.objects.create(
            project=project, entity=entity, task_type=task_type, task_status=todo, assigner=admin
        )

    return make


@pytest.fixture
def task(make_task, shot, animation):
    return make_task(shot, animation)


@pytest.fixture
def make_preview():
    def make(task, revision=1, position=1, extension="png", status="ready", **fields):
        fields.setdefault("width", 64)
        fields.setdefault("height", 48)
        return PreviewFile.objects.create(
            task=task,
            name=f"r{revision}p{position}",
            original_name=f"take{revision}",
            revision=revision,
            position=position,
            extension=extension,
            status=status,
            **fields,
        )

    return make


@pytest.fixture
def make_playlist(project):
    def make(name="Dailies", created_by=None, **fields):
        fields.setdefault("project", project)
        return Playlist.objects.create(
            name=name, created_by=created_by.pk if created_by else None, **fields
        )

    return make


def generate_movie(path):
    """A one-second test movie made by ffmpeg (64x48, 25 fps, no sound)."""
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", "testsrc=size=64x48:rate=25", "-t", "1", "-pix_fmt", "yuv420p", str(path)],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


@pytest.fixture
def stored_movie(media, tmp_path, make_preview):
    """``stored_movie(task, revision)``: a ready movie preview whose file is in storage."""
    counter = iter(range(1000))

    def make(task, revision=1, **fields):
        path = generate_movie(tmp_path / f"movie-{next(counter)}.mp4", **fields)
        preview = make_preview(task, revision=revision, extension="mp4", duration=1.0)
        storage.save(storage.key(storage.MOVIES, "previews", preview.pk), path)
        return preview

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the after-commit callbacks (events, jobs) of the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
