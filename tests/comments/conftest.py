"""A production to comment on: ``init_data`` statuses and task types, an open
show with a team, a shot with animation and layout tasks, and an asset."""

import pytest
from django.core.management import call_command

from assets.models import Asset
from productions.access import forget_project_roles
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Attachments are written under a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def statuses(db):
    call_command("init_data", verbosity=0)
    return {status.short_name: status for status in TaskStatus.objects.all()}


@pytest.fixture
def task_types(statuses):
    return {
        (task_type.name, task_type.for_entity): task_type for task_type in TaskType.objects.all()
    }


@pytest.fixture
def project(task_types):
    project = Project.objects.create(
        name="Demo TV",
        production_type="tvshow",
        project_status=ProjectStatus.objects.get(name="Open"),
    )
    for key in (("Animation", "Shot"), ("Layout", "Shot"), ("Modeling", "Asset")):
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_types[key])
    return project


@pytest.fixture
def join():
    """Put someone on a project's team: ``join(project, person, role=None)``."""

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
    return Shot.objects.create(name="SH0010", project=project, parent=sequence)


@pytest.fixture
def make_task(project, statuses, admin):
    def make(entity, task_type, status="todo", assignees=()):
        task = Task.objects.create(
            project=project,
            entity=entity,
            task_type=task_type,
            task_status=statuses[status],
            assigner=admin,
        )
        task.assignees.set(assignees)
        return task

    return make


@pytest.fixture
def task(make_task, shot, task_types, artist):
    """The animation task of the shot, assigned to the artist."""
    return make_task(shot, task_types[("Animation", "Shot")], assignees=[artist])


@pytest.fixture
def layout_task(make_task, shot, task_types):
    return make_task(shot, task_types[("Layout", "Shot")])


@pytest.fixture
def asset(project):
    return Asset.objects.create(
        name="Hero", project=project, entity_type=get_or_create_entity_type("Characters")
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the after-commit callbacks (events) of the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
