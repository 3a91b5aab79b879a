"""Department routes: hardware and software links, and the people of a department."""

import pytest

from people.models import (
    Department,
    HardwareItem,
    HardwareItemDepartmentLink,
    Software,
    SoftwareDepartmentLink,
)
from people.visibility import set_project_mates_provider

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def department(db):
    return Department.objects.create(name="Modeling", color="#112233")


@pytest.fixture
def other_department(db):
    return Department.objects.create(name="Animation", color="#445566")


@pytest.fixture
def workstation(db):
    return HardwareItem.objects.create(name="Workstation", short_name="WS", monthly_cost=90)


@pytest.fixture
def maya(db):
    return Software.objects.create(name="Maya", short_name="ma", file_extension="ma")


# --- maps of every department ---------------------------------------------------------


def test_admin_gets_the_hardware_map(admin_api, department, other_department, workstation):
    tablet = HardwareItem.objects.create(name="Tablet", short_name="TB")
    HardwareItemDepartmentLink.objects.create(department=department, hardware_item=workstation)
    HardwareItemDepartmentLink.objects.create(department=department, hardware_item=tablet)
    HardwareItemDepartmentLink.objects.create(
        department=other_department, hardware_item=workstation
    )
    response = admin_api.get("/api/data/departments/hardware-items")
    assert response.status_code == 200
    result = response.json()
    assert set(result) == {str(department.id), str(other_department.id)}
    assert sorted(row["name"] for row in result[str(department.id)]) == ["Tablet", "Workstation"]
    [row] = result[str(other_department.id)]
    assert row["id"] == str(workstation.id)
    assert row["type"] == "HardwareItem"
    assert row["monthly_cost"] == 90


def test_admin_gets_the_software_map(admin_api, department, maya):
    SoftwareDepartmentLink.objects.create(department=department, software=maya)
    result = admin_api.get("/api/data/departments/software-licenses/").json()
    assert result == {
        str(department.id): [
            {
                "name": "Maya",
                "short_name": "ma",
                "archived": False,
                "version": None,
                "file_extension": "ma",
                "secondary_extensions": None,
                "monthly_cost": 0,
                "inventory_amount": 0,
                "id": str(maya.id),
                "created_at": maya.created_at.replace(microsecond=0).isoformat(),
                "updated_at": maya.updated_at.replace(microsecond=0).isoformat(),
                "type": "Software",
            }
        ]
    }


def test_empty_maps(admin_api, db):
    assert admin_api.get("/api/data/departments/hardware-items").json() == {}
    assert admin_api.get("/api/data/departments/software-licenses").json() == {}


@pytest.mark.parametrize("kind", ["hardware-items", "software-licenses"])
def test_maps_are_for_admins(artist_api, client_for, manager, anonymous_api, kind):
    assert artist_api.get(f"/api/data/departments/{kind}").status_code == 403
    assert client_for(manager).get(f"/api/data/departments/{kind}").status_code == 403
    assert anonymous_api.get(f"/api/data/departments/{kind}").status_code == 401


def test_map_query_count_does_not_grow(admin, client_for, department, django_assert_num_queries):
    api = client_for(admin)
    for number in range(12):
        item = HardwareItem.objects.create(name=f"Item {number}", short_name=f"I{number}")
        HardwareItemDepartmentLink.objects.create(department=department, hardware_item=item)
    # 2 for the token, 1 for the links, 1 for the items.
    with django_assert_num_queries(4):
        result = api.get("/api/data/departments/hardware-items").json()
    assert len(result[str(department.id)]) == 12


# --- attach ---------------------------------------------------------------------------


def test_admin_attaches_hardware_idempotently(admin_api, department, workstation):
    url = f"/api/data/departments/{department.id}/hardware-items"
    first = admin_api.post(url, {"hardware_item_id": str(workstation.id)}, format="json")
    assert first.status_code == 201
    row = first.json()
    assert row["department_id"] == str(department.id)
    assert row["hardware_item_id"] == str(workstation.id)
    assert row["type"] == "HardwareItemDepartmentLink"
    again = admin_api.post(url + "/", {"hardware_item_id": str(workstation.id)}, format="json")
    assert again.status_code == 201
    assert again.json()["id"] == row["id"]
    assert HardwareItemDepartmentLink.objects.count() == 1


