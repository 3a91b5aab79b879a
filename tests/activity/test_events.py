"""The persisted event log: latest events for managers of the projects
concerned, event names, and admins' login logs."""

from datetime import datetime, timedelta

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import LoginLog
from tests.activity.conftest import UNKNOWN_ID

URL = "/api/data/events/last"
MOMENT = datetime(2026, 12, 3, 16, 45, 41)


@pytest.fixture
def make_event():
    def make(name, project=None, minutes=0, user=None, data=None):
        return ApiEvent.objects.create(
            name=name,
            project_id=project.pk if project else None,
            user=user,
            data=data if data is not None else {},
            created_at=MOMENT + timedelta(minutes=minutes),
        )

    return make


def test_last_events_payload(make_event, admin, admin_api, project):
    event = make_event("project:update", user=admin, data={"project_id": str(project.pk)})

    response = admin_api.get(URL, {"limit": 2})

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(event.pk),
            "created_at": "2026-12-03T16:45:41",
            "name": "project:update",
            "user_id": str(admin.pk),
            "project_id": None,
            "data": {"project_id": str(project.pk)},
        }
    ]


def test_managers_only_see_events_of_their_projects(
    team, other_project, manager, client_for, make_event
):
    mine = make_event("task:update", team, minutes=1)
    make_event("task:update", other_project, minutes=2)
    studio = make_event("task-type:new", minutes=3)
    make_event("project:update", minutes=4, data={"project_id": str(other_project.pk)})
    about_mine = make_event("project:update", minutes=5, data={"project_id": str(team.pk)})

    rows = client_for(manager).get(URL).json()

    assert [row["id"] for row in rows] == [str(about_mine.pk), str(studio.pk), str(mine.pk)]


def test_event_filters_and_cursor(team, admin, admin_api, make_event):
    first = make_event("comment:new", team, minutes=1, user=admin)
    second = make_event("task:update", team, minutes=2)
    third = make_event("preview-file:add-file", team, minutes=3)
    make_event("task:update", minutes=4)

    def ids(**params):
        return [row["id"] for row in admin_api.get(URL, params).json()]

    assert ids(project_id=str(team.pk), limit=2) == [str(third.pk), str(second.pk)]
    assert ids(project_id=str(team.pk), cursor_event_id=str(second.pk)) == [str(first.pk)]
    assert ids(name="comment:new") == [str(first.pk)]
    assert ids(name_prefix="preview-file") == [str(third.pk)]
    assert ids(name_suffix=":new") == [str(first.pk)]
    assert ids(only_files="true") == [str(third.pk)]
    assert ids(person_ids=str(admin.pk)) == [str(first.pk)]
    assert ids(after="2026-12-03T16:46:30", before="2026-12-03T16:48:30") == [
        str(second.pk),
        str(first.pk),
    ]


def test_last_events_access_and_bad_parameters(artist, client_for, admin_api, anonymous_api):
    assert anonymous_api.get(URL).status_code == 401
    assert client_for(artist).get(URL).status_code == 403
    assert admin_api.get(URL, {"limit": "many"}).status_code == 400
    assert admin_api.get(URL, {"after": "soon"}).status_code == 400
    assert admin_api.get(URL, {"project_id": "nope"}).status_code == 400
    assert admin_api.get(URL, {"cursor_event_id": UNKNOWN_ID}).status_code == 400


@pytest.mark.parametrize("size", [1, 8])
def test_last_events_query_count_does_not_grow(
    team, manager, client_for, make_event, django_assert_num_queries, size
):
    for minute in range(size):
        make_event("task:update", team, minutes=minute)
    api = client_for(manager)
    # Token blocklist, person, team links, then the events.
    with django_assert_num_queries(4):
        response = api.get(URL)
    assert len(response.json()) == size


def test_event_names(make_event, manager, artist, client_for):
    make_event("task:update")
    make_event("comment:new")
    make_event("task:update")
    assert client_for(manager).get("/api/data/events/names").json() == [
        "comment:new",
        "task:update",
    ]
    assert client_for(artist).get("/api/data/events/names").status_code == 403


def test_login_logs_are_for_admins(admin, admin_api, manager, client_for, anonymous_api):
    older = LoginLog.objects.create(person=admin, ip_address="10.0.0.1", origin="web")
    older.created_at = MOMENT
    older.save()
    newer = LoginLog.objects.create(person=manager, ip_address="10.0.0.2", origin="script")
    path = "/api/data/events/login-logs/last"

    rows = admin_api.get(path).json()
    assert [row["id"] for row in rows] == [str(newer.pk), str(older.pk)]
    assert rows[0]["ip_address"] == "10.0.0.2"
    assert rows[0]["origin"] == "script"
    assert rows[0]["person_id"] == str(manager.pk)
    assert [row["id"] for row in admin_api.get(path, {"person_ids": str(admin.pk)}).json()] == [
        str(older.pk)
    ]
    assert [
        row["id"] for row in admin_api.get(path, {"cursor_login_log_id": str(newer.pk)}).json()
    ] == [str(older.pk)]
    assert client_for(manager).get(path).status_code == 403
    assert anonymous_api.get(path).status_code == 401
