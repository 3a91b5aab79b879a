"""GET /data/user/projects/open: the open productions of the caller's teams."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

URL = "/api/data/user/projects/open"


def names(client_for, person, query=""):
    response = client_for(person).get(URL + query)
    assert response.status_code == 200
    return [project["name"] for project in response.json()]


def test_anonymous_gets_401(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_team_members_see_their_open_projects(
    client_for, artist, client_person, vendor, outsider, production, make_project, closed_status
):
    make_project(name="Other")
    make_project(name="Closed one", status=closed_status, team={artist: None})

    assert names(client_for, artist) == ["Demo TV"]
    assert names(client_for, client_person) == ["Demo TV"]
    assert names(client_for, vendor) == ["Demo TV"]
    assert names(client_for, outsider) == []


def test_admin_sees_every_open_project(client_for, admin, production, make_project, closed_status):
    make_project(name="Other")
    make_project(name="Closed one", status=closed_status)

    assert names(client_for, admin) == ["Demo TV", "Other"]


def test_name_filter(client_for, admin, production, make_project):
    make_project(name="Other")

    assert names(client_for, admin, "?name=Other") == ["Other"]
    assert names(client_for, admin, "?name=Nothing") == []


def test_rows_carry_the_extra_data(client_for, artist, production):
    project = client_for(artist).get(URL).json()[0]

    assert project["type"] == "Project"
    assert project["first_episode_id"] == str(production.episode.id)
    assert set(project["task_types_priority"]) == {
        str(task_type.id)
        for task_type in (
            production.workflow.modeling,
            production.workflow.layout,
            production.workflow.animation,
        )
    }


def test_query_count_does_not_grow_with_projects(client_for, artist, make_project):
    client = client_for(artist)

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        return len(queries), len(response.json())

    make_project(production_type="tvshow", team={artist: None})
    small, _ = measure()
    for _ in range(9):
        make_project(production_type="tvshow", team={artist: None})
    large, count = measure()

    assert count == 10
    assert small == large
