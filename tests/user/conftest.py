"""A small open TV production with a team of every role, and a few tasks of the artist."""

import itertools
from types import SimpleNamespace

import pytest

from assets.models import Asset
from people.models import Department
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from shots.models import Episode, Scene, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType

_numbers = itertools.count(1)


@pytest.fixture
def open_status(db):
    return ProjectStatus.objects.create(name="Open", color="#FFFFFF")


@pytest.fixture
def closed_status(db):
    return ProjectStatus.objects.create(name="Closed", color="#000000")


@pytest.fixture
def make_project(open_status):
    """``make_project(team={person: role or None}, production_type="short", status=...)``."""

    def make(team=None, status=None, **fields):
        fields.setdefault("name", f"Production {next(_numbers)}")
        project = Project.objects.create(project_status=status or open_status, **fields)
        for person, role in (team or {}).items():
            ProjectPersonLink.objects.create(project=project, person=person, role=role)
        return project

    return make


@pytest.fixture
def workflow(db):
    animation_department = Department.objects.create(name="Animation", color="#009688")
    modeling_department = Department.objects.create(name="Modeling", color="#78909C")
    return SimpleNamespace(
        animation_department=animation_department,
        modeling_department=modeling_department,
        animation=TaskType.objects.create(
            name="Animation",
            for_entity="Shot",
            priority=3,
            color="#009688",
            department=animation_department,
        ),
        modeling=TaskType.objects.create(
            name="Modeling",
            for_entity="Asset",
            priority=2,
            color="#78909C",
            department=modeling_department,
        ),
        layout=TaskType.objects.create(name="Layout", for_entity="Shot", priority=2),
        todo=TaskStatus.objects.create(
            name="Todo", short_name="todo", color="#f5f5f5", is_default=True
        ),
        wip=TaskStatus.objects.create(
            name="Work In Progress", short_name="wip", color="#3273dc", is_wip=True
        ),
        wfa=TaskStatus.objects.create(
            name="Waiting For Approval",
            short_name="wfa",
            color="#ab26ff",
            is_feedback_request=True,
        ),
        done=TaskStatus.objects.create(
            name="Done", short_name="done", color="#22d160", is_done=True
        ),
    )


@pytest.fixture
def production(make_project, workflow, manager, supervisor, artist, client_person, vendor):
    """Demo TV: episode E01 > SQ01 > SH0010, SH0020 and scene SC01; asset Hero (in E01).

    The artist has four tasks: animation of SH0010 (wip), modeling of Hero
    (todo), layout of SH0020 (done) and animation of SH0020 (wfa).
    """
    project = make_project(
        name="Demo TV",
        production_type="tvshow",
        team={manager: None, supervisor: None, artist: None, client_person: None, vendor: None},
    )
    for priority, task_type in enumerate((workflow.modeling, workflow.layout, workflow.animation)):
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_type, priority=priority)
    for status in (workflow.todo, workflow.wip, workflow.wfa, workflow.done):
        ProjectTaskStatusLink.objects.create(project=project, task_status=status)
    characters = get_or_create_entity_type("Characters")
    episode = Episode.objects.create(name="E01", project=project)
    sequence = Sequence.objects.create(name="SQ01", project=project, parent=episode)
    shot1 = Shot.objects.create(
        name="SH0010",
        project=project,
        parent=sequence,
        description="shot 1",
        data={"fps": "24", "frame_in": 1001, "frame_out": 1100},
    )
    shot2 = Shot.objects.create(name="SH0020", project=project, parent=sequence)
    scene = Scene.objects.create(name="SC01", project=project, parent=sequence)
    hero = Asset.objects.create(
        name="Hero", project=project, entity_type=characters, source=episode
    )

    def task(entity, task_type, status, assignees=(artist,)):
        created = Task.objects.create(
            project=project, entity=entity, task_type=task_type, task_status=status
        )
        created.assignees.set(assignees)
        return created

    return SimpleNamespace(
        project=project,
        characters=characters,
        episode=episode,
        sequence=sequence,
        shot1=shot1,
        shot2=shot2,
        scene=scene,
        hero=hero,
        anim_sh1=task(shot1, workflow.animation, workflow.wip),
        model_hero=task(hero, workflow.modeling, workflow.todo),
        layout_sh2=task(shot2, workflow.layout, workflow.done),
        anim_sh2=task(shot2, workflow.animation, workflow.wfa),
        workflow=workflow,
    )


@pytest.fixture
def outsider(make_person):
    """An artist on no team."""
    return make_person("user", first_name="Otto", last_name="Outsider")
