"""The generic /data/time-spents resource, and the time a new day off wipes."""

from datetime import date

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import DayOff
from tasks.models import TimeSpent
from tasks.time_tracking import remove_time_spents

from .conftest import UNKNOWN_ID

CRUD = "/api/data/time-spents"


@pytest.fixture
def entry(team, artist, shot_task, log):
    shot_task.assignees.add(artist)
    return log(artist, shot_task, "2024-03-05", 60)


def test_admins_list_entries(admin_api, artist_api, entry):
    rows = admin_api.get(CRUD).json()
    assert [(row["id"], row["duration"], row["type"]) for row in rows] == [
        (str(entry.id), 60.0, "TimeSpent")
    ]
    assert artist_api.get(CRUD).status_code == 403


def test_reading_one_entry(
    client_for, artist, manager, supervisor, client_person, make_person, entry
):
    path = f"{CRUD}/{entry.id}"
    for viewer in (artist, manager, supervisor):
        response = client_for(viewer).get(path)
        assert response.status_code == 200
        assert response.json()["duration"] == 60.0
    for viewer in (client_person, make_person("user")):
        assert client_for(viewer).get(path).status_code == 403
    assert client_for(artist).get(f"{CRUD}/{UNKNOWN_ID}").status_code == 404
    assert client_for(artist).get(f"{CRUD}/nope").status_code == 400


def test_assignee_creates_an_entry(client_for, artist, shot_task, entry, committed):
    body = {
        "task_id": str(shot_task.id),
        "person_id": str(artist.id),
        "date": "2024-03-06",
        "duration": 90,
    }
    with committed():
        response = client_for(artist).post(CRUD, body, "json")
    assert response.status_code == 201
    assert (response.json()["date"], response.json()["duration"]) == ("2024-03-06", 90.0)
    shot_task.refresh_from_db()
    assert shot_task.duration == 150.0
    event = ApiEvent.objects.get(name="time-spent:new")
    assert event.data["time_spent_id"] == response.json()["id"]
    assert event.project_id == shot_task.project_id
    assert ApiEvent.objects.filter(name="task:update").count() == 1


def test_creation_refusals(
    client_for, artist, manager, supervisor, admin, asset_task, shot_task, entry
):
    # Not assigned to the asset task: refused, even to a manager.
    body = {
        "task_id": str(asset_task.id),
        "person_id": str(artist.id),
        "date": "2024-03-06",
        "duration": 30,
    }
    assert client_for(artist).post(CRUD, body, "json").status_code == 403
    assert client_for(manager).post(CRUD, body, "json").status_code == 403
    on_shot = {**body, "task_id": str(shot_task.id)}
    assert client_for(supervisor).post(CRUD, on_shot, "json").status_code == 403
    assert client_for(manager).post(CRUD, on_shot, "json").status_code == 201
    # Bad bodies.
    api = client_for(admin)
    zero = {**on_shot, "date": "2024-03-07", "duration": 0}
    assert api.post(CRUD, zero, "json").status_code == 400
    missing = {"person_id": str(artist.id), "date": "2024-03-07", "duration": 5}
    assert api.post(CRUD, missing, "json").status_code == 400
    unknown = {**on_shot, "task_id": UNKNOWN_ID}
    assert api.post(CRUD, unknown, "json").status_code == 400
    duplicate = {**on_shot, "date": "2024-03-05"}
    assert api.post(CRUD, duplicate, "json").status_code == 400
    assert TimeSpent.objects.count() == 2


def test_updating_an_entry(
    client_for, artist, admin, manager, make_person, shot_task, entry, committed
):
    path = f"{CRUD}/{entry.id}"
    with committed():
        response = client_for(artist).put(path, {"duration": 45}, "json")
    assert response.status_code == 200
    assert response.json()["duration"] == 45.0
    shot_task.refresh_from_db()
    assert shot_task.duration == 45.0
    assert ApiEvent.objects.filter(name="time-spent:update").count() == 1
    moved = client_for(artist).put(path, {"person_id": str(manager.id)}, "json")
    assert moved.status_code == 403
    assert client_for(make_person("user")).put(path, {"duration": 5}, "json").status_code == 403
    assert client_for(admin).put(path, {"duration": -5}, "json").status_code == 400
    entry.refresh_from_db()
    assert entry.duration == 45.0


def test_deleting_an_entry(
    client_for, artist, make_person, join, project, shot_task, entry, committed
):
    path = f"{CRUD}/{entry.id}"
    teammate = join(project, make_person("user"))
    assert client_for(teammate).delete(path).status_code == 403
    with committed():
        assert client_for(artist).delete(path).status_code == 204
    assert not TimeSpent.objects.exists()
    shot_task.refresh_from_db()
    assert shot_task.duration == 0.0
    event = ApiEvent.objects.get(name="time-spent:delete")
    assert event.data["time_spent_id"] == str(entry.id)


# --- day offs ----------------------------------------------------------------------------------


def test_new_day_off_wipes_the_time_it_covers(
    client_for, admin, artist, manager, shot_task, asset_task, log, team, committed
):
    for day in ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"):
        log(artist, shot_task, day, 60)
    log(artist, asset_task, "2024-03-06", 30)
    log(manager, shot_task, "2024-03-05", 20)
    body = {"person_id": str(artist.id), "date": "2024-03-05", "end_date": "2024-03-06"}
    with committed():
        response = client_for(admin).post("/api/data/day-offs", body, "json")
    assert response.status_code == 201
    left = TimeSpent.objects.order_by("person__first_name", "date")
    assert [(entry.person_id, str(entry.date)) for entry in left] == [
        (artist.id, "2024-03-04"),
        (artist.id, "2024-03-07"),
        (manager.id, "2024-03-05"),
    ]
    shot_task.refresh_from_db()
    asset_task.refresh_from_db()
    assert (shot_task.duration, asset_task.duration) == (140.0, 0.0)
    assert ApiEvent.objects.filter(name="time-spent:delete").count() == 3


def test_only_a_new_day_off_wipes_time(artist, shot_task, log, team):
    day_off = DayOff.objects.create(person=artist, date=date(2024, 3, 1), end_date=date(2024, 3, 1))
    log(artist, shot_task, "2024-03-02", 60)
    day_off.end_date = date(2024, 3, 2)
    day_off.save()
    assert TimeSpent.objects.count() == 1
    day_off.delete()
    DayOff.objects.create(person=artist, date=date(2024, 3, 2), end_date=date(2024, 3, 2))
    assert TimeSpent.objects.count() == 0


def test_removing_nothing(artist):
    assert remove_time_spents(artist.id, date(2024, 1, 1), date(2024, 1, 31)) == 0
