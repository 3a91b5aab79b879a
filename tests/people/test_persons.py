"""The /data/persons resource, the person actions and token revocation."""

import jwt
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from kitsu_backend.api.models import ApiEvent
from people.models import Department, DesktopLoginLog, Person
from people.tokens import issue_tokens
from people.visibility import set_project_mates_provider

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
MINIMAL_KEYS = {
    "id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "has_avatar",
    "active",
    "departments",
    "studio_id",
    "role",
    "desktop_login",
    "is_bot",
}
CLIENT_KEYS = {
    "id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "has_avatar",
    "active",
    "role",
    "is_bot",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (event rows) of the calls made inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


def events(name):
    return list(ApiEvent.objects.filter(name=name).values_list("data", flat=True))


def token_issued_seconds_ago(person, seconds):
    """A valid access token of ``person`` whose ``iat`` lies in the past."""
    access, _ = issue_tokens(person)
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    algorithm = settings.SIMPLE_JWT["ALGORITHM"]
    claims = jwt.decode(access, key, algorithms=[algorithm])
    claims["iat"] -= seconds
    claims["nbf"] -= seconds
    return jwt.encode(claims, key, algorithm=algorithm)


# --- GET /data/persons ----------------------------------------------------------------


def test_admin_lists_full_rows_without_secrets_or_departments(admin_api, admin, make_person):
    inactive = make_person(first_name="Zed", last_name="Aaron", active=False)
    response = admin_api.get("/api/data/persons")
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == [str(inactive.id), str(admin.id)]
    row = rows[1]
    assert row["email"] == admin.email
    assert row["full_name"] == "Ada Admin"
    assert row["type"] == "Person"
    assert "departments" not in row
    for secret in Person.SECRET_FIELDS:
        assert secret not in row
    assert rows[0]["active"] is False


def test_admin_list_with_relations_has_departments(admin_api, admin):
    department = Department.objects.create(name="Animation", color="#000000")
    admin.departments.add(department)
    rows = admin_api.get("/api/data/persons?relations=true").json()
    assert rows[0]["departments"] == [str(department.id)]


def test_artist_gets_the_minimal_form(artist_api, artist, admin):
    rows = artist_api.get("/api/data/persons/").json()
    assert len(rows) == 2
    assert all(set(row) == MINIMAL_KEYS for row in rows)
    assert {row["full_name"] for row in rows} == {"Ada Admin", "Art Artist"}


def test_client_sees_only_the_people_of_its_teams(
    client_for, client_person, artist, supervisor, teams
):
    teams.append([client_person, artist])
    rows = client_for(client_person).get("/api/data/persons").json()
    assert {row["id"] for row in rows} == {str(client_person.id), str(artist.id)}
    assert all(set(row) == CLIENT_KEYS for row in rows)


def test_client_on_no_team_sees_only_itself(client_for, client_person, artist, teams):
    rows = client_for(client_person).get("/api/data/persons").json()
    assert [row["id"] for row in rows] == [str(client_person.id)]


def test_list_requires_a_token(anonymous_api):
    response = anonymous_api.get("/api/data/persons")
    assert response.status_code == 401
    assert "msg" in response.json()


def test_filtering_on_a_secret_is_refused(admin_api):
    response = admin_api.get("/api/data/persons?totp_secret=ABC")
    assert response.status_code == 400
    assert response.json()["message"] == "Filtering on totp_secret is not allowed."


def test_non_admins_filter_only_on_what_they_see(artist_api, admin, make_person):
    make_person(first_name="Rich", daily_salary=900)
    refused = artist_api.get("/api/data/persons?daily_salary=900")
    assert refused.status_code == 400
    assert refused.json()["message"] == "Filtering on daily_salary is not allowed."
    rows = artist_api.get(f"/api/data/persons?email={admin.email}&role=admin").json()
    assert [row["id"] for row in rows] == [str(admin.id)]


def test_filter_by_email_and_paginate(admin_api, admin, make_person):
    make_person(email="someone@example.com")
    rows = admin_api.get("/api/data/persons?email=someone@example.com").json()
    assert [row["email"] for row in rows] == ["someone@example.com"]
    page = admin_api.get("/api/data/persons?page=1&limit=1").json()
    assert page["total"] == 2
    assert page["nb_pages"] == 2
    assert len(page["data"]) == 1


def test_malformed_filter_id_is_a_400(admin_api):
    response = admin_api.get("/api/data/persons?studio_id=nope")
    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 30])
