"""Avatars, project and studio thumbnails, preview backgrounds."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kitsu_backend.api.models import ApiEvent
from people.models import Organisation
from productions.models import PreviewBackgroundFile
from tasks import previews
from tasks.media import storage

from .conftest import UNKNOWN_ID, png_upload


def content_of(response):
    return b"".join(response.streaming_content)


def hdr_upload(name="studio.hdr", width=64, height=48):
    """A small run-length encoded Radiance picture."""
    header = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (height, width)
    line = bytes([2, 2, 0, width])
    for value in (200, 100, 50, 128):
        line += bytes([128 + width, value])
    return SimpleUploadedFile(name, header + line * height)


def test_person_avatar_upload_and_download(client_for, cookie_client_for, artist, committed):
    path = f"/api/pictures/thumbnails/persons/{artist.id}"
    with committed():
        response = client_for(artist).post(path, {"file": png_upload((800, 600))})
    assert response.status_code == 201
    assert response.json() == {
        "thumbnail_path": f"/api/pictures/thumbnails/persons/{artist.id}.png"
    }
    artist.refresh_from_db()
    assert artist.has_avatar is True
    assert ApiEvent.objects.filter(name="person:set-thumbnail").count() == 1
    for url in (f"{path}.png", path):
        got = cookie_client_for(artist).get(url)
        assert got.status_code == 200
        assert got["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(content_of(got))).size == (400, 400)


def test_person_avatar_rules(client_for, make_person, admin, artist):
    other = make_person("user")
    path = f"/api/pictures/thumbnails/persons/{artist.id}.png"
    assert client_for(other).post(path, {"file": png_upload()}).status_code == 403
    assert client_for(None).post(path, {"file": png_upload()}).status_code == 401
    # No avatar yet: nothing to show.
    assert client_for(other).get(path).status_code == 404
    assert client_for(admin).post(path, {"file": png_upload()}).status_code == 201
    assert client_for(other).get(path).status_code == 200
    assert client_for(admin).post(path, {}).status_code == 400
    bad = client_for(admin).post(path, {"file": SimpleUploadedFile("x.png", b"nope")})
    assert bad.status_code == 400
    unknown = f"/api/pictures/thumbnails/persons/{UNKNOWN_ID}"
    assert client_for(admin).get(unknown).status_code == 404


def test_project_thumbnail(client_for, make_person, manager, artist, team):
    path = f"/api/pictures/thumbnails/projects/{team.id}"
    assert client_for(artist).post(path, {"file": png_upload()}).status_code == 403
    assert client_for(manager).post(path, {"file": png_upload()}).status_code == 201
    team.refresh_from_db()
    assert team.has_avatar is True
    display = client_for(artist).get(f"{path}.png")
    assert display.status_code == 200
    assert Image.open(io.BytesIO(content_of(display))).size == (400, 400)
    assert client_for(make_person("user")).get(path).status_code == 403
    refused = client_for(manager).post(f"{path}.png", {"file": png_upload()})
    assert refused.status_code == 405
    assert "without extension" in refused.json()["message"]
    unknown = f"/api/pictures/thumbnails/projects/{UNKNOWN_ID}"
    assert client_for(manager).get(unknown).status_code == 404


def test_organisation_logo(client_for, admin, artist):
    organisation = Organisation.get()
    path = f"/api/pictures/thumbnails/organisations/{organisation.id}"
    assert client_for(artist).post(path, {"file": png_upload()}).status_code == 403
    assert client_for(admin).post(f"{path}.png", {"file": png_upload()}).status_code == 201
    organisation.refresh_from_db()
    assert organisation.has_avatar is True
    assert client_for(artist).get(f"{path}.png").status_code == 200
    assert client_for(None).get(path).status_code == 401
    wrong = f"/api/pictures/thumbnails/organisations/{UNKNOWN_ID}"
    assert client_for(artist).get(wrong).status_code == 404


@pytest.fixture
def background(db):
    return PreviewBackgroundFile.objects.create(name="Studio")


def test_preview_background_upload_and_download(client_for, admin, artist, background, committed):
    path = f"/api/pictures/preview-background-files/{background.id}"
    upload = hdr_upload()
    with committed():
        response = client_for(admin).post(path, {"file": upload})
    assert response.status_code == 201
    body = response.json()
    assert (body["extension"], body["original_name"], body["type"]) == (
        "hdr",
        "studio",
        "PreviewBackgroundFile",
    )
    assert body["file_size"] == upload.size
    names = set(ApiEvent.objects.values_list("name", flat=True))
    assert {"preview-background-file:update", "preview-background-file:add-file"} <= names
    got = client_for(artist).get(f"{path}.hdr")
    assert got.status_code == 200
    assert got["Content-Type"] == "image/vnd.radiance"
    assert content_of(got).startswith(b"#?RADIANCE")
    assert client_for(artist).get(f"{path}.exr").status_code == 404
    thumbnail = client_for(artist).get(
        f"/api/pictures/thumbnails/preview-background-files/{background.id}.png"
    )
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(content_of(thumbnail))).size == (150, 100)


def test_preview_background_refusals(client_for, admin, artist, background, stored_files):
    path = f"/api/pictures/preview-background-files/{background.id}"
    assert client_for(artist).post(path, {"file": hdr_upload()}).status_code == 403
    missing = client_for(admin).post(path, {})
    assert missing.status_code == 400
    assert missing.json()["message"] == "File not provided."
    unknown = f"/api/pictures/preview-background-files/{UNKNOWN_ID}"
    assert client_for(admin).post(unknown, {"file": hdr_upload()}).status_code == 404
    wrong = client_for(admin).post(path, {"file": SimpleUploadedFile("sky.png", b"x")})
    assert wrong.status_code == 400
    assert wrong.json()["message"] == "Wrong file format, extension: png"
    assert not PreviewBackgroundFile.objects.filter(pk=background.id).exists()
    assert stored_files() == set()


def test_background_thumbnail_address_refuses_uploads(client_for, admin, background):
    path = f"/api/pictures/thumbnails/preview-background-files/{background.id}.png"
    without_file = client_for(admin).post(path, {})
    assert without_file.status_code == 400
    assert without_file.json()["message"] == "File not provided."
    assert client_for(admin).post(path, {"file": hdr_upload()}).status_code == 405
    # Nothing stored yet.
    assert client_for(admin).get(path).status_code == 404


def test_background_crud(client_for, admin, artist, background, committed):
    rows = client_for(artist).get("/api/data/preview-background-files").json()
    assert [row["id"] for row in rows] == [str(background.id)]
    assert (
        client_for(artist)
        .post("/api/data/preview-background-files", {"name": "Sky"}, format="json")
        .status_code
        == 403
    )
    created = client_for(admin).post(
        "/api/data/preview-background-files", {"name": "Sky"}, format="json"
    )
    assert created.status_code == 201
    client_for(admin).post(
        f"/api/pictures/preview-background-files/{background.id}", {"file": hdr_upload()}
    )
    key = storage.key("pictures", "preview-backgrounds", background.id)
    assert storage.exists(key)
    with committed():
        deleted = client_for(admin).delete(f"/api/data/preview-background-files/{background.id}")
    assert deleted.status_code == 204
    assert not storage.exists(key)
    assert not storage.exists(previews.background_thumbnail_key(background.id))
