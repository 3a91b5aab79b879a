"""Breakdown routes: casting reads and updates, derived episode casting, instances."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kitsu_backend.api.models import ApiEvent
from productions.models import AssetInstance, AssetInstanceLink, EntityLink
from shots.models import Scene
from tasks.models import Task

UNKNOWN = str(uuid.uuid4())


@pytest.fixture
def cast(team, make_asset, props):
    return {
        "hero": make_asset("Hero"),
        "adam": make_asset("Adam"),
        "chair": make_asset("Chair", entity_type=props),
    }


def casting_url(project, entity):
    return f"/api/data/projects/{project.id}/entities/{entity.id}/casting"


def put_casting(client, project, entity, body, capture):
    with capture(execute=True):
        return client.put(casting_url(project, entity), body, format="json")


def test_put_shot_casting_links_episode_and_emits(
    api, manager, team, cast, make_shot, episode, django_capture_on_commit_callbacks
):
    shot = make_shot("SH010")
    body = [
        {"asset_id": str(cast["hero"].id), "nb_occurences": 2, "label": "animate"},
        {"asset_id": str(cast["chair"].id), "nb_occurences": 1},
    ]
    response = put_casting(api(manager), team, shot, body, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.json()[0] == {
        "asset_id": str(cast["hero"].id),
        "nb_occurences": 2,
        "label": "animate",
    }
    shot.refresh_from_db()
    assert shot.nb_entities_out == 2
    link = EntityLink.objects.get(entity_in=shot, entity_out=cast["hero"])
    assert (link.nb_occurences, link.label) == (2, "animate")
    episode_assets = set(
        EntityLink.objects.filter(entity_in=episode).values_list("entity_out_id", flat=True)
    )
    assert episode_assets == {cast["hero"].id, cast["chair"].id}
    assert ApiEvent.objects.filter(name="entity-link:new").count() == 2
    update = ApiEvent.objects.get(name="shot:casting-update").data
    assert update["shot_id"] == str(shot.id)
    assert update["nb_entities_out"] == 2
    assert sorted(update["added_asset_ids"]) == sorted(
        [str(cast["hero"].id), str(cast["chair"].id)]
    )
    assert update["removed_asset_ids"] == []
    assert ApiEvent.objects.filter(name="episode:casting-update").exists()


def test_removing_last_shot_use_uncasts_from_episode(
    api, manager, team, cast, make_shot, episode, django_capture_on_commit_callbacks
):
    first, second = make_shot("SH010"), make_shot("SH020")
    client = api(manager)
    hero = {"asset_id": str(cast["hero"].id), "nb_occurences": 1}
    put_casting(client, team, first, [hero], django_capture_on_commit_callbacks)
    put_casting(client, team, second, [hero], django_capture_on_commit_callbacks)
    put_casting(client, team, first, [], django_capture_on_commit_callbacks)
    assert EntityLink.objects.filter(entity_in=episode, entity_out=cast["hero"]).exists()
    put_casting(client, team, second, [], django_capture_on_commit_callbacks)
    assert not EntityLink.objects.filter(entity_in=episode).exists()
    removals = [
        event.data["removed_asset_ids"]
        for event in ApiEvent.objects.filter(name="shot:casting-update")
        if event.data["shot_id"] == str(second.id)
    ]
    assert sorted(removals) == [[], [str(cast["hero"].id)]]


def test_update_existing_link_emits_update(
    api, manager, team, cast, make_shot, django_capture_on_commit_callbacks
):
    shot = make_shot("SH010")
    client = api(manager)
    entry = {"asset_id": str(cast["hero"].id), "nb_occurences": 1}
    put_casting(client, team, shot, [entry], django_capture_on_commit_callbacks)
    put_casting(
        client, team, shot, [{**entry, "nb_occurences": 3}], django_capture_on_commit_callbacks
    )
    event = ApiEvent.objects.get(name="entity-link:update")
    assert event.data["nb_occurences"] == 3


def test_nb_assets_ready_follows_pipeline_order(
    api,
    manager,
    team,
    cast,
    make_shot,
    make_task,
    task_types,
    other_project,
    make_asset,
    django_capture_on_commit_callbacks,
):
    shot = make_shot("SH010")
    layout = make_task(shot, task_types["Layout"])
    animation = make_task(shot, task_types["Animation"])
    # Hero is ready up to Layout: ready for layout, not for animation.
    cast["hero"].ready_for = task_types["Layout"].id
    cast["hero"].save()
    shared = make_asset("Tree", target_project=other_project, is_shared=True)
    body = [
        {"asset_id": str(cast["hero"].id), "nb_occurences": 1},
        {"asset_id": str(cast["adam"].id), "nb_occurences": 1},
        {"asset_id": str(shared.id), "nb_occurences": 1},
    ]
    response = put_casting(api(manager), team, shot, body, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    layout.refresh_from_db()
    animation.refresh_from_db()
    assert layout.nb_assets_ready == 2
    assert animation.nb_assets_ready == 1
    # Not persisted: no events row for the casting stats.
    assert not ApiEvent.objects.filter(name="task:update-casting-stats").exists()


def test_put_casting_bad_input(api, manager, team, make_shot, other_project, make_asset):
    shot = make_shot("SH010")
    foreign = make_asset("Foreign", target_project=other_project)
    client = api(manager)
    url = casting_url(team, shot)
    assert client.put(url, {"asset_id": "x"}, format="json").status_code == 400
    assert client.put(url, [{"asset_id": "bad"}], format="json").status_code == 400
    response = client.put(url, [{"asset_id": str(foreign.id), "nb_occurences": 1}], format="json")
    assert response.status_code == 400
    assert not EntityLink.objects.exists()
    assert (
        client.put(
            f"/api/data/projects/{team.id}/entities/{UNKNOWN}/casting", [], format="json"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["supervisor", "artist", "client_person", "vendor", "outsider"])
def test_only_managers_put_casting(request, api, team, make_shot, who):
    person = request.getfixturevalue(who)
    response = api(person).put(casting_url(team, make_shot("SH010")), [], format="json")
    assert response.status_code == 403


def test_get_casting_sorted_and_without_canceled(api, artist, team, cast, make_shot):
    shot = make_shot("SH010")
    for name in ("chair", "hero", "adam"):
        EntityLink.objects.create(entity_in=shot, entity_out=cast[name], nb_occurences=2, label="x")
    cast["adam"].canceled = True
    cast["adam"].save()
    rows = api(artist).get(casting_url(team, shot)).json()
    assert [row["asset_name"] for row in rows] == ["Hero", "Chair"]
    assert rows[0] == {
        "asset_id": str(cast["hero"].id),
        "asset_name": "Hero",
        "asset_type_name": "Characters",
        "ready_for": None,
        "episode_id": None,
        "preview_file_id": None,
        "nb_occurences": 2,
        "label": "x",
        "is_shared": False,
        "project_id": str(team.id),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("client_person", 200), ("supervisor", 200), ("vendor", 403), ("outsider", 403)],
)
def test_casting_read_by_role(request, api, team, make_shot, who, status):
    person = request.getfixturevalue(who)
    assert api(person).get(casting_url(team, make_shot("SH010"))).status_code == status


def test_keyed_castings(api, artist, team, cast, make_shot, sequence, episode):
    first, second = make_shot("SH010"), make_shot("SH020")
    EntityLink.objects.create(entity_in=first, entity_out=cast["hero"], nb_occurences=2)
    EntityLink.objects.create(entity_in=second, entity_out=cast["chair"])
    EntityLink.objects.create(entity_in=episode, entity_out=cast["hero"])
    client = api(artist)
    by_sequence = client.get(f"/api/data/projects/{team.id}/sequences/{sequence.id}/casting").json()
    assert set(by_sequence) == {str(first.id), str(second.id)}
    entry = by_sequence[str(first.id)][0]
    assert entry["name"] == entry["asset_name"] == "Hero"
    assert entry["sequence_name"] == "SQ01"
    assert entry["nb_occurences"] == 2
    all_shots = client.get(f"/api/data/projects/{team.id}/sequences/all/casting").json()
    assert set(all_shots) == {str(first.id), str(second.id)}
    url = f"/api/data/projects/{team.id}/episodes/{episode.id}/sequences/all/casting"
    assert set(client.get(url).json()) == {str(first.id), str(second.id)}
    episodes = client.get(f"/api/data/projects/{team.id}/episodes/casting").json()
    assert [row["asset_id"] for row in episodes[str(episode.id)]] == [str(cast["hero"].id)]


def test_sequence_casting_query_count_is_flat(api, artist, team, cast, make_shot, sequence):
    client = api(artist)
    url = f"/api/data/projects/{team.id}/sequences/{sequence.id}/casting"
    EntityLink.objects.create(entity_in=make_shot("SH000"), entity_out=cast["hero"])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for number in range(1, 30):
        shot = make_shot(f"SH{number:03d}")
        EntityLink.objects.create(entity_in=shot, entity_out=cast["hero"])
        EntityLink.objects.create(entity_in=shot, entity_out=cast["chair"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.json()) == 30
    assert len(one.captured_queries) == len(many.captured_queries) == 6


def test_asset_type_casting_and_asset_casting(
    api, manager, artist, team, cast, props, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).put(
            f"/api/data/assets/{cast['chair'].id}/casting",
            [{"asset_id": str(cast["hero"].id), "nb_occurences": 1}],
            format="json",
        )
    assert response.status_code == 200
    event = ApiEvent.objects.get(name="asset:casting-update").data
    assert event["asset_id"] == str(cast["chair"].id)
    client = api(artist)
    keyed = client.get(f"/api/data/projects/{team.id}/asset-types/{props.id}/casting").json()
    assert [row["asset_id"] for row in keyed[str(cast["chair"].id)]] == [str(cast["hero"].id)]
    assert (
        client.get(f"/api/data/assets/{cast['chair'].id}/casting").json()[0]["asset_name"] == "Hero"
    )
    linked = client.get(f"/api/data/assets/{cast['chair'].id}/assets").json()
    assert [row["name"] for row in linked] == ["Hero"]
    cast_in = client.get(f"/api/data/assets/{cast['hero'].id}/cast-in").json()
    assert cast_in == [
        {
            "asset_id": str(cast["chair"].id),
            "asset_name": "Chair",
            "asset_type_name": "Props",
            "preview_file_id": None,
            "nb_occurences": 1,
        }
    ]
    put = api(artist).put(f"/api/data/assets/{cast['chair'].id}/casting", [], format="json")
    assert put.status_code == 403


def test_cast_in_lists_shots(api, artist, team, cast, make_shot, episode):
    shot = make_shot("SH010")
    EntityLink.objects.create(entity_in=shot, entity_out=cast["hero"], nb_occurences=3)
    (row,) = api(artist).get(f"/api/data/assets/{cast['hero'].id}/cast-in").json()
    assert row["shot_id"] == str(shot.id)
    assert row["sequence_name"] == "SQ01"
    assert row["episode_id"] == str(episode.id)
    assert row["episode_name"] == "E01"
    assert row["nb_occurences"] == 3


def test_cast_asset_in_several_entities(
    api, manager, team, cast, make_shot, django_capture_on_commit_callbacks
):
    first, second = make_shot("SH010"), make_shot("SH020")
    EntityLink.objects.create(entity_in=first, entity_out=cast["chair"])
    url = f"/api/data/projects/{team.id}/entities/casting/assets/{cast['hero'].id}"
    client = api(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            url, {"entity_ids": [str(first.id), str(second.id)], "label": "fixed"}, format="json"
        )
    assert response.status_code == 200
    body = response.json()
    assert {row["asset_id"] for row in body[str(first.id)]} == {
        str(cast["hero"].id),
        str(cast["chair"].id),
    }
    assert EntityLink.objects.get(entity_in=second, entity_out=cast["hero"]).label == "fixed"
    with django_capture_on_commit_callbacks(execute=True):
        client.put(url, {"entity_ids": [str(first.id)], "nb_occurences": 0}, format="json")
    assert not EntityLink.objects.filter(entity_in=first, entity_out=cast["hero"]).exists()
    assert client.put(url, {"entity_ids": []}, format="json").status_code == 400


def test_bulk_casting(
    api, manager, artist, team, cast, make_shot, django_capture_on_commit_callbacks
):
    shot = make_shot("SH010")
    url = f"/api/data/projects/{team.id}/entities/casting"
    body = {str(shot.id): [{"asset_id": str(cast["hero"].id), "nb_occurences": 4}]}
    assert api(artist).put(url, body, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).put(url, body, format="json")
    assert response.status_code == 200
    assert response.json()[str(shot.id)][0]["nb_occurences"] == 4
    bad = api(manager).put(url, {UNKNOWN: []}, format="json")
    assert bad.status_code == 400


def test_project_entity_links(
    api, manager, artist, team, cast, make_shot, django_capture_on_commit_callbacks
):
    shot = make_shot("SH010")
    link = EntityLink.objects.create(entity_in=shot, entity_out=cast["hero"])
    shot.nb_entities_out = 1
    shot.save()
    url = f"/api/data/projects/{team.id}/entity-links"
    assert api(artist).get(url).status_code == 403
    rows = api(manager).get(url).json()
    assert [row["id"] for row in rows] == [str(link.id)]
    page = api(manager).get(url, {"page": 1, "limit": 10}).json()
    assert page["total"] == 1
    assert page["page"] == 1
    assert len(page["data"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).delete(f"{url}/{link.id}")
    assert response.status_code == 204
    shot.refresh_from_db()
    assert shot.nb_entities_out == 0
    assert ApiEvent.objects.filter(name="entity-link:delete").exists()
    assert api(manager).delete(f"{url}/{UNKNOWN}").status_code == 404


def test_asset_instances(
    api,
    artist,
    vendor,
    team,
    cast,
    make_shot,
    sequence,
    project,
    django_capture_on_commit_callbacks,
):
    scene = Scene.objects.create(name="SC01", project=project, parent=sequence)
    client = api(artist)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/data/scenes/{scene.id}/asset-instances",
            {"asset_id": str(cast["hero"].id), "description": "left"},
            format="json",
        )
    assert response.status_code == 201
    instance = response.json()
    assert instance["name"] == "Hero_0001"
    assert instance["number"] == 1
    assert ApiEvent.objects.filter(name="asset_instance:new").exists()
    second = client.post(
        f"/api/data/scenes/{scene.id}/asset-instances",
        {"asset_id": str(cast["hero"].id)},
        format="json",
    ).json()
    assert second["number"] == 2
    by_asset = client.get(f"/api/data/scenes/{scene.id}/asset-instances").json()
    assert [row["number"] for row in by_asset[str(cast["hero"].id)]] == [1, 2]
    assert client.get(f"/api/data/scenes/{scene.id}/camera-instances").json() == {}
    scenes = client.get(f"/api/data/assets/{cast['hero'].id}/scene-asset-instances").json()
    assert len(scenes[str(scene.id)]) == 2

    shot = make_shot("SH010")
    response = client.post(
        f"/api/data/shots/{shot.id}/asset-instances",
        {"asset_instance_id": instance["id"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["instance_casting"] == [instance["id"]]
    assert list(client.get(f"/api/data/shots/{shot.id}/asset-instances").json()) == [
        str(cast["hero"].id)
    ]
    shots = client.get(f"/api/data/assets/{cast['hero'].id}/shot-asset-instances").json()
    assert [row["id"] for row in shots[str(shot.id)]] == [instance["id"]]
    url = f"/api/data/shots/{shot.id}/asset-instances/{instance['id']}"
    assert client.delete(url).status_code == 204
    assert not AssetInstanceLink.objects.exists()

    inside = client.post(
        f"/api/data/assets/{cast['chair'].id}/asset-asset-instances",
        {"asset_to_instantiate_id": str(cast["hero"].id)},
        format="json",
    )
    assert inside.status_code == 201
    listed = client.get(f"/api/data/assets/{cast['chair'].id}/asset-asset-instances").json()
    assert list(listed) == [str(cast["hero"].id)]
    missing = client.post(
        f"/api/data/assets/{cast['chair'].id}/asset-asset-instances", {}, format="json"
    )
    assert missing.status_code == 400
    assert api(vendor).get(f"/api/data/scenes/{scene.id}/asset-instances").status_code == 403
    assert client.get(f"/api/data/scenes/{UNKNOWN}/asset-instances").status_code == 404
    assert AssetInstance.objects.count() == 3
    assert Task.objects.count() == 0


def test_ready_for_change_refreshes_the_shots_casting_the_asset(
    api, manager, team, cast, make_shot, make_task, task_types, django_capture_on_commit_callbacks
):
    shot = make_shot("SH020")
    animation = make_task(shot, task_types["Animation"])
    body = [{"asset_id": str(cast["hero"].id), "nb_occurences": 1}]
    assert (
        put_casting(api(manager), team, shot, body, django_capture_on_commit_callbacks).status_code
        == 200
    )
    animation.refresh_from_db()
    assert animation.nb_assets_ready == 0

    # What a status automation of the "ready_for" kind does.
    from tasks.status_automations import set_ready_for

    set_ready_for(cast["hero"], task_types["Animation"].id)

    animation.refresh_from_db()
    assert animation.nb_assets_ready == 1
