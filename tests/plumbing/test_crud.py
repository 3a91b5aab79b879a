"""The generic /data/<model> resource, exercised through the registered
``departments`` resource and, for what departments lack (many-to-many fields,
secret columns), through a bare resource over the person table."""

import json
from datetime import datetime

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from kitsu_backend.api.crud import CrudListView, CrudResource
from kitsu_backend.api.exceptions import FORBIDDEN_MESSAGE
from kitsu_backend.api.models import ApiEvent
from people.models import Department, Person

DEPARTMENT_KEYS = {"name", "color", "archived", "id", "created_at", "updated_at", "type"}


@pytest.fixture
def departments(db):
    """Three departments whose update times give a known pagination order."""
    rows = [
        Department.objects.create(name="Animation", color="#111111"),
        Department.objects.create(name="Anim FX", color="#222222", archived=True),
        Department.objects.create(name="Modeling", color="#333333"),
    ]
    for hour, row in enumerate(rows, start=1):
        Department.objects.filter(pk=row.pk).update(updated_at=datetime(2024, 1, 1, hour))
    return rows


def names(response):
    return sorted(row["name"] for row in response.json())


# --- listing and filters --------------------------------------------------------


def test_list_returns_every_row_with_zou_keys(admin_api, departments):
    response = admin_api.get("/api/data/departments")

    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 3
    assert all(set(row) == DEPARTMENT_KEYS for row in rows)
    assert {row["type"] for row in rows} == {"Department"}


def test_name_filter_is_case_insensitive_ilike_with_wildcards(admin_api, departments):
    assert names(admin_api.get("/api/data/departments?name=anim%25")) == ["Anim FX", "Animation"]
    assert names(admin_api.get("/api/data/departments?name=ANIMATION")) == ["Animation"]
    # Without a wildcard ILIKE matches the whole name only.
    assert names(admin_api.get("/api/data/departments?name=anim")) == []


def test_json_array_value_filters_with_in(admin_api, departments):
    wanted = json.dumps([str(departments[0].id), str(departments[2].id)])

    response = admin_api.get("/api/data/departments", {"id": wanted})

    assert names(response) == ["Animation", "Modeling"]


def test_broken_json_array_gives_400(admin_api, departments):
    response = admin_api.get("/api/data/departments", {"id": "[oops"})

    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "message": "id is not a valid JSON list.",
        "data": None,
    }


def test_malformed_id_in_a_filter_gives_400(admin_api, departments):
    response = admin_api.get("/api/data/departments", {"id": "not-a-uuid"})

    assert response.status_code == 400
    assert response.json()["error"] is True


def test_boolean_column_filter(admin_api, departments):
    assert names(admin_api.get("/api/data/departments?archived=true")) == ["Anim FX"]
    assert names(admin_api.get("/api/data/departments?archived=false")) == [
        "Animation",
        "Modeling",
    ]


def test_unknown_query_parameters_are_ignored(admin_api, departments):
    assert len(admin_api.get("/api/data/departments?no_such_column=1").json()) == 3


def test_hidden_column_cannot_filter(admin_api, departments, monkeypatch):
    from kitsu_backend.api.crud import registry

    monkeypatch.setattr(registry["departments"], "hidden_fields", frozenset({"color"}))

    response = admin_api.get("/api/data/departments?color=%23111111")

    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "message": "Filtering on color is not allowed.",
        "data": None,
    }


def test_filtering_persons_on_password_is_refused(admin_api, admin):
    response = admin_api.get("/api/data/persons?password=x")

    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "message": "Filtering on password is not allowed.",
        "data": None,
    }


# --- pagination and shaping -----------------------------------------------------


def test_pagination_shape_and_order(admin_api, departments):
    response = admin_api.get("/api/data/departments?page=1&limit=2")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "total", "nb_pages", "limit", "offset", "page"}
    assert {key: body[key] for key in ("total", "nb_pages", "limit", "offset", "page")} == {
        "total": 3,
        "nb_pages": 2,
        "limit": 2,
        "offset": 0,
        "page": 1,
    }
    # Most recently updated first.
    assert [row["name"] for row in body["data"]] == ["Modeling", "Anim FX"]

    second = admin_api.get("/api/data/departments?page=2&limit=2").json()
    assert [row["name"] for row in second["data"]] == ["Animation"]
    assert second["offset"] == 2


def test_page_past_the_end_is_empty_with_counters(admin_api, departments):
    body = admin_api.get("/api/data/departments?page=5&limit=2").json()

    assert body == {"data": [], "total": 3, "nb_pages": 2, "limit": 2, "offset": 8, "page": 5}


def test_page_without_limit_uses_the_default_page_size(admin_api, departments, settings):
    settings.NB_RECORDS_PER_PAGE = 2

    body = admin_api.get("/api/data/departments?page=1").json()

    assert (body["limit"], body["nb_pages"], len(body["data"])) == (2, 2, 2)


def test_non_numeric_page_gives_400(admin_api, departments):
    response = admin_api.get("/api/data/departments?page=first")

    assert response.status_code == 400
    assert response.json()["message"] == "page must be a whole number."


def test_fields_parameter_keeps_only_those_keys(admin_api, departments):
    rows = admin_api.get("/api/data/departments?fields=id,name").json()

    assert [list(row) for row in rows] == [["id", "name"]] * 3


def test_fields_parameter_applies_to_pages(admin_api, departments):
    body = admin_api.get("/api/data/departments?page=1&fields=name").json()

    assert body["data"] == [{"name": "Modeling"}, {"name": "Anim FX"}, {"name": "Animation"}]


