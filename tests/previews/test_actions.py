"""Actions on a preview: main preview, position, annotations, extracted
frames and tiles, the running list, and the generic /data/preview-files."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kitsu_backend.api.models import ApiEvent
from tasks import previews
from tasks.media import storage
from tasks.models import PreviewFile

from .conftest import UNKNOWN_ID, movie_upload, needs_ffmpeg, png_upload


@pytest.fixture
def uploaded(client_for, artist, new_preview):
    def make(file=None, comment=None):
        preview = new_preview(comment=comment)
        response = client_for(artist).post(
            f"/api/pictures/preview-files/{preview.id}", {"file": file or png_upload((300, 200))}
        )
        assert response.status_code == 201
        preview.refresh_from_db()
        return preview

    return make


@pytest.fixture
def movie(client_for, artist, new_preview, committed, tmp_path):
    preview = new_preview()
    with committed():
        client_for(artist).post(
            f"/api/pictures/preview-files/{preview.id}", {"file": movie_upload(tmp_path)}
        )
    preview.refresh_from_db()
    assert preview.status == "ready"
    return preview


def test_set_main_preview(client_for, artist, client_person, shot, uploaded, committed):
    preview = uploaded()
    path = f"/api/actions/preview-files/{preview.id}/set-main-preview"
    with committed():
        response = client_for(artist).put(path, {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["type"], body["preview_file_id"]) == (
        str(shot.id),
        "Shot",
        str(preview.id),
    )
    shot.refresh_from_db()
    assert shot.preview_file_id == preview.id
    event = ApiEvent.objects.get(name="preview-file:set-main")
    assert event.data["entity_id"] == str(shot.id)
    assert client_for(client_person).put(path, {}, format="json").status_code == 403
    on_picture = client_for(artist).put(path, {"frame_number": 3}, format="json")
    assert on_picture.status_code == 400
    assert on_picture.json()["message"] == "Can't use a given frame on non movie preview"
    unknown = f"/api/actions/preview-files/{UNKNOWN_ID}/set-main-preview"
    assert client_for(artist).put(unknown, {}, format="json").status_code == 404


@needs_ffmpeg
def test_set_main_preview_from_a_movie_frame(client_for, manager, shot, movie):
    before = storage.read(previews.picture_key("thumbnails", movie.id))
    response = client_for(manager).put(
        f"/api/actions/preview-files/{movie.id}/set-main-preview",
        {"frame_number": 12},
        format="json",
    )
    assert response.status_code == 200
    after = storage.read(previews.picture_key("thumbnails", movie.id))
    assert after != before
    assert Image.open(io.BytesIO(after)).size == (150, 100)


def test_update_position_reorders_the_revision(client_for, artist, make_comment, uploaded):
    comment = make_comment(artist)
    first, second, third = (uploaded(comment=comment) for _ in range(3))
    assert [first.revision, second.revision, third.revision] == [1, 1, 1]
    response = client_for(artist).put(
        f"/api/actions/preview-files/{third.id}/update-position", {"position": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["position"] == 1
    positions = dict(PreviewFile.objects.values_list("id", "position"))
    assert [positions[first.id], positions[second.id], positions[third.id]] == [2, 3, 1]
    bad = client_for(artist).put(
        f"/api/actions/preview-files/{third.id}/update-position", {}, format="json"
    )
    assert bad.status_code == 400


def test_update_annotations_merges_changes(
    client_for, manager, supervisor, artist, client_person, uploaded, committed
):
    preview = uploaded()
    path = f"/api/actions/preview-files/{preview.id}/update-annotations"
    stroke = {"id": "a", "type": "path", "path": [["M", 0, 0], ["L", 50, 50]], "stroke": "#f00"}
    box = {"id": "b", "type": "rect", "left": 10, "top": 10, "width": 20, "height": 20}
    with committed():
        response = client_for(manager).put(
            path,
            {"additions": [{"time": 0, "drawing": {"objects": [stroke]}}]},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["annotations"] == [{"time": 0, "drawing": {"objects": [stroke]}}]
    event = ApiEvent.objects.get(name="preview-file:annotation-update")
    assert event.data["preview_file_id"] == str(preview.id)
    assert event.data["person_id"] == str(manager.id)

    # A client adds a shape on the same frame; a supervisor (no department:
    # every task type) moves the stroke.
    client_for(client_person).put(
        path, {"additions": [{"time": 0, "drawing": {"objects": [box]}}]}, format="json"
    )
    moved = {**stroke, "left": 40}
    client_for(supervisor).put(
        path, {"updates": [{"time": 0, "drawing": {"objects": [moved]}}]}, format="json"
    )
    preview.refresh_from_db()
    assert preview.annotations == [{"time": 0, "drawing": {"objects": [moved, box]}}]

    response = client_for(manager).put(
        path, {"deletions": [{"time": 0, "objects": ["a", "b"]}]}, format="json"
    )
    assert response.json()["annotations"] == []

    assert client_for(artist).put(path, {"additions": []}, format="json").status_code == 403
    bad = client_for(manager).put(path, {"additions": "nope"}, format="json")
    assert bad.status_code == 400


def test_annotated_frames_of_a_picture(client_for, manager, artist, uploaded):
    preview = uploaded()
    preview.annotations = [
        {
            "time": 0,
            "drawing": {
                "objects": [
                    {
                        "id": "r",
                        "type": "rect",
                        "left": 0,
                        "top": 0,
                        "width": 100,
                        "height": 100,
                        "fill": "#00ff00",
                        "canvasWidth": 300,
                    }
                ]
            },
        }
    ]
    preview.save()
    base = f"/api/actions/preview-files/{preview.id}"
    frame = client_for(manager).get(f"{base}/extract-annotated-frame")
    assert frame.status_code == 200
    image = Image.open(io.BytesIO(frame.content))
    assert image.size == (300, 200)
    assert image.getpixel((50, 50))[:3] == (0, 255, 0)
    assert image.getpixel((250, 150))[:3] == (200, 30, 30)

    archive = client_for(manager).get(f"{base}/extract-annotated-frames")
    assert archive["Content-Type"] == "application/zip"
    assert archive["Content-Disposition"].endswith('_annotated_frames.zip"')
    assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 1

    pdf = client_for(manager).get(f"{base}/extract-annotated-frames-pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    assert client_for(artist).get(f"{base}/extract-annotated-frame").status_code == 403


def test_annotated_frame_without_annotation_is_400(client_for, manager, uploaded):
    preview = uploaded()
    response = client_for(manager).get(
        f"/api/actions/preview-files/{preview.id}/extract-annotated-frame"
    )
    assert response.status_code == 400


@needs_ffmpeg
def test_extract_frame_and_tile_of_a_movie(client_for, manager, artist, make_person, movie):
    base = f"/api/actions/preview-files/{movie.id}"
    frame = client_for(manager).get(f"{base}/extract-frame", {"frame_number": 5})
    assert frame.status_code == 200
    assert frame["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(frame.content)).size == (64, 48)
    assert client_for(artist).get(f"{base}/extract-frame").status_code == 403
    bad = client_for(manager).get(f"{base}/extract-frame", {"frame_number": "x"})
    assert bad.status_code == 400

    storage.delete(previews.picture_key("tiles", movie.id))
    tile = client_for(artist).get(f"{base}/extract-tile")
    assert tile.status_code == 200
    assert Image.open(io.BytesIO(tile.content)).size == (8 * 134, 300)
    assert storage.exists(previews.picture_key("tiles", movie.id))
    assert client_for(make_person("user")).get(f"{base}/extract-tile").status_code == 403


@needs_ffmpeg
def test_annotated_frame_of_a_movie(client_for, manager, movie):
    movie.annotations = [
        {"time": 0.5, "frame": 13, "drawing": {"objects": [{"id": "t", "type": "line",
         "x1": 0, "y1": 0, "x2": 60, "y2": 40, "canvasWidth": 64}]}},
    ]  # fmt: skip
    movie.save()
    base = f"/api/actions/preview-files/{movie.id}/extract-annotated-frame"
    assert client_for(manager).get(base).status_code == 400
    assert client_for(manager).get(base, {"frame_number": 2}).status_code == 400
    response = client_for(manager).get(base, {"frame_number": 13})
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (64, 48)


def test_running_previews(client_for, admin, manager, new_preview, django_assert_num_queries):
    from rest_framework.test import APIClient

    processing = new_preview()
    path = "/api/data/playlists/preview-files/running"
    # Authenticated without a token so that the count does not depend on
    # where the token blocklist lives (database or Redis).
    client = APIClient()
    client.force_authenticate(admin)
    # Queries: open projects, the previews, their tasks.
    with django_assert_num_queries(3):
        rows = client.get(path).json()
    assert [row["id"] for row in rows] == [str(processing.id)]
    assert rows[0]["project_name"] == "Demo TV"
    assert rows[0]["entity_name"] == "SH0010"
    for _ in range(3):
        new_preview()
    with django_assert_num_queries(3):
        assert len(client.get(path).json()) == 4
    assert len(client.get(path, {"limit": 2}).json()) == 2
    assert client_for(manager).get(path).status_code == 403
    assert client_for(None).get(path).status_code == 401
    bad = client.get(path, {"cursor_preview_file_id": "nope"})
    assert bad.status_code == 400


def test_preview_files_crud(client_for, make_person, manager, artist, uploaded, committed):
    preview = uploaded()
    rows = client_for(artist).get("/api/data/preview-files").json()
    assert [row["id"] for row in rows] == [str(preview.id)]
    assert client_for(make_person("user")).get("/api/data/preview-files").json() == []
    one = f"/api/data/preview-files/{preview.id}"
    assert client_for(make_person("user")).get(one).status_code == 403
    assert client_for(artist).get(one).json()["extension"] == "png"
    updated = client_for(artist).put(one, {"description": "final"}, format="json")
    assert updated.status_code == 200
    assert updated.json()["description"] == "final"
    assert client_for(artist).delete(one).status_code == 403
    key = previews.picture_key("thumbnails", preview.id)
    assert storage.exists(key)
    with committed():
        assert client_for(manager).delete(one).status_code == 204
    assert not PreviewFile.objects.filter(pk=preview.id).exists()
    assert not storage.exists(key)
    assert client_for(manager).get(one).status_code == 404


def test_batch_comment_on_one_task_with_previews(client_for, artist, task, todo, committed):
    comments_body = [
        {"task_status_id": str(todo.id), "comment": "first pass"},
        {"task_status_id": str(todo.id), "comment": "second pass"},
    ]
    with committed():
        response = client_for(artist).post(
            f"/api/actions/tasks/{task.id}/batch-comment",
            {
                "comments": json.dumps(comments_body),
                "preview_file-0": png_upload(name="a.png"),
                "preview_file-1-0": png_upload(name="b.png"),
                "preview_file-1-1": SimpleUploadedFile("c.exe", b"MZ"),
            },
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [item["text"] for item in body] == ["first pass", "second pass"]
    assert [len(item["preview_files"]) for item in body] == [1, 1]
    assert body[0]["preview_files"][0]["status"] == "ready"
    revisions = sorted(PreviewFile.objects.filter(task=task).values_list("revision", flat=True))
    assert revisions == [1, 2]
    assert ApiEvent.objects.filter(name="comment:new").count() == 2


def test_batch_comment_on_several_tasks(client_for, manager, artist, task, todo, make_person):
    path = "/api/actions/tasks/batch-comment"
    payload = {"comments": [{"task_id": str(task.id), "task_status_id": str(todo.id)}]}
    response = client_for(manager).post(path, payload, format="json")
    assert response.status_code == 201
    assert response.json()[0]["preview_files"] == []
    outsider = client_for(make_person("user")).post(path, payload, format="json")
    assert outsider.status_code == 403
    assert client_for(None).post(path, payload, format="json").status_code == 401
    missing = client_for(manager).post(
        path, {"comments": [{"task_status_id": str(todo.id)}]}, format="json"
    )
    assert missing.status_code == 400
    assert client_for(manager).post(path, {}, format="json").status_code == 400
    unknown = client_for(manager).post(
        f"/api/actions/tasks/{UNKNOWN_ID}/batch-comment", payload, format="json"
    )
    assert unknown.status_code == 404