def test_admin_list_query_count_does_not_grow(
    admin, client_for, make_person, count, django_assert_num_queries
):
    for _ in range(count - 1):
        make_person()
    api = client_for(admin)
    # 1 revoked-token check, 1 person of the token, 1 list of people.
    with django_assert_num_queries(3):
        response = api.get("/api/data/persons")
    assert len(response.json()) == count


@pytest.mark.parametrize("count", [1, 30])
def test_artist_list_query_count_does_not_grow(
    artist, client_for, make_person, count, django_assert_num_queries
):
    department = Department.objects.create(name="Layout", color="#111111")
    for _ in range(count - 1):
        make_person().departments.add(department)
    api = client_for(artist)
    # 1 revoked-token check, 1 person of the token, 1 list, 1 department links.
    with django_assert_num_queries(4):
        response = api.get("/api/data/persons")
    rows = response.json()
    assert len(rows) == count
    assert sum(1 for row in rows if row["departments"] == [str(department.id)]) == count - 1


# --- GET /data/persons/{id} -----------------------------------------------------------


def test_admin_reads_a_full_row_with_departments(admin_api, artist):
    department = Department.objects.create(name="Lighting", color="#222222")
    artist.departments.add(department)
    response = admin_api.get(f"/api/data/persons/{artist.id}")
    assert response.status_code == 200
    row = response.json()
    assert row["email"] == artist.email
    assert row["departments"] == [str(department.id)]
    assert "password" not in row


def test_person_reads_itself_in_full(artist_api, artist):
    row = artist_api.get(f"/api/data/persons/{artist.id}").json()
    assert row["email"] == artist.email
    assert row["departments"] == []


def test_artist_reads_a_colleague_in_minimal_form(artist_api, admin):
    row = artist_api.get(f"/api/data/persons/{admin.id}").json()
    assert set(row) == MINIMAL_KEYS


def test_client_reading_someone_outside_its_teams_gets_403(client_for, client_person, artist):
    response = client_for(client_person).get(f"/api/data/persons/{artist.id}")
    assert response.status_code == 403


def test_client_reads_a_teammate_in_client_form(client_for, client_person, artist, teams):
    teams.append([client_person, artist])
    row = client_for(client_person).get(f"/api/data/persons/{artist.id}").json()
    assert set(row) == CLIENT_KEYS


def test_read_unknown_and_malformed_ids(admin_api, anonymous_api, admin):
    assert admin_api.get(f"/api/data/persons/{UNKNOWN_ID}").status_code == 404
    response = admin_api.get("/api/data/persons/not-an-id")
    assert response.status_code == 400
    assert response.json()["message"] == "Malformed ID."
    assert anonymous_api.get(f"/api/data/persons/{admin.id}").status_code == 401


# --- POST /data/persons ---------------------------------------------------------------


def test_admin_creates_a_person_with_a_hashed_password(admin_api, committed):
    department = Department.objects.create(name="FX", color="#333333")
    body = {
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "jane@example.com",
        "password": "a-long-secret-1",
        "role": "supervisor",
        "departments": [str(department.id)],
    }
    with committed():
        response = admin_api.post("/api/data/persons", body, format="json")
    assert response.status_code == 201
    row = response.json()
    assert row["full_name"] == "Jane Doe"
    assert row["role"] == "supervisor"
    assert row["departments"] == [str(department.id)]
    assert "password" not in row
    assert "access_token" not in row
    person = Person.objects.get(pk=row["id"])
    assert person.password != "a-long-secret-1"
    assert person.check_password("a-long-secret-1")
    assert events("person:new") == [{"person_id": row["id"]}]


def test_person_without_password_cannot_log_in_with_one(admin_api):
    row = admin_api.post(
        "/api/data/persons", {"first_name": "No", "email": "no@example.com"}, format="json"
    ).json()
    person = Person.objects.get(pk=row["id"])
    assert not person.has_usable_password()


def test_creating_a_bot_returns_a_working_access_token(admin_api, client_for):
    response = admin_api.post(
        "/api/data/persons", {"first_name": "Render bot", "is_bot": True}, format="json"
    )
    assert response.status_code == 201
    row = response.json()
    assert row["is_bot"] is True
    token = row["access_token"]
    bot_api = client_for(None)
    bot_api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bot_api.get(f"/api/data/persons/{row['id']}").status_code == 200


