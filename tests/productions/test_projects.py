"""/data/projects: generic routes, the open and all lists, and the project payload."""

import uuid

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import (
    DepartmentMetadataDescriptorLink,
    Entity,
    MetadataDescriptor,
    Project,
    ProjectTemplate,
    ProjectTemplateTaskTypeLink,
)

PROJECT_KEYS = {
    "name",
    "code",
    "description",
    "shotgun_id",
    "file_tree",
    "data",
    "has_avatar",
    "fps",
    "ratio",
    "resolution",
    "production_type",
    "production_style",
    "start_date",
    "end_date",
    "man_days",
    "nb_episodes",
    "episode_span",
    "max_retakes",
    "is_clients_isolated",
    "is_client_stats_visible",
    "is_client_task_list_visible",
    "is_client_task_panel_visible",
    "is_preview_download_allowed",
    "is_set_preview_automated",
    "homepage",
    "is_publish_default_for_artists",
    "is_bot_collaboration_enabled",
    "is_single_preview_per_revision",
    "is_frame_in_numbering",
    "revision_padding",
    "hd_bitrate_compression",
    "ld_bitrate_compression",
    "project_status_id",
    "default_preview_background_file_id",
    "from_schedule_version_id",
    "team",
    "asset_types",
    "task_statuses",
    "task_types",
    "status_automations",
    "preview_background_files",
    "id",
    "created_at",
    "updated_at",
    "type",
}
EXTRA_KEYS = {"descriptors", "task_type_links", "task_types_priority", "task_statuses_link"}


def test_anonymous_gets_401(anonymous_api, project):
    assert anonymous_api.get("/api/data/projects").status_code == 401
    assert anonymous_api.get(f"/api/data/projects/{project.id}").status_code == 401
    assert anonymous_api.get("/api/data/projects/open").status_code == 401


def test_admin_lists_every_project(admin_api, project, other_project):
    response = admin_api.get("/api/data/projects")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()} == {"Big Buck", "Elsewhere"}
    assert response.json()[0]["type"] == "Project"


def test_artist_lists_only_team_projects(api, team, artist, other_project, closed_status, join):
    closed = Project.objects.create(name="Archive", project_status=closed_status)
    join(closed, artist)
    response = api(artist).get("/api/data/projects")
    assert response.status_code == 200
    assert sorted(row["name"] for row in response.json()) == ["Archive", "Big Buck"]


def test_member_reads_project_with_extras(api, team, artist, animation, modeling, todo):
    response = api(artist).get(f"/api/data/projects/{team.id}")
    assert response.status_code == 200
    body = response.json()
    assert PROJECT_KEYS | EXTRA_KEYS | {"project_status_name"} == set(body)
    assert body["project_status_name"] == "Open"
    assert body["type"] == "Project"
    assert body["fps"] == "24"
    assert set(body["task_types"]) == {str(animation.id), str(modeling.id)}
    assert body["task_statuses"] == [str(todo.id)]
    assert len(body["team"]) == 5
    assert body["task_types_priority"] == {str(animation.id): 2, str(modeling.id): 1}
    assert body["task_type_links"][str(animation.id)] == {
        "priority": 2,
        "hd_bitrate_compression": None,
        "ld_bitrate_compression": None,
        "is_client_visible": True,
    }
    assert body["task_statuses_link"][str(todo.id)]["is_client_allowed"] is None
    assert "first_episode_id" not in body


