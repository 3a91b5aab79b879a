"""The entity routes that read tasks: news, previews, time spents, linked entities."""

from assets.models import Concept
from productions.models import EntityConceptLink
from tasks.models import Comment, News, PreviewFile, TimeSpent

from .conftest import UNKNOWN_ID


def test_entity_news_previews_and_time(
    client_for, manager, artist, vendor, make_person, team, task, shot
):
    comment = Comment.objects.create(
        object_id=task.id, object_type="Task", person=manager, task_status=task.task_status
    )
    news = News.objects.create(author=manager, comment=comment, task=task, change=True)
    preview = PreviewFile.objects.create(task=task, revision=1, name="p1")
    entry = TimeSpent.objects.create(task=task, person=artist, duration=20, date="2024-03-05")
    api = client_for(artist)
    base = f"/api/data/entities/{shot.id}"
    news_rows = api.get(f"{base}/news").json()
    assert [row["id"] for row in news_rows] == [str(news.id)]
    assert news_rows[0]["type"] == "News"
    assert news_rows[0]["change"] is True
    # The same shape as the project feeds.
    assert news_rows[0]["task_entity_id"] == str(shot.id)
    assert news_rows[0]["person"]["id"] == str(manager.id)
    previews = api.get(f"{base}/preview-files").json()
    assert [row["id"] for row in previews] == [str(preview.id)]
    assert previews[0]["type"] == "PreviewFile"
    times = api.get(f"{base}/time-spents").json()
    assert [row["id"] for row in times] == [str(entry.id)]
    outsider = client_for(make_person("user"))
    for suffix in ("news", "preview-files", "time-spents", "entities-linked/with-tasks"):
        assert outsider.get(f"{base}/{suffix}").status_code == 403
        assert client_for(vendor).get(f"{base}/{suffix}").status_code == 403
        assert api.get(f"/api/data/entities/{UNKNOWN_ID}/{suffix}").status_code == 404
        assert api.get(f"/api/data/entities/bad-id/{suffix}").status_code == 400


def test_entities_linked_with_tasks(client_for, artist, team, task, asset, shot):
    concept = Concept.objects.create(name="Sketch", project=team)
    EntityConceptLink.objects.create(entity_in=shot, entity_out=asset)
    EntityConceptLink.objects.create(entity_in=concept, entity_out=asset)
    task.assignees.add(artist)
    rows = (
        client_for(artist).get(f"/api/data/entities/{asset.id}/entities-linked/with-tasks").json()
    )
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {str(shot.id), str(concept.id)}
    shot_row = by_id[str(shot.id)]
    assert shot_row["type"] == "Shot"
    assert shot_row["project_name"] == "Demo TV"
    assert shot_row["fps"] == "24"
    assert shot_row["entity_concept_links"] == [str(asset.id)]
    assert [t["id"] for t in shot_row["tasks"]] == [str(task.id)]
    assert shot_row["tasks"][0]["assignees"] == [str(artist.id)]
    assert by_id[str(concept.id)]["type"] == "Concept"
    assert by_id[str(concept.id)]["tasks"] == []
