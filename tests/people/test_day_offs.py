"""Day offs: the /data/day-offs resource and the per-person and per-period listings."""

from datetime import date

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import DayOff, Department
from people.visibility import project_mate_ids, set_project_mates_provider

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
DAY_OFF_KEYS = {
    "date",
    "end_date",
    "description",
    "person_id",
    "id",
    "created_at",
    "updated_at",
    "type",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teams():
    """Project teams as lists of people, served through the visibility provider."""
    groups = []

    def mates(person):
        return {
            member.pk for team in groups if person.pk in {m.pk for m in team} for member in team
        }

    previous = set_project_mates_provider(mates)
    yield groups
    set_project_mates_provider(previous)


def day_off(person, start, end=None, description=None):
    start = date.fromisoformat(start)
    end = date.fromisoformat(end) if end else start
    return DayOff.objects.create(person=person, date=start, end_date=end, description=description)


# --- the visibility extension point ---------------------------------------------------


def test_without_a_provider_nobody_shares_a_project(artist):
    previous = set_project_mates_provider(None)
    try:
        assert project_mate_ids(artist) == set()
    finally:
        set_project_mates_provider(previous)


def test_project_mates_come_from_the_registered_provider(artist, manager, teams):
    teams.append([artist, manager])
    assert project_mate_ids(artist) == {artist.pk, manager.pk}


def test_provider_answers_may_be_strings(artist):
    previous = set_project_mates_provider(lambda person: [str(person.pk)])
    try:
        assert project_mate_ids(artist) == {artist.pk}
    finally:
        set_project_mates_provider(previous)


def test_setting_a_provider_returns_the_previous_one():
    def first(person):
        return set()

    original = set_project_mates_provider(first)
    try:
        assert set_project_mates_provider(original) is first
    finally:
        set_project_mates_provider(original)


# --- POST /data/day-offs ----------------------------------------------------------------


def test_person_creates_own_day_off(artist_api, artist, django_capture_on_commit_callbacks):
    body = {
        "person_id": str(artist.id),
        "date": "2024-03-04",
        "end_date": "2024-03-06",
        "description": "holidays",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = artist_api.post("/api/data/day-offs", body, format="json")
    assert response.status_code == 201
    row = response.json()
    assert set(row) == DAY_OFF_KEYS
    assert (row["date"], row["end_date"], row["type"]) == ("2024-03-04", "2024-03-06", "DayOff")
    assert ApiEvent.objects.get(name="day-off:new").data == {"day_off_id": row["id"]}


def test_end_date_defaults_to_the_start(artist_api, artist):
    body = {"person_id": str(artist.id), "date": "2024-03-04"}
    row = artist_api.post("/api/data/day-offs", body, format="json").json()
    assert row["end_date"] == "2024-03-04"


def test_admin_creates_a_day_off_for_someone(admin_api, artist):
    body = {"person_id": str(artist.id), "date": "2024-05-01", "end_date": "2024-05-01"}
    assert admin_api.post("/api/data/day-offs", body, format="json").status_code == 201


def test_creating_for_someone_else_is_refused(client_for, manager, artist, anonymous_api):
    body = {"person_id": str(artist.id), "date": "2024-05-01", "end_date": "2024-05-01"}
    assert client_for(manager).post("/api/data/day-offs", body, format="json").status_code == 403
    assert anonymous_api.post("/api/data/day-offs", body, format="json").status_code == 401
    assert not DayOff.objects.exists()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"date": "2024-03-10", "end_date": "2024-03-09"}, "cannot be before"),
        ({"date": "2024-03-02", "end_date": "2024-03-04"}, "overlaps"),
        ({"date": "2024-02-25", "end_date": "2024-03-01"}, "overlaps"),
        ({"date": "not a date"}, "date"),
        ({"date": "2024-03-20", "nope": True}, "invalid keyword"),
    ],
)
def test_bad_day_offs_are_400(artist_api, artist, body, fragment):
    day_off(artist, "2024-03-01", "2024-03-03")
    body = {"person_id": str(artist.id), **body}
    response = artist_api.post("/api/data/day-offs", body, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert DayOff.objects.count() == 1


def test_day_off_without_person_is_400(artist_api):
    response = artist_api.post("/api/data/day-offs", {"date": "2024-03-01"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": "person_id is required."}


def test_two_people_may_be_off_the_same_day(admin_api, artist, manager):
    day_off(artist, "2024-03-01")
    body = {"person_id": str(manager.id), "date": "2024-03-01", "end_date": "2024-03-01"}
    assert admin_api.post("/api/data/day-offs", body, format="json").status_code == 201


# --- GET/PUT/DELETE /data/day-offs[/{id}] ---------------------------------------------------


def test_only_admins_list_every_day_off(admin_api, artist_api, anonymous_api, artist):
    day_off(artist, "2024-03-01")
    rows = admin_api.get("/api/data/day-offs").json()
    assert [row["person_id"] for row in rows] == [str(artist.id)]
    assert artist_api.get("/api/data/day-offs").status_code == 403
    assert anonymous_api.get("/api/data/day-offs").status_code == 401


def test_read_one_day_off(client_for, artist, manager, supervisor, make_person, teams):
    entry = day_off(artist, "2024-03-01")
    url = f"/api/data/day-offs/{entry.id}"
    assert client_for(artist).get(url).json()["id"] == str(entry.id)
    # A manager sees the day offs of people sharing a project only.
    assert client_for(manager).get(url).status_code == 403
    teams.append([artist, manager])
    assert client_for(manager).get(url).status_code == 200
    # A supervisor sees the day offs of people sharing a department only.
    assert client_for(supervisor).get(url).status_code == 403
    department = Department.objects.create(name="Anim", color="#000000")
    artist.departments.add(department)
    supervisor.departments.add(department)
    assert client_for(supervisor).get(url).status_code == 200
    # Another artist, even a teammate, does not.
    colleague = make_person()
    teams.append([artist, colleague])
    assert client_for(colleague).get(url).status_code == 403


def test_read_one_errors(admin_api, anonymous_api, artist):
    entry = day_off(artist, "2024-03-01")
    assert anonymous_api.get(f"/api/data/day-offs/{entry.id}").status_code == 401
    assert admin_api.get(f"/api/data/day-offs/{UNKNOWN_ID}").status_code == 404
    assert admin_api.get("/api/data/day-offs/bad").status_code == 400


def test_person_moves_own_day_off(artist_api, artist, django_capture_on_commit_callbacks):
    entry = day_off(artist, "2024-03-01")
    with django_capture_on_commit_callbacks(execute=True):
        response = artist_api.put(
            f"/api/data/day-offs/{entry.id}",
            {"date": "2024-03-02", "end_date": "2024-03-03"},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2024-03-03"
    assert ApiEvent.objects.filter(name="day-off:update").count() == 1


def test_extending_a_day_off_does_not_clash_with_itself(admin_api, artist):
    entry = day_off(artist, "2024-03-01", "2024-03-02")
    response = admin_api.put(
        f"/api/data/day-offs/{entry.id}", {"end_date": "2024-03-05"}, format="json"
    )
    assert response.status_code == 200


def test_update_errors(client_for, artist_api, admin_api, anonymous_api, artist, manager):
    entry = day_off(artist, "2024-03-01")
    day_off(artist, "2024-03-10")
    url = f"/api/data/day-offs/{entry.id}"
    assert client_for(manager).put(url, {"description": "x"}, format="json").status_code == 403
    moved = artist_api.put(url, {"person_id": str(manager.id)}, format="json")
    assert moved.status_code == 403
    assert anonymous_api.put(url, {}, format="json").status_code == 401
    clash = artist_api.put(url, {"end_date": "2024-03-12"}, format="json")
    assert clash.status_code == 400
    inverted = artist_api.put(url, {"end_date": "2024-02-01"}, format="json")
    assert inverted.status_code == 400
    assert admin_api.put(f"/api/data/day-offs/{UNKNOWN_ID}", {}, format="json").status_code == 404
    entry.refresh_from_db()
    assert entry.end_date == date(2024, 3, 1)


def test_delete_day_off(artist_api, client_for, manager, admin_api, artist):
    entry = day_off(artist, "2024-03-01")
    assert client_for(manager).delete(f"/api/data/day-offs/{entry.id}").status_code == 403
    assert artist_api.delete(f"/api/data/day-offs/{entry.id}").status_code == 204
    assert not DayOff.objects.exists()
    assert admin_api.delete(f"/api/data/day-offs/{entry.id}").status_code == 404


# --- /data/persons/{id}/day-offs and its periods ---------------------------------------------


def test_person_lists_own_day_offs_with_a_trailing_slash(artist_api, artist):
    day_off(artist, "2024-03-10", description="dentist")
    day_off(artist, "2024-01-02")
    response = artist_api.get(f"/api/data/persons/{artist.id}/day-offs/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["date"] for row in rows] == ["2024-01-02", "2024-03-10"]
    assert set(rows[0]) == DAY_OFF_KEYS
    assert rows[1]["description"] == "dentist"
    assert artist_api.get(f"/api/data/persons/{artist.id}/day-offs").json() == rows


def test_period_routes(admin_api, artist):
    day_off(artist, "2023-12-28", "2024-01-03")  # crosses the year
    day_off(artist, "2024-03-29", "2024-04-02")  # crosses a month
    day_off(artist, "2024-07-15")
    base = f"/api/data/persons/{artist.id}/day-offs"

    def dates(url):
        response = admin_api.get(url)
        assert response.status_code == 200, url
        return [row["date"] for row in response.json()]

    assert dates(f"{base}/year/2024") == ["2023-12-28", "2024-03-29", "2024-07-15"]
    assert dates(f"{base}/year/2023") == ["2023-12-28"]
    assert dates(f"{base}/month/2024/4") == ["2024-03-29"]
    assert dates(f"{base}/month/2024/02") == []
    # ISO week 1 of 2024 runs from Monday 1 to Sunday 7 January.
    assert dates(f"{base}/week/2024/1") == ["2023-12-28"]
    assert dates(f"{base}/week/2024/29") == ["2024-07-15"]


def test_day_off_for_a_date(admin_api, artist):
    entry = day_off(artist, "2024-03-04", "2024-03-06")
    base = f"/api/data/persons/{artist.id}/day-offs"
    assert admin_api.get(f"{base}/2024-03-05").json()["id"] == str(entry.id)
    assert admin_api.get(f"{base}/2024-03-07").json() == {}


@pytest.mark.parametrize(
    "suffix",
    ["", "/year/2024", "/month/2024/3", "/week/2024/10", "/2024-03-04"],
)
def test_person_routes_permissions(
    client_for, admin_api, anonymous_api, artist, manager, supervisor, client_person, suffix
):
    day_off(artist, "2024-03-04")
    url = f"/api/data/persons/{artist.id}/day-offs{suffix}"
    assert client_for(artist).get(url).status_code == 200
    assert admin_api.get(url).status_code == 200
    for outsider in (manager, supervisor, client_person):
        assert client_for(outsider).get(url).status_code == 403
    assert anonymous_api.get(url).status_code == 401
    assert admin_api.get(f"/api/data/persons/{UNKNOWN_ID}/day-offs{suffix}").status_code == 404
    assert admin_api.get(f"/api/data/persons/bad/day-offs{suffix}").status_code == 400


@pytest.mark.parametrize(
    "suffix",
    [
        "/year/0",
        "/year/abc",
        "/month/2024/13",
        "/month/2024/x",
        "/week/2024/54",
        "/week/2021/53",
        "/not-a-date",
    ],
)
def test_bad_periods_are_400(admin_api, artist, suffix):
    response = admin_api.get(f"/api/data/persons/{artist.id}/day-offs{suffix}")
    assert response.status_code == 400
    assert response.json()["error"] is True


# --- /data/persons/day-offs/{year}[/{month}] --------------------------------------------------


def test_admin_sees_every_day_off_of_a_period(admin_api, artist, manager):
    day_off(artist, "2024-03-04")
    day_off(manager, "2024-03-29", "2024-04-01")
    day_off(manager, "2024-06-01")
    day_off(artist, "2023-06-01")
    year = admin_api.get("/api/data/persons/day-offs/2024").json()
    assert [row["date"] for row in year] == ["2024-03-04", "2024-03-29", "2024-06-01"]
    april = admin_api.get("/api/data/persons/day-offs/2024/4/").json()
    assert [(row["person_id"], row["date"]) for row in april] == [(str(manager.id), "2024-03-29")]


def test_people_see_the_day_offs_they_may_read(
    client_for, artist, manager, supervisor, make_person, teams
):
    stranger = make_person()
    for person in (artist, manager, supervisor, stranger):
        day_off(person, "2024-03-04")
    teams.append([manager, artist])
    department = Department.objects.create(name="Comp", color="#000000")
    supervisor.departments.add(department)
    stranger.departments.add(department)

    def people(viewer):
        rows = client_for(viewer).get("/api/data/persons/day-offs/2024/3").json()
        return {row["person_id"] for row in rows}

    assert people(artist) == {str(artist.id)}
    assert people(manager) == {str(manager.id), str(artist.id)}
    assert people(supervisor) == {str(supervisor.id), str(stranger.id)}


def test_all_day_offs_errors(anonymous_api, admin_api):
    assert anonymous_api.get("/api/data/persons/day-offs/2024").status_code == 401
    assert admin_api.get("/api/data/persons/day-offs/20x4").status_code == 400
    assert admin_api.get("/api/data/persons/day-offs/2024/0").status_code == 400


def test_period_query_count_does_not_grow(
    admin, client_for, make_person, django_assert_num_queries
):
    api = client_for(admin)
    for number in range(10):
        day_off(make_person(), f"2024-03-{number + 1:02d}")
    # 2 for the token, 1 for the day offs.
    with django_assert_num_queries(3):
        rows = api.get("/api/data/persons/day-offs/2024/3").json()
    assert len(rows) == 10
