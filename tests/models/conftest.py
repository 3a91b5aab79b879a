"""Small object graphs for the model tests: a project with a breakdown and a task."""

import pytest

from assets.models import Asset
from productions.models import Project, get_or_create_entity_type
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType


@pytest.fixture
def project(db):
    return Project.objects.create(name="Demo TV", production_type="tvshow")


@pytest.fixture
def characters(db):
    return get_or_create_entity_type("Characters")


@pytest.fixture
def episode(project):
    return Episode.objects.create(name="E01", project=project)


@pytest.fixture
def sequence(project, episode):
    return Sequence.objects.create(name="SQ01", project=project, parent=episode)


@pytest.fixture
def shot(project, sequence):
    return Shot.objects.create(
        name="SH0010",
        project=project,
        parent=sequence,
        nb_frames=48,
        data={"fps": "24", "frame_in": 1001, "frame_out": 1048},
    )


@pytest.fixture
def asset(project, characters):
    return Asset.objects.create(name="Hero", project=project, entity_type=characters)


@pytest.fixture
def animation(db):
    return TaskType.objects.create(name="Animation", for_entity="Shot", priority=3)


@pytest.fixture
def todo(db):
    return TaskStatus.objects.create(
        name="Todo", short_name="todo", color="#f5f5f5", is_default=True
    )


@pytest.fixture
def task(project, shot, animation, todo):
    return Task.objects.create(project=project, entity=shot, task_type=animation, task_status=todo)
