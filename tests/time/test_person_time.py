"""One person's time: raw entries of a date or a month, and minutes per task
over a year, month, week or day."""

import pytest

from kitsu_backend.api.exceptions import FORBIDDEN_MESSAGE

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
SUMMARY_KEYS = {
    "task_id",
    "task_type_id",
    "project_id",
    "project_name",
    "entity_name",
    "entity_type_name",
    "sequence_name",
    "episode_name",
    "duration",
}


@pytest.fixture
def logged(team, artist, shot_task, asset_task, log):
    log(artist, shot_task, "2024-03-04", 60)
    log(artist, shot_task, "2024-03-05", 30)
    log(artist, asset_task, "2024-03-05", 120)
    log(artist, asset_task, "2024-04-02", 15)


def persons(person, suffix=""):
    return f"/api/data/persons/{person.id}/time-spents{suffix}"


def test_entries_of_a_date(client_for, artist, manager, admin, logged):
    for viewer in (artist, manager, admin):
        response = client_for(viewer).get(persons(artist, "/2024-03-05"))
        assert response.status_code == 200
        rows = response.json()
        assert {row["duration"] for row in rows} == {30.0, 120.0}
        assert all(set(row) == TIME_SPENT_KEYS for row in rows)
        assert {row["type"] for row in rows} == {"TimeSpent"}
    assert client_for(artist).get(persons(artist, "/2024-03-06")).json() == []


def test_supervisor_reads_their_departments_only(
    client_for, artist, supervisor, logged, animation_department, shot_task
):
    supervisor.departments.add(animation_department)
    rows = client_for(supervisor).get(persons(artist, "/2024-03-05")).json()
    assert [(row["task_id"], row["duration"]) for row in rows] == [(str(shot_task.id), 30.0)]


def test_client_and_strangers_are_refused(client_for, client_person, make_person, artist, logged):
    response = client_for(client_person).get(persons(artist, "/2024-03-05"))
    assert response.status_code == 403
    assert response.json() == {"error": True, "message": FORBIDDEN_MESSAGE}
    stranger = client_for(make_person("user"))
    for suffix in ("/2024-03-05", "/year/2024", "/month/2024/3", "/week/2024/10", "/day/2024/3/5"):
        assert stranger.get(persons(artist, suffix)).status_code == 403
        assert client_for(client_person).get(persons(artist, suffix)).status_code == 403


def test_errors(admin_api, anonymous_api, artist):
    assert (
        admin_api.get(f"/api/data/persons/{UNKNOWN_ID}/time-spents/2024-03-05").status_code == 404
    )
    assert admin_api.get("/api/data/persons/nope/time-spents/2024-03-05").json() == {
        "error": True,
        "message": "Malformed ID.",
        "data": None,
    }
    assert admin_api.get(persons(artist, "/2024-13-45")).status_code == 400
    assert anonymous_api.get(persons(artist, "/2024-03-05")).status_code == 401


def test_minutes_per_task_over_periods(client_for, artist, project, shot_task, asset_task, logged):
    api = client_for(artist)
    month = api.get(persons(artist, "/month/2024/3"))
    assert month.status_code == 200
    rows = {row["task_id"]: row for row in month.json()}
    assert all(set(row) == SUMMARY_KEYS for row in rows.values())
    shot_row = rows[str(shot_task.id)]
    assert shot_row == {
        "task_id": str(shot_task.id),
        "task_type_id": str(shot_task.task_type_id),
        "project_id": str(project.id),
        "project_name": "Demo TV",
        "entity_name": "SH0010",
        "entity_type_name": "Shot",
        "sequence_name": "SQ01",
        "episode_name": "E01",
        "duration": 90.0,
    }
    asset_row = rows[str(asset_task.id)]
    assert (asset_row["entity_type_name"], asset_row["sequence_name"]) == ("Characters", None)
    assert asset_row["duration"] == 120.0

    def durations(suffix):
        return {row["task_id"]: row["duration"] for row in api.get(persons(artist, suffix)).json()}

    assert durations("/year/2024") == {str(shot_task.id): 90.0, str(asset_task.id): 135.0}
    assert durations("/week/2024/10") == {str(shot_task.id): 90.0, str(asset_task.id): 120.0}
    assert durations("/day/2024/3/5") == {str(shot_task.id): 30.0, str(asset_task.id): 120.0}
    assert durations("/day/2024/3/4") == {str(shot_task.id): 60.0}
    assert durations("/month/2024/5") == {}


def test_manager_project_filter(client_for, manager, artist, project, other_project, logged):
    api = client_for(manager)
    rows = api.get(persons(artist, "/month/2024/3"), {"project_id": project.id}).json()
    assert len(rows) == 2
    refused = api.get(persons(artist, "/month/2024/3"), {"project_id": other_project.id})
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "suffix",
    [
        "/year/20x4",
        "/month/2024/13",
        "/week/2021/53",
        "/week/2024/0",
        "/day/2024/2/30",
        "/day/a/b/c",
    ],
)
def test_bad_periods(admin_api, artist, suffix):
    assert admin_api.get(persons(artist, suffix)).status_code == 400


def test_month_all_is_for_the_person_or_admins(
    client_for, artist, manager, admin, client_person, logged
):
    for viewer in (artist, admin):
        rows = client_for(viewer).get(persons(artist, "/month/all/2024/3")).json()
        assert sorted(row["duration"] for row in rows) == [30.0, 60.0, 120.0]
        assert all(set(row) == TIME_SPENT_KEYS for row in rows)
    assert client_for(manager).get(persons(artist, "/month/all/2024/3")).status_code == 403
    assert client_for(client_person).get(persons(artist, "/month/all/2024/3")).status_code == 403
    assert client_for(admin).get(persons(artist, "/month/all/2024/0")).status_code == 400


def test_all_entries_of_a_person_for_admins(client_for, admin, artist, logged):
    api = client_for(admin)
    rows = api.get(persons(artist)).json()
    assert [row["date"] for row in rows] == ["2024-03-04", "2024-03-05", "2024-03-05", "2024-04-02"]
    ranged = api.get(persons(artist), {"start_date": "2024-03-05", "end_date": "2024-03-31"})
    assert sorted(row["duration"] for row in ranged.json()) == [30.0, 120.0]
    half = api.get(persons(artist), {"start_date": "2024-03-05"})
    assert half.status_code == 400
    assert "start_date" in half.json()["message"]
    assert api.get(persons(artist), {"start_date": "x", "end_date": "y"}).status_code == 400
    assert client_for(artist).get(persons(artist)).status_code == 403
    assert api.get(f"/api/data/persons/{UNKNOWN_ID}/time-spents").status_code == 404


@pytest.mark.parametrize("count", [1, 6])
def test_summary_query_count_is_flat(
    count, client_for, manager, artist, team, make_shot, make_task, animation, log,
    django_assert_num_queries,
):  # fmt: skip
    for number in range(count):
        task = make_task(make_shot(f"SH{number:04d}"), animation)
        log(artist, task, "2024-03-05", 10)
    api = client_for(manager)
    # 2 for the token, the person, the team links, the summary.
    with django_assert_num_queries(5):
        rows = api.get(persons(artist, "/month/2024/3")).json()
    assert len(rows) == count
