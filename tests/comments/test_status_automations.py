"""Status automations run by a comment: status changes on another step, an
asset's ``ready_for``, and the guards that keep chains from looping."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import ProjectStatusAutomationLink, StatusAutomation
from tasks.models import Comment
from tasks.status_automations import asset_ready_for_changed


@pytest.fixture
def automate(project):
    def make(**fields):
        automation = StatusAutomation.objects.create(**fields)
        ProjectStatusAutomationLink.objects.create(project=project, status_automation=automation)
        return automation

    return make


def post(api, task, status, text="note"):
    return api.post(
        f"/api/actions/tasks/{task.id}/comment",
        {"task_status_id": str(status.id), "comment": text},
        format="json",
    )


def test_status_automation_moves_the_next_step(
    client_for, manager, team, task, layout_task, statuses, task_types, automate
):
    automate(
        entity_type="shot",
        in_task_type=task_types[("Layout", "Shot")],
        in_task_status=statuses["done"],
        out_field_type="status",
        out_task_type=task_types[("Animation", "Shot")],
        out_task_status=statuses["ready"],
    )
    assert post(client_for(manager), layout_task, statuses["done"]).status_code == 201
    task.refresh_from_db()
    assert task.task_status_id == statuses["ready"].id
    triggered = Comment.objects.get(object_id=task.id)
    assert triggered.text == "Change triggered by Layout set to Done"
    assert triggered.person_id == manager.id


def test_automation_ignores_other_kinds_and_statuses(
    client_for, manager, team, task, layout_task, statuses, task_types, automate
):
    automate(
        entity_type="asset",
        in_task_type=task_types[("Layout", "Shot")],
        in_task_status=statuses["done"],
        out_field_type="status",
        out_task_type=task_types[("Animation", "Shot")],
        out_task_status=statuses["ready"],
    )
    post(client_for(manager), layout_task, statuses["done"])
    post(client_for(manager), layout_task, statuses["wip"])
    assert not Comment.objects.filter(object_id=task.id).exists()


def test_archived_or_unlinked_automations_do_not_run(
    client_for, manager, team, task, layout_task, statuses, task_types, automate
):
    fields = {
        "entity_type": "shot",
        "in_task_type": task_types[("Layout", "Shot")],
        "in_task_status": statuses["done"],
        "out_task_type": task_types[("Animation", "Shot")],
        "out_task_status": statuses["ready"],
    }
    automate(archived=True, **fields)
    StatusAutomation.objects.create(**fields)  # not linked to the project
    post(client_for(manager), layout_task, statuses["done"])
    assert not Comment.objects.filter(object_id=task.id).exists()


def test_backward_automation_is_skipped(
    client_for, manager, team, task, layout_task, statuses, task_types, automate
):
    # Animation comes after Layout: sending Layout back from Animation could loop.
    automate(
        entity_type="shot",
        in_task_type=task_types[("Animation", "Shot")],
        in_task_status=statuses["done"],
        out_task_type=task_types[("Layout", "Shot")],
        out_task_status=statuses["retake"],
    )
    post(client_for(manager), task, statuses["done"])
    layout_task.refresh_from_db()
    assert layout_task.task_status_id == statuses["todo"].id
    assert not Comment.objects.filter(object_id=layout_task.id).exists()


def test_cycle_between_equal_steps_stops(
    client_for, manager, team, make_task, shot, statuses, task_types, automate
):
    # Two steps of the same priority that push each other: the chain stops
    # once it comes back to a task and status it already reached.
    lighting = task_types[("Lighting", "Shot")]
    rendering = task_types[("Rendering", "Shot")]
    rendering.priority = lighting.priority
    rendering.save()
    first = make_task(shot, lighting)
    second = make_task(shot, rendering)
    automate(
        entity_type="shot",
        in_task_type=lighting,
        in_task_status=statuses["wip"],
        out_task_type=rendering,
        out_task_status=statuses["wip"],
    )
    automate(
        entity_type="shot",
        in_task_type=rendering,
        in_task_status=statuses["wip"],
        out_task_type=lighting,
        out_task_status=statuses["wip"],
    )
    assert post(client_for(manager), first, statuses["wip"]).status_code == 201
    second.refresh_from_db()
    assert second.task_status_id == statuses["wip"].id
    assert Comment.objects.count() == 2


def test_chained_automations_cascade(
    client_for, manager, team, make_task, shot, task, layout_task, statuses, task_types, automate
):
    lighting_task = make_task(shot, task_types[("Lighting", "Shot")])
    automate(
        entity_type="shot",
        in_task_type=task_types[("Layout", "Shot")],
        in_task_status=statuses["done"],
        out_task_type=task_types[("Animation", "Shot")],
        out_task_status=statuses["wip"],
    )
    automate(
        entity_type="shot",
        in_task_type=task_types[("Animation", "Shot")],
        in_task_status=statuses["wip"],
        out_task_type=task_types[("Lighting", "Shot")],
        out_task_status=statuses["ready"],
    )
    post(client_for(manager), layout_task, statuses["done"])
    lighting_task.refresh_from_db()
    assert lighting_task.task_status_id == statuses["ready"].id


def test_ready_for_automation_updates_the_asset(
    client_for, manager, team, make_task, asset, statuses, task_types, automate, committed
):
    modeling = make_task(asset, task_types[("Modeling", "Asset")])
    rigging = task_types[("Rigging", "Asset")]
    automate(
        entity_type="asset",
        in_task_type=task_types[("Modeling", "Asset")],
        in_task_status=statuses["done"],
        out_field_type="ready_for",
        out_task_type=rigging,
    )
    heard = []

    def receiver(sender, asset_id, project_id, **kwargs):
        heard.append((asset_id, project_id))

    asset_ready_for_changed.connect(receiver)
    try:
        with committed():
            assert post(client_for(manager), modeling, statuses["done"]).status_code == 201
    finally:
        asset_ready_for_changed.disconnect(receiver)
    asset.refresh_from_db()
    assert asset.ready_for == rigging.id
    assert heard == [(asset.id, team.id)]
    update = ApiEvent.objects.get(name="asset:update")
    assert update.data["asset_id"] == str(asset.id)
