"""GET /data/user/context: the bootstrap payload Kitsu loads after login."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.presentation import CLIENT_KEYS, MINIMAL_KEYS
from productions.models import (
    MetadataDescriptor,
    PreviewBackgroundFile,
    ProjectPersonLink,
    SearchFilter,
    SearchFilterGroup,
)
from tasks.models import Comment, Notification

URL = "/api/data/user/context"

CONTEXT_KEYS = {
    "asset_types",
    "custom_actions",
    "status_automations",
    "departments",
    "studios",
    "notification_count",
    "persons",
    "project_status",
    "project_roles",
    "projects",
    "task_types",
    "task_status",
    "search_filters",
    "search_filter_groups",
    "preview_background_files",
    "plugins",
}
PROJECT_KEYS = [
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
    "descriptors",
    "task_type_links",
    "task_types_priority",
    "task_statuses_link",
    "first_episode_id",
]
DESCRIPTOR_KEYS = [
    "id",
    "name",
    "field_name",
    "data_type",
    "choices",
    "for_client",
    "entity_type",
    "task_type_id",
    "position",
    "departments",
]
ASSET_TYPE_KEYS = [
    "name",
    "short_name",
    "description",
    "task_types",
    "archived",
    "id",
    "created_at",
    "updated_at",
    "type",
]
TASK_TYPE_KEYS = {
    "name",
    "short_name",
    "description",
    "color",
    "priority",
    "for_entity",
    "allow_timelog",
    "archived",
    "shotgun_id",
    "department_id",
    "id",
    "created_at",
    "updated_at",
    "type",
}
TASK_STATUS_KEYS = {
    "name",
    "archived",
    "short_name",
    "description",
    "color",
    "priority",
    "is_done",
    "is_artist_allowed",
    "is_client_allowed",
    "is_retake",
    "is_feedback_request",
    "is_default",
    "is_wip",
    "shotgun_id",
    "for_concept",
    "id",
    "created_at",
    "updated_at",
    "type",
}
SEARCH_FILTER_KEYS = [
    "list_type",
    "entity_type",
    "name",
    "search_query",
    "is_shared",
    "department_id",
    "search_filter_group_id",
    "person_id",
    "project_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]


def context_of(client_for, person):
    response = client_for(person).get(URL)
    assert response.status_code == 200
    return response.json()


def test_anonymous_gets_401(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_artist_context_has_every_key_but_user_limit(client_for, artist, production):
    body = context_of(client_for, artist)

    assert set(body) == CONTEXT_KEYS
    assert body["project_roles"] == {}
    assert body["search_filters"] == {}
    assert body["search_filter_groups"] == {}
    assert body["plugins"] == []


def test_admin_context_has_user_limit(client_for, admin, production, settings):
    assert context_of(client_for, admin)["user_limit"] == 1000
    settings.USER_LIMIT = 25
    assert context_of(client_for, admin)["user_limit"] == 25


def test_artist_sees_only_open_projects_of_their_teams(
    client_for, artist, production, make_project, closed_status
):
    make_project(name="Elsewhere")
    make_project(name="Archive", status=closed_status, team={artist: None})

    projects = context_of(client_for, artist)["projects"]

    assert [project["name"] for project in projects] == ["Demo TV"]


def test_admin_sees_every_open_project(client_for, admin, production, make_project, closed_status):
    make_project(name="Elsewhere")
    make_project(name="Archive", status=closed_status)

    projects = context_of(client_for, admin)["projects"]

    assert [project["name"] for project in projects] == ["Demo TV", "Elsewhere"]


def test_project_element_keys_and_extra_data(client_for, artist, manager, production):
    workflow = production.workflow
    background = PreviewBackgroundFile.objects.create(name="Studio")
    production.project.preview_background_files.add(background)
    descriptor = MetadataDescriptor.objects.create(
        project=production.project,
        entity_type="Asset",
        name="Mood",
        field_name="mood",
        data_type="string",
        choices=[],
        for_client=True,
    )
    descriptor.departments.add(workflow.modeling_department)

    project = context_of(client_for, artist)["projects"][0]

    assert list(project) == PROJECT_KEYS
    assert project["type"] == "Project"
    assert project["id"] == str(production.project.id)
    assert project["first_episode_id"] == str(production.episode.id)
    assert str(manager.id) in project["team"]
    assert len(project["team"]) == 5
    assert project["preview_background_files"] == [str(background.id)]
    assert set(project["task_types"]) == {
        str(workflow.modeling.id),
        str(workflow.layout.id),
        str(workflow.animation.id),
    }
    assert project["descriptors"] == [
        {
            "id": str(descriptor.id),
            "name": "Mood",
            "field_name": "mood",
            "data_type": "string",
            "choices": [],
            "for_client": True,
            "entity_type": "Asset",
            "task_type_id": None,
            "position": None,
            "departments": [str(workflow.modeling_department.id)],
        }
    ]
    assert list(project["descriptors"][0]) == DESCRIPTOR_KEYS
    assert project["task_type_links"][str(workflow.animation.id)] == {
        "priority": 2,
        "hd_bitrate_compression": None,
        "ld_bitrate_compression": None,
        "is_client_visible": True,
    }
    assert project["task_types_priority"] == {
        str(workflow.modeling.id): 0,
        str(workflow.layout.id): 1,
        str(workflow.animation.id): 2,
    }
    assert project["task_statuses_link"][str(workflow.wip.id)] == {
        "priority": None,
        "roles_for_board": ["user", "admin", "supervisor", "manager", "vendor"],
        "is_client_allowed": None,
    }


def test_feature_film_has_no_first_episode_id(client_for, artist, make_project):
    make_project(name="Feature", team={artist: None})

    project = context_of(client_for, artist)["projects"][0]

    assert "first_episode_id" not in project


def test_client_sees_only_client_descriptors(client_for, client_person, production):
    MetadataDescriptor.objects.create(
        project=production.project,
        entity_type="Shot",
        name="Public",
        field_name="public",
        for_client=True,
    )
    MetadataDescriptor.objects.create(
        project=production.project, entity_type="Shot", name="Internal", field_name="internal"
    )

    project = context_of(client_for, client_person)["projects"][0]

    assert [descriptor["name"] for descriptor in project["descriptors"]] == ["Public"]


def test_vendor_sees_descriptors_of_no_or_their_departments(client_for, vendor, production):
    workflow = production.workflow
    vendor.departments.add(workflow.animation_department)
    everyone = MetadataDescriptor.objects.create(
        project=production.project, entity_type="Shot", name="Everyone", field_name="everyone"
    )
    theirs = MetadataDescriptor.objects.create(
        project=production.project, entity_type="Shot", name="Theirs", field_name="theirs"
    )
    theirs.departments.add(workflow.animation_department)
    other = MetadataDescriptor.objects.create(
        project=production.project, entity_type="Shot", name="Other", field_name="other"
    )
    other.departments.add(workflow.modeling_department)

    project = context_of(client_for, vendor)["projects"][0]

    assert {descriptor["id"] for descriptor in project["descriptors"]} == {
        str(everyone.id),
        str(theirs.id),
    }


def test_project_role_overrides_descriptor_visibility(client_for, artist, production):
    """An artist acting as a client in one project sees that project's client columns only."""
    ProjectPersonLink.objects.filter(person=artist).update(role="client")
    MetadataDescriptor.objects.create(
        project=production.project, entity_type="Shot", name="Internal", field_name="internal"
    )

    body = context_of(client_for, artist)

    assert body["projects"][0]["descriptors"] == []
    assert body["project_roles"] == {str(production.project.id): "client"}


