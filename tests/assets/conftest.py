"""A production with a team of every role, asset types, task types and a breakdown."""

import pytest

from assets.models import Asset
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType


@pytest.fixture
def project(db):
    return Project.objects.create(name="Demo TV", production_type="tvshow")


@pytest.fixture
def other_project(db):
    return Project.objects.create(name="Library")


@pytest.fixture
def team(project, manager, supervisor, artist, client_person, vendor):
    for person in (manager, supervisor, artist, client_person, vendor):
        ProjectPersonLink.objects.create(project=project, person=person)
    return project


@pytest.fixture
def outsider(make_person):
    """A production manager who is not on the project's team."""
    return make_person("manager", first_name="Out", last_name="Sider")


@pytest.fixture
def characters(db):
    return get_or_create_entity_type("Characters")


@pytest.fixture
def props(db):
    return get_or_create_entity_type("Props")


@pytest.fixture
def todo(db):
    return TaskStatus.objects.create(
        name="Todo", short_name="todo", color="#f5f5f5", is_default=True
    )


@pytest.fixture
def task_types(project):
    """Modeling < Shading (assets), Layout < Animation (shots), in pipeline order."""
    specs = [
        ("Modeling", "Asset", 1),
        ("Shading", "Asset", 2),
        ("Layout", "Shot", 3),
        ("Animation", "Shot", 4),
    ]
    result = {}
    for name, for_entity, priority in specs:
        task_type = TaskType.objects.create(name=name, for_entity=for_entity, priority=priority)
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_type, priority=priority)
        result[name] = task_type
    return result


@pytest.fixture
def make_asset(project, characters):
    def make(name, entity_type=None, target_project=None, **fields):
        return Asset.objects.create(
            name=name,
            project=target_project or project,
            entity_type=entity_type or characters,
            **fields,
        )

    return make


@pytest.fixture
def make_task(project, todo):
    def make(entity, task_type, assignees=(), **fields):
        task = Task.objects.create(
            project_id=entity.project_id,
            entity=entity,
            task_type=task_type,
            task_status=todo,
            **fields,
        )
        if assignees:
            task.assignees.set(assignees)
        return task

    return make


@pytest.fixture
def episode(project):
    return Episode.objects.create(name="E01", project=project)


@pytest.fixture
def sequence(project, episode):
    return Sequence.objects.create(name="SQ01", project=project, parent=episode)


@pytest.fixture
def make_shot(project, sequence):
    def make(name, parent=None):
        return Shot.objects.create(name=name, project=project, parent=parent or sequence)

    return make


@pytest.fixture
def api(client_for):
    """``api(person)``: an API client logged in as ``person``."""
    return client_for
