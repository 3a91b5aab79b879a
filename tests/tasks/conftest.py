"""A small production for the task tests: statuses and task types from
``init_data``, an open TV show with a team, one shot and one asset."""

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
def done(init_data):
    return TaskStatus.objects.get(short_name="done")


@pytest.fixture
def animation(init_data):
    return TaskType.objects.get(name="Animation", for_entity="Shot")


@pytest.fixture
def layout(init_data):
    return TaskType.objects.get(name="Layout", for_entity="Shot")


@pytest.fixture
def modeling(init_data):
    return TaskType.objects.get(name="Modeling", for_entity="Asset")


@pytest.fixture
def project(init_data, animation, layout, modeling):
    project = Project.objects.create(
        name="Demo TV",
        production_type="tvshow",
        project_status=ProjectStatus.objects.get(name="Open"),
    )
    for task_type in (animation, layout, modeling):
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_type)
    return project


@pytest.fixture
def other_project(init_data):
    return Project.objects.create(
        name="Other Show", project_status=ProjectStatus.objects.get(name="Open")
    )


@pytest.fixture
def join():
    """Put people on a project's team: ``join(project, person, role=None)``."""

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
    def make(name, **fields):
        fields.setdefault("project", project)
        fields.setdefault("parent", sequence)
        return Shot.objects.create(name=name, nb_frames=48, data={"fps": "24"}, **fields)

    return make


@pytest.fixture
def shot(make_shot):
    return make_shot("SH0010")


@pytest.fixture
def characters(db):
    return get_or_create_entity_type("Characters")


@pytest.fixture
def asset(project, characters):
    return Asset.objects.create(name="Hero", project=project, entity_type=characters)


@pytest.fixture
def task(project, shot, animation, todo, admin):
    return Task.objects.create(
        project=project, entity=shot, task_type=animation, task_status=todo, assigner=admin
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the after-commit callbacks (events) of the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
