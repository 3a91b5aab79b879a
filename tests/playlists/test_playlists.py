"""Playlists: listings, reading with previews, entries, the generic resource,
previews of an entity and client notifications."""

import pytest

from kitsu_backend.api.models import ApiEvent
from tasks.models import Notification, Playlist

from .conftest import UNKNOWN_ID

LIST_KEYS = {
    "name", "project_id", "episode_id", "task_type_id", "for_client", "for_entity",
    "is_for_all", "created_by", "id", "created_at", "updated_at", "type",
}  # fmt: skip
ENTITY_PREVIEW_KEYS = [
    "id", "revision", "original_name", "extension", "width", "height", "duration", "status",
    "annotations", "previews", "created_at", "task_id", "original_width", "original_height",
    "original_duration", "original_file_size",
]  # fmt: skip


@pytest.fixture
def api(client_for):
    return client_for


# --- project listings -----------------------------------------------------------------


def test_project_playlists_payload(api, manager, team, shot, task, make_preview, make_playlist):
    preview = make_preview(task)
    playlist = make_playlist(
        shots=[{"entity_id": str(shot.id), "preview_file_id": str(preview.id)}]
    )
    response = api(manager).get(f"/api/data/projects/{team.id}/playlists")
    assert response.status_code == 200
    (row,) = response.json()
    assert set(row) == LIST_KEYS | {"first_preview_file_id"}
    assert row["id"] == str(playlist.id)
    assert row["type"] == "Playlist"
    assert row["first_preview_file_id"] == str(preview.id)
    assert row["for_entity"] == "shot"


def test_project_playlists_are_paginated_by_twenty(api, admin, project, make_playlist):
    for number in range(23):
        make_playlist(f"Dailies {number:02d}")
    first = api(admin).get(f"/api/data/projects/{project.id}/playlists").json()
    second = api(admin).get(f"/api/data/projects/{project.id}/playlists?page=2").json()
    assert len(first) == 20
    assert len(second) == 3
    assert not {row["id"] for row in first} & {row["id"] for row in second}


def test_project_playlists_sort_and_task_type_filter(api, admin, project, animation, make_playlist):
    make_playlist("Beta", task_type=animation)
    make_playlist("Alpha")
    rows = api(admin).get(f"/api/data/projects/{project.id}/playlists?sort_by=name").json()
    assert [row["name"] for row in rows] == ["Alpha", "Beta"]
    rows = (
        api(admin)
        .get(f"/api/data/projects/{project.id}/playlists?task_type_id={animation.id}")
        .json()
    )
    assert [row["name"] for row in rows] == ["Beta"]


def test_client_lists_only_playlists_for_clients(api, client_person, team, make_playlist):
    make_playlist("Internal")
    shared = make_playlist("For the client", for_client=True)
    rows = api(client_person).get(f"/api/data/projects/{team.id}/playlists").json()
    assert [row["id"] for row in rows] == [str(shared.id)]


@pytest.mark.parametrize(("who", "status"), [("artist", 200), ("supervisor", 200), ("vendor", 403)])
def test_project_playlists_by_role(api, request, team, make_playlist, who, status):
    make_playlist()
    response = api(request.getfixturevalue(who)).get(f"/api/data/projects/{team.id}/playlists")
    assert response.status_code == status


def test_project_playlists_errors(api, make_person, admin, project, anonymous_api):
    outsider = make_person("manager")
    assert api(outsider).get(f"/api/data/projects/{project.id}/playlists").status_code == 403
    assert anonymous_api.get(f"/api/data/projects/{project.id}/playlists").status_code == 401
    assert api(admin).get(f"/api/data/projects/{UNKNOWN_ID}/playlists").status_code == 404
    assert api(admin).get("/api/data/projects/nope/playlists").status_code == 400
    bad_filter = f"/api/data/projects/{project.id}/playlists?task_type_id=nope"
    assert api(admin).get(bad_filter).status_code == 400


