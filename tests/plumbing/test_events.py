"""The event emitter: a row per event once the transaction commits, none when it
rolls back, and the acting person recorded only for their own requests."""

import uuid

import pytest
from django.db import transaction
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from kitsu_backend.api import events
from kitsu_backend.api.models import ApiEvent
from kitsu_backend.api.views import KitsuView


@pytest.mark.django_db(transaction=True)
def test_event_is_stored_when_the_transaction_commits():
    with transaction.atomic():
        events.emit(
            "department:new",
            {"department_id": uuid.UUID(int=1), "count": 3, "ids": (uuid.UUID(int=2),)},
        )
        # Nothing is sent before the commit.
        assert not ApiEvent.objects.exists()

    event = ApiEvent.objects.get()
    assert event.name == "department:new"
    # Ids become strings; numbers and lists stay as they are.
    assert event.data == {
        "department_id": str(uuid.UUID(int=1)),
        "count": 3,
        "ids": [str(uuid.UUID(int=2))],
    }
    assert event.project_id is None


def failing_write():
    with transaction.atomic():
        events.emit("department:new", {"department_id": "d1"})
        raise RuntimeError("the write fails after the event was queued")


@pytest.mark.django_db(transaction=True)
def test_no_event_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError):
        failing_write()

    assert not ApiEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_project_id_is_stored_and_added_to_the_data():
    project_id = "5b4e5f2a-3c1d-4e8a-9f00-000000000001"

    events.emit("asset:new", {"asset_id": "a1"}, project_id=project_id)

    event = ApiEvent.objects.get()
    assert str(event.project_id) == project_id
    assert event.data == {"asset_id": "a1", "project_id": project_id}


@pytest.mark.django_db(transaction=True)
def test_unpersisted_event_writes_no_row():
    events.emit("main:test", {}, persist=False)

    assert not ApiEvent.objects.exists()


class PublicEmitView(KitsuView):
    """An anonymous route that emits an event."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        events.emit("main:anonymous", {})
        return self.respond({})


@pytest.mark.django_db(transaction=True)
def test_anonymous_request_after_a_logged_in_one_records_no_person(admin_api):
    # A worker thread serves one request after another: the person of the
    # previous request must not be credited with this one's events.
    assert admin_api.get("/api/data/departments").status_code == 200

    request = APIRequestFactory().get("/api/anything")
    PublicEmitView.as_view()(request)

    assert ApiEvent.objects.get(name="main:anonymous").user_id is None
