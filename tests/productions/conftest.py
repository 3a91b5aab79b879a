"""A small production with its team, settings and breakdown, for the productions tests.

Tests of this package may not import the apps above productions' own code,
but fixtures build rows with their models, as a studio's data would hold them.
"""

import pytest

from people.models import Department
from productions.models import (
    Entity,
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from tasks.models import TaskStatus, TaskType


@pytest.fixture
def open_status(db):
    return ProjectStatus.objects.get_or_create(name="Open", defaults={"color": "#FFFFFF"})[0]


@pytest.fixture
def closed_status(db):
    return ProjectStatus.objects.get_or_create(name="Closed", defaults={"color": "#000000"})[0]


@pytest.fixture
def animation_department(db):
    return Department.objects.create(name="Animation", color="#009688")


@pytest.fixture
def modeling_department(db):
    return Department.objects.create(name="Modeling", color="#78909C")


@pytest.fixture
def animation(db, animation_department):
    return TaskType.objects.create(
        name="Animation", for_entity="Shot", priority=3, department=animation_department
    )


@pytest.fixture
def modeling(db, modeling_department):
    return TaskType.objects.create(
        name="Modeling", for_entity="Asset", priority=1, department=modeling_department
    )


@pytest.fixture
def todo(db):
    return TaskStatus.objects.create(
        name="Todo", short_name="todo", color="#f5f5f5", is_default=True
    )


@pytest.fixture
def wip(db):
    return TaskStatus.objects.create(name="Work In Progress", short_name="wip", color="#3273dc")


@pytest.fixture
def characters(db):
    return get_or_create_entity_type("Characters")


@pytest.fixture
def project(open_status, animation, modeling, todo):
    project = Project.objects.create(name="Big Buck", project_status=open_status, fps="24")
    ProjectTaskTypeLink.objects.create(project=project, task_type=animation, priority=2)
    ProjectTaskTypeLink.objects.create(project=project, task_type=modeling, priority=1)
    ProjectTaskStatusLink.objects.create(project=project, task_status=todo)
    return project


@pytest.fixture
def other_project(open_status):
    return Project.objects.create(name="Elsewhere", project_status=open_status)


@pytest.fixture
def join():
    """Put a person on a project's team, optionally with a per-project role."""

    def add(project, person, role=None):
        return ProjectPersonLink.objects.create(project=project, person=person, role=role)

    return add


@pytest.fixture
def team(project, join, manager, supervisor, artist, client_person, vendor, animation_department):
    """Every role on the project team; the supervisor belongs to Animation."""
    supervisor.departments.add(animation_department)
    for person in (manager, supervisor, artist, client_person, vendor):
        join(project, person)
    return project


@pytest.fixture
def outside_manager(make_person):
    """A production manager who is not on the project team."""
    return make_person("manager", first_name="Olga", last_name="Outsider")


@pytest.fixture
def make_entity(characters):
    def make(project, name, kind=None, **fields):
        entity_type = get_or_create_entity_type(kind) if kind else characters
        return Entity.objects.create(project=project, name=name, entity_type=entity_type, **fields)

    return make


@pytest.fixture
def api(client_for):
    """``api(person)``: a client logged in as ``person`` (anonymous for None)."""
    return client_for


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the after-commit callbacks (events) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