def test_episode_playlists_main_all_and_episode(
    api, manager, team, episode, make_playlist, make_person
):
    main = make_playlist("Main pack")
    every = make_playlist("All episodes", is_for_all=True)
    of_episode = make_playlist("E01 dailies", episode=episode)
    base = f"/api/data/projects/{team.id}/episodes"
    assert [row["id"] for row in api(manager).get(f"{base}/main/playlists").json()] == [
        str(main.id)
    ]
    assert [row["id"] for row in api(manager).get(f"{base}/all/playlists").json()] == [
        str(every.id)
    ]
    rows = api(manager).get(f"{base}/{episode.id}/playlists").json()
    assert [row["id"] for row in rows] == [str(of_episode.id)]
    assert api(manager).get(f"{base}/{UNKNOWN_ID}/playlists").status_code == 404
    assert api(manager).get(f"{base}/nope/playlists").status_code == 400
    assert api(make_person("user")).get(f"{base}/main/playlists").status_code == 403


def test_all_playlists_is_for_admins(api, admin, manager, team, make_playlist):
    playlist = make_playlist(shots=[])
    response = api(admin).get(f"/api/data/projects/{team.id}/playlists/all")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(playlist.id)]
    assert response.json()[0]["shots"] == []
    page = api(admin).get(f"/api/data/projects/{team.id}/playlists/all?page=1").json()
    assert page["total"] == 1
    assert api(manager).get(f"/api/data/projects/{team.id}/playlists/all").status_code == 403
    assert api(admin).get(f"/api/data/projects/{UNKNOWN_ID}/playlists/all").status_code == 404


# --- reading one playlist --------------------------------------------------------------


@pytest.fixture
def reviewed(shot, task, make_task, layout, make_preview, make_playlist):
    """A playlist on the animation revision 2 of the shot (which has two files),
    with an older revision and a layout preview available."""
    make_preview(task, revision=1)
    chosen = make_preview(task, revision=2, extension="mp4", duration=2.5)
    second_file = make_preview(task, revision=2, position=2)
    layout_preview = make_preview(make_task(shot, layout), revision=1)
    playlist = make_playlist(shots=[{"entity_id": str(shot.id), "preview_file_id": str(chosen.id)}])
    return playlist, chosen, second_file, layout_preview


def test_playlist_detail_enriches_entries(api, manager, team, shot, task, layout, reviewed):
    playlist, chosen, second_file, layout_preview = reviewed
    response = api(manager).get(f"/api/data/projects/{team.id}/playlists/{playlist.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["build_jobs"] == []
    (entry,) = body["shots"]
    assert entry["id"] == entry["entity_id"] == str(shot.id)
    assert entry["preview_file_id"] == str(chosen.id)
    assert entry["preview_file_extension"] == "mp4"
    assert entry["preview_file_revision"] == 2
    assert entry["preview_file_width"] == 64
    assert entry["preview_file_height"] == 48
    assert entry["preview_file_duration"] == 2.5
    assert entry["preview_file_status"] == "ready"
    assert entry["preview_file_task_id"] == str(task.id)
    assert [item["id"] for item in entry["preview_file_previews"]] == [str(second_file.id)]
    revisions = entry["preview_files"][str(task.task_type_id)]
    assert [item["revision"] for item in revisions] == [2, 1]
    assert [item["id"] for item in entry["preview_files"][str(layout.id)]] == [
        str(layout_preview.id)
    ]


def test_playlist_detail_drops_unknown_preview(api, admin, project, shot, make_playlist):
    playlist = make_playlist(shots=[{"entity_id": str(shot.id), "preview_file_id": UNKNOWN_ID}])
    body = api(admin).get(f"/api/data/projects/{project.id}/playlists/{playlist.id}").json()
    assert "preview_file_id" not in body["shots"][0]
    assert body["shots"][0]["preview_files"] == {}


def test_playlist_detail_query_count_is_flat(
    api, admin, project, make_shot, make_task, animation, make_preview, make_playlist,
    django_assert_num_queries,
):  # fmt: skip
    playlist = make_playlist(shots=[])
    client = api(admin)
    url = f"/api/data/projects/{project.id}/playlists/{playlist.id}"

    def grow(count):
        entries = list(playlist.shots)
        for index in range(count):
            shot = make_shot(f"SH{len(entries) + index:04d}")
            shot_task = make_task(shot, animation)
            make_preview(shot_task, revision=1)
            preview = make_preview(shot_task, revision=2)
            entries.append({"entity_id": str(shot.id), "preview_file_id": str(preview.id)})
        playlist.shots = entries
        playlist.save()

    # token revocation, person, project, playlist, build jobs, previews of the entities
    grow(1)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["shots"]) == 1
    grow(6)
    with django_assert_num_queries(6):
        assert len(client.get(url).json()["shots"]) == 7


