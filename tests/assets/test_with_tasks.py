"""GET /data/assets/with-tasks: the main asset table of Kitsu."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.services import ASSET_FIELDS, ASSET_TASK_FIELDS
from productions.models import EntityLink, ProjectTaskTypeLink
from tasks.models import Subscription

URL = "/api/data/assets/with-tasks"


@pytest.fixture
def hero(team, make_asset, make_task, task_types, artist, episode):
    asset = make_asset("Hero", description="main character", data={"mood": "blue"})
    EntityLink.objects.create(entity_in=episode, entity_out=asset)
    make_task(asset, task_types["Modeling"], assignees=[artist], duration=60.0)
    make_task(asset, task_types["Shading"])
    return asset


def test_admin_gets_rows_with_every_field(api, admin, hero, project, artist, episode, characters):
    response = api(admin).get(URL, {"project_id": str(project.id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    (row,) = response.json()
    assert list(row) == list(ASSET_FIELDS)
    assert row["id"] == str(hero.id)
    assert row["name"] == "Hero"
    assert row["preview_file_id"] == ""
    assert row["ready_for"] == "None"
    assert row["episode_id"] == ""
    assert row["asset_type_name"] == "Characters"
    assert row["asset_type_id"] == str(characters.id)
    assert row["casting_episode_ids"] == [str(episode.id)]
    assert row["data"] == {"mood": "blue"}
    assert row["canceled"] is False
    modeling, shading = row["tasks"]
    assert list(modeling) == list(ASSET_TASK_FIELDS)
    assert modeling["assignees"] == [str(artist.id)]
    assert modeling["duration"] == 60.0
    assert modeling["entity_id"] == str(hero.id)
    assert modeling["is_subscribed"] is False
    assert shading["assignees"] == []


def test_subscription_marks_task(api, artist, hero):
    task = hero.tasks.get(task_type__name="Modeling")
    Subscription.objects.create(person=artist, task=task)
    rows = api(artist).get(URL, {"project_id": str(hero.project_id)}).json()
    flags = {t["id"]: t["is_subscribed"] for t in rows[0]["tasks"]}
    assert flags[str(task.id)] is True


def test_compact_form(api, admin, hero):
    body = api(admin).get(URL, {"project_id": str(hero.project_id), "compact": "true"}).json()
    assert body["compact"] is True
    assert body["asset_fields"] == list(ASSET_FIELDS)
    assert body["task_fields"] == list(ASSET_TASK_FIELDS)
    (row,) = body["rows"]
    assert row[0] == str(hero.id)
    assert row[1] == "Hero"
    tasks = row[ASSET_FIELDS.index("tasks")]
    assert len(tasks) == 2
    assert tasks[0][ASSET_TASK_FIELDS.index("entity_id")] == str(hero.id)


def test_stream_compact_is_ndjson(api, admin, hero):
    response = api(admin).get(
        URL, {"project_id": str(hero.project_id), "compact": "true", "stream": "true"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    lines = b"".join(response.streaming_content).decode().strip().split("\n")
    header = json.loads(lines[0])
    assert header == {
        "compact": True,
        "asset_fields": list(ASSET_FIELDS),
        "task_fields": list(ASSET_TASK_FIELDS),
    }
    assert len(lines) == 2
    assert json.loads(lines[1])[1] == "Hero"


def test_etag_answers_304(api, admin, hero):
    client = api(admin)
    first = client.get(URL, {"project_id": str(hero.project_id)})
    etag = first["ETag"]
    assert etag
    again = client.get(URL, {"project_id": str(hero.project_id)}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    hero.name = "Hero2"
    hero.save()
    changed = client.get(URL, {"project_id": str(hero.project_id)}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_episode_filter(api, admin, make_asset, team, episode):
    in_episode = make_asset("Villain", source=episode)
    make_asset("Tree")
    rows = api(admin).get(URL, {"project_id": str(team.id), "episode_id": str(episode.id)}).json()
    assert [row["id"] for row in rows] == [str(in_episode.id)]
    assert rows[0]["episode_id"] == str(episode.id)
    main = api(admin).get(URL, {"project_id": str(team.id), "episode_id": "main"}).json()
    assert [row["name"] for row in main] == ["Tree"]


def test_asset_type_filter(api, admin, make_asset, team, props):
    make_asset("Hero")
    make_asset("Chair", entity_type=props)
    rows = api(admin).get(URL, {"project_id": str(team.id), "asset_type_id": str(props.id)})
    assert [row["name"] for row in rows.json()] == ["Chair"]


def test_rows_sorted_by_type_then_name(api, admin, make_asset, team, props):
    make_asset("Zed")
    make_asset("Chair", entity_type=props)
    make_asset("Adam")
    rows = api(admin).get(URL, {"project_id": str(team.id)}).json()
    assert [row["name"] for row in rows] == ["Adam", "Zed", "Chair"]


def test_artist_of_team_sees_everything(api, artist, hero):
    rows = api(artist).get(URL, {"project_id": str(hero.project_id)}).json()
    assert len(rows[0]["tasks"]) == 2


def test_vendor_sees_only_assigned_assets_and_tasks(
    api, vendor, team, make_asset, make_task, task_types
):
    mine = make_asset("Mine")
    make_asset("Other")
    assigned = make_task(mine, task_types["Modeling"], assignees=[vendor])
    make_task(mine, task_types["Shading"])
    rows = api(vendor).get(URL, {"project_id": str(team.id)}).json()
    assert [row["name"] for row in rows] == ["Mine"]
    assert [task["id"] for task in rows[0]["tasks"]] == [str(assigned.id)]


def test_client_sees_client_visible_task_types_only(api, client_person, hero, task_types):
    ProjectTaskTypeLink.objects.filter(task_type=task_types["Shading"]).update(
        is_client_visible=False
    )
    rows = api(client_person).get(URL, {"project_id": str(hero.project_id)}).json()
    assert [task["task_type_id"] for task in rows[0]["tasks"]] == [str(task_types["Modeling"].id)]


def test_outsider_gets_403(api, outsider, hero):
    response = api(outsider).get(URL, {"project_id": str(hero.project_id)})
    assert response.status_code == 403


def test_anonymous_gets_401(anonymous_api, hero):
    assert anonymous_api.get(URL, {"project_id": str(hero.project_id)}).status_code == 401


def test_malformed_project_id_gets_400(api, admin):
    response = api(admin).get(URL, {"project_id": "nope"})
    assert response.status_code == 400
    assert response.json()["message"] == "Malformed ID."


def test_unknown_project_gets_404(api, admin, db):
    response = api(admin).get(URL, {"project_id": "5f8e7a9b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"})
    assert response.status_code == 404


def _build(count, make_asset, make_task, task_types, artist, episode):
    for number in range(count):
        asset = make_asset(f"Asset{number:03d}")
        EntityLink.objects.create(entity_in=episode, entity_out=asset)
        make_task(asset, task_types["Modeling"], assignees=[artist])
        make_task(asset, task_types["Shading"], assignees=[artist])


def _count_queries(client, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, params)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"compact": "true"}, {"compact": "true", "stream": "true"}],
    ids=["plain", "compact", "stream"],
)
def test_query_count_does_not_grow_with_assets(
    api, artist, team, make_asset, make_task, task_types, episode, params
):
    """Nine queries for 1 and for 50 assets: token revocation check, person,
    project, team roles, assets with type names, episode links, tasks,
    assignees, subscriptions."""
    client = api(artist)
    query = {"project_id": str(team.id), **params}
    _build(1, make_asset, make_task, task_types, artist, episode)
    small = _count_queries(client, query)
    _build(49, make_asset, make_task, task_types, artist, episode)
    large = _count_queries(client, query)
    assert small == large
    rows = client.get(URL, {"project_id": str(team.id)}).json()
    assert len(rows) == 50
    assert small == 9