def test_descriptors_follow_the_readers_role(
    api, team, artist, client_person, vendor, animation_department
):
    public = MetadataDescriptor.objects.create(
        project=team, entity_type="Asset", name="Mood", field_name="mood", for_client=True
    )
    private = MetadataDescriptor.objects.create(
        project=team, entity_type="Asset", name="Cost", field_name="cost"
    )
    DepartmentMetadataDescriptorLink.objects.create(
        metadata_descriptor=private, department=animation_department
    )
    by_artist = api(artist).get(f"/api/data/projects/{team.id}").json()["descriptors"]
    assert {row["field_name"] for row in by_artist} == {"mood", "cost"}
    cost = next(row for row in by_artist if row["field_name"] == "cost")
    assert cost == {
        "id": str(private.id),
        "name": "Cost",
        "field_name": "cost",
        "data_type": None,
        "choices": None,
        "for_client": False,
        "entity_type": "Asset",
        "task_type_id": None,
        "position": None,
        "departments": [str(animation_department.id)],
    }
    by_client = api(client_person).get(f"/api/data/projects/{team.id}").json()["descriptors"]
    assert [row["id"] for row in by_client] == [str(public.id)]
    # The vendor belongs to no department: only columns without departments.
    by_vendor = api(vendor).get(f"/api/data/projects/{team.id}").json()["descriptors"]
    assert [row["id"] for row in by_vendor] == [str(public.id)]


def test_tv_show_payload_names_first_episode(api, admin, project, make_entity):
    project.production_type = "tvshow"
    project.save()
    make_entity(project, "E02", "Episode")
    first = make_entity(project, "E01", "Episode")
    body = api(admin).get(f"/api/data/projects/{project.id}").json()
    assert body["first_episode_id"] == str(first.id)


def test_outsider_gets_403_and_unknown_404(api, project, outside_manager, admin):
    assert api(outside_manager).get(f"/api/data/projects/{project.id}").status_code == 403
    assert api(admin).get(f"/api/data/projects/{uuid.uuid4()}").status_code == 404
    assert api(admin).get("/api/data/projects/not-an-id").status_code == 400


def test_open_projects_for_admin_and_member(api, admin, team, artist, closed_status, join):
    closed = Project.objects.create(name="Archive", project_status=closed_status)
    join(closed, artist)
    Project.objects.create(name="Other", project_status=team.project_status)
    admin_rows = api(admin).get("/api/data/projects/open").json()
    assert [row["name"] for row in admin_rows] == ["Big Buck", "Other"]
    assert set(admin_rows[0]) >= EXTRA_KEYS
    artist_rows = api(artist).get("/api/data/projects/open").json()
    assert [row["name"] for row in artist_rows] == ["Big Buck"]
    by_name = api(admin).get("/api/data/projects/open?name=Other").json()
    assert [row["name"] for row in by_name] == ["Other"]


def test_all_projects_carries_status_name(api, admin, project, closed_status):
    Project.objects.create(name="Archive", project_status=closed_status)
    rows = api(admin).get("/api/data/projects/all").json()
    assert [(row["name"], row["project_status_name"]) for row in rows] == [
        ("Archive", "Closed"),
        ("Big Buck", "Open"),
    ]
    assert "team" not in rows[0]
    assert rows[0]["descriptors"] == []


