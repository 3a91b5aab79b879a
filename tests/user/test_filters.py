"""Saved search filters and filter groups: /data/user/filters and /data/user/filter-groups."""

import uuid

import pytest

from productions.models import SearchFilter, SearchFilterGroup

FILTERS = "/api/data/user/filters"
GROUPS = "/api/data/user/filter-groups"
GROUP_KEYS = [
    "list_type",
    "entity_type",
    "name",
    "color",
    "is_shared",
    "person_id",
    "project_id",
    "department_id",
    "id",
    "created_at",
    "updated_at",
    "type",
]


def post(client_for, person, url, body, status=201):
    response = client_for(person).post(url, body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def put(client_for, person, url, body, status=200):
    response = client_for(person).put(url, body, format="json")
    assert response.status_code == status, response.content
    return response.json()


# --- filters ---------------------------------------------------------------------------


def test_create_filter_and_list_it(client_for, artist, production):
    row = post(
        client_for,
        artist,
        FILTERS,
        {
            "name": "WIP",
            "query": "wip",
            "list_type": "todo",
            "project_id": str(production.project.id),
            "entity_type": "Shot",
        },
    )

    assert row["type"] == "SearchFilter"
    assert row["search_query"] == "wip"
    assert row["person_id"] == str(artist.id)
    assert row["is_shared"] is False
    listing = client_for(artist).get(FILTERS).json()
    assert listing == {"todo": {str(production.project.id): [row]}}


def test_filter_without_project_is_filed_under_all(client_for, artist, production):
    row = post(client_for, artist, FILTERS, {"name": "Mine", "query": "x"})

    assert row["list_type"] == "todo"
    assert client_for(artist).get(FILTERS).json() == {"todo": {"all": [row]}}


def test_filters_are_personal(client_for, artist, supervisor, production):
    post(client_for, artist, FILTERS, {"name": "Mine", "query": "x"})

    assert client_for(supervisor).get(FILTERS).json() == {}


def test_shared_filters_reach_the_team_only(
    client_for, manager, artist, outsider, production, make_person
):
    row = post(
        client_for,
        manager,
        FILTERS,
        {"name": "Team", "query": "x", "project_id": str(production.project.id), "is_shared": True},
    )

    assert row["is_shared"] is True
    assert client_for(artist).get(FILTERS).json()["todo"][str(production.project.id)] == [row]
    assert client_for(outsider).get(FILTERS).json() == {}


def test_artist_cannot_share_a_filter(client_for, artist, production):
    row = post(
        client_for,
        artist,
        FILTERS,
        {"name": "Mine", "query": "x", "project_id": str(production.project.id), "is_shared": True},
    )

    assert row["is_shared"] is False


def test_department_filters_are_shown_to_that_department(client_for, manager, artist, production):
    department = production.workflow.animation_department
    post(
        client_for,
        manager,
        FILTERS,
        {
            "name": "Anim",
            "query": "x",
            "project_id": str(production.project.id),
            "is_shared": True,
            "department_id": str(department.id),
        },
    )

    assert client_for(artist).get(FILTERS).json() == {}
    artist.departments.add(department)
    assert len(client_for(artist).get(FILTERS).json()["todo"][str(production.project.id)]) == 1


def test_filters_of_closed_projects_are_hidden(client_for, artist, production, closed_status):
    post(
        client_for,
        artist,
        FILTERS,
        {"name": "x", "query": "x", "project_id": str(production.project.id)},
    )
    production.project.project_status = closed_status
    production.project.save()

    assert client_for(artist).get(FILTERS).json() == {}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": "x"}, 400),
        ({"name": "x"}, 400),
        ({"name": "", "query": "x"}, 400),
        ({"name": "x", "query": "x", "project_id": "nope"}, 400),
        ({"name": "x", "query": "x", "project_id": str(uuid.uuid4())}, 400),
        ({"name": "x", "query": "x", "department_id": str(uuid.uuid4())}, 400),
        ({"name": "x", "query": "x", "is_shared": "maybe"}, 400),
        ({"name": "x", "query": "x", "search_filter_group_id": str(uuid.uuid4())}, 404),
    ],
)
def test_create_filter_rejects_bad_bodies(client_for, artist, production, body, status):
    post(client_for, artist, FILTERS, body, status=status)
    assert not SearchFilter.objects.exists()


def test_create_filter_in_a_project_out_of_reach_gives_403(client_for, outsider, production):
    body = {"name": "x", "query": "x", "project_id": str(production.project.id)}
    post(client_for, outsider, FILTERS, body, status=403)


def test_filter_must_share_like_its_group(client_for, manager, production):
    group = SearchFilterGroup.objects.create(
        list_type="todo",
        name="G",
        color="#fff",
        person=manager,
        project=production.project,
        is_shared=True,
    )
    body = {
        "name": "x",
        "query": "x",
        "project_id": str(production.project.id),
        "search_filter_group_id": str(group.id),
    }

    post(client_for, manager, FILTERS, body, status=400)
    row = post(client_for, manager, FILTERS, {**body, "is_shared": True})
    assert row["search_filter_group_id"] == str(group.id)


def test_update_own_filter(client_for, artist, production):
    row = post(client_for, artist, FILTERS, {"name": "Old", "query": "old"})

    updated = put(
        client_for, artist, f"{FILTERS}/{row['id']}", {"name": "New", "search_query": "new"}
    )

    assert (updated["name"], updated["search_query"]) == ("New", "new")
    assert SearchFilter.objects.get(pk=row["id"]).name == "New"


