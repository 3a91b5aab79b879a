"""The generic /data resources of the files domain."""

import pytest

from tasks.models import FileStatus, OutputType, WorkingFile
from tests.files.conftest import UNKNOWN_ID


@pytest.mark.parametrize(
    ("slug", "payload"),
    [
        ("output-types", {"name": "Render", "short_name": "rnd"}),
        ("file-status", {"name": "Published", "color": "#00ff00"}),
    ],
)
def test_studio_settings_read_by_all_written_by_admins(
    slug, payload, admin_api, artist_api, anonymous_api
):
    created = admin_api.post(f"/api/data/{slug}", payload, format="json")
    assert created.status_code == 201
    row_id = created.json()["id"]
    assert [row["id"] for row in artist_api.get(f"/api/data/{slug}").json()] == [row_id]
    assert artist_api.get(f"/api/data/{slug}/{row_id}").json()["name"] == payload["name"]
    assert artist_api.post(f"/api/data/{slug}", payload, format="json").status_code == 403
    assert (
        artist_api.put(f"/api/data/{slug}/{row_id}", {"name": "X"}, format="json").status_code
        == 403
    )
    assert anonymous_api.get(f"/api/data/{slug}").status_code == 401
    assert artist_api.get(f"/api/data/{slug}/{UNKNOWN_ID}").status_code == 404
    assert admin_api.post(f"/api/data/{slug}", {"bogus": 1}, format="json").status_code == 400


def test_working_files_are_listed_within_readable_tasks(
    team, task, artist, client_for, make_person
):
    working_file = WorkingFile.objects.create(
        task=task, entity=task.entity, name="main", revision=1
    )
    task.assignees.add(artist)

    assert [row["id"] for row in client_for(artist).get("/api/data/working-files").json()] == [
        str(working_file.pk)
    ]
    outsider = client_for(make_person("user"))
    assert outsider.get("/api/data/working-files").json() == []
    assert outsider.get(f"/api/data/working-files/{working_file.pk}").status_code == 403
    response = client_for(artist).put(
        f"/api/data/working-files/{working_file.pk}", {"comment": "ok"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["comment"] == "ok"
    assert client_for(artist).post("/api/data/working-files", {}, format="json").status_code == 403


def test_output_files_crud(team, shot, client_person, manager, client_for, make_person, admin_api):
    output_type = OutputType.objects.create(name="Geometry", short_name="geo")
    status = FileStatus.objects.create(name="Created", color="#999999")
    created = admin_api.post(
        "/api/data/output-files",
        {
            "name": "main",
            "revision": 1,
            "entity_id": str(shot.pk),
            "output_type_id": str(output_type.pk),
            "file_status_id": str(status.pk),
        },
        format="json",
    )
    assert created.status_code == 201
    row_id = created.json()["id"]
    assert [row["id"] for row in client_for(manager).get("/api/data/output-files").json()] == [
        row_id
    ]
    assert client_for(make_person("user")).get("/api/data/output-files").json() == []
    assert client_for(client_person).get(f"/api/data/output-files/{row_id}").status_code == 200
    assert (
        client_for(client_person)
        .put(f"/api/data/output-files/{row_id}", {"comment": "x"}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(manager)
        .put(f"/api/data/output-files/{row_id}", {"comment": "x"}, format="json")
        .json()["comment"]
        == "x"
    )
    assert client_for(manager).delete(f"/api/data/output-files/{row_id}").status_code == 403


@pytest.mark.parametrize("size", [1, 6])
def test_task_working_files_query_count_does_not_grow(
    team, task, manager, client_for, django_assert_num_queries, size
):
    for revision in range(1, size + 1):
        WorkingFile.objects.create(task=task, entity=task.entity, name="main", revision=revision)
    api = client_for(manager)
    # Token blocklist, person, task, team links, then the working files.
    with django_assert_num_queries(5):
        response = api.get(f"/api/data/tasks/{task.pk}/working-files")
    assert len(response.json()) == size
