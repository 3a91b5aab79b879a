"""Share links of playlists and the public /shared routes guests use."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent, utcnow
from people.models import Person
from people.services import AVATAR_PATH
from tasks.comments import attachment_path
from tasks.media import storage
from tasks.models import AttachmentFile, Comment, PlaylistShareLink, TaskStatus

from .conftest import UNKNOWN_ID

LINK_KEYS = {
    "id", "token", "playlist_id", "created_by", "expiration_date", "is_active", "can_comment",
    "has_password", "created_at", "updated_at", "type",
}  # fmt: skip


@pytest.fixture
def api(client_for):
    return client_for


@pytest.fixture
def reviewed(shot, task, make_preview, make_playlist):
    """A playlist showing revision 1 of the shot's animation task."""
    preview = make_preview(task)
    playlist = make_playlist(
        shots=[{"entity_id": str(shot.id), "preview_file_id": str(preview.id)}]
    )
    return playlist, preview


@pytest.fixture
def make_link(manager):
    def make(playlist, **fields):
        fields.setdefault("token", f"token-{PlaylistShareLink.objects.count()}")
        return PlaylistShareLink.objects.create(playlist=playlist, created_by=manager.pk, **fields)

    return make


@pytest.fixture
def link(reviewed, make_link):
    return make_link(reviewed[0])


@pytest.fixture
def guest(link):
    return Person.objects.create_user(
        email="guest-1@guest.kitsu",
        first_name="Gus",
        role="client",
        is_guest=True,
        data={"share_link_id": str(link.id)},
    )


def shared(link):
    return f"/api/shared/playlists/{link.token}"


# --- managing links ----------------------------------------------------------------------


