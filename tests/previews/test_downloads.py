"""Every /pictures and /movies route of a preview, with the web UI's cookie."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tasks import previews
from tasks.media import storage

from .conftest import UNKNOWN_ID, movie_upload, needs_ffmpeg, png_upload


def content_of(response):
    return b"".join(response.streaming_content)


@pytest.fixture
def picture_preview(client_for, artist, new_preview):
    preview = new_preview()
    response = client_for(artist).post(
        f"/api/pictures/preview-files/{preview.id}", {"file": png_upload((300, 200))}
    )
    assert response.status_code == 201
    preview.refresh_from_db()
    return preview


@pytest.fixture
def movie_preview(client_for, artist, new_preview, committed, tmp_path):
    preview = new_preview()
    with committed():
        response = client_for(artist).post(
            f"/api/pictures/preview-files/{preview.id}",
            {"file": movie_upload(tmp_path, audio=False)},
        )
    assert response.status_code == 201
    preview.refresh_from_db()
    assert preview.status == "ready"
    return preview


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("thumbnails", (150, 100)),
        ("thumbnails-square", (100, 100)),
        ("previews", (1200, 800)),
        ("originals", (300, 200)),
    ],
)
def test_picture_variants_download_with_cookie(
    cookie_client_for, artist, picture_preview, path, size
):
    response = cookie_client_for(artist).get(
        f"/api/pictures/{path}/preview-files/{picture_preview.id}.png",
        HTTP_ACCEPT="image/avif,image/webp,image/*",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("private")
    image = Image.open(io.BytesIO(content_of(response)))
    assert (image.format, image.size) == ("PNG", size)


def test_original_download_is_an_attachment(client_for, manager, picture_preview):
    response = client_for(manager).get(
        f"/api/pictures/originals/preview-files/{picture_preview.id}/download"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="Demo_TV_SH0010_Animation_v1.png"'
    )
    stored = storage.read(previews.picture_key("original", picture_preview.id))
    assert content_of(response) == stored


def test_original_with_any_extension(client_for, artist, new_preview):
    preview = new_preview()
    client = client_for(artist)
    content = b"glTF binary"
    client.post(
        f"/api/pictures/preview-files/{preview.id}",
        {"file": SimpleUploadedFile("prop.glb", content)},
    )
    response = client.get(f"/api/pictures/originals/preview-files/{preview.id}.glb")
    assert response.status_code == 200
    assert content_of(response) == content
    assert response["Content-Type"] in ("model/gltf-binary", "application/octet-stream")
    assert client.get(f"/api/pictures/originals/preview-files/{preview.id}.pdf").status_code == 404
    download = client.get(f"/api/pictures/originals/preview-files/{preview.id}/download")
    assert download["Content-Disposition"].endswith('_v1.glb"')


def test_picture_download_access(client_for, make_person, vendor, picture_preview):
    path = f"/api/pictures/thumbnails/preview-files/{picture_preview.id}.png"
    assert client_for(None).get(path).status_code == 401
    assert client_for(make_person("user")).get(path).status_code == 403
    # A vendor only sees the entities they have a task on.
    assert client_for(vendor).get(path).status_code == 403
    assert client_for(make_person("admin")).get(path).status_code == 200


def test_picture_download_unknown_and_missing(client_for, artist, new_preview):
    client = client_for(artist)
    path = "/api/pictures/thumbnails/preview-files/{}.png"
    assert client.get(path.format(UNKNOWN_ID)).status_code == 404
    assert client.get(path.format("nope")).status_code == 400
    # A preview still waiting for its file has nothing to show.
    response = client.get(path.format(new_preview().id))
    assert response.status_code == 404
    assert response.json()["error"] is True


@needs_ffmpeg
def test_movie_routes(cookie_client_for, client_for, artist, movie_preview):
    client = cookie_client_for(artist)
    highdef = storage.read(previews.movie_key("previews", movie_preview.id))
    lowdef = storage.read(previews.movie_key("lowdef", movie_preview.id))
    source = storage.read(previews.movie_key("source", movie_preview.id))

    response = client.get(f"/api/movies/originals/preview-files/{movie_preview.id}.mp4")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Accept-Ranges"] == "bytes"
    assert content_of(response) == highdef

    partial = client.get(
        f"/api/movies/originals/preview-files/{movie_preview.id}.mp4", HTTP_RANGE="bytes=0-99"
    )
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 0-99/{len(highdef)}"
    assert partial["Content-Length"] == "100"
    assert content_of(partial) == highdef[:100]

    tail = client.get(
        f"/api/movies/originals/preview-files/{movie_preview.id}.mp4", HTTP_RANGE="bytes=-10"
    )
    assert tail.status_code == 206
    assert content_of(tail) == highdef[-10:]

    beyond = client.get(
        f"/api/movies/originals/preview-files/{movie_preview.id}.mp4",
        HTTP_RANGE=f"bytes={len(highdef) + 5}-",
    )
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(highdef)}"

    low = client.get(f"/api/movies/low/preview-files/{movie_preview.id}.mp4")
    assert content_of(low) == lowdef
    src = client.get(f"/api/movies/source/preview-files/{movie_preview.id}.mp4")
    assert content_of(src) == source

    download = client.get(f"/api/movies/originals/preview-files/{movie_preview.id}/download")
    assert (
        download["Content-Disposition"] == 'attachment; filename="Demo_TV_SH0010_Animation_v1.mp4"'
    )
    assert content_of(download) == highdef

    tiles = client.get(f"/api/movies/tiles/preview-files/{movie_preview.id}.png")
    assert tiles["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(content_of(tiles))).height == 300

    # Bearer tokens work as well as the cookie.
    bearer = client_for(artist).get(f"/api/movies/low/preview-files/{movie_preview.id}.mp4")
    assert bearer.status_code == 200


@needs_ffmpeg
def test_movie_fallbacks_between_variants(client_for, artist, movie_preview):
    client = client_for(artist)
    lowdef = storage.read(previews.movie_key("lowdef", movie_preview.id))
    source = storage.read(previews.movie_key("source", movie_preview.id))
    storage.delete(previews.movie_key("previews", movie_preview.id))
    response = client.get(f"/api/movies/originals/preview-files/{movie_preview.id}.mp4")
    assert content_of(response) == lowdef
    storage.delete(previews.movie_key("lowdef", movie_preview.id))
    response = client.get(f"/api/movies/low/preview-files/{movie_preview.id}.mp4")
    assert content_of(response) == source
    storage.delete(previews.movie_key("source", movie_preview.id))
    assert (
        client.get(f"/api/movies/originals/preview-files/{movie_preview.id}.mp4").status_code == 404
    )


def test_movie_route_access(client_for, make_person, picture_preview):
    path = f"/api/movies/originals/preview-files/{picture_preview.id}.mp4"
    assert client_for(None).get(path).status_code == 401
    assert client_for(make_person("user")).get(path).status_code == 403
    assert (
        client_for(make_person("admin"))
        .get(f"/api/movies/low/preview-files/{UNKNOWN_ID}.mp4")
        .status_code
        == 404
    )


def test_attachment_thumbnail(client_for, make_person, artist, make_comment):
    from tasks.attachments import attachment_path
    from tasks.models import AttachmentFile

    comment = make_comment(artist)
    picture = AttachmentFile.objects.create(name="ref.png", extension="png", comment=comment)
    storage.save(attachment_path(picture.id), png_upload((300, 300)).read())
    text = AttachmentFile.objects.create(name="notes.txt", extension="txt", comment=comment)
    storage.save(attachment_path(text.id), b"notes")
    path = "/api/pictures/thumbnails/attachment-files/{}.png"
    response = client_for(artist).get(path.format(picture.id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (150, 100)
    assert storage.exists(previews.picture_key("thumbnails", picture.id))
    assert client_for(artist).get(path.format(text.id)).status_code == 404
    assert client_for(make_person("user")).get(path.format(picture.id)).status_code == 403
    assert client_for(artist).get(path.format(UNKNOWN_ID)).status_code == 404
    assert client_for(None).get(path.format(picture.id)).status_code == 401