def test_duplicate_email_is_refused_whatever_its_case(admin_api, artist):
    response = admin_api.post(
        "/api/data/persons",
        {"first_name": "Copy", "email": artist.email.upper()},
        format="json",
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"first_name": "X", "email": "not-an-email"}, "email"),
        ({"first_name": "X"}, "e-mail address is required"),
        ({"first_name": "X", "email": "x@example.com", "password": "short"}, "too short"),
        ({"first_name": "X", "email": "x@example.com", "nope": 1}, "invalid keyword"),
        ({"first_name": "X", "email": "x@example.com", "departments": [UNKNOWN_ID]}, "Depart"),
        ({"first_name": "X", "email": "x@example.com", "departments": "abc"}, "list"),
    ],
)
def test_bad_creation_bodies_are_400(admin_api, body, fragment):
    response = admin_api.post("/api/data/persons", body, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["message"]
    assert not Person.objects.filter(first_name="X").exists()


def test_only_admins_create_people(client_for, manager, anonymous_api):
    body = {"first_name": "X", "email": "x@example.com"}
    assert client_for(manager).post("/api/data/persons", body, format="json").status_code == 403
    assert anonymous_api.post("/api/data/persons", body, format="json").status_code == 401


# --- PUT /data/persons/{id} -----------------------------------------------------------


def test_admin_changes_role_and_emits_update(admin_api, artist, committed):
    with committed():
        response = admin_api.put(
            f"/api/data/persons/{artist.id}", {"role": "manager"}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["role"] == "manager"
    artist.refresh_from_db()
    assert artist.role == "manager"
    assert [data["person_id"] for data in events("person:update")] == [str(artist.id)]


def test_person_updates_own_preferences(artist_api, artist):
    body = {"first_name": "Arthur", "timezone": "Asia/Tokyo", "notifications_enabled": True}
    response = artist_api.put(f"/api/data/persons/{artist.id}/", body, format="json")
    assert response.status_code == 200
    artist.refresh_from_db()
    assert (artist.first_name, artist.timezone, artist.notifications_enabled) == (
        "Arthur",
        "Asia/Tokyo",
        True,
    )


def test_profile_save_sending_unchanged_admin_fields_is_accepted(artist_api, artist):
    body = {
        "first_name": "Artie",
        "email": artist.email,
        "role": "user",
        "active": True,
        "departments": [],
        "full_name": "ignored",
    }
    response = artist_api.put(f"/api/data/persons/{artist.id}", body, format="json")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Artie"


@pytest.mark.parametrize(
    "body",
    [{"role": "admin"}, {"active": False}, {"email": "new@example.com"}, {"daily_salary": 9}],
)
def test_person_cannot_change_admin_fields_on_itself(artist_api, artist, body):
    response = artist_api.put(f"/api/data/persons/{artist.id}", body, format="json")
    assert response.status_code == 403
    artist.refresh_from_db()
    assert artist.role == "user"
    assert artist.active is True


def test_person_cannot_change_own_departments(artist_api, artist):
    department = Department.objects.create(name="Rigging", color="#444444")
    response = artist_api.put(
        f"/api/data/persons/{artist.id}", {"departments": [str(department.id)]}, format="json"
    )
    assert response.status_code == 403
    assert not artist.departments.exists()


def test_person_cannot_update_someone_else(artist_api, admin):
    response = artist_api.put(f"/api/data/persons/{admin.id}", {"phone": "1"}, format="json")
    assert response.status_code == 403


def test_update_errors(admin_api, anonymous_api, artist, make_person):
    other = make_person(email="taken@example.com")
    assert admin_api.put(f"/api/data/persons/{UNKNOWN_ID}", {}, format="json").status_code == 404
    response = admin_api.put(
        f"/api/data/persons/{artist.id}", {"email": other.email}, format="json"
    )
    assert response.status_code == 400
    assert (
        admin_api.put(f"/api/data/persons/{artist.id}", {"role": "boss"}, format="json").status_code
        == 400
    )
    assert anonymous_api.put(f"/api/data/persons/{artist.id}", {}, format="json").status_code == 401


def test_password_in_an_update_is_ignored(admin_api, artist):
    response = admin_api.put(
        f"/api/data/persons/{artist.id}", {"password": "another-pass-1"}, format="json"
    )
    assert response.status_code == 200
    artist.refresh_from_db()
    assert not artist.check_password("another-pass-1")


def test_admin_updating_a_bot_gets_a_new_token_and_the_old_one_dies(admin_api, client_for):
    created = admin_api.post(
        "/api/data/persons", {"first_name": "Bot", "is_bot": True}, format="json"
    ).json()
    updated = admin_api.put(
        f"/api/data/persons/{created['id']}", {"first_name": "Bot 2"}, format="json"
    ).json()
    assert updated["access_token"] != created["access_token"]
    old = client_for(None)
    old.credentials(HTTP_AUTHORIZATION=f"Bearer {created['access_token']}")
    response = old.get("/api/data/persons")
    assert response.status_code == 401
    assert response.json() == {"msg": "Token has been revoked"}


def test_deactivation_revokes_tokens_even_after_reactivation(admin_api, artist):
    old_token = token_issued_seconds_ago(artist, 10)
    admin_api.put(f"/api/data/persons/{artist.id}", {"active": False}, format="json")
    artist.refresh_from_db()
    assert artist.tokens_revoked_at is not None
    admin_api.put(f"/api/data/persons/{artist.id}", {"active": True}, format="json")
    api = admin_api.__class__()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old_token}")
    response = api.get("/api/data/persons")
    assert response.status_code == 401
    assert response.json() == {"msg": "Token has been revoked"}


# --- DELETE /data/persons/{id} --------------------------------------------------------


def test_admin_deletes_a_person(admin_api, artist, committed):
    with committed():
        response = admin_api.delete(f"/api/data/persons/{artist.id}")
    assert response.status_code == 204
    assert not Person.objects.filter(pk=artist.id).exists()
    assert [data["person_id"] for data in events("person:delete")] == [str(artist.id)]


def test_delete_permissions(admin_api, admin, artist_api, anonymous_api, manager):
    assert admin_api.delete(f"/api/data/persons/{admin.id}").status_code == 403
    assert artist_api.delete(f"/api/data/persons/{manager.id}").status_code == 403
    assert anonymous_api.delete(f"/api/data/persons/{manager.id}").status_code == 401
    assert admin_api.delete(f"/api/data/persons/{UNKNOWN_ID}").status_code == 404
    assert admin_api.delete("/api/data/persons/123").status_code == 400


# --- token revocation -----------------------------------------------------------------


def test_tokens_issued_before_the_revocation_instant_are_refused(client_for, artist):
    from kitsu_backend.api.models import utcnow

    old_token = token_issued_seconds_ago(artist, 30)
    Person.objects.filter(pk=artist.pk).update(tokens_revoked_at=utcnow())
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old_token}")
    response = api.get("/api/data/persons")
    assert response.status_code == 401
    assert response.json() == {"msg": "Token has been revoked"}


