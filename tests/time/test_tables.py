"""Timesheet tables: minutes per person and per year, month, week or day."""

import pytest

from kitsu_backend.api.exceptions import FORBIDDEN_MESSAGE
from people.models import Studio
from shots.models import Sequence, Shot

TABLES = "/api/data/persons/time-spents"


@pytest.fixture
def outsider(make_person):
    return make_person("user", first_name="Otto", last_name="Outsider")


@pytest.fixture
def logged(team, join, artist, outsider, other_project, shot_task, asset_task, make_task, log):
    """Artist: 90 min of animation and 120 of modeling in March 2024, 45 in
    April, 15 on the last day of 2023. Outsider: 200 on another production."""
    log(artist, shot_task, "2024-03-04", 60)
    log(artist, shot_task, "2024-03-05", 30)
    log(artist, shot_task, "2024-04-01", 45)
    log(artist, asset_task, "2024-03-05", 120)
    log(artist, asset_task, "2023-12-31", 15)
    join(other_project, outsider)
    sequence = Sequence.objects.create(name="SQ09", project=other_project)
    shot = Shot.objects.create(name="SH0900", project=other_project, parent=sequence)
    other_task = make_task(shot, shot_task.task_type)
    log(outsider, other_task, "2024-03-05", 200)
    return other_task


def test_admin_tables_sum_minutes_per_unit(admin_api, artist, outsider, logged):
    me, other = str(artist.id), str(outsider.id)
    years = admin_api.get(f"{TABLES}/year-table")
    assert years.status_code == 200
    assert years.json() == {"2023": {me: 15.0}, "2024": {me: 255.0, other: 200.0}}
    months = admin_api.get(f"{TABLES}/month-table/2024").json()
    assert months == {"3": {me: 210.0, other: 200.0}, "4": {me: 45.0}}
    weeks = admin_api.get(f"{TABLES}/week-table/2024").json()
    assert weeks == {"10": {me: 210.0, other: 200.0}, "14": {me: 45.0}}
    days = admin_api.get(f"{TABLES}/day-table/2024/3").json()
    assert days == {"4": {me: 60.0}, "5": {me: 150.0, other: 200.0}}
    assert admin_api.get(f"{TABLES}/day-table/2024/2").json() == {}
    # Answered with a trailing slash too.
    assert admin_api.get(f"{TABLES}/month-table/2024/").status_code == 200


def test_admin_filters(admin_api, artist, outsider, logged, other_project, animation_department):
    me, other = str(artist.id), str(outsider.id)
    by_project = admin_api.get(f"{TABLES}/month-table/2024", {"project_id": other_project.id})
    assert by_project.json() == {"3": {other: 200.0}}
    by_department = admin_api.get(
        f"{TABLES}/month-table/2024", {"department_id": animation_department.id}
    )
    assert by_department.json() == {"3": {me: 90.0, other: 200.0}, "4": {me: 45.0}}
    studio = Studio.objects.create(name="North", color="#000000")
    outsider.studio = studio
    outsider.save()
    by_studio = admin_api.get(f"{TABLES}/year-table", {"studio_id": studio.id})
    assert by_studio.json() == {"2024": {other: 200.0}}


def test_manager_sees_the_productions_they_manage(client_for, manager, artist, logged):
    me = str(artist.id)
    months = client_for(manager).get(f"{TABLES}/month-table/2024").json()
    assert months == {"3": {me: 210.0}, "4": {me: 45.0}}


def test_supervisor_sees_their_departments(
    client_for, supervisor, artist, logged, animation_department
):
    supervisor.departments.add(animation_department)
    me = str(artist.id)
    months = client_for(supervisor).get(f"{TABLES}/month-table/2024").json()
    assert months == {"3": {me: 90.0}, "4": {me: 45.0}}


def test_supervisor_without_department_sees_the_whole_production(
    client_for, supervisor, artist, logged
):
    days = client_for(supervisor).get(f"{TABLES}/day-table/2024/3").json()
    assert days == {"4": {str(artist.id): 60.0}, "5": {str(artist.id): 150.0}}


def test_project_role_decides_what_is_overseen(client_for, make_person, join, project, logged):
    # A global artist who supervises this production through their team link.
    lead = join(project, make_person("user"), role="supervisor")
    months = client_for(lead).get(f"{TABLES}/month-table/2024").json()
    assert set(months) == {"3", "4"}


def test_artists_see_only_their_own_time(client_for, artist, outsider, vendor, logged):
    assert client_for(outsider).get(f"{TABLES}/year-table").json() == {
        "2024": {str(outsider.id): 200.0}
    }
    assert client_for(artist).get(f"{TABLES}/month-table/2024").json() == {
        "3": {str(artist.id): 210.0},
        "4": {str(artist.id): 45.0},
    }
    assert client_for(vendor).get(f"{TABLES}/year-table").json() == {}


def test_refusals(client_for, client_person, manager, supervisor, anonymous_api, logged):
    for path in ("year-table", "month-table/2024", "week-table/2024", "day-table/2024/3"):
        response = client_for(client_person).get(f"{TABLES}/{path}")
        assert response.status_code == 403
        assert response.json() == {"error": True, "message": FORBIDDEN_MESSAGE}
        assert anonymous_api.get(f"{TABLES}/{path}").status_code == 401
    # A production the manager is not on.
    other = logged.project_id
    assert client_for(manager).get(f"{TABLES}/year-table", {"project_id": other}).status_code == 403


def test_supervisor_asking_for_another_department(
    client_for, supervisor, logged, animation_department, modeling_department
):
    supervisor.departments.add(animation_department)
    response = client_for(supervisor).get(
        f"{TABLES}/year-table", {"department_id": modeling_department.id}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Supervisor not allowed to access this department"


@pytest.mark.parametrize(
    "path",
    [
        "month-table/20x4",
        "week-table/0",
        "day-table/2024/13",
        "day-table/2024/x",
        "year-table?project_id=nope",
        "year-table?department_id=nope",
        "year-table?studio_id=nope",
    ],
)
def test_bad_parameters(admin_api, path):
    response = admin_api.get(f"{TABLES}/{path}")
    assert response.status_code == 400
    assert response.json()["error"] is True


@pytest.mark.parametrize("count", [1, 8])
def test_table_query_count_is_flat(
    count, client_for, supervisor, artist, team, shot_task, log, animation_department,
    django_assert_num_queries,
):  # fmt: skip
    supervisor.departments.add(animation_department)
    for day in range(1, count + 1):
        log(artist, shot_task, f"2024-03-{day:02d}", 10)
    api = client_for(supervisor)
    # 2 for the token, the team links, the departments, the time entries.
    with django_assert_num_queries(5):
        days = api.get(f"{TABLES}/day-table/2024/3").json()
    assert len(days) == count