def test_notification_count_counts_unread_notifications_of_the_caller(
    client_for, artist, manager, production
):
    comment = Comment.objects.create(
        object_id=production.anim_sh1.id, object_type="Task", person=manager, text="hi"
    )
    for read, kind in ((False, "comment"), (False, "mention"), (True, "assignation")):
        Notification.objects.create(
            person=artist,
            author=manager,
            comment=comment,
            task=production.anim_sh1,
            type=kind,
            read=read,
        )
    Notification.objects.create(
        person=manager, author=artist, comment=comment, task=production.anim_sh1, type="comment"
    )

    assert context_of(client_for, artist)["notification_count"] == 2
    assert context_of(client_for, manager)["notification_count"] == 1


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_managers_get_full_person_rows(client_for, make_person, role, production):
    person = make_person(role)
    persons = context_of(client_for, person)["persons"]

    row = next(row for row in persons if row["id"] == str(person.id))
    assert row["email"] == person.email
    assert row["departments"] == []
    assert row["full_name"] == f"{person.first_name} {person.last_name}"
    assert "password" not in row
    assert "totp_secret" not in row


@pytest.mark.parametrize("fixture", ["artist", "supervisor", "vendor"])
def test_staff_get_minimal_person_rows(client_for, request, fixture, production, outsider):
    person = request.getfixturevalue(fixture)
    persons = context_of(client_for, person)["persons"]

    assert all(list(row) == [key for key in MINIMAL_KEYS if key in row] for row in persons)
    assert {tuple(row) for row in persons} == {tuple(MINIMAL_KEYS)}
    assert str(outsider.id) in {row["id"] for row in persons}


