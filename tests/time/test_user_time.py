"""The caller's own time, day offs, desktop logins and avatar under /data/user."""

from datetime import date, datetime

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import DayOff, DesktopLoginLog

from .conftest import UNKNOWN_ID

TIME_SPENT_KEYS = {
    "duration",
    "date",
    "task_id",
    "person_id",
    "id",
    "created_at",
    "updated_at",
    "type",
}


@pytest.fixture
def logged(team, artist, manager, shot_task, asset_task, log):
    log(artist, shot_task, "2024-03-05", 120)
    log(artist, asset_task, "2024-03-05", 30)
    log(artist, asset_task, "2024-03-08", 15)
    log(manager, shot_task, "2024-03-05", 45)


def test_own_time_of_a_date(artist_api, artist, logged):
    response = artist_api.get("/api/data/user/time-spents/2024-03-05")
    assert response.status_code == 200
    rows = response.json()
    assert sorted(row["duration"] for row in rows) == [30.0, 120.0]
    assert all(set(row) == TIME_SPENT_KEYS for row in rows)
    assert {row["person_id"] for row in rows} == {str(artist.id)}
    assert artist_api.get("/api/data/user/time-spents/2024-03-06").json() == []
    assert artist_api.get("/api/data/user/time-spents/2024-02-30").status_code == 400


def test_own_time_entries(artist_api, anonymous_api, logged):
    rows = artist_api.get("/api/data/user/time-spents").json()
    assert [row["duration"] for row in rows] == [120.0, 30.0, 15.0]
    ranged = artist_api.get(
        "/api/data/user/time-spents", {"start_date": "2024-03-06", "end_date": "2024-03-31"}
    )
    assert [row["duration"] for row in ranged.json()] == [15.0]
    assert (
        artist_api.get("/api/data/user/time-spents", {"end_date": "2024-03-31"}).status_code == 400
    )
    assert anonymous_api.get("/api/data/user/time-spents").status_code == 401


def test_own_time_on_a_task(artist_api, artist, shot_task, logged):
    path = f"/api/data/user/tasks/{shot_task.id}/time-spents"
    row = artist_api.get(f"{path}/2024-03-05").json()
    assert set(row) == TIME_SPENT_KEYS
    assert (row["duration"], row["person_id"]) == (120.0, str(artist.id))
    # Nothing logged: an empty object, not an error.
    empty = artist_api.get(f"{path}/2024-03-06")
    assert (empty.status_code, empty.json()) == (200, {})
    assert artist_api.get(f"{path}/nope").status_code == 400
    unknown = artist_api.get(f"/api/data/user/tasks/{UNKNOWN_ID}/time-spents/2024-03-05")
    assert unknown.status_code == 404
    assert artist_api.get("/api/data/user/tasks/nope/time-spents/2024-03-05").status_code == 400


def test_own_day_off(artist_api, artist, manager):
    DayOff.objects.create(person=artist, date=date(2024, 3, 4), end_date=date(2024, 3, 6))
    DayOff.objects.create(person=manager, date=date(2024, 3, 8), end_date=date(2024, 3, 8))
    row = artist_api.get("/api/data/user/day-offs/2024-03-05").json()
    assert (row["type"], row["date"], row["end_date"]) == ("DayOff", "2024-03-04", "2024-03-06")
    assert artist_api.get("/api/data/user/day-offs/2024-03-08").json() == {}
    assert artist_api.get("/api/data/user/day-offs/soon").status_code == 400


def test_desktop_login_logs(artist_api, artist, anonymous_api):
    created = artist_api.post(
        "/api/data/user/desktop-login-logs", {"date": "2024-03-05T10:00:00Z"}, "json"
    )
    assert created.status_code == 201
    assert (created.json()["person_id"], created.json()["date"]) == (
        str(artist.id),
        "2024-03-05T10:00:00",
    )
    now = artist_api.post("/api/data/user/desktop-login-logs", {}, "json")
    assert now.status_code == 201
    rows = artist_api.get("/api/data/user/desktop-login-logs").json()
    assert [row["id"] for row in rows] == [now.json()["id"], created.json()["id"]]
    artist.refresh_from_db()
    assert artist.last_presence == date.today()
    bad = artist_api.post("/api/data/user/desktop-login-logs", {"date": "yesterday"}, "json")
    assert bad.status_code == 400
    assert anonymous_api.get("/api/data/user/desktop-login-logs").status_code == 401
    assert DesktopLoginLog.objects.filter(person=artist).count() == 2


def test_clear_own_avatar(artist_api, artist, anonymous_api, committed):
    artist.has_avatar = True
    artist.save()
    with committed():
        response = artist_api.delete("/api/actions/user/clear-avatar")
    assert response.status_code == 204
    artist.refresh_from_db()
    assert artist.has_avatar is False
    event = ApiEvent.objects.get(name="person:update")
    assert event.data["person_id"] == str(artist.id)
    assert anonymous_api.delete("/api/actions/user/clear-avatar").status_code == 401


def test_presence_sheet(admin_api, artist, manager, make_person, logged):
    DesktopLoginLog.objects.create(person=manager, date=datetime(2024, 3, 10, 8, 0))
    DesktopLoginLog.objects.create(person=manager, date=datetime(2024, 4, 10, 8, 0))
    make_person("user", first_name="Gone", active=False)
    make_person("client", first_name="Guest", is_guest=True)
    response = admin_api.get("/api/data/persons/presence-logs/2024-03")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == "attachment; filename=kitsu_export.csv"
    lines = [line.split(";") for line in response.content.decode().splitlines()]
    assert lines[0] == ["2024", *(str(day) for day in range(1, 32))]
    by_name = {line[0]: line[1:] for line in lines[1:]}
    names = " ".join(by_name)
    assert "Gone" not in names
    assert "Guest" not in names
    marked = {
        name: [day + 1 for day, mark in enumerate(row) if mark == "X"]
        for name, row in by_name.items()
    }
    assert marked[artist.full_name] == [5, 8]
    # Logged time on the 5th, a desktop login on the 10th (April's is ignored).
    assert marked[manager.full_name] == [5, 10]
    assert all(len(row) == 31 for row in by_name.values())
    february = admin_api.get("/api/data/persons/presence-logs/2024-02").content.decode()
    assert february.splitlines()[0].split(";")[-1] == "29"


def test_presence_sheet_refusals(artist_api, client_for, manager, admin_api, anonymous_api):
    assert artist_api.get("/api/data/persons/presence-logs/2024-03").status_code == 403
    assert client_for(manager).get("/api/data/persons/presence-logs/2024-03").status_code == 403
    assert anonymous_api.get("/api/data/persons/presence-logs/2024-03").status_code == 401
    for bad in ("2024-13", "2024", "march"):
        response = admin_api.get(f"/api/data/persons/presence-logs/{bad}")
        assert response.status_code == 400
        assert response.json()["message"] == "Invalid month or year."


@pytest.mark.parametrize("count", [1, 6])
def test_presence_sheet_query_count_is_flat(
    count, admin_api, make_person, django_assert_num_queries
):
    for _ in range(count):
        person = make_person("user")
        DesktopLoginLog.objects.create(person=person, date=datetime(2024, 3, 3, 9, 0))
    # 2 for the token, the logins, the logged days, the people.
    with django_assert_num_queries(5):
        response = admin_api.get("/api/data/persons/presence-logs/2024-03")
    assert len(response.content.decode().splitlines()) == count + 2  # header and the admin
