"""A production with shots and an asset, its team, and helpers to log time.

``tasks.time_tracking`` is imported here so that its day-off receiver is
connected whatever the app configuration does.
"""

import itertools

import pytest
from django.core.management import call_command

import tasks.time_tracking  # noqa: F401  (connects the day-off receiver)
from assets.models import Asset
from people.models import Department
from productions.access import forget_project_roles
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType, TimeSpent

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
_numbers = itertools.count(1)


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
def modeling(init_data):
    return TaskType.objects.get(name="Modeling", for_entity="Asset")


@pytest.fixture
def animation_department(init_data):
    return Department.objects.get(name="Animation")


@pytest.fixture
def modeling_department(init_data):
    return Department.objects.get(name="Modeling")


@pytest.fixture
def make_project(init_data, animation, modeling):
    def make(name=None, **fields):
        project = Project.objects.create(
            name=name or f"Show {next(_numbers)}",
            project_status=ProjectStatus.objects.get(name="Open"),
            **fields,
        )
        for task_type in (animation, modeling):
            ProjectTaskTypeLink.objects.create(project=project, task_type=task_type)
        return project

    return make


@pytest.fixture
def project(make_project):
    return make_project("Demo TV", production_type="tvshow", fps="24")


@pytest.fixture
def other_project(make_project):
    return make_project("Other Show")


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
def sequence(project):
    episode = Episode.objects.create(name="E01", project=project)
    return Sequence.objects.create(name="SQ01", project=project, parent=episode)


@pytest.fixture
def make_shot(project, sequence):
    def make(name, nb_frames=48, **fields):
        fields.setdefault("project", project)
        fields.setdefault("parent", sequence)
        return Shot.objects.create(name=name, nb_frames=nb_frames, **fields)

    return make


@pytest.fixture
def make_task(todo, admin):
    def make(entity, task_type, **fields):
        return Task.objects.create(
            project_id=entity.project_id,
            entity=entity,
            task_type=task_type,
            task_status=todo,
            assigner=admin,
            **fields,
        )

    return make


@pytest.fixture
def shot_task(make_shot, make_task, animation):
    return make_task(make_shot("SH0010"), animation)


@pytest.fixture
def asset_task(project, make_task, modeling):
    asset = Asset.objects.create(
        name="Hero", project=project, entity_type=get_or_create_entity_type("Characters")
    )
    return make_task(asset, modeling)


@pytest.fixture
def log():
    """``log(person, task, "2024-03-05", 60)``: a time entry, with the task's duration kept."""

    def add(person, task, day, minutes):
        entry = TimeSpent.objects.create(person=person, task=task, date=day, duration=minutes)
        task.duration = (task.duration or 0) + minutes
        task.save(update_fields=["duration"])
        return entry

    return add


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed(): ...`` runs the after-commit callbacks (events) of the block."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