def test_admin_creates_open_project(admin_api, open_status, committed):
    with committed():
        response = admin_api.post("/api/data/projects", {"name": "New One"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "New One"
    assert body["project_status_id"] == str(open_status.id)
    assert body["team"] == []
    event = ApiEvent.objects.get(name="project:new")
    assert event.data["project_id"] == body["id"]


def test_creating_a_tv_show_creates_its_first_episode(admin_api, open_status):
    response = admin_api.post(
        "/api/data/projects", {"name": "Show", "production_type": "tvshow"}, format="json"
    )
    assert response.status_code == 201
    episode = Entity.objects.get(project_id=response.json()["id"])
    assert episode.name == "E01"
    assert episode.entity_type.name == "Episode"
    assert response.json()["first_episode_id"] == str(episode.id)


def test_creation_applies_a_template(admin_api, open_status, animation):
    template = ProjectTemplate.objects.create(name="Feature", fps="30")
    ProjectTemplateTaskTypeLink.objects.create(
        project_template=template, task_type=animation, priority=4
    )
    response = admin_api.post(
        "/api/data/projects",
        {"name": "From template", "project_template_id": str(template.id)},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["fps"] == "30"
    assert response.json()["task_types"] == [str(animation.id)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X", "production_style": "oil"}, "Invalid production_style"),
        ({"name": "X", "resolution": "big"}, "Invalid resolution big"),
        ({"name": "X", "ld_bitrate_compression": 0}, "Invalid bitrate 0"),
    ],
)
def test_creation_refuses_bad_values(admin_api, open_status, body, message):
    response = admin_api.post("/api/data/projects", body, format="json")
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert not Project.objects.filter(name="X").exists()


def test_creation_without_name_is_400(admin_api, open_status):
    assert admin_api.post("/api/data/projects", {}, format="json").status_code == 400


def test_only_admins_create(api, manager, open_status):
    response = api(manager).post("/api/data/projects", {"name": "Nope"}, format="json")
    assert response.status_code == 403


def test_manager_of_project_updates_it(api, team, manager, committed):
    with committed():
        response = api(manager).put(f"/api/data/projects/{team.id}", {"fps": "30"}, format="json")
    assert response.status_code == 200
    assert response.json()["fps"] == "30"
    assert ApiEvent.objects.filter(name="project:update").count() == 1


def test_team_cannot_be_changed_through_update(api, admin, team, artist):
    response = api(admin).put(f"/api/data/projects/{team.id}", {"team": []}, format="json")
    assert response.status_code == 200
    assert len(response.json()["team"]) == 5


@pytest.mark.parametrize("who", ["outside_manager", "supervisor", "artist", "client_person"])
def test_others_cannot_update(request, api, team, who):
    person = request.getfixturevalue(who)
    response = api(person).put(f"/api/data/projects/{team.id}", {"fps": "1"}, format="json")
    assert response.status_code == 403


def test_update_with_bad_resolution_is_400(api, admin, project):
    response = api(admin).put(
        f"/api/data/projects/{project.id}", {"resolution": "1920"}, format="json"
    )
    assert response.status_code == 400


def test_open_project_cannot_be_deleted(admin_api, project):
    response = admin_api.delete(f"/api/data/projects/{project.id}")
    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "message": "Only closed projects can be deleted",
        "data": None,
    }
    assert Project.objects.filter(pk=project.pk).exists()


def test_closed_project_is_deleted_by_admin_only(api, admin, manager, closed_status, committed):
    project = Project.objects.create(name="Old", project_status=closed_status)
    assert api(manager).delete(f"/api/data/projects/{project.id}").status_code == 403
    with committed():
        assert api(admin).delete(f"/api/data/projects/{project.id}").status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()
    assert ApiEvent.objects.get(name="project:delete").data["project_id"] == str(project.id)


def test_project_list_query_count_is_flat(api, admin, open_status, django_assert_num_queries):
    def make(count):
        for number in range(count):
            Project.objects.create(
                name=f"P{Project.objects.count()}-{number}", project_status=open_status
            )

    client = api(admin)
    make(1)
    # Auth (token blocklist, person), then the project rows.
    with django_assert_num_queries(3):
        assert len(client.get("/api/data/projects").json()) == 1
    make(20)
    with django_assert_num_queries(3):
        assert len(client.get("/api/data/projects").json()) == 21


def test_open_projects_query_count_is_flat(
    api, artist, open_status, join, django_assert_num_queries
):
    def make(count):
        for _ in range(count):
            project = Project.objects.create(
                name=f"P{Project.objects.count()}", project_status=open_status
            )
            join(project, artist)
            MetadataDescriptor.objects.create(
                project=project, entity_type="Shot", name="Notes", field_name="notes"
            )

    client = api(artist)
    make(1)
    # Auth (2), team links, projects, six relation lists, descriptors and their
    # departments, task type links, task status links.
    with django_assert_num_queries(14):
        assert len(client.get("/api/data/projects/open").json()) == 1
    make(10)
    with django_assert_num_queries(14):
        assert len(client.get("/api/data/projects/open").json()) == 11