def test_tokens_issued_after_the_revocation_instant_work(client_for, artist):
    from datetime import timedelta

    from kitsu_backend.api.models import utcnow

    Person.objects.filter(pk=artist.pk).update(tokens_revoked_at=utcnow() - timedelta(seconds=5))
    assert client_for(artist).get("/api/data/persons").status_code == 200


# --- DELETE /actions/persons/{id}/clear-avatar ----------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_person_clears_own_avatar_and_file(artist_api, artist, media, committed):
    path = f"pictures/thumbnails/persons/{artist.id}.png"
    default_storage.save(path, ContentFile(b"png"))
    Person.objects.filter(pk=artist.pk).update(has_avatar=True)
    with committed():
        response = artist_api.delete(f"/api/actions/persons/{artist.id}/clear-avatar")
    assert response.status_code == 204
    artist.refresh_from_db()
    assert artist.has_avatar is False
    assert not default_storage.exists(path)
    assert [data["person_id"] for data in events("person:update")] == [str(artist.id)]


def test_clear_avatar_without_a_file_works(admin_api, artist, media):
    assert admin_api.delete(f"/api/actions/persons/{artist.id}/clear-avatar/").status_code == 204


def test_clear_avatar_errors(admin_api, artist_api, anonymous_api, admin):
    assert artist_api.delete(f"/api/actions/persons/{admin.id}/clear-avatar").status_code == 403
    assert anonymous_api.delete(f"/api/actions/persons/{admin.id}/clear-avatar").status_code == 401
    assert admin_api.delete(f"/api/actions/persons/{UNKNOWN_ID}/clear-avatar").status_code == 404
    assert admin_api.delete("/api/actions/persons/xyz/clear-avatar").status_code == 400


# --- person departments ---------------------------------------------------------------


@pytest.fixture
def department(db):
    return Department.objects.create(name="Compositing", color="#555555")


