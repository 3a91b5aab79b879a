"""The ``init_data`` command: Zou's default statuses, departments, types, created once."""

from io import StringIO

import pytest
from django.core.management import call_command

from assets.models import AssetType
from people.models import Department
from productions.models import RESERVED_ENTITY_TYPE_NAMES, EntityType, ProjectStatus
from tasks.models import TaskStatus, TaskType

pytestmark = pytest.mark.django_db


def run_init_data():
    out = StringIO()
    call_command("init_data", stdout=out)
    return out.getvalue().strip()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (ProjectStatus, Department, EntityType, TaskType, TaskStatus)
    }


def test_first_run_creates_the_default_data_and_says_so():
    summary = run_init_data()

    assert summary == (
        "Created 2 project statuses, 10 departments, 11 entity types, "
        "13 task types, 9 task statuses."
    )
    assert counts() == {
        "ProjectStatus": 2,
        "Department": 10,
        "EntityType": 11,
        "TaskType": 13,
        "TaskStatus": 9,
    }


def test_second_run_creates_nothing():
    run_init_data()
    before = counts()

    summary = run_init_data()

    assert summary == "Default data already present: nothing created."
    assert counts() == before


def test_project_statuses_are_open_and_closed():
    run_init_data()
    assert set(ProjectStatus.objects.values_list("name", flat=True)) == {"Open", "Closed"}


def test_asset_types_and_reserved_kinds_are_created():
    run_init_data()
    assert set(AssetType.objects.values_list("name", flat=True)) == {
        "Characters",
        "Props",
        "Environment",
        "FX",
    }
    assert set(
        EntityType.objects.filter(name__in=RESERVED_ENTITY_TYPE_NAMES).values_list(
            "name", flat=True
        )
    ) == set(RESERVED_ENTITY_TYPE_NAMES)


FLAGS = ("is_default", "is_wip", "is_feedback_request", "is_retake", "is_done", "for_concept")


@pytest.mark.parametrize(
    ("short_name", "name", "color", "flags"),
    [
        ("todo", "Todo", "#f5f5f5", {"is_default"}),
        ("wip", "Work In Progress", "#3273dc", {"is_wip"}),
        ("wfa", "Waiting For Approval", "#ab26ff", {"is_feedback_request"}),
        ("retake", "Retake", "#ff3860", {"is_retake"}),
        ("done", "Done", "#22d160", {"is_done"}),
        ("ready", "Ready To Start", "#fbc02d", set()),
        ("neutral", "Neutral", "#CCCCCC", {"for_concept", "is_default"}),
        ("approved", "Approved", "#22d160", {"for_concept", "is_done"}),
        ("rejected", "Rejected", "#ff3860", {"for_concept", "is_retake"}),
    ],
)
def test_task_status_has_its_name_color_and_workflow_flags(short_name, name, color, flags):
    run_init_data()
    status = TaskStatus.objects.get(short_name=short_name)

    assert (status.name, status.color) == (name, color)
    assert {flag for flag in FLAGS if getattr(status, flag)} == flags


def test_one_default_status_for_tasks_and_one_for_concepts():
    run_init_data()
    defaults = TaskStatus.objects.filter(is_default=True)
    assert sorted(defaults.values_list("short_name", "for_concept")) == [
        ("neutral", True),
        ("todo", False),
    ]


def test_artist_and_client_rights_per_status():
    run_init_data()
    artist = set(
        TaskStatus.objects.filter(is_artist_allowed=True).values_list("short_name", flat=True)
    )
    client = set(
        TaskStatus.objects.filter(is_client_allowed=True).values_list("short_name", flat=True)
    )

    assert artist == {"todo", "wip", "wfa", "neutral"}
    assert client == {"retake", "done", "neutral", "approved", "rejected"}


def test_task_types_have_their_entity_kind_department_and_priority():
    run_init_data()
    task_types = {
        (task_type.name, task_type.for_entity): (task_type.department.name, task_type.priority)
        for task_type in TaskType.objects.select_related("department")
    }

    assert [name for name, kind in task_types if kind == "Asset"] == [
        "Concept",
        "Modeling",
        "Shading",
        "Rigging",
    ]
    assert [name for name, kind in task_types if kind == "Shot"] == [
        "Storyboard",
        "Layout",
        "Animation",
        "Lighting",
        "FX",
        "Rendering",
        "Compositing",
    ]
    assert task_types[("Edit", "Edit")] == ("Editing", 1)
    assert task_types[("Concept", "Concept")] == ("Concept", 1)
    assert task_types[("Modeling", "Asset")] == ("Modeling", 2)
    assert task_types[("Compositing", "Shot")] == ("Compositing", 7)
    assert not TaskType.objects.filter(for_entity__in=["Sequence", "Episode"]).exists()


def test_existing_rows_are_kept_as_the_studio_set_them():
    Department.objects.create(name="Modeling", color="#000000")
    TaskStatus.objects.create(name="To do", short_name="todo", color="#123456")

    summary = run_init_data()

    assert "9 departments" in summary
    assert "8 task statuses" in summary
    assert Department.objects.get(name="Modeling").color == "#000000"
    todo = TaskStatus.objects.get(short_name="todo")
    assert (todo.name, todo.color) == ("To do", "#123456")
    assert TaskType.objects.get(name="Shading").department.color == "#000000"