def test_playlist_detail_access(api, client_person, vendor, team, make_playlist, other_project):
    internal = make_playlist("Internal")
    for_client = make_playlist("Client review", for_client=True)
    base = f"/api/data/projects/{team.id}/playlists"
    assert api(client_person).get(f"{base}/{internal.id}").status_code == 403
    assert api(client_person).get(f"{base}/{for_client.id}").status_code == 200
    assert api(vendor).get(f"{base}/{for_client.id}").status_code == 403
    assert api(client_person).get(f"{base}/{UNKNOWN_ID}").status_code == 404
    assert api(client_person).get(f"{base}/nope").status_code == 400
    elsewhere = Playlist.objects.create(name="Elsewhere", project=other_project)
    assert api(client_person).get(f"{base}/{elsewhere.id}").status_code == 404


# --- previews of an entity ----------------------------------------------------------------


def test_entity_preview_files_payload(api, admin, shot, task, layout, make_task, make_preview):
    make_preview(task, revision=1)
    latest = make_preview(
        task,
        revision=2,
        extension="mp4",
        duration=1.0,
        data={"original_width": 64, "original_height": 48, "original_duration": 1.0,
              "original_file_size": 13395},
    )  # fmt: skip
    second_file = make_preview(task, revision=2, position=2)
    layout_preview = make_preview(make_task(shot, layout))
    response = api(admin).get(f"/api/data/playlists/entities/{shot.id}/preview-files")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {str(task.task_type_id), str(layout.id)}
    animation_previews = body[str(task.task_type_id)]
    assert [item["revision"] for item in animation_previews] == [2, 1]
    first = animation_previews[0]
    assert list(first) == ENTITY_PREVIEW_KEYS
    assert first["id"] == str(latest.id)
    assert first["task_id"] == str(task.id)
    assert first["original_width"] == 64
    assert first["original_file_size"] == 13395
    assert [item["id"] for item in first["previews"]] == [str(second_file.id)]
    assert animation_previews[1]["original_width"] is None
    assert body[str(layout.id)][0]["id"] == str(layout_preview.id)


def test_entity_preview_files_access(api, team, shot, artist, vendor, make_person, admin):
    url = f"/api/data/playlists/entities/{shot.id}/preview-files"
    assert api(artist).get(url).status_code == 200
    assert api(artist).get(url).json() == {}
    # Vendors read only entities they have a task on.
    assert api(vendor).get(url).status_code == 403
    assert api(make_person("user")).get(url).status_code == 403
    assert (
        api(admin).get(f"/api/data/playlists/entities/{UNKNOWN_ID}/preview-files").status_code
        == 404
    )
    assert api(admin).get("/api/data/playlists/entities/nope/preview-files").status_code == 400


def test_entity_preview_files_query_count_is_flat(
    api, admin, shot, task, layout, make_task, make_preview, django_assert_num_queries
):
    client = api(admin)
    url = f"/api/data/playlists/entities/{shot.id}/preview-files"
    make_preview(task, revision=1)
    # token revocation, person, entity, previews with their task and task type
    with django_assert_num_queries(4):
        assert len(client.get(url).json()[str(task.task_type_id)]) == 1
    layout_task = make_task(shot, layout)
    for revision in range(2, 12):
        make_preview(task, revision=revision)
        make_preview(layout_task, revision=revision)
        make_preview(layout_task, revision=revision, position=2)
    with django_assert_num_queries(4):
        body = client.get(url).json()
    assert len(body[str(task.task_type_id)]) == 11
    assert len(body[str(layout.id)]) == 10


# --- entries ----------------------------------------------------------------------------