def test_client_gets_their_team_only_in_client_form(
    client_for, client_person, manager, production, outsider
):
    persons = context_of(client_for, client_person)["persons"]

    ids = {row["id"] for row in persons}
    assert str(manager.id) in ids
    assert str(client_person.id) in ids
    assert str(outsider.id) not in ids
    assert all(set(row) == set(CLIENT_KEYS) for row in persons)


def test_reference_lists_have_zou_keys(client_for, artist, production):
    production.characters.task_types.add(production.workflow.modeling)
    body = context_of(client_for, artist)

    characters = next(row for row in body["asset_types"] if row["name"] == "Characters")
    assert list(characters) == ASSET_TYPE_KEYS
    assert characters["type"] == "AssetType"
    assert characters["task_types"] == [str(production.workflow.modeling.id)]
    assert all(row["name"] not in ("Shot", "Sequence", "Episode") for row in body["asset_types"])
    assert set(body["task_types"][0]) == TASK_TYPE_KEYS
    assert set(body["task_status"][0]) == TASK_STATUS_KEYS
    assert {row["name"] for row in body["departments"]} == {"Animation", "Modeling"}
    assert set(body["departments"][0]) == {
        "name",
        "color",
        "archived",
        "id",
        "created_at",
        "updated_at",
        "type",
    }
    assert [row["name"] for row in body["project_status"]] == ["Open"]


def test_search_filters_are_nested_by_list_type_and_project(client_for, artist, production):
    group = SearchFilterGroup.objects.create(
        list_type="todo", name="Mine", color="#fff", person=artist, project=production.project
    )
    search_filter = SearchFilter.objects.create(
        list_type="todo",
        name="WIP",
        search_query="wip",
        person=artist,
        project=production.project,
        search_filter_group=group,
    )
    SearchFilter.objects.create(list_type="asset", name="All", search_query="x", person=artist)

    body = context_of(client_for, artist)

    project_key = str(production.project.id)
    row = body["search_filters"]["todo"][project_key][0]
    assert list(row) == SEARCH_FILTER_KEYS
    assert row["id"] == str(search_filter.id)
    assert row["type"] == "SearchFilter"
    assert row["search_filter_group_id"] == str(group.id)
    assert body["search_filters"]["asset"]["all"][0]["name"] == "All"
    assert body["search_filter_groups"]["todo"][project_key][0]["id"] == str(group.id)


def _context_query_count(client_for, person):
    client = client_for(person)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


@pytest.mark.parametrize("fixture", ["admin", "artist", "client_person", "vendor"])
def test_query_count_does_not_grow_with_projects(
    client_for, request, fixture, make_project, workflow
):
    person = request.getfixturevalue(fixture)

    def add_projects(count):
        for _ in range(count):
            project = make_project(production_type="tvshow", team={person: None})
            MetadataDescriptor.objects.create(
                project=project, entity_type="Shot", name="Col", field_name="col"
            )

    add_projects(1)
    with_one = _context_query_count(client_for, person)
    add_projects(9)
    with_ten = _context_query_count(client_for, person)

    assert len(context_of(client_for, person)["projects"]) == 10
    assert with_one == with_ten
    assert with_ten <= 32, with_ten
