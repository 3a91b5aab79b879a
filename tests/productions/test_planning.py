"""Milestones, schedule items, schedule versions, budgets and team day offs."""

import datetime
import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import DayOff
from productions.models import (
    Budget,
    BudgetEntry,
    Milestone,
    ProductionScheduleVersion,
    ScheduleItem,
)
from tasks.models import ProductionScheduleVersionTaskLink, Task, TaskStatus

SCHEDULE_ITEM_KEYS = {
    "id",
    "start_date",
    "end_date",
    "man_days",
    "project_id",
    "task_type_id",
    "object_id",
}


def test_milestones(api, team, artist, client_person, animation):
    Milestone.objects.create(
        project=team, name="Delivery", date=datetime.date(2030, 1, 2), task_type=animation
    )
    url = f"/api/data/projects/{team.id}/milestones"
    rows = api(artist).get(url).json()
    assert rows == [
        {
            "id": rows[0]["id"],
            "date": "2030-01-02",
            "name": "Delivery",
            "project_id": str(team.id),
            "task_type_id": str(animation.id),
        }
    ]
    assert api(client_person).get(url).status_code == 403


def test_milestone_crud_for_managers(api, team, manager, artist, committed):
    body = {"name": "Lock", "project_id": str(team.id), "date": "2030-03-01"}
    assert api(artist).post("/api/data/milestones", body, format="json").status_code == 403
    with committed():
        response = api(manager).post("/api/data/milestones", body, format="json")
    assert response.status_code == 201
    assert ApiEvent.objects.get(name="milestone:new").project_id == team.id
    milestone_url = f"/api/data/milestones/{response.json()['id']}"
    assert api(artist).get(milestone_url).status_code == 200
    assert (
        api(manager).put(milestone_url, {"name": "Final"}, format="json").json()["name"] == "Final"
    )
    assert api(manager).delete(milestone_url).status_code == 204


def test_schedule_items_listing(api, team, artist, vendor, animation):
    ScheduleItem.objects.create(project=team, task_type=animation)
    url = f"/api/data/projects/{team.id}/schedule-items"
    rows = api(artist).get(url).json()
    assert len(rows) == 1
    assert rows[0]["type"] == "ScheduleItem"
    assert api(vendor).get(url).status_code == 403


def _task(project, task_type, entity):
    status = TaskStatus.objects.get(short_name="todo")
    return Task.objects.create(
        project=project, task_type=task_type, task_status=status, entity=entity
    )


def test_task_type_items_are_created_once(
    api, team, artist, vendor, animation, make_entity, committed
):
    _task(team, animation, make_entity(team, "SH01", "Shot"))
    url = f"/api/data/projects/{team.id}/schedule-items/task-types"
    with committed():
        first = api(artist).get(url)
    assert first.status_code == 200
    assert len(first.json()) == 1
    assert set(first.json()[0]) == SCHEDULE_ITEM_KEYS
    assert first.json()[0]["task_type_id"] == str(animation.id)
    again = api(artist).get(url).json()
    assert again == first.json()
    assert ScheduleItem.objects.count() == 1
    assert ApiEvent.objects.filter(name="schedule-item:new").count() == 1
    assert api(vendor).get(url).status_code == 403


def test_sequence_items_carry_names(api, team, manager, animation, make_entity):
    episode = make_entity(team, "E01", "Episode")
    make_entity(team, "SQ02", "Sequence", parent=episode)
    make_entity(team, "SQ01", "Sequence", parent=episode)
    make_entity(team, "SQ09", "Sequence")
    base = f"/api/data/projects/{team.id}/schedule-items/{animation.id}"
    rows = api(manager).get(f"{base}/sequences").json()
    assert [row["name"] for row in rows] == ["SQ01", "SQ02", "SQ09"]
    filtered = api(manager).get(f"{base}/sequences?episode={episode.id}").json()
    assert [row["name"] for row in filtered] == ["SQ01", "SQ02"]
    assert ScheduleItem.objects.count() == 3
    assert [row["name"] for row in api(manager).get(f"{base}/episodes").json()] == ["E01"]
    assert api(manager).get(f"{base}/edits").json() == []
    assert api(manager).get(f"{base}/sequences?episode=bad").status_code == 400
    unknown = f"/api/data/projects/{team.id}/schedule-items/{uuid.uuid4()}/sequences"
    assert api(manager).get(unknown).status_code == 404


def test_asset_type_items(api, team, manager, modeling, make_entity, characters):
    make_entity(team, "Hero")
    rows = (
        api(manager)
        .get(f"/api/data/projects/{team.id}/schedule-items/{modeling.id}/asset-types")
        .json()
    )
    assert [(row["name"], row["object_id"]) for row in rows] == [("Characters", str(characters.id))]


def test_schedule_version_task_links(api, team, manager, client_person, animation, make_entity):
    version = ProductionScheduleVersion.objects.create(project=team, name="v1")
    task = _task(team, animation, make_entity(team, "SH01", "Shot"))
    link = ProductionScheduleVersionTaskLink.objects.create(
        production_schedule_version=version, task=task, estimation=2.0
    )
    link.assignees.add(manager)
    url = f"/api/data/production-schedule-versions/{version.id}/task-links"
    rows = api(manager).get(f"{url}?relations=true").json()
    assert rows[0]["task_id"] == str(task.id)
    assert rows[0]["assignees"] == [str(manager.id)]
    assert api(manager).get(f"{url}?task_type_id={uuid.uuid4()}").json() == []
    assert api(client_person).get(url).status_code == 403
    assert (
        api(manager)
        .get(f"/api/data/production-schedule-versions/{uuid.uuid4()}/task-links")
        .status_code
        == 404
    )