def test_update_filter_errors(client_for, artist, supervisor, admin, production):
    row = post(client_for, artist, FILTERS, {"name": "Old", "query": "old"})

    put(client_for, supervisor, f"{FILTERS}/{row['id']}", {"name": "Hack"}, status=403)
    put(client_for, artist, f"{FILTERS}/{uuid.uuid4()}", {"name": "x"}, status=404)
    put(client_for, artist, f"{FILTERS}/nope", {"name": "x"}, status=400)
    put(client_for, artist, f"{FILTERS}/{row['id']}", {"name": 3}, status=400)
    put(client_for, artist, f"{FILTERS}/{row['id']}", ["not", "an", "object"], status=400)
    assert SearchFilter.objects.get(pk=row["id"]).name == "Old"
    assert put(client_for, admin, f"{FILTERS}/{row['id']}", {"name": "By admin"})["name"] == (
        "By admin"
    )


def test_delete_filter(client_for, anonymous_api, artist, supervisor, production):
    row = post(client_for, artist, FILTERS, {"name": "x", "query": "x"})
    url = f"{FILTERS}/{row['id']}"

    assert anonymous_api.delete(url).status_code == 401
    assert client_for(supervisor).delete(url).status_code == 403
    response = client_for(artist).delete(url)
    assert response.status_code == 204
    assert response.content == b""
    assert not SearchFilter.objects.exists()
    assert client_for(artist).delete(url).status_code == 404


def test_filters_need_a_token(anonymous_api):
    assert anonymous_api.get(FILTERS).status_code == 401
    assert (
        anonymous_api.post(FILTERS, {"name": "x", "query": "x"}, format="json").status_code == 401
    )


# --- filter groups ---------------------------------------------------------------------


def test_create_read_and_list_a_group(client_for, artist, production):
    project_key = str(production.project.id)
    row = post(
        client_for,
        artist,
        GROUPS,
        {"name": "Mine", "color": "#ff0000", "list_type": "asset", "project_id": project_key},
    )

    assert list(row) == GROUP_KEYS
    assert row["type"] == "SearchFilterGroup"
    assert row["color"] == "#ff0000"
    assert client_for(artist).get(f"{GROUPS}/{row['id']}").json() == row
    assert client_for(artist).get(GROUPS).json() == {"asset": {project_key: [row]}}


@pytest.mark.parametrize(
    "body",
    [
        {"color": "#fff"},
        {"name": "x"},
        {"name": "x", "color": "#fff", "project_id": "bad"},
        {"name": "x", "color": "#fff", "department_id": str(uuid.uuid4())},
    ],
)
def test_create_group_rejects_bad_bodies(client_for, artist, production, body):
    post(client_for, artist, GROUPS, body, status=400)
    assert not SearchFilterGroup.objects.exists()


def test_group_of_someone_else(client_for, artist, supervisor, admin, production):
    row = post(client_for, artist, GROUPS, {"name": "Mine", "color": "#fff"})
    url = f"{GROUPS}/{row['id']}"

    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(supervisor).put(url, {"name": "x"}, format="json").status_code == 403
    assert client_for(supervisor).delete(url).status_code == 403
    assert client_for(admin).get(url).status_code == 200
    assert client_for(artist).get(f"{GROUPS}/{uuid.uuid4()}").status_code == 404
    assert client_for(artist).get(f"{GROUPS}/bad").status_code == 400


def test_sharing_a_group_shares_its_filters(client_for, manager, production):
    project_id = str(production.project.id)
    group = post(
        client_for, manager, GROUPS, {"name": "G", "color": "#fff", "project_id": project_id}
    )
    search_filter = post(
        client_for,
        manager,
        FILTERS,
        {
            "name": "F",
            "query": "x",
            "project_id": project_id,
            "search_filter_group_id": group["id"],
        },
    )

    updated = put(client_for, manager, f"{GROUPS}/{group['id']}", {"is_shared": True, "name": "H"})

    assert (updated["is_shared"], updated["name"]) == (True, "H")
    assert SearchFilter.objects.get(pk=search_filter["id"]).is_shared is True


def test_artist_cannot_share_a_group(client_for, artist, production):
    project_id = str(production.project.id)
    group = post(
        client_for, artist, GROUPS, {"name": "G", "color": "#fff", "project_id": project_id}
    )

    updated = put(client_for, artist, f"{GROUPS}/{group['id']}", {"is_shared": True})

    assert updated["is_shared"] is False


def test_deleting_a_group_deletes_its_filters(client_for, artist, production):
    group = post(client_for, artist, GROUPS, {"name": "G", "color": "#fff"})
    post(
        client_for,
        artist,
        FILTERS,
        {"name": "F", "query": "x", "search_filter_group_id": group["id"]},
    )

    response = client_for(artist).delete(f"{GROUPS}/{group['id']}")

    assert response.status_code == 204
    assert not SearchFilterGroup.objects.exists()
    assert not SearchFilter.objects.exists()


def test_groups_need_a_token(anonymous_api):
    assert anonymous_api.get(GROUPS).status_code == 401
    assert anonymous_api.get(f"{GROUPS}/{uuid.uuid4()}").status_code == 401