def test_manager_creates_a_share_link(api, manager, team, reviewed, committed):
    playlist, _ = reviewed
    url = f"/api/data/playlists/{playlist.id}/share"
    with committed():
        response = api(manager).post(
            url,
            {"expiration_date": "2030-01-31T12:00:00", "can_comment": False, "password": "s3cret"},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == LINK_KEYS
    assert body["has_password"] is True
    assert body["can_comment"] is False
    assert body["expiration_date"] == "2030-01-31T12:00:00"
    assert body["created_by"] == str(manager.id)
    assert len(body["token"]) >= 40
    link = PlaylistShareLink.objects.get(pk=body["id"])
    assert link.password != "s3cret"
    assert check_password("s3cret", link.password)
    assert ApiEvent.objects.filter(name="playlist-share-link:new").count() == 1
    listed = api(manager).get(url).json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_share_link_listing_and_revocation(api, manager, team, reviewed, make_link):
    playlist, _ = reviewed
    active = make_link(playlist)
    make_link(playlist, is_active=False)
    url = f"/api/data/playlists/{playlist.id}/share"
    assert [row["id"] for row in api(manager).get(url).json()] == [str(active.id)]
    response = api(manager).delete(f"{url}/{active.token}")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert api(manager).get(url).json() == []
    assert api(None).get(f"/api/shared/playlists/{active.token}").status_code == 404


def test_share_link_errors(
    api, manager, supervisor, artist, anonymous_api, make_person, team, reviewed, make_playlist,
    make_link,
):  # fmt: skip
    playlist, _ = reviewed
    url = f"/api/data/playlists/{playlist.id}/share"
    assert api(supervisor).post(url, {}, format="json").status_code == 403
    assert api(artist).get(url).status_code == 403
    assert api(make_person("manager")).get(url).status_code == 403
    assert anonymous_api.get(url).status_code == 401
    assert api(manager).get(f"/api/data/playlists/{UNKNOWN_ID}/share").status_code == 404
    assert api(manager).get("/api/data/playlists/nope/share").status_code == 400
    assert api(manager).post(url, {"can_comment": "x"}, format="json").status_code == 400
    assert api(manager).post(url, {"expiration_date": "soon"}, format="json").status_code == 400
    assert api(manager).post(url, {"password": 42}, format="json").status_code == 400
    # A token of another playlist is unknown here.
    foreign = make_link(make_playlist("Other"))
    assert api(manager).delete(f"{url}/{foreign.token}").status_code == 404
    assert api(supervisor).delete(f"{url}/{foreign.token}").status_code == 403


def test_invite_sends_the_link_by_email(api, manager, artist, team, link, mailoutbox):
    url = f"/api/data/playlists/{link.playlist_id}/share/{link.token}/invite"
    response = api(manager).post(
        url,
        {"emails": ["review@studio.test"], "person_ids": [str(artist.id)], "message": "Hi"},
        format="json",
    )
    assert response.status_code == 200
    assert sorted(response.json()["sent"]) == sorted(["review@studio.test", artist.email])
    assert len(mailoutbox) == 2
    assert f"/playlists/shared/{link.token}" in mailoutbox[0].body
    assert api(manager).post(url, {"emails": ["not an email"]}, format="json").status_code == 400
    assert api(manager).post(url, {"person_ids": ["x"]}, format="json").status_code == 400
    assert api(artist).post(url, {}, format="json").status_code == 403


# --- validating tokens -------------------------------------------------------------------


def test_shared_playlist_is_readable_without_account(api, link, reviewed, shot, task):
    playlist, preview = reviewed
    response = api(None).get(shared(link))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(playlist.id)
    assert body["project_name"] == "Demo TV"
    assert body["project_fps"] == "25"
    (entry,) = body["shots"]
    assert entry["name"] == "SH0010"
    assert entry["parent_name"] == "SQ01"
    assert entry["preview_file_id"] == str(preview.id)
    assert entry["preview_file_task_type_name"] == "Animation"
    assert entry["preview_file_task_type"]["id"] == str(task.task_type_id)
    assert entry["task_status_color"] == task.task_status.color


def test_unknown_or_revoked_token_is_404(api, reviewed, make_link):
    assert api(None).get("/api/shared/playlists/nope").status_code == 404
    revoked = make_link(reviewed[0], is_active=False)
    response = api(None).get(shared(revoked))
    assert response.status_code == 404
    assert response.json()["error"] is True


def test_expired_link_is_410(api, reviewed, make_link):
    expired = make_link(reviewed[0], expiration_date=utcnow() - timedelta(minutes=1))
    response = api(None).get(shared(expired))
    assert response.status_code == 410
    assert response.json() == {"error": True, "message": "This share link has expired."}
    assert api(None).get(f"{shared(expired)}/context").status_code == 410
    future = make_link(reviewed[0], expiration_date=utcnow() + timedelta(days=1))
    assert api(None).get(shared(future)).status_code == 200


def test_password_protected_link(api, reviewed, make_link):
    from django.contrib.auth.hashers import make_password

    protected = make_link(reviewed[0], password=make_password("s3cret"))
    missing = api(None).get(shared(protected))
    assert missing.status_code == 403
    assert missing.json()["password_required"] is True
    wrong = api(None).get(f"{shared(protected)}?password=nope")
    assert wrong.status_code == 403
    assert wrong.json()["message"] == "Wrong password for this share link."
    assert api(None).get(f"{shared(protected)}?password=s3cret").status_code == 200
    header = api(None).get(shared(protected), HTTP_X_SHARE_PASSWORD="s3cret")
    assert header.status_code == 200
    assert api(None).get(f"{shared(protected)}/comments").status_code == 403


def test_shared_context(api, link, shot, animation):
    body = api(None).get(f"{shared(link)}/context").json()
    assert body["project"] == {
        "id": str(link.playlist.project_id),
        "name": "Demo TV",
        "fps": "25",
        "ratio": "16:9",
        "resolution": "64x48",
    }
    assert str(animation.id) in {row["id"] for row in body["task_types"]}
    assert set(body["task_types"][0]) == {"id", "name", "color", "for_entity"}
    assert body["entities"] == [{"id": str(shot.id), "name": "SH0010", "preview_file_id": None}]


# --- guests and their comments ------------------------------------------------------------


def test_guest_is_created_once_per_name_and_link(api, link, reviewed, make_link):
    url = f"{shared(link)}/guest"
    created = api(None).post(url, {"first_name": "John", "last_name": "Doe"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["is_guest"] is True
    assert body["role"] == "client"
    assert body["full_name"] == "John Doe"
    assert "password" not in body
    again = api(None).post(url, {"first_name": "John", "last_name": "Doe"}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]
    by_id = api(None).post(url, {"guest_id": body["id"]}, format="json")
    assert by_id.json()["id"] == body["id"]
    # The same name through another link is another guest.
    other = make_link(reviewed[0])
    elsewhere = api(None).post(
        f"{shared(other)}/guest", {"first_name": "John", "last_name": "Doe"}, format="json"
    )
    assert elsewhere.status_code == 201
    assert elsewhere.json()["id"] != body["id"]
    assert api(None).post(url, {"first_name": 3}, format="json").status_code == 400


def test_guest_posts_a_comment_with_a_client_status(
    api, link, guest, task, manager, team, committed
):
    retake = TaskStatus.objects.get(short_name="retake")
    with committed():
        response = api(None).post(
            f"{shared(link)}/comments",
            {
                "guest_id": str(guest.id),
                "task_id": str(task.id),
                "task_status_id": str(retake.id),
                "text": "Faster please",
            },
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Faster please"
    assert body["for_client"] is True
    assert body["person_id"] == str(guest.id)
    assert body["task_status"]["id"] == str(retake.id)
    task.refresh_from_db()
    assert task.task_status_id == retake.id
    assert ApiEvent.objects.filter(name="comment:new").count() == 1
    listed = api(None).get(f"{shared(link)}/comments").json()
    assert [row["id"] for row in listed] == [body["id"]]


def test_guest_comment_refusals(api, link, guest, task, shot, make_task, layout, make_link):
    url = f"{shared(link)}/comments"
    wip = TaskStatus.objects.get(short_name="wip")
    base = {"guest_id": str(guest.id), "task_id": str(task.id), "text": "x"}
    assert (
        api(None).post(url, {**base, "task_status_id": str(wip.id)}, format="json").status_code
        == 403
    )
    outside = make_task(shot, layout)
    assert (
        api(None).post(url, {**base, "task_id": str(outside.id)}, format="json").status_code == 403
    )
    assert api(None).post(url, {**base, "task_id": "nope"}, format="json").status_code == 400
    assert api(None).post(url, {**base, "guest_id": None}, format="json").status_code == 400
    assert api(None).post(url, {**base, "guest_id": UNKNOWN_ID}, format="json").status_code == 403
    no_task = {key: value for key, value in base.items() if key != "task_id"}
    assert api(None).post(url, no_task, format="json").status_code == 400
    # A guest of another link cannot use this one.
    other = make_link(link.playlist)
    assert api(None).post(f"{shared(other)}/comments", base, format="json").status_code == 403
    link.can_comment = False
    link.save()
    response = api(None).post(url, base, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "Comments are disabled on this share link."
    assert not Comment.objects.exists()


def test_shared_comments_hide_internal_talk(api, link, guest, task, manager, artist, team):
    internal = Comment.objects.create(
        object_id=task.id, object_type="Task", person=artist, task_status=task.task_status
    )
    for_client = Comment.objects.create(
        object_id=task.id,
        object_type="Task",
        person=manager,
        task_status=task.task_status,
        for_client=True,
    )
    ids = {row["id"] for row in api(None).get(f"{shared(link)}/comments").json()}
    assert ids == {str(for_client.id)}
    assert str(internal.id) not in ids


def test_guest_edits_and_deletes_only_own_comments(api, link, guest, task, manager, team):
    post = api(None).post(
        f"{shared(link)}/comments",
        {"guest_id": str(guest.id), "task_id": str(task.id), "text": "first"},
        format="json",
    )
    comment_id = post.json()["id"]
    url = f"{shared(link)}/comments/{comment_id}"
    edited = api(None).put(url, {"guest_id": str(guest.id), "text": "second"}, format="json")
    assert edited.status_code == 200
    assert edited.json()["text"] == "second"
    assert Comment.objects.get(pk=comment_id).editor_id == guest.id
    other_guest = Person.objects.create_user(
        email="guest-2@guest.kitsu",
        first_name="Other",
        role="client",
        is_guest=True,
        data={"share_link_id": str(link.id)},
    )
    assert (
        api(None)
        .put(url, {"guest_id": str(other_guest.id), "text": "x"}, format="json")
        .status_code
        == 403
    )
    assert api(None).delete(f"{url}?guest_id={other_guest.id}").status_code == 403
    studio_comment = Comment.objects.create(
        object_id=task.id, object_type="Task", person=manager, task_status=task.task_status
    )
    studio_url = f"{shared(link)}/comments/{studio_comment.id}"
    assert (
        api(None)
        .put(studio_url, {"guest_id": str(guest.id), "text": "x"}, format="json")
        .status_code
        == 403
    )
    unknown = f"{shared(link)}/comments/{UNKNOWN_ID}"
    assert api(None).put(unknown, {"guest_id": str(guest.id)}, format="json").status_code == 404
    assert api(None).delete(f"{url}?guest_id={guest.id}").status_code == 204
    assert not Comment.objects.filter(pk=comment_id).exists()


def test_guest_attachments(api, link, guest, task, team, media):
    post = api(None).post(
        f"{shared(link)}/comments",
        {"guest_id": str(guest.id), "task_id": str(task.id), "text": "see file"},
        format="json",
    )
    comment_id = post.json()["id"]
    url = f"{shared(link)}/comments/{comment_id}/attachments"
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = api(None).post(url, {"guest_id": str(guest.id), "files": upload}, format="multipart")
    assert response.status_code == 201
    (attachment,) = response.json()["attachment_files"]
    assert attachment["name"] == "notes.txt"
    stored = AttachmentFile.objects.get(pk=attachment["id"])
    assert storage.read(attachment_path(stored.id)) == b"hello"
    download = api(None).get(f"{shared(link)}/attachment-files/{stored.id}/file/notes.txt")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"hello"
    assert api(None).post(url, {"guest_id": str(guest.id)}, format="multipart").status_code == 400
    delete = api(None).delete(f"{url}/{stored.id}?guest_id={guest.id}")
    assert delete.status_code == 204
    assert not AttachmentFile.objects.filter(pk=stored.id).exists()
    assert api(None).delete(f"{url}/{UNKNOWN_ID}?guest_id={guest.id}").status_code == 404


def test_guest_annotations(api, link, guest, reviewed, task, make_preview, committed):
    _, preview = reviewed
    url = f"{shared(link)}/annotations"
    drawing = [{"time": 0, "drawing": {"objects": []}}]
    with committed():
        response = api(None).put(
            url,
            {"guest_id": str(guest.id), "preview_file_id": str(preview.id), "annotations": drawing},
            format="json",
        )
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    preview.refresh_from_db()
    assert preview.annotations == drawing
    assert ApiEvent.objects.filter(name="preview-file:annotation-update").count() == 1
    bad = {"guest_id": str(guest.id), "preview_file_id": str(preview.id), "annotations": "x"}
    assert api(None).put(url, bad, format="json").status_code == 400
    missing = {"guest_id": str(guest.id), "preview_file_id": UNKNOWN_ID, "annotations": []}
    assert api(None).put(url, missing, format="json").status_code == 404


# --- media --------------------------------------------------------------------------------


def test_shared_media_of_playlist_previews(
    api, link, reviewed, task, make_preview, media, stored_movie
):
    _, preview = reviewed
    storage.save(storage.key(storage.PICTURES, "thumbnails", preview.id), b"thumb")
    storage.save(storage.key(storage.PICTURES, "original", preview.id), b"original")
    thumbnail = api(None).get(f"{shared(link)}/pictures/thumbnails/preview-files/{preview.id}.png")
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/png"
    assert b"".join(thumbnail.streaming_content) == b"thumb"
    original = api(None).get(f"{shared(link)}/pictures/originals/preview-files/{preview.id}.png")
    assert b"".join(original.streaming_content) == b"original"
    metadata = api(None).get(f"{shared(link)}/preview-files/{preview.id}").json()
    assert metadata["id"] == str(preview.id)
    assert metadata["type"] == "PreviewFile"
    # Another revision of a playlist entity is reachable (version switching) ...
    movie = stored_movie(task, revision=2)
    response = api(None).get(
        f"{shared(link)}/movies/originals/preview-files/{movie.id}.mp4", HTTP_RANGE="bytes=0-9"
    )
    assert response.status_code == 206
    assert response["Content-Range"].startswith("bytes 0-9/")
    assert len(b"".join(response.streaming_content)) == 10
    assert (
        api(None).get(f"{shared(link)}/movies/tiles/preview-files/{movie.id}.png").status_code
        == 404
    )
    with_extension = api(None).get(
        f"{shared(link)}/pictures/originals/preview-files/{movie.id}.mp4"
    )
    assert with_extension.status_code == 200
    assert with_extension["Content-Type"] == "video/mp4"


def test_shared_media_outside_the_playlist_is_404(
    api, link, make_shot, make_task, animation, make_preview, media
):
    elsewhere = make_preview(make_task(make_shot("SH0099"), animation))
    storage.save(storage.key(storage.PICTURES, "thumbnails", elsewhere.id), b"secret")
    url = f"{shared(link)}/pictures/thumbnails/preview-files/{elsewhere.id}.png"
    assert api(None).get(url).status_code == 404
    assert api(None).get(f"{shared(link)}/preview-files/{elsewhere.id}").status_code == 404
    assert api(None).get(f"{shared(link)}/preview-files/nope").status_code == 400


def test_shared_download_follows_the_project_setting(api, link, reviewed, project, media):
    _, preview = reviewed
    storage.save(storage.key(storage.PICTURES, "original", preview.id), b"original")
    url = f"{shared(link)}/preview-files/{preview.id}/download"
    assert api(None).get(url).status_code == 403
    project.is_preview_download_allowed = True
    project.save()
    response = api(None).get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "take1.png" in response["Content-Disposition"]


def test_shared_person_avatar(api, link, manager, team, make_person, media):
    storage.save(AVATAR_PATH.format(person_id=manager.id), b"avatar")
    url = f"{shared(link)}/pictures/thumbnails/persons/{manager.id}.png"
    response = api(None).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"avatar"
    stranger = make_person("user")
    assert (
        api(None).get(f"{shared(link)}/pictures/thumbnails/persons/{stranger.id}.png").status_code
        == 404
    )
