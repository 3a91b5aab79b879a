"""Routing and error conventions every route shares: slashes, Zou's error bodies,
token errors and the security headers."""

import uuid

import pytest

from kitsu_backend.api.exceptions import MISSING_TOKEN_MESSAGE, NOT_FOUND_MESSAGE
from people.models import Department

NOT_FOUND_BODY = {"error": True, "message": NOT_FOUND_MESSAGE}


@pytest.fixture
def department(db):
    return Department.objects.create(name="Animation", color="#ff0000")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_api_root_answers_with_and_without_slash(anonymous_api, path):
    response = anonymous_api.get(path)

    assert response.status_code == 200
    assert response.json() == {"api": "Zou", "version": "1.0.97"}


@pytest.mark.django_db
def test_api_root_answers_head_for_gazu_host_is_up(anonymous_api):
    assert anonymous_api.head("/api").status_code == 200


def test_same_route_answers_with_and_without_trailing_slash(admin_api, department):
    without_slash = admin_api.get("/api/data/departments")
    with_slash = admin_api.get("/api/data/departments/")

    assert without_slash.status_code == with_slash.status_code == 200
    assert without_slash.json() == with_slash.json()
    assert [row["id"] for row in with_slash.json()] == [str(department.id)]


def test_detail_route_answers_with_and_without_trailing_slash(admin_api, department):
    for path in (
        f"/api/data/departments/{department.id}",
        f"/api/data/departments/{department.id}/",
    ):
        response = admin_api.get(path)
        assert response.status_code == 200
        assert response.json()["name"] == "Animation"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/data/nope-route", "/api/nothing/here/", "/api/data"])
def test_unknown_api_path_gives_zou_json_404(admin_api, path):
    response = admin_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND_BODY


def test_malformed_id_gives_400(admin_api, department):
    response = admin_api.get("/api/data/departments/not-a-uuid")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Malformed ID.", "data": None}


def test_unknown_id_gives_404(admin_api, department):
    response = admin_api.get(f"/api/data/departments/{uuid.UUID(int=0)}")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_unknown_id_on_update_and_delete_gives_404(admin_api, department):
    path = f"/api/data/departments/{uuid.uuid4()}"

    assert admin_api.put(path, {"color": "#000000"}, format="json").json() == NOT_FOUND_BODY
    assert admin_api.delete(path).status_code == 404


@pytest.mark.django_db
def test_missing_token_gives_401(anonymous_api):
    response = anonymous_api.get("/api/data/departments")

    assert response.status_code == 401
    assert response.json() == {"msg": MISSING_TOKEN_MESSAGE}


@pytest.mark.django_db
def test_token_without_segments_gives_422(client_for):
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION="Bearer abc")

    response = api.get("/api/data/departments")

    assert response.status_code == 422
    assert response.json() == {"msg": "Not enough segments"}


@pytest.mark.django_db
def test_method_not_allowed_gives_zou_405(admin_api):
    response = admin_api.delete("/api/data/departments")

    assert response.status_code == 405
    assert response.json()["error"] is True


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"),
    [("/api", 200), ("/api/data/departments", 401), ("/api/data/nope-route", 404)],
)
def test_security_headers_on_every_response(anonymous_api, path, status):
    response = anonymous_api.get(path)

    assert response.status_code == status
    for name, value in SECURITY_HEADERS.items():
        assert response[name] == value, name
