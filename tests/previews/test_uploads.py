"""POST /pictures/preview-files/<id>: pictures, movies, other files, refusals."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent
from tasks import previews
from tasks.media import storage
from tasks.models import CommentPreviewLink, PreviewFile

from .conftest import (
    UNKNOWN_ID,
    jpeg_upload_rotated,
    movie_upload,
    needs_ffmpeg,
    png_upload,
    probe_streams,
    stored_image,
)

PREVIEW_KEYS = {
    "name", "original_name", "revision", "position", "extension", "description", "path",
    "source", "file_size", "status", "validation_status", "annotations", "width", "height",
    "duration", "data", "token_in", "token_out", "task_id", "person_id", "source_file_id",
    "shotgun_id", "is_movie", "url", "uploaded_movie_url", "uploaded_movie_name", "id",
    "created_at", "updated_at", "type",
}  # fmt: skip


def upload(client, preview, file):
    return client.post(f"/api/pictures/preview-files/{preview.id}", {"file": file})


def test_picture_upload_stores_every_png_variant(
    client_for, artist, task, new_preview, committed, stored_files
):
    preview = new_preview()
    with committed():
        response = upload(client_for(artist), preview, png_upload((300, 200), "layout v2.png"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PREVIEW_KEYS
    assert body["type"] == "PreviewFile"
    assert body["status"] == "ready"
    assert body["extension"] == "png"
    assert body["original_name"] == "layout v2"
    assert (body["width"], body["height"]) == (300, 200)
    assert body["file_size"] > 0
    expected = {
        "thumbnails": (150, 100),
        "thumbnails-square": (100, 100),
        "previews": (1200, 800),
        "original": (300, 200),
    }
    for prefix, size in expected.items():
        image = stored_image(previews.picture_key(prefix, preview.id))
        assert image.format == "PNG"
        assert image.size == size, prefix
    assert len(stored_files()) == 4
    task.refresh_from_db()
    assert task.last_preview_file_id == preview.id
    names = list(ApiEvent.objects.values_list("name", flat=True))
    assert "preview-file:add-file" in names
    assert "comment:update" in names
    add_file = ApiEvent.objects.get(name="preview-file:add-file")
    assert add_file.data["preview_file_id"] == str(preview.id)
    assert add_file.data["status"] == "ready"
    assert add_file.data["extension"] == "png"


def test_jpeg_exif_orientation_is_applied(client_for, artist, new_preview):
    preview = new_preview()
    response = upload(client_for(artist), preview, jpeg_upload_rotated((120, 80)))
    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (80, 120)
    assert stored_image(previews.picture_key("original", preview.id)).size == (80, 120)
    assert stored_image(previews.picture_key("previews", preview.id)).size == (1200, 1800)


def test_automated_project_uses_the_preview_as_entity_thumbnail(
    client_for, artist, project, shot, new_preview, committed
):
    project.is_set_preview_automated = True
    project.save()
    preview = new_preview()
    with committed():
        assert upload(client_for(artist), preview, png_upload()).status_code == 201
    shot.refresh_from_db()
    assert shot.preview_file_id == preview.id
    assert ApiEvent.objects.filter(name="shot:update").exists()


def test_decompression_bomb_is_refused_and_nothing_stored(
    settings, client_for, artist, new_preview, stored_files
):
    settings.PREVIEW_MAX_IMAGE_PIXELS = 5_000
    preview = new_preview()
    response = upload(client_for(artist), preview, png_upload((100, 100)))
    assert response.status_code == 400
    assert response.json()["message"] == "The picture is too large to be processed."
    assert not PreviewFile.objects.filter(pk=preview.id).exists()
    assert stored_files() == set()


def test_unreadable_picture_is_refused(client_for, artist, new_preview, stored_files):
    preview = new_preview()
    broken = SimpleUploadedFile("broken.png", b"not a picture at all")
    response = upload(client_for(artist), preview, broken)
    assert response.status_code == 400
    assert response.json()["error"] is True
    assert not PreviewFile.objects.filter(pk=preview.id).exists()
    assert stored_files() == set()


def test_wrong_extension_deletes_the_preview(
    client_for, artist, new_preview, stored_files, committed
):
    preview = new_preview()
    with committed():
        response = upload(client_for(artist), preview, SimpleUploadedFile("tool.exe", b"MZ"))
    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "message": "Wrong file format, extension: exe",
        "data": None,
    }
    assert not PreviewFile.objects.filter(pk=preview.id).exists()
    assert not CommentPreviewLink.objects.filter(preview_file_id=preview.id).exists()
    assert stored_files() == set()
    assert ApiEvent.objects.filter(name="preview-file:delete").count() == 1


def test_other_allowed_file_is_stored_as_is(client_for, artist, new_preview, stored_files):
    preview = new_preview()
    content = b"%PDF-1.4 fake but kept as uploaded"
    response = upload(client_for(artist), preview, SimpleUploadedFile("board.pdf", content))
    assert response.status_code == 201
    body = response.json()
    assert (body["extension"], body["status"], body["file_size"]) == ("pdf", "ready", len(content))
    assert storage.read(previews.file_key(preview.id)) == content
    assert len(stored_files()) == 1


def test_reupload_is_refused(client_for, artist, new_preview):
    preview = new_preview()
    client = client_for(artist)
    assert upload(client, preview, png_upload()).status_code == 201
    response = upload(client, preview, png_upload())
    assert response.status_code == 400
    assert "already" in response.json()["message"]


def test_upload_without_file_is_400(client_for, artist, new_preview):
    preview = new_preview()
    response = client_for(artist).post(f"/api/pictures/preview-files/{preview.id}", {})
    assert response.status_code == 400
    assert response.json()["message"] == "File not provided."


def test_upload_permissions(
    client_for, make_person, join, project, artist, client_person, vendor, new_preview
):
    preview = new_preview()
    other_artist = join(project, make_person("user"))
    outsider = make_person("user")
    assert upload(client_for(other_artist), preview, png_upload()).status_code == 403
    assert upload(client_for(outsider), preview, png_upload()).status_code == 403
    assert upload(client_for(vendor), preview, png_upload()).status_code == 403
    assert upload(client_for(None), preview, png_upload()).status_code == 401
    # Clients of the project act on tasks (they comment with previews).
    assert upload(client_for(client_person), preview, png_upload()).status_code == 201


def test_upload_unknown_or_malformed_id(client_for, artist, task):
    client = client_for(artist)
    unknown = client.post(f"/api/pictures/preview-files/{UNKNOWN_ID}", {"file": png_upload()})
    assert unknown.status_code == 404
    malformed = client.post("/api/pictures/preview-files/not-an-id", {"file": png_upload()})
    assert malformed.status_code == 400
    assert malformed.json()["message"] == "Malformed ID."


# --- movies ------------------------------------------------------------------------------


def _probe_stored(key, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(storage.read(key))
    return probe_streams(path), path.read_bytes()


@needs_ffmpeg
@pytest.mark.parametrize("audio", [True, False], ids=["with-audio", "without-audio"])
def test_movie_upload_builds_every_variant(
    client_for, artist, task, new_preview, committed, tmp_path, audio
):
    preview = new_preview()
    with committed():
        response = upload(client_for(artist), preview, movie_upload(tmp_path, audio=audio))
    assert response.status_code == 201, response.content
    assert response.json()["extension"] == "mp4"
    preview.refresh_from_db()
    assert preview.status == "ready"
    assert (preview.width, preview.height) == (64, 48)
    assert preview.duration == pytest.approx(1.0, abs=0.1)

    highdef, content = _probe_stored(previews.movie_key("previews", preview.id), tmp_path, "hd")
    video = next(s for s in highdef["streams"] if s["codec_type"] == "video")
    audio_streams = [s for s in highdef["streams"] if s["codec_type"] == "audio"]
    assert video["codec_name"] == "h264"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (64, 48)
    assert video["r_frame_rate"] == "24/1"
    # Every frame survives, with or without a soundtrack in the upload.
    assert int(video["nb_read_frames"]) == 24
    assert len(audio_streams) == 1
    # +faststart: the index comes before the media data.
    assert content.index(b"moov") < content.index(b"mdat")
    assert preview.file_size == len(content)

    lowdef, _ = _probe_stored(previews.movie_key("lowdef", preview.id), tmp_path, "ld")
    low_video = next(s for s in lowdef["streams"] if s["codec_type"] == "video")
    assert (low_video["width"], low_video["height"]) == (1280, 960)

    assert stored_image(previews.picture_key("thumbnails", preview.id)).size == (150, 100)
    assert stored_image(previews.picture_key("thumbnails-square", preview.id)).size == (100, 100)
    assert stored_image(previews.picture_key("previews", preview.id)).size == (1200, 900)
    tile = stored_image(previews.picture_key("tiles", preview.id))
    # 24 frames, 8 per row: 3 rows of frames 100 px high (64x48 -> 134x100).
    assert tile.size == (8 * 134, 300)
    task.refresh_from_db()
    assert task.last_preview_file_id == preview.id
    statuses = {
        event.data["status"] for event in ApiEvent.objects.filter(name="preview-file:add-file")
    }
    assert statuses == {"processing", "ready"}


@needs_ffmpeg
def test_unreadable_movie_ends_broken(client_for, artist, new_preview, committed):
    preview = new_preview()
    with committed():
        response = upload(
            client_for(artist), preview, SimpleUploadedFile("shot.mov", b"garbage" * 100)
        )
    assert response.status_code == 201
    preview.refresh_from_db()
    assert preview.status == "broken"
    assert not storage.exists(previews.movie_key("previews", preview.id))
    statuses = {
        event.data["status"] for event in ApiEvent.objects.filter(name="preview-file:add-file")
    }
    assert statuses == {"processing", "broken"}


def test_movie_job_is_enqueued_after_commit(
    client_for, artist, new_preview, django_capture_on_commit_callbacks, monkeypatch
):
    from tasks import tasks as task_jobs

    calls = []
    monkeypatch.setattr(task_jobs.process_movie_preview, "delay", lambda *args: calls.append(args))
    preview = new_preview()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(
            client_for(artist), preview, SimpleUploadedFile("shot.mp4", io.BytesIO(b"x").read())
        )
    assert response.status_code == 201
    assert response.json()["status"] == "processing"
    assert calls == []
    for callback in callbacks:
        callback()
    assert calls == [(str(preview.id), True)]
    assert storage.exists(previews.movie_key("source", preview.id))