def test_add_entity_takes_latest_revision_of_the_playlist_task_type(
    api, supervisor, team, shot, task, layout, make_task, make_preview, make_playlist, committed
):
    make_preview(task, revision=1)
    latest_animation = make_preview(task, revision=3)
    make_preview(make_task(shot, layout), revision=5)
    playlist = make_playlist(created_by=supervisor, task_type=task.task_type)
    with committed():
        response = api(supervisor).post(
            f"/api/actions/playlists/{playlist.id}/add-entity", {"entity_id": str(shot.id)},
            format="json",
        )  # fmt: skip
    assert response.status_code == 200
    assert response.json()["shots"] == [
        {"entity_id": str(shot.id), "preview_file_id": str(latest_animation.id)}
    ]
    event = ApiEvent.objects.get(name="playlist:add_entity")
    assert event.data["preview_file_id"] == str(latest_animation.id)
    assert event.data["playlist_id"] == str(playlist.id)


def test_add_entities_keeps_couples_and_skips_duplicates(
    api, manager, team, shot, make_shot, task, make_task, animation, make_preview, make_playlist
):
    first = make_preview(task, revision=1)
    second = make_preview(task, revision=2)
    other_shot = make_shot("SH0020")
    other_preview = make_preview(make_task(other_shot, animation))
    playlist = make_playlist(shots=[{"entity_id": str(shot.id), "preview_file_id": str(first.id)}])
    response = api(manager).post(
        f"/api/actions/playlists/{playlist.id}/add-entities",
        {
            "entities": [
                {"entity_id": str(shot.id), "preview_file_id": str(first.id)},
                {"entity_id": str(shot.id), "preview_file_id": str(second.id)},
                {"entity_id": str(other_shot.id)},
            ]
        },
        format="json",
    )
    assert response.status_code == 200
    assert [entry["preview_file_id"] for entry in response.json()["shots"]] == [
        str(first.id),
        str(second.id),
        str(other_preview.id),
    ]


def test_add_entity_errors(
    api, manager, supervisor, artist, team, shot, task, make_preview, make_playlist,
    other_project,
):  # fmt: skip
    from shots.models import Shot

    playlist = make_playlist()
    url = f"/api/actions/playlists/{playlist.id}/add-entity"
    foreign = Shot.objects.create(name="X", project=other_project)
    other_preview = make_preview(task)
    cases = [
        (manager, {}, 400),
        (manager, {"entity_id": "nope"}, 400),
        (manager, {"entity_id": str(foreign.id)}, 400),
        (manager, {"entity_id": UNKNOWN_ID}, 400),
        (manager, {"entity_id": str(shot.id), "preview_file_id": UNKNOWN_ID}, 400),
        # A supervisor only edits the playlists they created.
        (supervisor, {"entity_id": str(shot.id)}, 403),
        (artist, {"entity_id": str(shot.id)}, 403),
    ]
    for person, body, status in cases:
        assert api(person).post(url, body, format="json").status_code == status, body
    missing = f"/api/actions/playlists/{UNKNOWN_ID}/add-entity"
    assert api(manager).post(missing, {"entity_id": str(shot.id)}, format="json").status_code == 404
    ok = api(manager).post(
        url, {"entity_id": str(shot.id), "preview_file_id": str(other_preview.id)}, format="json"
    )
    assert ok.status_code == 200
    bad_list = f"/api/actions/playlists/{playlist.id}/add-entities"
    assert api(manager).post(bad_list, {"entities": "x"}, format="json").status_code == 400


def test_temp_playlist(api, artist, team, shot, task, make_preview):
    preview = make_preview(task, revision=4)
    response = api(artist).post(
        f"/api/data/projects/{team.id}/playlists/temp?sort=true",
        {"task_ids": [str(task.id)]},
        format="json",
    )
    assert response.status_code == 200
    (entry,) = response.json()
    assert entry["id"] == str(shot.id)
    assert entry["name"] == "SH0010"
    assert entry["parent_name"] == "SQ01"
    assert entry["sequence_name"] == "SQ01"
    assert entry["preview_file_task_id"] == str(task.id)
    assert entry["preview_file_id"] == str(preview.id)
    assert list(entry["preview_files"]) == [str(task.task_type_id)]
    url = f"/api/data/projects/{team.id}/playlists/temp"
    assert api(artist).post(url, {"task_ids": "x"}, format="json").status_code == 400
    assert api(artist).post(url, {"task_ids": ["nope"]}, format="json").status_code == 400


