"""JSON as Zou writes it: naive timestamps without microseconds, canonical
UUIDs, ISO dates, decimals as numbers."""

import uuid
from datetime import date, datetime
from decimal import Decimal

import orjson
import pytest

from kitsu_backend.api.renderers import KitsuJSONRenderer, dumps
from people.models import Department


def test_renderer_formats_zou_values():
    identifier = uuid.UUID("0f8e2a3c-1b2d-4c5e-8f90-a1b2c3d4e5f6")
    data = {
        "id": identifier,
        "when": datetime(2024, 3, 5, 14, 7, 9, 123456),
        "day": date(2024, 3, 5),
        "price": Decimal("12.50"),
        "tags": ("a", "b"),
        "nothing": None,
    }

    rendered = KitsuJSONRenderer().render(data)

    assert rendered == (
        b'{"id":"0f8e2a3c-1b2d-4c5e-8f90-a1b2c3d4e5f6","when":"2024-03-05T14:07:09",'
        b'"day":"2024-03-05","price":12.5,"tags":["a","b"],"nothing":null}'
    )


def test_renderer_writes_an_empty_body_for_none():
    assert KitsuJSONRenderer().render(None) == b""


def test_dumps_refuses_unknown_types():
    with pytest.raises(orjson.JSONEncodeError):
        dumps({"value": object()})


def test_dumps_accepts_integer_keys_and_sets():
    assert orjson.loads(dumps({1: {3}})) == {"1": [3]}


@pytest.mark.django_db
def test_api_timestamps_have_no_microseconds_nor_offset(admin_api):
    department = Department.objects.create(name="Layout", color="#000000")
    Department.objects.filter(pk=department.pk).update(
        created_at=datetime(2024, 3, 5, 14, 7, 9, 987654),
        updated_at=datetime(2024, 3, 6, 8, 0, 1, 5),
    )

    listed = admin_api.get("/api/data/departments").json()[0]
    single = admin_api.get(f"/api/data/departments/{department.id}").json()

    for row in (listed, single):
        assert row["created_at"] == "2024-03-05T14:07:09"
        assert row["updated_at"] == "2024-03-06T08:00:01"
        assert row["id"] == str(department.id)


@pytest.mark.django_db
def test_timestamps_are_rendered_to_the_second(admin_api):
    body = admin_api.post(
        "/api/data/departments", {"name": "Layout", "color": "#000000"}, format="json"
    ).json()

    created = datetime.fromisoformat(body["created_at"])
    assert len(body["created_at"]) == len("2024-03-05T14:07:09")
    assert created.tzinfo is None
    # Stored with microseconds (rows of one second keep their order), shown without.
    stored = Department.objects.get(pk=body["id"]).created_at
    assert created == stored.replace(microsecond=0)
