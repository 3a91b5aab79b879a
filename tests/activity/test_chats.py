"""Entity chats: the room, joining and leaving, messages and their events."""

from django.core.files.uploadedfile import SimpleUploadedFile

from kitsu_backend.api.models import ApiEvent
from tasks.models import AttachmentFile, Chat, ChatMessage
from tests.activity.conftest import UNKNOWN_ID


def chat_url(entity):
    return f"/api/data/entities/{entity.pk}/chat"


def test_chat_of_an_entity_is_created_once(team, shot, artist, client_for):
    api = client_for(artist)

    first = api.get(chat_url(shot))
    second = api.get(chat_url(shot))

    assert first.status_code == 200
    body = first.json()
    assert body["type"] == "Chat"
    assert body["object_id"] == str(shot.pk)
    assert body["object_type"] == "entity"
    assert body["participants"] == []
    assert second.json()["id"] == body["id"]
    assert Chat.objects.count() == 1


def test_chat_access(team, shot, other_project, artist, client_for, anonymous_api, make_person):
    outsider = make_person("user")
    assert anonymous_api.get(chat_url(shot)).status_code == 401
    assert client_for(outsider).get(chat_url(shot)).status_code == 403
    assert client_for(artist).get(f"/api/data/entities/{UNKNOWN_ID}/chat").status_code == 404
    assert client_for(artist).get("/api/data/entities/nope/chat").status_code == 400


def test_join_and_leave_a_chat(team, shot, artist, client_for, committed):
    api = client_for(artist)
    path = f"/api/actions/user/chats/{shot.pk}/join"

    with committed():
        response = api.post(path)
    assert response.status_code == 201
    assert response.json()["participants"] == [str(artist.pk)]
    assert [row["object_id"] for row in api.get("/api/data/user/chats").json()] == [str(shot.pk)]
    joined = ApiEvent.objects.get(name="chat:joined")
    assert joined.data["person_id"] == str(artist.pk)
    assert joined.project_id == team.pk

    with committed():
        assert api.delete(path).status_code == 204
    assert api.get("/api/data/user/chats").json() == []
    assert ApiEvent.objects.filter(name="chat:left").count() == 1


def test_join_access(shot, artist, client_for, anonymous_api):
    path = f"/api/actions/user/chats/{shot.pk}/join"
    assert anonymous_api.post(path).status_code == 401
    assert client_for(artist).post(path).status_code == 403
    assert client_for(artist).post(f"/api/actions/user/chats/{UNKNOWN_ID}/join").status_code == 404
    assert anonymous_api.get("/api/data/user/chats").status_code == 401


def test_post_list_and_read_messages(team, shot, artist, client_for, committed):
    api = client_for(artist)
    path = f"{chat_url(shot)}/messages"

    with committed():
        response = api.post(path, {"message": "Hello team"}, format="json")

    assert response.status_code == 201
    message = response.json()
    assert message["text"] == "Hello team"
    assert message["person_id"] == str(artist.pk)
    assert message["type"] == "ChatMessage"
    assert message["attachment_files"] == []
    event = ApiEvent.objects.get(name="chat:new-message")
    assert event.data["chat_message_id"] == message["id"]
    assert Chat.objects.get().last_message is not None
    assert [row["id"] for row in api.get(path).json()] == [message["id"]]
    one = api.get(f"{path}/{message['id']}")
    assert one.status_code == 200
    assert one.json()["text"] == "Hello team"


def test_message_with_attachment(team, shot, artist, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("notes.txt", b"some notes", content_type="text/plain")

    response = client_for(artist).post(
        f"{chat_url(shot)}/messages", {"message": "See file", "file": upload}, format="multipart"
    )

    assert response.status_code == 201
    (attachment,) = response.json()["attachment_files"]
    assert attachment["name"] == "notes.txt"
    assert attachment["size"] == 10
    assert AttachmentFile.objects.get().chat_message_id is not None


def test_empty_message_is_refused(team, shot, artist, client_for):
    api = client_for(artist)
    assert (
        api.post(f"{chat_url(shot)}/messages", {"message": " "}, format="json").status_code == 400
    )
    assert api.post(f"{chat_url(shot)}/messages", {"message": 3}, format="json").status_code == 400
    assert not ChatMessage.objects.exists()


def test_only_the_author_or_an_admin_deletes_a_message(
    team, shot, artist, supervisor, admin, client_for, committed
):
    path = f"{chat_url(shot)}/messages"
    message_id = client_for(artist).post(path, {"message": "Oops"}, format="json").json()["id"]

    assert client_for(supervisor).delete(f"{path}/{message_id}").status_code == 403
    with committed():
        assert client_for(artist).delete(f"{path}/{message_id}").status_code == 204
    assert not ChatMessage.objects.exists()
    assert ApiEvent.objects.get(name="chat:deleted-message").data["chat_message_id"] == message_id
    assert client_for(admin).delete(f"{path}/{message_id}").status_code == 404
    assert client_for(admin).get(f"{path}/nope").status_code == 400


def test_message_of_another_entity_is_not_found(team, shot, make_shot, artist, client_for):
    other = make_shot("SH0020")
    message_id = (
        client_for(artist)
        .post(f"{chat_url(shot)}/messages", {"message": "Hi"}, format="json")
        .json()["id"]
    )
    response = client_for(artist).get(f"{chat_url(other)}/messages/{message_id}")
    assert response.status_code == 404


def test_vendor_reaches_only_chats_of_entities_they_work_on(team, shot, task, vendor, client_for):
    api = client_for(vendor)
    assert api.get(chat_url(shot)).status_code == 403
    task.assignees.add(vendor)
    assert api.get(chat_url(shot)).status_code == 200
