"""Output files of entities and asset instances: revisions, paths, the
listings Gazu reads, the project listing for managers and guessing an
entity from a path."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import AssetInstance
from tasks.models import FileStatus, OutputFile
from tests.files.conftest import UNKNOWN_ID


@pytest.fixture
def outputs_api(team, artist, client_for, shot):
    return client_for(artist)


def body(output_type, task_type, **extra):
    return {"output_type_id": str(output_type.pk), "task_type_id": str(task_type.pk), **extra}


def test_new_entity_output_files(outputs_api, shot, geometry, animation, committed, artist):
    path = f"/api/data/entities/{shot.pk}/output-files/new"

    with committed():
        first = outputs_api.post(path, body(geometry, animation, comment="v1"), format="json")
    second = outputs_api.post(path, body(geometry, animation), format="json")

    assert first.status_code == 201
    row = first.json()
    assert row["type"] == "OutputFile"
    assert (row["revision"], row["name"], row["comment"]) == (1, "main", "v1")
    assert row["path"] == (
        "/productions/demo_tv/shots/e01/sq01/sh0010/animation/geometry/"
        "demo_tv_sq01_sh0010_geometry_main_v001"
    )
    assert row["entity_id"] == str(shot.pk)
    assert row["person_id"] == str(artist.pk)
    assert row["file_status_id"] == str(FileStatus.objects.get(name="Created").pk)
    assert second.json()["revision"] == 2
    assert ApiEvent.objects.get(name="output-file:new").data["output_file_id"] == row["id"]


def test_new_output_file_bad_bodies(outputs_api, shot, geometry, animation):
    path = f"/api/data/entities/{shot.pk}/output-files/new"
    assert (
        outputs_api.post(path, {"task_type_id": str(animation.pk)}, format="json").status_code
        == 400
    )
    bad_type = {"output_type_id": UNKNOWN_ID, "task_type_id": str(animation.pk)}
    assert outputs_api.post(path, bad_type, format="json").status_code == 400
    assert (
        outputs_api.post(path, body(geometry, animation, revision=-1), format="json").status_code
        == 400
    )
    outputs_api.post(path, body(geometry, animation, revision=3), format="json")
    assert (
        outputs_api.post(path, body(geometry, animation, revision=3), format="json").status_code
        == 400
    )
    assert OutputFile.objects.count() == 1


def test_output_file_roles(
    team, shot, geometry, animation, client_person, client_for, anonymous_api, make_person
):
    path = f"/api/data/entities/{shot.pk}/output-files/new"
    payload = body(geometry, animation)
    assert anonymous_api.post(path, payload, format="json").status_code == 401
    assert client_for(client_person).post(path, payload, format="json").status_code == 403
    assert client_for(make_person("user")).post(path, payload, format="json").status_code == 403
    unknown = f"/api/data/entities/{UNKNOWN_ID}/output-files/new"
    assert client_for(client_person).post(unknown, payload, format="json").status_code == 404


def test_next_revision_and_path(outputs_api, shot, geometry, animation):
    base = f"/api/data/entities/{shot.pk}"
    assert outputs_api.post(
        f"{base}/output-files/next-revision", body(geometry, animation), format="json"
    ).json() == {"next_revision": 1}
    outputs_api.post(f"{base}/output-files/new", body(geometry, animation), format="json")
    assert outputs_api.post(
        f"{base}/output-files/next-revision", body(geometry, animation), format="json"
    ).json() == {"next_revision": 2}

    response = outputs_api.post(
        f"{base}/output-file-path",
        body(geometry, animation, revision=0, separator="/"),
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "folder_path": "/productions/demo_tv/shots/e01/sq01/sh0010/animation/geometry",
        "file_name": "demo_tv_sq01_sh0010_geometry_main_v002",
    }
    assert outputs_api.post(f"{base}/output-file-path", {}, format="json").status_code == 400


def test_entity_output_listings(outputs_api, shot, geometry, cache_type, animation, layout):
    base = f"/api/data/entities/{shot.pk}"
    for output_type, task_type in (
        (geometry, animation),
        (geometry, animation),
        (cache_type, layout),
    ):
        outputs_api.post(f"{base}/output-files/new", body(output_type, task_type), format="json")

    rows = outputs_api.get(f"{base}/output-files").json()
    assert len(rows) == 3
    filtered = outputs_api.get(f"{base}/output-files", {"output_type_id": str(geometry.pk)}).json()
    assert sorted(row["revision"] for row in filtered) == [1, 2]
    last = outputs_api.get(f"{base}/output-files/last-revisions").json()
    assert sorted((row["output_type_id"], row["revision"]) for row in last) == sorted(
        [(str(geometry.pk), 2), (str(cache_type.pk), 1)]
    )
    types = outputs_api.get(f"{base}/output-types").json()
    assert [row["name"] for row in types] == ["Cache", "Geometry"]
    of_type = outputs_api.get(f"{base}/output-types/{cache_type.pk}/output-files").json()
    assert [row["task_type_id"] for row in of_type] == [str(layout.pk)]
    assert outputs_api.get(f"{base}/output-types/{UNKNOWN_ID}/output-files").status_code == 404
    assert outputs_api.get(f"{base}/output-files", {"task_type_id": "nope"}).status_code == 400


def test_project_output_files_are_for_managers(
    team, shot, geometry, animation, manager, artist, client_for
):
    client_for(manager).post(
        f"/api/data/entities/{shot.pk}/output-files/new", body(geometry, animation), format="json"
    )
    path = f"/api/data/projects/{team.pk}/output-files"
    assert len(client_for(manager).get(path).json()) == 1
    assert client_for(artist).get(path).status_code == 403
    assert (
        client_for(manager).get(f"/api/data/projects/{UNKNOWN_ID}/output-files").status_code == 404
    )


def test_file_route_reads_an_output_file(
    outputs_api, shot, geometry, animation, make_person, client_for
):
    created = outputs_api.post(
        f"/api/data/entities/{shot.pk}/output-files/new", body(geometry, animation), format="json"
    ).json()
    response = outputs_api.get(f"/api/data/files/{created['id']}")
    assert response.status_code == 200
    assert response.json()["type"] == "OutputFile"
    assert (
        client_for(make_person("user")).get(f"/api/data/files/{created['id']}").status_code == 403
    )


@pytest.fixture
def instance(asset):
    return AssetInstance.objects.create(asset=asset, name="hero_0001", number=1)


def test_asset_instance_output_files(
    outputs_api, instance, shot, geometry, animation, client_for, make_person
):
    base = f"/api/data/asset-instances/{instance.pk}/entities/{shot.pk}"

    created = outputs_api.post(f"{base}/output-files/new", body(geometry, animation), format="json")
    assert created.status_code == 201
    row = created.json()
    assert row["asset_instance_id"] == str(instance.pk)
    assert row["temporal_entity_id"] == str(shot.pk)
    assert row["entity_id"] is None
    assert row["path"] == (
        "/productions/demo_tv/instances/sh0010/characters/hero/hero_0001/animation/geometry/"
        "demo_tv_sh0010_hero_hero_0001_geometry_main_v001"
    )
    assert outputs_api.post(
        f"{base}/output-files/next-revision", body(geometry, animation), format="json"
    ).json() == {"next_revision": 2}
    path = outputs_api.post(
        f"{base}/output-file-path", body(geometry, animation), format="json"
    ).json()
    assert path["file_name"].endswith("_v002")
    assert [r["id"] for r in outputs_api.get(f"{base}/output-files/last-revisions").json()] == [
        row["id"]
    ]
    assert [r["name"] for r in outputs_api.get(f"{base}/output-types").json()] == ["Geometry"]
    assert len(outputs_api.get(f"{base}/output-types/{geometry.pk}/output-files").json()) == 1
    assert len(outputs_api.get(f"/api/data/asset-instances/{instance.pk}/output-files").json()) == 1
    assert client_for(make_person("user")).get(f"{base}/output-types").status_code == 403
    assert (
        outputs_api.get(f"/api/data/asset-instances/{UNKNOWN_ID}/output-files").status_code == 404
    )
    assert (
        outputs_api.get(
            f"/api/data/asset-instances/{instance.pk}/entities/nope/output-types"
        ).status_code
        == 400
    )


def test_guess_from_path(team, task, shot, animation, artist, client_for, make_person):
    path = (
        "/productions/demo_tv/shots/e01/sq01/sh0010/animation/"
        "demo_tv_sq01_sh0010_animation_main_v001.blend"
    )
    payload = {"project_id": str(team.pk), "file_path": path}

    for route in ("guess-from-path", "guess_from_path"):
        response = client_for(artist).post(f"/api/data/entities/{route}", payload, format="json")
        assert response.status_code == 200
        assert response.json() == {
            "matches": [
                {
                    "project_id": str(team.pk),
                    "type": "Shot",
                    "entity_id": str(shot.pk),
                    "task_type_id": str(animation.pk),
                    "task_id": str(task.pk),
                }
            ]
        }
    nothing = {"project_id": str(team.pk), "file_path": "/elsewhere/file.txt"}
    assert client_for(artist).post(
        "/api/data/entities/guess-from-path", nothing, format="json"
    ).json() == {"matches": []}
    assert (
        client_for(artist).post("/api/data/entities/guess-from-path", {}, format="json").status_code
        == 400
    )
    assert (
        client_for(make_person("user"))
        .post("/api/data/entities/guess-from-path", payload, format="json")
        .status_code
        == 403
    )
