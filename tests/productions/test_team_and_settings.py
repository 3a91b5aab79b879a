"""Team, settings, task-type softwares and preview account routes of a project."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from people.models import Person, Software
from productions.models import (
    EntityType,
    PreviewBackgroundFile,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTaskTypeSoftwareLink,
    StatusAutomation,
)


def test_team_as_manager_is_full_with_project_roles(api, team, manager, artist):
    ProjectPersonLink.objects.filter(project=team, person=artist).update(role="supervisor")
    response = api(manager).get(f"/api/data/projects/{team.id}/team")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert len(rows) == 5
    assert rows[str(artist.id)]["project_role"] == "supervisor"
    assert rows[str(manager.id)]["project_role"] is None
    assert rows[str(artist.id)]["email"] == artist.email
    assert "password" not in rows[str(artist.id)]
    assert "departments" in rows[str(artist.id)]


def test_team_as_artist_and_client_is_reduced(api, team, artist, client_person, manager):
    artist_rows = api(artist).get(f"/api/data/projects/{team.id}/team").json()
    assert "email" not in artist_rows[0]
    assert {"id", "full_name", "departments", "project_role"} <= set(artist_rows[0])
    client_rows = api(client_person).get(f"/api/data/projects/{team.id}/team").json()
    assert "departments" not in client_rows[0]
    assert {"id", "full_name", "role", "project_role"} <= set(client_rows[0])


def test_team_access(api, anonymous_api, project, outside_manager, admin):
    assert anonymous_api.get(f"/api/data/projects/{project.id}/team").status_code == 401
    assert api(outside_manager).get(f"/api/data/projects/{project.id}/team").status_code == 403
    assert api(admin).get(f"/api/data/projects/{uuid.uuid4()}/team").status_code == 404
    assert api(admin).get("/api/data/projects/xyz/team").status_code == 400


def test_team_query_count_is_flat(
    api, admin, project, make_person, join, django_assert_num_queries
):
    client = api(admin)
    join(project, make_person())
    # Auth (2), the project, the people, their departments, the per-project roles.
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/data/projects/{project.id}/team").json()) == 1
    for _ in range(15):
        join(project, make_person())
    with django_assert_num_queries(6):
        assert len(client.get(f"/api/data/projects/{project.id}/team").json()) == 16


def test_manager_adds_member_with_role(api, team, manager, make_person, committed):
    newcomer = make_person()
    with committed():
        response = api(manager).post(
            f"/api/data/projects/{team.id}/team",
            {"person_id": str(newcomer.id), "role": "supervisor"},
            format="json",
        )
    assert response.status_code == 201
    assert response.json()["id"] == str(team.id)
    assert ProjectPersonLink.objects.get(project=team, person=newcomer).role == "supervisor"
    assert ApiEvent.objects.filter(name="project:update").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The field person_id is required."),
        ({"person_id": "nope"}, "Malformed ID."),
        ({"person_id": "c7f6c0a4-0000-4000-8000-000000000000"}, "Person with id"),
        ({"person_id": "PERSON", "role": "admin"}, "admin is a global role"),
        ({"person_id": "PERSON", "role": "boss"}, "boss is not a role"),
    ],
)
def test_adding_member_refuses_bad_bodies(api, project, admin, make_person, body, message):
    newcomer = make_person()
    if body.get("person_id") == "PERSON":
        body = {**body, "person_id": str(newcomer.id)}
    response = api(admin).post(f"/api/data/projects/{project.id}/team", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)


@pytest.mark.parametrize(
    "who", ["outside_manager", "supervisor", "artist", "client_person", "vendor"]
)
def test_only_managers_of_project_change_team(request, api, team, make_person, who):
    person = request.getfixturevalue(who)
    newcomer = make_person()
    response = api(person).post(
        f"/api/data/projects/{team.id}/team", {"person_id": str(newcomer.id)}, format="json"
    )
    assert response.status_code == 403


def test_set_member_role_and_remove_member(api, team, manager, artist):
    url = f"/api/data/projects/{team.id}/team/{artist.id}"
    response = api(manager).put(url, {"role": "client"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "project_id": str(team.id),
        "person_id": str(artist.id),
        "role": "client",
    }
    assert api(manager).put(url, {"role": "wizard"}, format="json").status_code == 400
    assert api(artist).delete(url).status_code == 403
    assert api(manager).delete(url).status_code == 204
    assert not ProjectPersonLink.objects.filter(project=team, person=artist).exists()
    # No longer on the team: setting a role is refused.
    assert api(manager).put(url, {"role": "user"}, format="json").status_code == 400


def test_task_types_of_project(api, team, artist, animation, modeling, outside_manager):
    response = api(artist).get(f"/api/data/projects/{team.id}/task-types")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()} == {str(animation.id), str(modeling.id)}
    assert response.json()[0]["type"] == "TaskType"
    assert api(outside_manager).get(f"/api/data/projects/{team.id}/task-types").status_code == 403


def test_enable_and_disable_task_type(api, team, manager, artist, animation, committed):
    ProjectTaskTypeLink.objects.filter(project=team).delete()
    url = f"/api/data/projects/{team.id}/settings/task-types"
    body = {"task_type_id": str(animation.id), "priority": 5, "is_client_visible": False}
    assert api(artist).post(url, body, format="json").status_code == 403
    with committed():
        response = api(manager).post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["id"] == str(team.id)
    link = ProjectTaskTypeLink.objects.get(project=team, task_type=animation)
    assert (link.priority, link.is_client_visible) == (5, False)
    assert ApiEvent.objects.get(name="project:update").project_id == team.id
    bad = api(manager).post(url, {"task_type_id": str(uuid.uuid4())}, format="json")
    assert bad.status_code == 400
    assert api(manager).post(url, {}, format="json").status_code == 400
    bitrate = {"task_type_id": str(animation.id), "hd_bitrate_compression": 0}
    assert api(manager).post(url, bitrate, format="json").status_code == 400
    assert api(manager).delete(f"{url}/{animation.id}").status_code == 204
    assert not ProjectTaskTypeLink.objects.filter(project=team).exists()


def test_task_status_settings(api, team, manager, artist, todo, wip):
    url = f"/api/data/projects/{team.id}/settings/task-status"
    listed = api(artist).get(url)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [str(todo.id)]
    assert api(manager).post(url, {"task_status_id": str(wip.id)}, format="json").status_code == 201
    assert ProjectTaskStatusLink.objects.filter(project=team, task_status=wip).exists()
    response = api(manager).put(
        f"{url}/{wip.id}",
        {"is_client_allowed": True, "roles_for_board": ["user", "manager"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["is_client_allowed"] is True
    assert response.json()["roles_for_board"] == ["user", "manager"]
    assert api(manager).put(f"{url}/{wip.id}", {}, format="json").status_code == 400
    assert (
        api(artist).put(f"{url}/{wip.id}", {"is_client_allowed": False}, format="json").status_code
        == 403
    )
    missing = api(manager).put(f"{url}/{uuid.uuid4()}", {"is_client_allowed": True}, format="json")
    assert missing.status_code == 404
    assert api(manager).delete(f"{url}/{wip.id}").status_code == 204
    assert not ProjectTaskStatusLink.objects.filter(project=team, task_status=wip).exists()


def test_asset_type_settings(api, team, manager, characters):
    url = f"/api/data/projects/{team.id}/settings/asset-types"
    response = api(manager).post(url, {"asset_type_id": str(characters.id)}, format="json")
    assert response.status_code == 201
    assert ProjectAssetTypeLink.objects.filter(project=team, asset_type=characters).exists()
    assert (
        api(manager).post(url, {"asset_type_id": str(uuid.uuid4())}, format="json").status_code
        == 400
    )
    assert api(manager).delete(f"{url}/{characters.id}").status_code == 204
    assert not ProjectAssetTypeLink.objects.filter(project=team).exists()


def test_status_automation_settings_are_for_managers(
    api, team, manager, artist, animation, todo, wip
):
    automation = StatusAutomation.objects.create(
        in_task_type=animation, in_task_status=todo, out_task_type=animation, out_task_status=wip
    )
    url = f"/api/data/projects/{team.id}/settings/status-automations"
    assert (
        api(manager)
        .post(url, {"status_automation_id": str(automation.id)}, format="json")
        .status_code
        == 201
    )
    assert api(artist).get(url).status_code == 403
    rows = api(manager).get(url).json()
    assert [row["id"] for row in rows] == [str(automation.id)]
    assert rows[0]["type"] == "StatusAutomation"
    assert api(manager).delete(f"{url}/{automation.id}").status_code == 204
    assert api(manager).get(url).json() == []


def test_preview_background_settings(api, team, manager, artist):
    background = PreviewBackgroundFile.objects.create(name="Studio")
    url = f"/api/data/projects/{team.id}/settings/preview-background-files"
    body = {"preview_background_file_id": str(background.id)}
    assert api(manager).post(url, body, format="json").status_code == 201
    rows = api(artist).get(url).json()
    assert [(row["id"], row["name"]) for row in rows] == [(str(background.id), "Studio")]
    assert api(manager).delete(f"{url}/{background.id}").status_code == 204
    assert api(artist).get(url).json() == []


def test_settings_batch(api, team, manager, animation, wip, characters, artist):
    url = f"/api/data/projects/{team.id}/settings/batch"
    body = {
        "task_types": [{"task_type_id": str(animation.id), "priority": 9}],
        "task_status_ids": [str(wip.id)],
        "asset_type_ids": [str(characters.id)],
        "replace_task_types": True,
    }
    assert api(artist).post(url, body, format="json").status_code == 403
    response = api(manager).post(url, body, format="json")
    assert response.status_code == 200
    assert list(
        ProjectTaskTypeLink.objects.filter(project=team).values_list("task_type_id", "priority")
    ) == [(animation.id, 9)]
    assert ProjectTaskStatusLink.objects.filter(project=team, task_status=wip).exists()
    assert ProjectAssetTypeLink.objects.filter(project=team, asset_type=characters).exists()
    bad = api(manager).post(url, {"task_types": [{"priority": 1}]}, format="json")
    assert bad.status_code == 400


def test_task_type_softwares(api, team, manager, supervisor, artist, animation, modeling):
    blender = Software.objects.create(name="Blender", short_name="bl", file_extension="blend")
    url = f"/api/data/projects/{team.id}/task-types/{animation.id}/softwares"
    assert api(artist).post(url, {"software_id": str(blender.id)}, format="json").status_code == 403
    # The supervisor belongs to Animation: the animation task type is theirs.
    response = api(supervisor).post(url, {"software_id": str(blender.id)}, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "project_id": str(team.id),
        "task_type_id": str(animation.id),
        "software_id": str(blender.id),
    }
    modeling_url = f"/api/data/projects/{team.id}/task-types/{modeling.id}/softwares"
    assert (
        api(supervisor)
        .post(modeling_url, {"software_id": str(blender.id)}, format="json")
        .status_code
        == 403
    )
    listed = api(artist).get(f"/api/data/projects/{team.id}/task-type-softwares").json()
    assert listed == [response.json()]
    assert (
        api(manager).post(url, {"software_id": str(uuid.uuid4())}, format="json").status_code == 404
    )
    assert api(manager).delete(f"{url}/{blender.id}").status_code == 204
    assert not ProjectTaskTypeSoftwareLink.objects.exists()


def test_preview_account_lifecycle(api, team, manager, artist, committed):
    url = f"/api/data/projects/{team.id}/preview-account"
    assert api(manager).get(url).json() is None
    assert api(artist).post(url, {}, format="json").status_code == 403
    with committed():
        created = api(manager).post(url, {}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "email", "full_name", "preview_open_until", "password"}
    account = Person.objects.get(pk=body["id"])
    assert account.role == "client"
    assert account.preview_project_id == team.id
    assert account.check_password(body["password"])
    assert ProjectPersonLink.objects.filter(project=team, person=account).exists()
    opened = api(manager).put(url, {"is_open": True}, format="json")
    assert opened.status_code == 200
    assert opened.json()["preview_open_until"] is not None
    assert api(manager).put(url, {"is_open": "yes"}, format="json").status_code == 400
    assert (
        api(manager).put(url, {"is_open": False}, format="json").json()["preview_open_until"]
        is None
    )
    assert api(manager).delete(url).status_code == 204
    assert not Person.objects.filter(pk=account.pk).exists()
    assert api(manager).put(url, {"is_open": True}, format="json").status_code == 404


def test_entity_types_are_listed_to_everyone(api, artist, characters):
    rows = api(artist).get("/api/data/entity-types").json()
    assert [row["name"] for row in rows] == ["Characters"]
    assert EntityType.objects.count() == 1
    assert (
        api(artist).post("/api/data/entity-types", {"name": "Props"}, format="json").status_code
        == 403
    )
