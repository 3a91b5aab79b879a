"""The studio-wide /data resources of the people app: organisations, studios,
software, hardware items and salary scales."""

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import Department, HardwareItem, Organisation, SalaryScale, Software, Studio

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
CHAT_KEYS = {"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the after-commit hooks (event rows) of the calls made inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- organisations ----------------------------------------------------------------------


def test_first_read_creates_the_default_organisation(artist_api, db):
    assert not Organisation.objects.exists()
    response = artist_api.get("/api/data/organisations")
    assert response.status_code == 200
    [row] = response.json()
    assert row["name"] == "Kitsu"
    assert row["hours_by_day"] == 8.0
    assert row["type"] == "Organisation"
    assert Organisation.objects.count() == 1


def test_chat_tokens_are_for_admins_only(admin_api, artist_api, db):
    Organisation.objects.create(name="Studio", chat_token_slack="xoxb-secret")
    [admin_row] = admin_api.get("/api/data/organisations").json()
    [artist_row] = artist_api.get("/api/data/organisations/").json()
    assert admin_row["chat_token_slack"] == "xoxb-secret"
    assert set(admin_row) >= CHAT_KEYS
    assert not CHAT_KEYS & set(artist_row)
    organisation_id = artist_row["id"]
    one = artist_api.get(f"/api/data/organisations/{organisation_id}").json()
    assert one["name"] == "Studio"
    assert not CHAT_KEYS & set(one)
    assert admin_api.get(f"/api/data/organisations/{organisation_id}").json()[
        "chat_token_slack"
    ] == ("xoxb-secret")


def test_non_admins_cannot_filter_on_chat_tokens(admin_api, artist_api, db):
    Organisation.objects.create(name="Studio", chat_token_slack="xoxb-secret")
    refused = artist_api.get("/api/data/organisations?chat_token_slack=xoxb-secret")
    assert refused.status_code == 400
    allowed = admin_api.get("/api/data/organisations?chat_token_slack=xoxb-secret")
    assert len(allowed.json()) == 1


def test_admin_updates_the_organisation(admin_api, artist_api, anonymous_api, committed, db):
    organisation = Organisation.get()
    url = f"/api/data/organisations/{organisation.id}"
    assert artist_api.put(url, {"hours_by_day": 7}, format="json").status_code == 403
    assert anonymous_api.put(url, {"hours_by_day": 7}, format="json").status_code == 401
    with committed():
        response = admin_api.put(url, {"hours_by_day": 7, "name": "My studio"}, format="json")
    assert response.status_code == 200
    assert response.json()["hours_by_day"] == 7.0
    organisation.refresh_from_db()
    assert organisation.name == "My studio"
    assert ApiEvent.objects.get(name="organisation:update").data == {
        "organisation_id": str(organisation.id)
    }
    bad = admin_api.put(url, {"hours_by_day": "many"}, format="json")
    assert bad.status_code == 400
    assert admin_api.get(f"/api/data/organisations/{UNKNOWN_ID}").status_code == 404
    assert admin_api.get("/api/data/organisations/bad").status_code == 400


def test_organisations_need_a_token(anonymous_api, db):
    assert anonymous_api.get("/api/data/organisations").status_code == 401


# --- studios and software: everyone reads, admins write ---------------------------------------


@pytest.mark.parametrize(
    ("slug", "model", "body", "event"),
    [
        ("studios", Studio, {"name": "Paris", "color": "#123456"}, "studio"),
        (
            "softwares",
            Software,
            {"name": "Blender", "short_name": "bl", "file_extension": "blend"},
            "software",
        ),
    ],
)
def test_readable_by_everyone_written_by_admins(
    admin_api,
    artist_api,
    client_for,
    client_person,
    anonymous_api,
    committed,
    slug,
    model,
    body,
    event,
):
    assert artist_api.post(f"/api/data/{slug}", body, format="json").status_code == 403
    assert anonymous_api.post(f"/api/data/{slug}", body, format="json").status_code == 401
    with committed():
        created = admin_api.post(f"/api/data/{slug}", body, format="json")
    assert created.status_code == 201
    row = created.json()
    assert row["name"] == body["name"]
    assert row["type"] == model.__name__
    assert ApiEvent.objects.get(name=f"{event}:new").data == {
        f"{model._meta.db_table}_id": row["id"]
    }

    listing = client_for(client_person).get(f"/api/data/{slug}").json()
    assert [item["id"] for item in listing] == [row["id"]]
    assert artist_api.get(f"/api/data/{slug}/{row['id']}").json()["name"] == body["name"]

    url = f"/api/data/{slug}/{row['id']}"
    assert artist_api.put(url, {"name": "Other"}, format="json").status_code == 403
    assert admin_api.put(url, {"name": "Other"}, format="json").json()["name"] == "Other"
    assert artist_api.delete(url).status_code == 403
    with committed():
        assert admin_api.delete(url).status_code == 204
    assert not model.objects.exists()
    assert ApiEvent.objects.filter(name=f"{event}:delete").count() == 1
    assert admin_api.get(url).status_code == 404


def test_duplicate_studio_name_is_a_400(admin_api, db):
    Studio.objects.create(name="Paris", color="#000000")
    response = admin_api.post(
        "/api/data/studios", {"name": "Paris", "color": "#111111"}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()["message"]


def test_software_filters(artist_api, db):
    Software.objects.create(name="Maya", short_name="ma", file_extension="ma")
    Software.objects.create(name="Houdini", short_name="hou", file_extension="hip")
    rows = artist_api.get("/api/data/softwares?name=mA%").json()
    assert [row["name"] for row in rows] == ["Maya"]


# --- hardware items and salary scales: admins only -------------------------------------------


def test_hardware_items_are_for_admins(admin_api, client_for, manager, anonymous_api, committed):
    body = {"name": "Workstation", "short_name": "WS", "monthly_cost": 120}
    with committed():
        created = admin_api.post("/api/data/hardware-items", body, format="json")
    assert created.status_code == 201
    item_id = created.json()["id"]
    assert ApiEvent.objects.get(name="hardware-item:new").data == {"hardware_item_id": item_id}
    assert admin_api.get("/api/data/hardware-items").json()[0]["monthly_cost"] == 120
    manager_api = client_for(manager)
    assert manager_api.get("/api/data/hardware-items").status_code == 403
    assert manager_api.get(f"/api/data/hardware-items/{item_id}").status_code == 403
    assert manager_api.post("/api/data/hardware-items", body, format="json").status_code == 403
    assert anonymous_api.get("/api/data/hardware-items").status_code == 401
    update = admin_api.put(
        f"/api/data/hardware-items/{item_id}", {"inventory_amount": 3}, format="json"
    )
    assert update.json()["inventory_amount"] == 3
    assert admin_api.delete(f"/api/data/hardware-items/{item_id}").status_code == 204
    assert not HardwareItem.objects.exists()


def test_salary_scales_are_for_admins(admin_api, artist_api, anonymous_api, committed):
    department = Department.objects.create(name="Anim", color="#000000")
    body = {
        "department_id": str(department.id),
        "position": "lead",
        "seniority": "senior",
        "salary": 400,
    }
    with committed():
        created = admin_api.post("/api/data/salary-scales", body, format="json")
    assert created.status_code == 201
    row = created.json()
    assert (row["department_id"], row["salary"], row["type"]) == (
        str(department.id),
        400,
        "SalaryScale",
    )
    assert ApiEvent.objects.filter(name="salary-scale:new").count() == 1
    assert artist_api.get("/api/data/salary-scales").status_code == 403
    assert anonymous_api.get("/api/data/salary-scales").status_code == 401
    listing = admin_api.get(f"/api/data/salary-scales?department_id={department.id}").json()
    assert [item["id"] for item in listing] == [row["id"]]
    bad_choice = admin_api.post(
        "/api/data/salary-scales", {**body, "position": "ceo"}, format="json"
    )
    assert bad_choice.status_code == 400
    unknown_department = admin_api.post(
        "/api/data/salary-scales", {**body, "department_id": UNKNOWN_ID}, format="json"
    )
    assert unknown_department.status_code == 400
    assert SalaryScale.objects.count() == 1
