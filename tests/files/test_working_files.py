"""Working files of tasks: revisions, paths from the file tree, comments,
uploads and downloads, with the role rules of task actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent
from tasks.models import WorkingFile
from tests.files.conftest import UNKNOWN_ID

SHOT_FOLDER = "/productions/demo_tv/shots/e01/sq01/sh0010/animation"


def new_url(task):
    return f"/api/data/tasks/{task.pk}/working-files/new"


@pytest.fixture
def assigned(team, task, artist):
    task.assignees.add(artist)
    return task


def test_new_working_files_take_the_next_revision_and_a_path(
    assigned, artist, client_for, committed, blender
):
    api = client_for(artist)

    with committed():
        first = api.post(
            new_url(assigned),
            {"comment": "blocking", "software_id": str(blender.pk)},
            format="json",
        )
    second = api.post(new_url(assigned), {}, format="json")
    other_name = api.post(new_url(assigned), {"name": "props"}, format="json")

    assert first.status_code == 201
    body = first.json()
    assert body["type"] == "WorkingFile"
    assert (body["name"], body["revision"], body["comment"]) == ("main", 1, "blocking")
    assert body["path"] == f"{SHOT_FOLDER}/demo_tv_sq01_sh0010_animation_main_v001"
    assert body["task_id"] == str(assigned.pk)
    assert body["entity_id"] == str(assigned.entity_id)
    assert body["person_id"] == str(artist.pk)
    assert body["software_id"] == str(blender.pk)
    assert second.json()["revision"] == 2
    assert second.json()["path"].endswith("_main_v002")
    assert other_name.json()["revision"] == 1
    event = ApiEvent.objects.get(name="working-file:new")
    assert event.data["working_file_id"] == body["id"]
    assert event.project_id == assigned.project_id


def test_given_revision_is_kept_and_a_taken_one_refused(assigned, artist, client_for):
    api = client_for(artist)
    assert api.post(new_url(assigned), {"revision": 5}, format="json").json()["revision"] == 5
    assert api.post(new_url(assigned), {"revision": 5}, format="json").status_code == 400
    assert api.post(new_url(assigned), {}, format="json").json()["revision"] == 6


def test_custom_file_tree_with_fields_style_and_separator(assigned, artist, client_for):
    project = assigned.project
    project.code = "DTV"
    project.revision_padding = 4
    project.file_tree = {
        "working": {
            "mountpoint": "P:",
            "root": "prod",
            "folder_path": {"shot": "<Project.code>/<Sequence>/<Shot>", "style": "uppercase"},
            "file_name": {"shot": "<Shot>_<TaskType.short_name>_v<Revision>"},
        }
    }
    project.save()
    assigned.task_type.short_name = "anim"
    assigned.task_type.save()

    response = client_for(artist).post(
        new_url(assigned), {"sep": "\\", "revision": 3}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["path"] == "P:\\prod\\DTV\\SQ01\\SH0010\\SH0010_anim_v0003"


def test_unknown_mode_or_separator_is_refused(assigned, artist, client_for):
    api = client_for(artist)
    assert api.post(new_url(assigned), {"mode": "nope"}, format="json").status_code == 400
    assert api.post(new_url(assigned), {"sep": "|"}, format="json").status_code == 400
    assert api.post(new_url(assigned), {"revision": "x"}, format="json").status_code == 400
    assert (
        api.post(new_url(assigned), {"software_id": UNKNOWN_ID}, format="json").status_code == 400
    )
    assert not WorkingFile.objects.exists()


def test_new_working_file_roles(
    team, task, artist, client_person, supervisor, manager, client_for, anonymous_api
):
    assert anonymous_api.post(new_url(task), {}, format="json").status_code == 401
    # Not assigned, a client, a supervisor of no department of this task type.
    assert client_for(artist).post(new_url(task), {}, format="json").status_code == 403
    assert client_for(client_person).post(new_url(task), {}, format="json").status_code == 403
    assert client_for(manager).post(new_url(task), {}, format="json").status_code == 201
    assert (
        client_for(manager)
        .post(f"/api/data/tasks/{UNKNOWN_ID}/working-files/new", {}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(manager)
        .post("/api/data/tasks/nope/working-files/new", {}, format="json")
        .status_code
        == 400
    )


def test_working_file_path(assigned, artist, client_for, other_project, make_person):
    path = f"/api/data/tasks/{assigned.pk}/working-file-path"

    response = client_for(artist).post(path, {"name": "main", "revision": 2}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "path": SHOT_FOLDER,
        "name": "demo_tv_sq01_sh0010_animation_main_v002",
    }
    windows = client_for(artist).post(path, {"separator": "\\"}, format="json").json()
    assert windows["path"] == SHOT_FOLDER.replace("/", "\\")
    assert client_for(make_person("user")).post(path, {}, format="json").status_code == 403


def test_listings_of_working_files(assigned, artist, client_for, make_person):
    api = client_for(artist)
    for name in ("main", "main", "props"):
        api.post(new_url(assigned), {"name": name}, format="json")

    rows = api.get(f"/api/data/tasks/{assigned.pk}/working-files").json()
    assert [(row["name"], row["revision"]) for row in rows] == [
        ("main", 2),
        ("main", 1),
        ("props", 1),
    ]
    last = api.get(f"/api/data/tasks/{assigned.pk}/working-files/last-revisions").json()
    assert {name: row["revision"] for name, row in last.items()} == {"main": 2, "props": 1}
    entity_rows = api.get(
        f"/api/data/entities/{assigned.entity_id}/working-files",
        {"task_id": str(assigned.pk), "name": "props"},
    ).json()
    assert [row["name"] for row in entity_rows] == ["props"]
    outsider = client_for(make_person("user"))
    assert outsider.get(f"/api/data/tasks/{assigned.pk}/working-files").status_code == 403
    assert outsider.get(f"/api/data/entities/{assigned.entity_id}/working-files").status_code == 403
    assert api.get(f"/api/data/tasks/{UNKNOWN_ID}/working-files/last-revisions").status_code == 404


def test_comment_and_modified_actions(assigned, artist, client_person, client_for):
    api = client_for(artist)
    working_file = api.post(new_url(assigned), {}, format="json").json()
    base = f"/api/actions/working-files/{working_file['id']}"

    response = api.put(f"{base}/comment", {"comment": "final"}, format="json")
    assert response.status_code == 200
    assert response.json()["comment"] == "final"
    assert api.put(f"{base}/comment", {}, format="json").status_code == 400
    assert api.put(f"{base}/modified", {}, format="json").status_code == 200
    assert client_for(client_person).put(f"{base}/modified", {}, format="json").status_code == 403
    assert (
        api.put(f"/api/actions/working-files/{UNKNOWN_ID}/modified", {}, format="json").status_code
        == 404
    )


def test_upload_and_download_a_working_file(assigned, artist, client_for, media, make_person):
    api = client_for(artist)
    working_file = api.post(new_url(assigned), {}, format="json").json()
    path = f"/api/data/working-files/{working_file['id']}/file"

    assert api.get(path).status_code == 404
    upload = SimpleUploadedFile(
        "scene.blend", b"BLENDER-v300", content_type="application/x-blender"
    )
    response = api.post(path, {"file": upload}, format="multipart")
    assert response.status_code == 201
    assert response.json()["size"] == 12

    download = api.get(path)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"BLENDER-v300"
    assert download["Content-Type"] == "application/octet-stream"
    assert api.post(path, {}, format="multipart").status_code == 400
    assert client_for(make_person("user")).get(path).status_code == 403


def test_file_route_reads_a_working_file(assigned, artist, client_for):
    api = client_for(artist)
    working_file = api.post(new_url(assigned), {}, format="json").json()

    response = api.get(f"/api/data/files/{working_file['id']}")

    assert response.status_code == 200
    assert response.json()["id"] == working_file["id"]
    assert api.get(f"/api/data/files/{UNKNOWN_ID}").status_code == 404
    assert api.get("/api/data/files/nope").status_code == 400


def test_vendor_works_only_on_assigned_tasks(team, task, vendor, client_for):
    api = client_for(vendor)
    assert api.get(f"/api/data/tasks/{task.pk}/working-files").status_code == 403
    assert api.post(new_url(task), {}, format="json").status_code == 403
    task.assignees.add(vendor)
    assert api.post(new_url(task), {}, format="json").status_code == 201
    assert len(api.get(f"/api/data/tasks/{task.pk}/working-files").json()) == 1