def test_admin_adds_a_person_to_a_department(admin_api, artist, department, committed):
    with committed():
        response = admin_api.post(
            f"/api/actions/persons/{artist.id}/departments/add",
            {"department_id": str(department.id)},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["departments"] == [str(department.id)]
    assert list(artist.departments.all()) == [department]
    assert [data["person_id"] for data in events("person:update")] == [str(artist.id)]


def test_add_to_department_errors(admin_api, artist_api, anonymous_api, artist, department):
    url = f"/api/actions/persons/{artist.id}/departments/add"
    body = {"department_id": str(department.id)}
    assert artist_api.post(url, body, format="json").status_code == 403
    assert anonymous_api.post(url, body, format="json").status_code == 401
    assert (
        admin_api.post(
            f"/api/actions/persons/{UNKNOWN_ID}/departments/add", body, format="json"
        ).status_code
        == 404
    )
    assert admin_api.post(url, {}, format="json").status_code == 400
    assert admin_api.post(url, {"department_id": "bad"}, format="json").status_code == 400
    response = admin_api.post(url, {"department_id": UNKNOWN_ID}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Department ID matches no department"


def test_admin_removes_a_person_from_a_department(admin_api, artist, department, committed):
    artist.departments.add(department)
    with committed():
        response = admin_api.delete(f"/api/actions/persons/{artist.id}/departments/{department.id}")
    assert response.status_code == 204
    assert not artist.departments.exists()
    assert [data["person_id"] for data in events("person:update")] == [str(artist.id)]


def test_remove_from_department_errors(admin_api, artist_api, anonymous_api, artist, department):
    url = f"/api/actions/persons/{artist.id}/departments/{department.id}"
    assert artist_api.delete(url).status_code == 403
    assert anonymous_api.delete(url).status_code == 401
    assert (
        admin_api.delete(
            f"/api/actions/persons/{UNKNOWN_ID}/departments/{department.id}"
        ).status_code
        == 404
    )
    assert admin_api.delete(f"/api/actions/persons/{artist.id}/departments/bad").status_code == 400
    response = admin_api.delete(f"/api/actions/persons/{artist.id}/departments/{UNKNOWN_ID}")
    assert response.status_code == 400


# --- desktop login logs ---------------------------------------------------------------


def test_person_records_and_reads_desktop_logins(artist_api, artist):
    url = f"/api/data/persons/{artist.id}/desktop-login-logs"
    first = artist_api.post(url, {"date": "2024-03-05T08:00:00"}, format="json")
    assert first.status_code == 201
    assert first.json()["date"] == "2024-03-05T08:00:00"
    assert first.json()["person_id"] == str(artist.id)
    assert first.json()["type"] == "DesktopLoginLog"
    artist_api.post(url, {"date": "2024-03-07T09:30:00Z"}, format="json")
    artist.refresh_from_db()
    assert str(artist.last_presence) == "2024-03-07"
    # An older login reported late does not move the last presence back.
    artist_api.post(url, {"date": "2024-03-01"}, format="json")
    artist.refresh_from_db()
    assert str(artist.last_presence) == "2024-03-07"
    rows = artist_api.get(url + "/").json()
    assert [row["date"] for row in rows] == [
        "2024-03-07T09:30:00",
        "2024-03-05T08:00:00",
        "2024-03-01T00:00:00",
    ]


def test_desktop_login_without_date_uses_now(admin_api, artist):
    response = admin_api.post(f"/api/data/persons/{artist.id}/desktop-login-logs", {})
    assert response.status_code == 201
    assert DesktopLoginLog.objects.filter(person=artist).count() == 1
    artist.refresh_from_db()
    assert artist.last_presence is not None


def test_desktop_login_errors(admin_api, artist_api, anonymous_api, admin, artist):
    url = f"/api/data/persons/{admin.id}/desktop-login-logs"
    assert artist_api.get(url).status_code == 403
    assert artist_api.post(url, {}, format="json").status_code == 403
    assert anonymous_api.get(url).status_code == 401
    assert admin_api.get(f"/api/data/persons/{UNKNOWN_ID}/desktop-login-logs").status_code == 404
    assert admin_api.get("/api/data/persons/nope/desktop-login-logs").status_code == 400
    response = admin_api.post(
        f"/api/data/persons/{artist.id}/desktop-login-logs", {"date": "yesterday"}, format="json"
    )
    assert response.status_code == 400
    assert not DesktopLoginLog.objects.exists()


def test_full_name_filter_finds_one_person(admin_api, make_person):
    wanted = make_person("user", first_name="Ben", last_name="Artist")
    make_person("user", first_name="Ben", last_name="Other")

    response = admin_api.get("/api/data/persons", {"full_name": "ben artist"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(wanted.id)]