class BarePersonResource(CrudResource):
    """The generic behaviour over a table with a many-to-many field and secrets."""

    model = Person
    slug = "bare-persons"
    hidden_fields = Person.SECRET_FIELDS

    def check_list(self, request):
        pass


def bare_list(person, query):
    view = CrudListView.as_view(resource=BarePersonResource())
    request = APIRequestFactory().get("/api/data/bare-persons", query)
    force_authenticate(request, user=person)
    response = view(request)
    response.render()
    return response.status_code, json.loads(response.content)


def test_relations_flag_adds_many_to_many_ids(admin, departments):
    admin.departments.set([departments[0]])

    _status, plain = bare_list(admin, {})
    _status, related = bare_list(admin, {"relations": "true"})

    assert "departments" not in plain[0]
    assert related[0]["departments"] == [str(departments[0].id)]


def test_many_to_many_name_filters_linked_rows(admin, make_person, departments):
    other = make_person("user")
    other.departments.set([departments[2]])

    status, rows = bare_list(admin, {"departments": str(departments[2].id)})

    assert status == 200
    assert [row["id"] for row in rows] == [str(other.id)]


def test_secret_columns_are_never_serialized_nor_filtered(admin):
    _status, rows = bare_list(admin, {})
    assert not Person.SECRET_FIELDS & set(rows[0])

    status, body = bare_list(admin, {"totp_secret": "x"})
    assert status == 400
    assert body["message"] == "Filtering on totp_secret is not allowed."


# --- writes ---------------------------------------------------------------------


def test_create_answers_201_with_the_row(admin_api, db):
    response = admin_api.post(
        "/api/data/departments", {"name": "Lighting", "color": "#abcdef"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == DEPARTMENT_KEYS
    assert (body["name"], body["color"], body["archived"], body["type"]) == (
        "Lighting",
        "#abcdef",
        False,
        "Department",
    )
    assert Department.objects.get(pk=body["id"]).name == "Lighting"


def test_create_ignores_automatic_keys(admin_api, db):
    response = admin_api.post(
        "/api/data/departments",
        {"name": "Layout", "color": "#000000", "id": "not-used", "type": "X"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["type"] == "Department"


def test_create_with_unknown_key_gives_400(admin_api, db):
    response = admin_api.post(
        "/api/data/departments", {"name": "Lighting", "color": "#fff", "x": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"message": "'x' is an invalid keyword argument for Department"}
    assert not Department.objects.exists()


def test_create_with_duplicate_name_gives_400(admin_api, departments):
    response = admin_api.post(
        "/api/data/departments", {"name": "Modeling", "color": "#fff"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"message"}


def test_create_with_non_object_body_gives_400(admin_api, db):
    response = admin_api.post("/api/data/departments", [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "The request body must be a JSON object."


def test_create_needs_a_token(anonymous_api, db):
    response = anonymous_api.post("/api/data/departments", {"name": "X"}, format="json")

    assert response.status_code == 401


def test_artist_may_read_but_not_create(artist_api, departments):
    assert artist_api.get("/api/data/departments").status_code == 200

    response = artist_api.post(
        "/api/data/departments", {"name": "Lighting", "color": "#fff"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {"error": True, "message": FORBIDDEN_MESSAGE}


def test_put_updates_only_the_given_columns(admin_api, departments):
    target = departments[0]

    response = admin_api.put(
        f"/api/data/departments/{target.id}", {"color": "#999999"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["name"], response.json()["color"]) == ("Animation", "#999999")
    target.refresh_from_db()
    assert (target.name, target.color) == ("Animation", "#999999")
    assert target.updated_at > datetime(2024, 1, 1, 1)


def test_put_ignores_unknown_keys(admin_api, departments):
    # Kitsu sends back whole objects it read, computed keys included.
    response = admin_api.put(
        f"/api/data/departments/{departments[0].id}",
        {"nope": True, "type": "Department", "color": "#777777"},
        format="json",
    )

    assert response.status_code == 200
    assert set(response.json()) == DEPARTMENT_KEYS
    assert response.json()["color"] == "#777777"


def test_put_with_a_bad_value_gives_400(admin_api, departments):
    response = admin_api.put(
        f"/api/data/departments/{departments[0].id}", {"archived": "perhaps"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"message"}
    assert not Department.objects.get(pk=departments[0].pk).archived


def test_artist_may_not_update_or_delete(artist_api, departments):
    path = f"/api/data/departments/{departments[0].id}"

    assert artist_api.put(path, {"color": "#000000"}, format="json").status_code == 403
    assert artist_api.delete(path).status_code == 403
    assert Department.objects.filter(pk=departments[0].pk, color="#111111").exists()


def test_delete_answers_204_with_empty_body(admin_api, departments):
    response = admin_api.delete(f"/api/data/departments/{departments[0].id}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Department.objects.filter(pk=departments[0].pk).exists()


# --- events ---------------------------------------------------------------------


def test_writes_emit_events_after_commit(admin_api, admin, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = admin_api.post(
            "/api/data/departments", {"name": "Lighting", "color": "#fff"}, format="json"
        ).json()
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.put(f"/api/data/departments/{created['id']}", {"color": "#000"}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        admin_api.delete(f"/api/data/departments/{created['id']}")

    events = list(ApiEvent.objects.order_by("created_at", "name").values("name", "data", "user_id"))
    expected_data = {"department_id": created["id"]}
    assert sorted(event["name"] for event in events) == [
        "department:delete",
        "department:new",
        "department:update",
    ]
    assert all(event["data"] == expected_data for event in events)
    assert all(event["user_id"] == admin.pk for event in events)


def test_refused_write_emits_no_event(admin_api, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin_api.post("/api/data/departments", {"name": "X", "bad": 1}, format="json")

    assert callbacks == []
    assert not ApiEvent.objects.exists()
