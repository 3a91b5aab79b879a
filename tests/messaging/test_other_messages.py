"""Messages of the notifications made outside comments (assignments, playlists
shared with clients), sent by calling the job with their ids."""

from django.core import mail

from tasks import messaging
from tasks.models import Notification, Playlist


def test_assignation_email_links_to_the_asset_task(
    admin, artist, team, asset, make_task, task_types, enable, site
):
    enable(artist, email=True)
    modeling = make_task(asset, task_types[("Modeling", "Asset")], assignees=[artist])
    notification = Notification.objects.create(
        type="assignation", person=artist, author=admin, task=modeling
    )
    result = messaging.send_notification_messages([str(notification.pk)])
    assert result == {"sent": 1, "failed": 0}
    (email,) = mail.outbox
    assert email.to == [artist.email]
    assert email.subject == "[Kitsu] Demo TV / Hero / Modeling: you are assigned"
    assert email.body == (
        "Ada Admin assigned you to Demo TV / Hero / Modeling.\n\n"
        f"{site}/productions/{team.id}/assets/tasks/{modeling.id}"
    )


def test_playlist_ready_message_for_a_client(
    manager, client_person, team, shot, enable, chats, http_post, site
):
    enable(client_person, mattermost="client")
    episode = shot.parent.parent
    playlist = Playlist.objects.create(
        name="Daily 12", project=team, episode=episode, for_client=True
    )
    notification = Notification.objects.create(
        type="playlist-ready", person=client_person, author=manager, playlist=playlist
    )
    result = messaging.send_notification_messages([str(notification.pk)])
    assert result == {"sent": 1, "failed": 0}
    (call,) = http_post.call_args_list
    assert call.kwargs["json"] == {
        "channel": "@client",
        "text": (
            "*[Kitsu] Demo TV: playlist Daily 12 is ready*\n"
            "Max Manager shared the playlist Daily 12 with you.\n\n"
            f"{site}/productions/{team.id}/episodes/{episode.id}/playlists/{playlist.id}"
        ),
    }
    assert mail.outbox == []


def test_job_reads_the_notifications_in_two_queries(
    admin, artist, supervisor, team, task, enable, chats, django_assert_num_queries
):
    notifications = [
        Notification.objects.create(type="assignation", person=person, author=admin, task=task)
        for person in (
            enable(artist, email=True, slack="U0ART"),
            enable(supervisor, email=True, mattermost="sue"),
        )
    ]
    # Notifications with their people, task, project and entity (1), the
    # organisation for the chat credentials (1).
    with django_assert_num_queries(2):
        result = messaging.send_notification_messages([str(n.pk) for n in notifications])
    assert result == {"sent": 4, "failed": 0}
    assert sorted(email.to[0] for email in mail.outbox) == sorted([artist.email, supervisor.email])


def test_assigning_a_task_emails_the_assignee(
    client_for,
    manager,
    artist,
    team,
    shot,
    make_task,
    task_types,
    enable,
    django_capture_on_commit_callbacks,
):
    enable(artist, email=True)
    layout = make_task(shot, task_types[("Layout", "Shot")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(manager).put(
            f"/api/actions/tasks/{layout.id}/assign", {"person_id": str(artist.id)}, format="json"
        )
    assert response.status_code == 200
    (email,) = mail.outbox
    assert email.to == [artist.email]
    assert email.subject.endswith(": you are assigned")
