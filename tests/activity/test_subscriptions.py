"""Following tasks and sequence × task type pairs."""

from tasks.models import Subscription
from tests.activity.conftest import UNKNOWN_ID


def test_subscribe_to_a_task_once(team, task, artist, client_for):
    api = client_for(artist)
    path = f"/api/actions/user/tasks/{task.pk}/subscribe"

    first = api.post(path)
    second = api.post(path)

    assert first.status_code == 201
    assert first.json()["task_id"] == str(task.pk)
    assert first.json()["person_id"] == str(artist.pk)
    assert first.json()["type"] == "Subscription"
    assert second.json()["id"] == first.json()["id"]
    assert Subscription.objects.filter(person=artist, task=task).count() == 1
    assert api.get(f"/api/data/user/tasks/{task.pk}/subscribed").json() is True


def test_unsubscribe_from_a_task(team, task, artist, client_for):
    Subscription.objects.create(person=artist, task=task)
    api = client_for(artist)

    response = api.delete(f"/api/actions/user/tasks/{task.pk}/unsubscribe")

    assert response.status_code == 204
    assert not Subscription.objects.filter(person=artist).exists()
    assert api.get(f"/api/data/user/tasks/{task.pk}/subscribed").json() is False


def test_task_subscription_access(task, artist, client_for, anonymous_api):
    # The artist is on no team.
    path = f"/api/actions/user/tasks/{task.pk}/subscribe"
    assert anonymous_api.post(path).status_code == 401
    assert client_for(artist).post(path).status_code == 403
    assert (
        client_for(artist).post(f"/api/actions/user/tasks/{UNKNOWN_ID}/subscribe").status_code
        == 404
    )
    assert client_for(artist).post("/api/actions/user/tasks/nope/subscribe").status_code == 400
    assert (
        client_for(artist).get(f"/api/data/user/tasks/{UNKNOWN_ID}/subscribed").status_code == 404
    )
    assert anonymous_api.get(f"/api/data/user/tasks/{task.pk}/subscribed").status_code == 401


def test_subscribe_to_several_tasks(team, task, shot, layout, todo, admin, artist, client_for):
    other = task.__class__.objects.create(
        project=team, entity=shot, task_type=layout, task_status=todo, assigner=admin
    )
    api = client_for(artist)

    response = api.post(
        "/api/actions/user/tasks/subscribe",
        {"task_ids": [str(task.pk), str(other.pk)]},
        format="json",
    )
    assert response.status_code == 201
    assert {row["task_id"] for row in response.json()} == {str(task.pk), str(other.pk)}

    response = api.post(
        "/api/actions/user/tasks/unsubscribe", {"task_ids": [str(task.pk)]}, format="json"
    )
    assert response.status_code == 204
    assert list(Subscription.objects.filter(person=artist).values_list("task_id", flat=True)) == [
        other.pk
    ]


def test_subscribe_to_several_tasks_refuses_bad_input(
    team, task, artist, client_for, other_project
):
    api = client_for(artist)
    path = "/api/actions/user/tasks/subscribe"
    assert api.post(path, {"task_ids": "x"}, format="json").status_code == 400
    assert api.post(path, {"task_ids": ["nope"]}, format="json").status_code == 400
    assert api.post(path, {"task_ids": [UNKNOWN_ID]}, format="json").status_code == 404
    assert api.post("/api/actions/user/tasks/unsubscribe", {}, format="json").status_code == 400


def test_sequence_subscription_round_trip(team, sequence, animation, artist, client_for):
    api = client_for(artist)
    base = f"/api/actions/user/sequences/{sequence.pk}/task-types/{animation.pk}"

    response = api.post(f"{base}/subscribe")
    assert response.status_code == 201
    assert response.json()["entity_id"] == str(sequence.pk)
    assert response.json()["task_type_id"] == str(animation.pk)
    assert api.post(f"{base}/subscribe").json()["id"] == response.json()["id"]
    for path in (
        f"/api/data/user/sequences/{sequence.pk}/task-types/{animation.pk}/subscribed",
        f"/api/data/user/entities/{sequence.pk}/task-types/{animation.pk}/subscribed",
    ):
        assert api.get(path).json() is True

    assert api.delete(f"{base}/unsubscribe").status_code == 204
    assert not Subscription.objects.filter(person=artist).exists()
    assert (
        api.get(
            f"/api/data/user/sequences/{sequence.pk}/task-types/{animation.pk}/subscribed"
        ).json()
        is False
    )


def test_sequence_subscription_access(sequence, animation, artist, client_for, anonymous_api):
    base = f"/api/actions/user/sequences/{sequence.pk}/task-types/{animation.pk}"
    assert anonymous_api.post(f"{base}/subscribe").status_code == 401
    assert client_for(artist).post(f"{base}/subscribe").status_code == 403
    unknown = f"/api/actions/user/sequences/{UNKNOWN_ID}/task-types/{animation.pk}/subscribe"
    assert client_for(artist).post(unknown).status_code == 404
    bad = f"/api/actions/user/sequences/{sequence.pk}/task-types/nope/unsubscribe"
    assert client_for(artist).delete(bad).status_code == 400
