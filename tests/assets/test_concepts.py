"""Concept routes: concepts, their tasks and previews, concept folders."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Concept, ConceptFolder
from kitsu_backend.api.models import ApiEvent
from productions.models import EntityConceptLink
from tasks.models import PreviewFile, Task, TaskStatus, TaskType

UNKNOWN = str(uuid.uuid4())


@pytest.fixture
def concept_type(db):
    return TaskType.objects.create(name="Concept", for_entity="Concept", priority=1)


@pytest.fixture
def neutral(db):
    return TaskStatus.objects.create(
        name="Neutral", short_name="neutral", color="#cccccc", for_concept=True
    )


@pytest.fixture
def sketch(team, manager, concept_type, neutral, artist):
    concept = Concept.objects.create(name="Sketch", project=team, created_by=artist.id)
    task = Task.objects.create(
        project=team, entity=concept, task_type=concept_type, task_status=neutral
    )
    task.assignees.add(artist)
    return concept


def test_member_creates_concept(api, artist, team, make_asset, django_capture_on_commit_callbacks):
    hero = make_asset("Hero")
    with django_capture_on_commit_callbacks(execute=True):
        response = api(artist).post(
            f"/api/data/projects/{team.id}/concepts",
            {"name": "Hero sketch", "entity_concept_links": [str(hero.id)]},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert body["type"] == "Concept"
    assert body["created_by"] == str(artist.id)
    concept = Concept.objects.get(pk=body["id"])
    assert EntityConceptLink.objects.filter(entity_in=concept, entity_out=hero).exists()
    assert ApiEvent.objects.get(name="concept:new").data["concept_id"] == str(concept.id)


def test_create_concept_errors(api, artist, outsider, team, other_project, make_asset):
    url = f"/api/data/projects/{team.id}/concepts"
    assert api(artist).post(url, {}, format="json").status_code == 400
    foreign = make_asset("F", target_project=other_project)
    response = api(artist).post(
        url, {"name": "X", "entity_concept_links": [str(foreign.id)]}, format="json"
    )
    assert response.status_code == 400
    assert api(outsider).post(url, {"name": "X"}, format="json").status_code == 403
    assert not Concept.objects.exists()


def test_concept_reads(api, artist, sketch, neutral, team):
    client = api(artist)
    rows = client.get(f"/api/data/projects/{team.id}/concepts").json()
    assert [row["name"] for row in rows] == ["Sketch"]
    listed = client.get("/api/data/concepts", {"project_id": str(team.id)}).json()
    assert listed[0]["project_name"] == "Demo TV"
    detail = client.get(f"/api/data/concepts/{sketch.id}").json()
    assert detail["type"] == "Concept"
    assert detail["project_name"] == "Demo TV"
    assert detail["tasks"][0]["task_status_id"] == str(neutral.id)
    tasks = client.get(f"/api/data/concepts/{sketch.id}/tasks").json()
    assert tasks[0]["task_status_name"] == "Neutral"
    types = client.get(f"/api/data/concepts/{sketch.id}/task-types").json()
    assert [row["name"] for row in types] == ["Concept"]
    task = Task.objects.get(entity=sketch)
    PreviewFile.objects.create(task=task, revision=1, extension="png")
    previews = client.get(f"/api/data/concepts/{sketch.id}/preview-files").json()
    assert previews[0]["revision"] == 1
    assert client.get(f"/api/data/concepts/{UNKNOWN}").status_code == 404
    assert client.get("/api/data/concepts/bad").status_code == 400


def test_concepts_with_tasks(api, artist, sketch, team, concept_type, neutral):
    client = api(artist)
    url = "/api/data/concepts/with-tasks"
    with CaptureQueriesContext(connection) as one:
        rows = client.get(url, {"project_id": str(team.id)}).json()
    assert rows[0]["name"] == "Sketch"
    assert rows[0]["tasks"][0]["assignees"] == [str(artist.id)]
    for number in range(10):
        concept = Concept.objects.create(name=f"C{number}", project=team)
        Task.objects.create(
            project=team, entity=concept, task_type=concept_type, task_status=neutral
        )
    with CaptureQueriesContext(connection) as many:
        rows = client.get(url, {"project_id": str(team.id)}).json()
    assert len(rows) == 11
    assert len(one.captured_queries) == len(many.captured_queries)


def test_concept_outsider_and_anonymous(api, outsider, anonymous_api, sketch):
    assert api(outsider).get(f"/api/data/concepts/{sketch.id}").status_code == 403
    assert anonymous_api.get(f"/api/data/concepts/{sketch.id}").status_code == 401


def test_delete_concept(
    api, manager, supervisor, artist, sketch, django_capture_on_commit_callbacks
):
    assert api(supervisor).delete(f"/api/data/concepts/{sketch.id}").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api(artist).delete(f"/api/data/concepts/{sketch.id}").status_code == 204
    sketch.refresh_from_db()
    assert sketch.canceled
    assert ApiEvent.objects.filter(name="concept:update").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(manager).delete(f"/api/data/concepts/{sketch.id}?force=true")
    assert response.status_code == 204
    assert not Concept.objects.exists()
    assert not Task.objects.exists()
    assert ApiEvent.objects.filter(name="concept:delete").exists()


def test_concept_folders(api, supervisor, artist, team, sketch, django_capture_on_commit_callbacks):
    url = f"/api/data/projects/{team.id}/concept-folders"
    assert api(artist).post(url, {"name": "Props"}, format="json").status_code == 403
    assert api(supervisor).post(url, {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = api(supervisor).post(url, {"name": "Props"}, format="json")
    assert response.status_code == 201
    folder_id = response.json()["id"]
    assert response.json()["type"] == "ConceptFolder"
    assert [row["id"] for row in api(artist).get(url).json()] == [folder_id]

    move = f"/api/actions/projects/{team.id}/move-concepts"
    body = {"concept_ids": [str(sketch.id)], "concept_folder_id": folder_id}
    assert api(artist).post(move, body, format="json").status_code == 403
    moved = api(supervisor).post(move, body, format="json")
    assert moved.status_code == 200
    assert moved.json()[0]["parent_id"] == folder_id
    bad = api(supervisor).post(move, {"concept_ids": [UNKNOWN]}, format="json")
    assert bad.status_code == 400

    folder_url = f"/api/data/concept-folders/{folder_id}"
    renamed = api(supervisor).put(folder_url, {"name": "Sets"}, format="json")
    assert renamed.json()["name"] == "Sets"
    assert api(artist).delete(folder_url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api(supervisor).delete(folder_url).status_code == 204
    assert not ConceptFolder.objects.exists()
    sketch.refresh_from_db()
    assert sketch.parent_id is None
    assert ApiEvent.objects.filter(name="concept-folder:delete").exists()
    assert api(supervisor).delete(f"/api/data/concept-folders/{UNKNOWN}").status_code == 404
