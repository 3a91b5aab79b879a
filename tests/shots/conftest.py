"""A small TV-show production and people of every role around it."""

import pytest
from django.core.management import call_command

from productions.models import Entity, Project, ProjectPersonLink, ProjectStatus
from shots.models import Episode, Scene, Sequence, Shot
from tasks.models import TaskStatus, TaskType


@pytest.fixture
def workflow(db):
    call_command("init_data", verbosity=0)
    return {
        "todo": TaskStatus.objects.get(short_name="todo"),
        "wip": TaskStatus.objects.get(short_name="wip"),
        "retake": TaskStatus.objects.get(short_name="retake"),
        "done": TaskStatus.objects.get(short_name="done"),
        "layout": TaskType.objects.get(name="Layout", for_entity="Shot"),
        "animation": TaskType.objects.get(name="Animation", for_entity="Shot"),
    }


@pytest.fixture
def make_project(workflow):
    def make(name="Demo TV", **fields):
        fields.setdefault("production_type", "tvshow")
        fields.setdefault("fps", "24")
        status = ProjectStatus.objects.get(name="Open")
        return Project.objects.create(name=name, project_status=status, **fields)

    return make


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture
def other_project(make_project):
    return make_project("Other Show")


@pytest.fixture
def join():
    """Put people on a project's team: ``join(project, person, role=None)``."""

    def add(project, *people, role=None):
        for person in people:
            ProjectPersonLink.objects.create(project=project, person=person, role=role)

    return add


@pytest.fixture
def team(project, join, manager, supervisor, artist, client_person, vendor):
    join(project, manager, supervisor, artist, client_person, vendor)
    return project


@pytest.fixture
def episode(project):
    return Episode.objects.create(project=project, name="E01", description="")


@pytest.fixture
def sequence(project, episode):
    return Sequence.objects.create(project=project, name="SQ01", parent=episode, description="")


@pytest.fixture
def scene(project, sequence):
    return Scene.objects.create(project=project, name="SC01", parent=sequence)


@pytest.fixture
def make_shot(project, sequence):
    def make(name="SH0010", parent=None, **fields):
        fields.setdefault("nb_frames", 48)
        fields.setdefault("data", {"fps": "24", "frame_in": 1001, "frame_out": 1048})
        return Shot.objects.create(
            project=project, name=name, parent=parent or sequence, description="shot", **fields
        )

    return make


@pytest.fixture
def shot(make_shot):
    return make_shot()


@pytest.fixture
def make_task(workflow):
    def make(entity, task_type=None, status=None, assignees=(), **fields):
        from tasks.models import Task

        task = Task.objects.create(
            project_id=entity.project_id,
            entity=entity,
            task_type=task_type or workflow["layout"],
            task_status=status or workflow["todo"],
            **fields,
        )
        if assignees:
            task.assignees.set(assignees)
        return task

    return make


def entity_type_id(entity):
    return str(Entity.objects.get(pk=entity.pk).entity_type_id)
