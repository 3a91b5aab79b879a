"""News feeds: one project's paginated feed, the feed of the caller's open
projects and one news entry, with their role rules and query counts."""

import pytest

from tasks.models import Task
from tests.activity.conftest import UNKNOWN_ID

NEWS_KEYS = {
    "id",
    "type",
    "author_id",
    "comment_id",
    "task_id",
    "task_type_id",
    "task_status_id",
    "task_entity_id",
    "preview_file_id",
    "preview_file_extension",
    "preview_file_revision",
    "project_id",
    "project_name",
    "created_at",
    "change",
    "full_entity_name",
    "episode_id",
    "entity_preview_file_id",
    "person",
}


def url(project):
    return f"/api/data/projects/{project.pk}/news"


def test_project_news_is_paginated_with_exact_keys(
    team, task, manager, wip, make_news, client_for, admin, episode, shot, animation
):
    news = make_news(task, manager, wip)

    response = client_for(admin).get(url(team))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "total", "nb_pages", "limit", "offset", "page", "stats"}
    assert (body["total"], body["nb_pages"], body["limit"], body["offset"], body["page"]) == (
        1,
        1,
        50,
        0,
        1,
    )
    assert body["stats"] == {str(wip.pk): 1}
    (row,) = body["data"]
    assert set(row) == NEWS_KEYS
    assert row["id"] == str(news.pk)
    assert row["type"] == "News"
    assert row["task_status_id"] == str(wip.pk)
    assert row["task_type_id"] == str(animation.pk)
    assert row["task_entity_id"] == str(shot.pk)
    assert row["full_entity_name"] == "E01 / SQ01 / SH0010"
    assert row["episode_id"] == str(episode.pk)
    assert row["project_name"] == "Demo TV"
    assert row["change"] is True
    assert row["person"] == {
        "id": str(manager.pk),
        "first_name": "Max",
        "last_name": "Manager",
        "full_name": "Max Manager",
        "has_avatar": False,
        "role": "manager",
    }


def test_news_pages_and_filters(team, task, manager, artist, wip, done, make_news, client_for):
    make_news(task, manager, wip)
    make_news(task, manager, wip)
    make_news(task, artist, done)
    api = client_for(manager)

    page = api.get(url(team), {"page": 2, "limit": 2}).json()
    assert (page["total"], page["nb_pages"], page["offset"], len(page["data"])) == (3, 2, 2, 1)
    assert page["stats"] == {str(wip.pk): 2, str(done.pk): 1}

    by_status = api.get(url(team), {"task_status_id": str(done.pk)}).json()
    assert [row["author_id"] for row in by_status["data"]] == [str(artist.pk)]
    by_author = api.get(url(team), {"person_id": str(manager.pk)}).json()
    assert by_author["total"] == 2


def test_news_bad_parameters_answer_400(team, manager, client_for):
    api = client_for(manager)
    assert api.get(url(team), {"page": "x"}).status_code == 400
    assert api.get(url(team), {"task_status_id": "nope"}).status_code == 400
    assert api.get(url(team), {"before": "not a date"}).status_code == 400


def test_news_access(team, other_project, client_for, artist, anonymous_api):
    assert anonymous_api.get(url(team)).status_code == 401
    assert client_for(artist).get(url(other_project)).status_code == 403
    assert client_for(artist).get(url(team)).status_code == 200
    assert client_for(artist).get(f"/api/data/projects/{UNKNOWN_ID}/news").status_code == 404
    assert client_for(artist).get("/api/data/projects/nope/news").status_code == 400


def test_client_sees_only_news_of_comments_for_clients(
    team, task, manager, client_person, wip, make_news, client_for
):
    make_news(task, manager, wip, text="internal")
    shown = make_news(task, manager, wip, text="for the client", for_client=True)

    body = client_for(client_person).get(url(team)).json()

    assert [row["id"] for row in body["data"]] == [str(shown.pk)]
    assert body["total"] == 1


def test_vendor_sees_only_news_of_assigned_tasks(
    team, task, shot, layout, todo, admin, manager, vendor, wip, make_news, client_for
):
    other_task = Task.objects.create(
        project=team, entity=shot, task_type=layout, task_status=todo, assigner=admin
    )
    task.assignees.add(vendor)
    mine = make_news(task, manager, wip)
    make_news(other_task, manager, wip)

    body = client_for(vendor).get(url(team)).json()

    assert [row["id"] for row in body["data"]] == [str(mine.pk)]


def test_open_projects_news_covers_the_callers_projects(
    team,
    other_project,
    task,
    shot,
    manager,
    artist,
    wip,
    make_news,
    client_for,
    join,
    animation,
    todo,
    admin,
):
    make_news(task, manager, wip)
    join(other_project, manager)
    outside = Task.objects.create(
        project=other_project,
        entity=shot.__class__.objects.create(
            name="SH0099", project=other_project, entity_type=shot.entity_type
        ),
        task_type=animation,
        task_status=todo,
        assigner=admin,
    )
    make_news(outside, manager, wip)

    assert client_for(manager).get("/api/data/projects/news").json()["total"] == 2
    assert client_for(artist).get("/api/data/projects/news").json()["total"] == 1
    narrowed = client_for(manager).get(
        "/api/data/projects/news", {"project_id": str(other_project.pk)}
    )
    assert narrowed.json()["total"] == 1


def test_open_projects_news_requires_login(anonymous_api):
    assert anonymous_api.get("/api/data/projects/news").status_code == 401


def test_one_news_entry(team, task, manager, client_person, wip, make_news, client_for):
    news = make_news(task, manager, wip)
    path = f"{url(team)}/{news.pk}"

    response = client_for(manager).get(path)
    assert response.status_code == 200
    assert set(response.json()) == NEWS_KEYS
    assert response.json()["id"] == str(news.pk)
    assert client_for(client_person).get(path).status_code == 403
    assert client_for(manager).get(f"{url(team)}/{UNKNOWN_ID}").status_code == 404
    assert client_for(manager).get(f"{url(team)}/nope").status_code == 400


@pytest.mark.parametrize("size", [1, 6])
def test_news_query_count_does_not_grow(
    team, task, manager, wip, make_news, client_for, django_assert_num_queries, size
):
    for _ in range(size):
        make_news(task, manager, wip)
    api = client_for(manager)
    # Token blocklist, person, project, team links, then the feed: count,
    # status stats, the page, the entity names.
    with django_assert_num_queries(8):
        response = api.get(url(team))
    assert response.json()["total"] == size