def test_schedule_version_update_event(api, team, manager, committed):
    version = ProductionScheduleVersion.objects.create(project=team, name="v1")
    with committed():
        response = api(manager).put(
            f"/api/data/production-schedule-versions/{version.id}", {"locked": True}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["locked"] is True
    event = ApiEvent.objects.get(name="production_schedule_version:update")
    assert event.data["production_schedule_version_id"] == str(version.id)


def test_schedule_versions_list_needs_project(api, team, manager, vendor):
    ProductionScheduleVersion.objects.create(project=team, name="v1")
    assert api(manager).get("/api/data/production-schedule-versions").status_code == 403
    rows = api(manager).get(f"/api/data/production-schedule-versions?project_id={team.id}").json()
    assert [row["name"] for row in rows] == ["v1"]
    assert (
        api(vendor).get(f"/api/data/production-schedule-versions?project_id={team.id}").status_code
        == 403
    )


def test_budget_routes(
    api, team, manager, artist, outside_manager, animation_department, committed
):
    url = f"/api/data/projects/{team.id}/budgets"
    assert api(outside_manager).get(url).status_code == 403
    assert api(artist).post(url, {"name": "B"}, format="json").status_code == 403
    assert api(manager).post(url, {}, format="json").status_code == 400
    with committed():
        first = api(manager).post(url, {"name": "Main"}, format="json")
        second = api(manager).post(url, {"name": "Main", "currency": "EUR"}, format="json")
    assert first.status_code == 200
    assert (first.json()["revision"], first.json()["currency"]) == (1, "USD")
    assert second.json()["revision"] == 2
    assert ApiEvent.objects.filter(name="budget:create").count() == 2
    listed = api(manager).get(url).json()
    assert set(listed[0]) == {"id", "project_id", "revision", "name", "currency"}
    budget_url = f"{url}/{first.json()['id']}"
    assert api(manager).get(budget_url).json()["name"] == "Main"
    assert (
        api(manager).put(budget_url, {"name": "Renamed"}, format="json").json()["name"] == "Renamed"
    )
    assert api(manager).get(f"{url}/{uuid.uuid4()}").status_code == 404

    entries = f"{budget_url}/entries"
    body = {
        "department_id": str(animation_department.id),
        "start_date": "2030-01-01",
        "months_duration": 3,
        "daily_salary": 300,
        "position": "artist",
        "seniority": "senior",
    }
    with committed():
        entry = api(manager).post(entries, body, format="json")
    assert entry.status_code == 200
    assert entry.json()["daily_salary"] == 300.0
    assert entry.json()["exceptions"] == {}
    assert ApiEvent.objects.get(name="budget-entry:create").data["budget_id"] == first.json()["id"]
    assert (
        api(manager)
        .post(entries, {**body, "department_id": str(uuid.uuid4())}, format="json")
        .status_code
        == 400
    )
    assert (
        api(manager).post(entries, {**body, "start_date": "soon"}, format="json").status_code == 400
    )
    entry_url = f"{entries}/{entry.json()['id']}"
    updated = api(manager).put(
        entry_url, {"months_duration": 4, "exceptions": {"2030-02": 2, "2030-03": 0}}, format="json"
    )
    assert updated.status_code == 200
    assert updated.json()["months_duration"] == 4
    assert updated.json()["exceptions"] == {"2030-02": 2}
    assert len(api(manager).get(entries).json()) == 1
    assert api(manager).get(entry_url).json()["id"] == entry.json()["id"]
    assert api(manager).delete(entry_url).status_code == 204
    assert api(manager).delete(budget_url).status_code == 204
    assert not Budget.objects.filter(pk=first.json()["id"]).exists()
    assert BudgetEntry.objects.count() == 0


def test_generic_budget_routes_are_admin_only(api, manager, admin):
    assert api(manager).get("/api/data/budgets").status_code == 403
    assert api(admin).get("/api/data/budgets").status_code == 200


def test_team_day_offs(api, team, manager, artist, client_person, make_person):
    DayOff.objects.create(
        person=artist,
        date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 3),
        description="Ski",
    )
    stranger = make_person()
    DayOff.objects.create(
        person=stranger, date=datetime.date(2030, 1, 1), end_date=datetime.date(2030, 1, 1)
    )
    url = f"/api/data/projects/{team.id}/day-offs"
    by_manager = api(manager).get(url).json()
    assert list(by_manager) == [str(artist.id)]
    assert by_manager[str(artist.id)][0]["description"] == "Ski"
    by_supervisor_view = api(artist).get(url).json()
    assert by_supervisor_view[str(artist.id)][0]["description"] == "Ski"
    assert api(manager).get(f"{url}?start_date=2030-01-04").json() == {}
    assert api(manager).get(f"{url}?start_date=nope").status_code == 400
    assert api(client_person).get(url).status_code == 403


def test_supervisor_does_not_see_descriptions(api, team, supervisor, artist):
    DayOff.objects.create(
        person=artist,
        date=datetime.date(2030, 1, 1),
        end_date=datetime.date(2030, 1, 1),
        description="Ski",
    )
    rows = api(supervisor).get(f"/api/data/projects/{team.id}/day-offs").json()[str(artist.id)]
    assert "description" not in rows[0]


@pytest.mark.parametrize("slug", ["schedule-items", "milestones", "search-filters", "entity-links"])
def test_admin_only_lists(api, manager, admin, slug):
    assert api(manager).get(f"/api/data/{slug}").status_code == 403
    assert api(admin).get(f"/api/data/{slug}").status_code == 200