def test_admin_attaches_software(admin_api, department, maya):
    response = admin_api.post(
        f"/api/data/departments/{department.id}/software-licenses",
        {"software_id": str(maya.id)},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["software_id"] == str(maya.id)
    assert SoftwareDepartmentLink.objects.filter(department=department, software=maya).exists()


@pytest.mark.parametrize(
    ("kind", "key", "message"),
    [
        ("hardware-items", "hardware_item_id", "Hardware item ID matches no hardware item"),
        ("software-licenses", "software_id", "Software ID matches no software"),
    ],
)
def test_attach_errors(admin_api, artist_api, anonymous_api, department, kind, key, message):
    url = f"/api/data/departments/{department.id}/{kind}"
    assert artist_api.post(url, {key: UNKNOWN_ID}, format="json").status_code == 403
    assert anonymous_api.post(url, {key: UNKNOWN_ID}, format="json").status_code == 401
    missing = admin_api.post(f"/api/data/departments/{UNKNOWN_ID}/{kind}", {}, format="json")
    assert missing.status_code == 404
    assert admin_api.post(f"/api/data/departments/bad/{kind}", {}, format="json").status_code == 400
    no_body = admin_api.post(url, {}, format="json")
    assert no_body.status_code == 400
    assert no_body.json()["message"] == f"The field {key} is required."
    assert admin_api.post(url, {key: "bad"}, format="json").status_code == 400
    unknown = admin_api.post(url, {key: UNKNOWN_ID}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["message"] == message
    assert admin_api.post(url, [1, 2], format="json").status_code == 400


# --- read and detach one link ---------------------------------------------------------


def test_admin_reads_one_hardware_link(admin_api, department, workstation):
    link = HardwareItemDepartmentLink.objects.create(
        department=department, hardware_item=workstation
    )
    url = f"/api/data/departments/{department.id}/hardware-items/{workstation.id}"
    response = admin_api.get(url)
    assert response.status_code == 200
    assert response.json()["id"] == str(link.id)
    assert response.json()["hardware_item_id"] == str(workstation.id)


def test_reading_a_missing_link_is_a_404_not_a_500(admin_api, department, workstation, maya):
    hardware = admin_api.get(
        f"/api/data/departments/{department.id}/hardware-items/{workstation.id}"
    )
    assert hardware.status_code == 404
    assert hardware.json()["error"] is True
    software = admin_api.get(f"/api/data/departments/{department.id}/software-licenses/{maya.id}")
    assert software.status_code == 404


def test_admin_reads_and_detaches_a_software_link(admin_api, department, maya):
    SoftwareDepartmentLink.objects.create(department=department, software=maya)
    url = f"/api/data/departments/{department.id}/software-licenses/{maya.id}"
    assert admin_api.get(url).json()["software_id"] == str(maya.id)
    assert admin_api.delete(url).status_code == 204
    assert not SoftwareDepartmentLink.objects.exists()
    # Detaching again is harmless.
    assert admin_api.delete(url + "/").status_code == 204


def test_admin_detaches_hardware(admin_api, department, workstation):
    HardwareItemDepartmentLink.objects.create(department=department, hardware_item=workstation)
    response = admin_api.delete(
        f"/api/data/departments/{department.id}/hardware-items/{workstation.id}"
    )
    assert response.status_code == 204
    assert not HardwareItemDepartmentLink.objects.exists()
    assert HardwareItem.objects.filter(pk=workstation.pk).exists()


@pytest.mark.parametrize("method", ["get", "delete"])
@pytest.mark.parametrize("kind", ["hardware-items", "software-licenses"])
def test_single_link_errors(
    admin_api, artist_api, anonymous_api, department, workstation, maya, method, kind
):
    item = workstation if kind == "hardware-items" else maya
    url = f"/api/data/departments/{department.id}/{kind}/{item.id}"
    assert getattr(artist_api, method)(url).status_code == 403
    assert getattr(anonymous_api, method)(url).status_code == 401
    call = getattr(admin_api, method)
    assert call(f"/api/data/departments/{UNKNOWN_ID}/{kind}/{item.id}").status_code == 404
    assert call(f"/api/data/departments/{department.id}/{kind}/{UNKNOWN_ID}").status_code == 404
    assert call(f"/api/data/departments/{department.id}/{kind}/bad").status_code == 400
    assert call(f"/api/data/departments/bad/{kind}/{item.id}").status_code == 400


# --- people of a department -----------------------------------------------------------


def test_any_logged_in_person_lists_a_department(
    artist_api, department, other_department, make_person
):
    bea = make_person(first_name="Bea", last_name="Zed")
    abe = make_person(first_name="Abe", last_name="Young")
    outsider = make_person(first_name="Out")
    bea.departments.add(department)
    abe.departments.add(department, other_department)
    outsider.departments.add(other_department)
    response = artist_api.get(f"/api/data/departments/{department.id}/persons")
    assert response.status_code == 200
    rows = response.json()
    assert [row["full_name"] for row in rows] == ["Abe Young", "Bea Zed"]
    assert "email" not in rows[0]
    assert sorted(rows[0]["departments"]) == sorted([str(department.id), str(other_department.id)])


def test_client_lists_only_teammates_of_a_department(
    client_for, client_person, department, make_person
):
    mate = make_person(first_name="Mate")
    stranger = make_person(first_name="Stranger")
    mate.departments.add(department)
    stranger.departments.add(department)
    previous = set_project_mates_provider(lambda person: {client_person.pk, mate.pk})
    try:
        rows = client_for(client_person).get(f"/api/data/departments/{department.id}/persons")
    finally:
        set_project_mates_provider(previous)
    assert [row["first_name"] for row in rows.json()] == ["Mate"]
    assert "departments" not in rows.json()[0]


def test_department_persons_errors(admin_api, anonymous_api, department):
    assert anonymous_api.get(f"/api/data/departments/{department.id}/persons").status_code == 401
    assert admin_api.get(f"/api/data/departments/{UNKNOWN_ID}/persons").status_code == 404
    assert admin_api.get("/api/data/departments/bad/persons").status_code == 400


# --- /data/departments (generic) -------------------------------------------------------


def test_everyone_reads_departments_and_admins_write_them(
    admin_api, artist_api, department, django_capture_on_commit_callbacks
):
    from kitsu_backend.api.models import ApiEvent

    rows = artist_api.get("/api/data/departments").json()
    assert [row["name"] for row in rows] == ["Modeling"]
    assert artist_api.get(f"/api/data/departments/{department.id}").json()["color"] == "#112233"
    body = {"name": "Lighting", "color": "#FFAA00"}
    assert artist_api.post("/api/data/departments", body, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post("/api/data/departments", body, format="json")
    assert response.status_code == 201
    assert ApiEvent.objects.get(name="department:new").data == {
        "department_id": response.json()["id"]
    }