# --- the generic resource -----------------------------------------------------------------


def test_supervisor_creates_and_edits_own_playlist(
    api, supervisor, make_person, team, join, make_playlist, committed
):
    with committed():
        response = api(supervisor).post(
            "/api/data/playlists",
            {"name": "Anim review", "project_id": str(team.id), "created_by": UNKNOWN_ID},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["created_by"] == str(supervisor.id)
    assert body["type"] == "Playlist"
    assert ApiEvent.objects.filter(name="playlist:new").count() == 1
    url = f"/api/data/playlists/{body['id']}"
    assert api(supervisor).put(url, {"name": "Renamed"}, format="json").status_code == 200
    colleague = join(team, make_person("supervisor"))
    assert api(colleague).put(url, {"name": "Mine now"}, format="json").status_code == 403
    assert api(colleague).delete(url).status_code == 403
    assert api(supervisor).delete(url).status_code == 204
    assert not Playlist.objects.filter(pk=body["id"]).exists()


def test_playlist_resource_roles(api, manager, artist, make_person, team, project, make_playlist):
    playlist = make_playlist()
    body = {"name": "New", "project_id": str(project.id)}
    assert api(artist).post("/api/data/playlists", body, format="json").status_code == 403
    outsider = make_person("manager")
    assert api(outsider).post("/api/data/playlists", body, format="json").status_code == 403
    assert api(outsider).get(f"/api/data/playlists/{playlist.id}").status_code == 403
    assert api(outsider).delete(f"/api/data/playlists/{playlist.id}").status_code == 403
    assert api(manager).delete(f"/api/data/playlists/{playlist.id}").status_code == 204
    assert api(manager).get(f"/api/data/playlists/{UNKNOWN_ID}").status_code == 404


def test_playlist_resource_bad_bodies(api, manager, team, project, other_project):
    from shots.models import Episode

    url = "/api/data/playlists"
    assert api(manager).post(url, {"name": "No project"}, format="json").status_code == 400
    bad_shots = {"name": "A", "project_id": str(project.id), "shots": "x"}
    assert api(manager).post(url, bad_shots, format="json").status_code == 400
    foreign_episode = Episode.objects.create(name="E9", project=other_project)
    body = {"name": "B", "project_id": str(project.id), "episode_id": str(foreign_episode.id)}
    assert api(manager).post(url, body, format="json").status_code == 400


def test_playlist_resource_list_is_scoped(
    api, client_person, vendor, manager, team, make_playlist, other_project
):
    internal = make_playlist("Internal")
    shared = make_playlist("Client review", for_client=True)
    Playlist.objects.create(name="Elsewhere", project=other_project)
    ids = {row["id"] for row in api(manager).get("/api/data/playlists").json()}
    assert ids == {str(internal.id), str(shared.id)}
    ids = {row["id"] for row in api(client_person).get("/api/data/playlists").json()}
    assert ids == {str(shared.id)}
    assert api(vendor).get("/api/data/playlists").json() == []


# --- notifying clients ---------------------------------------------------------------------


def test_notify_clients_creates_playlist_ready_notifications(
    api, manager, client_person, artist, team, make_playlist, committed
):
    playlist = make_playlist(for_client=True)
    url = f"/api/data/playlists/{playlist.id}/notify-clients"
    with committed():
        response = api(manager).post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    notification = Notification.objects.get()
    assert notification.person_id == client_person.id
    assert notification.type == "playlist-ready"
    assert notification.playlist_id == playlist.id
    # A second call marks it unread again instead of duplicating it.
    notification.read = True
    notification.save()
    api(manager).post(url, {}, format="json")
    assert Notification.objects.get().read is False
    # notification:new is not persisted.
    assert not ApiEvent.objects.filter(name="notification:new").exists()
    assert api(artist).post(url, {}, format="json").status_code == 403
    assert api(manager).post(url, {"studio_id": "x"}, format="json").status_code == 400
    missing = f"/api/data/playlists/{UNKNOWN_ID}/notify-clients"
    assert api(manager).post(missing, {}, format="json").status_code == 404
