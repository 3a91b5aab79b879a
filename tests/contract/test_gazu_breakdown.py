"""The real Gazu client against a live server: a producer sets up a production
(team, settings, episodes, sequences, shots, assets, casting, tasks) and an
artist of the team finds their work, as pipeline scripts and DCC plug-ins do.

Each test logs in with a Gazu client of its own, so that no token or cached
value leaks from one test to the next. The production every test starts from
is built directly in the database; the calls under test go through Gazu.
"""

from types import SimpleNamespace

import gazu
import pytest
from django.core.management import call_command
from gazu.exception import (
    NotAllowedException,
    NotAuthenticatedException,
    ParameterException,
    RouteNotFoundException,
)

from assets.models import Asset, AssetType
from kitsu_backend.api.models import ApiEvent
from productions.models import (
    EntityLink,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskStatus, TaskType
from tests.conftest import PASSWORD

pytestmark = pytest.mark.contract

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The live server speaks plain HTTP: with the production default the
    # security middleware would redirect every call to https.
    if settings.SECURE_SSL_REDIRECT:
        pytest.skip("needs SECURE_SSL_REDIRECT=false, as `make test` sets it")


@pytest.fixture
def connect(live_server):
    """``connect(person)`` returns a Gazu client of its own, logged in as ``person``."""
    clients = []

    def make(person=None):
        kitsu = gazu.client.create_client(live_server.url + "/api")
        clients.append(kitsu)
        if person is not None:
            gazu.log_in(person.email, PASSWORD, client=kitsu)
        return kitsu

    yield make
    # Drop the kept-alive connections so that no server thread outlives the test.
    for kitsu in clients:
        kitsu.session.close()


def _task_type(name, for_entity):
    return TaskType.objects.get(name=name, for_entity=for_entity)


def _link_settings(project):
    """Enable every default task type, task status and two asset types."""
    for priority, task_type in enumerate(TaskType.objects.order_by("for_entity", "priority")):
        ProjectTaskTypeLink.objects.create(project=project, task_type=task_type, priority=priority)
    for priority, status in enumerate(TaskStatus.objects.order_by("name")):
        ProjectTaskStatusLink.objects.create(project=project, task_status=status, priority=priority)
    for name in ("Characters", "Props"):
        ProjectAssetTypeLink.objects.create(
            project=project, asset_type=AssetType.objects.get(name=name)
        )


@pytest.fixture
def prod(make_person):
    """A TV show with its team and breakdown, and a second production the artist is not in.

    Agent 327: episode E01 > sequence SQ01 > shots SH010 (frames 1001-1024)
    and SH020; assets Hero (Characters) and Sword (Props). The artist is
    assigned the SH010 animation and the Hero modeling tasks; the SH020
    layout task is assigned to nobody.
    """
    call_command("init_data", verbosity=0)
    open_status = ProjectStatus.objects.get(name="Open")
    people = SimpleNamespace(
        admin=make_person("admin", first_name="Ada", last_name="Admin"),
        manager=make_person("manager", first_name="Max", last_name="Manager"),
        outside_manager=make_person("manager", first_name="Olga", last_name="Outsider"),
        artist=make_person("user", first_name="Art", last_name="Artist"),
        other_artist=make_person("user", first_name="Bob", last_name="Elsewhere"),
    )
    project = Project.objects.create(
        name="Agent 327", production_type="tvshow", project_status=open_status
    )
    other = Project.objects.create(name="Spring", project_status=open_status)
    for person in (people.manager, people.artist):
        ProjectPersonLink.objects.create(project=project, person=person)
    for person in (people.outside_manager, people.other_artist):
        ProjectPersonLink.objects.create(project=other, person=person)
    _link_settings(project)
    _link_settings(other)

    characters = AssetType.objects.get(name="Characters")
    props = AssetType.objects.get(name="Props")
    episode = Episode.objects.create(project=project, name="E01")
    sequence = Sequence.objects.create(project=project, name="SQ01", parent=episode)
    sh010 = Shot.objects.create(
        project=project,
        name="SH010",
        parent=sequence,
        nb_frames=24,
        data={"frame_in": 1001, "frame_out": 1024},
    )
    sh020 = Shot.objects.create(project=project, name="SH020", parent=sequence, data={})
    hero = Asset.objects.create(project=project, name="Hero", entity_type=characters)
    sword = Asset.objects.create(project=project, name="Sword", entity_type=props)
    other_sequence = Sequence.objects.create(project=other, name="SQ90")
    other_shot = Shot.objects.create(project=other, name="SH900", parent=other_sequence)

    todo = TaskStatus.objects.get(short_name="todo")
    animation = _task_type("Animation", "Shot")
    layout = _task_type("Layout", "Shot")
    modeling = _task_type("Modeling", "Asset")

    def task(entity, task_type, *assignees):
        created = Task.objects.create(
            project=entity.project,
            entity=entity,
            task_type=task_type,
            task_status=todo,
            assigner=people.manager,
        )
        created.assignees.set(assignees)
        return created

    return SimpleNamespace(
        **vars(people),
        project=project,
        other=other,
        characters=characters,
        props=props,
        episode=episode,
        sequence=sequence,
        sh010=sh010,
        sh020=sh020,
        hero=hero,
        sword=sword,
        other_shot=other_shot,
        todo=todo,
        animation=animation,
        layout=layout,
        modeling=modeling,
        anim_task=task(sh010, animation, people.artist),
        layout_task=task(sh020, layout),
        model_task=task(hero, modeling, people.artist),
        other_task=task(other_shot, animation, people.other_artist),
    )


def ids(rows):
    return [row["id"] for row in rows]


def names(rows):
    return [row["name"] for row in rows]


def event_names(project):
    """Names of the events emitted about ``project``'s content, oldest first."""
    return list(
        ApiEvent.objects.filter(project_id=project.id)
        .order_by("created_at")
        .values_list("name", flat=True)
    )


def event_data(name):
    """Payloads of the events called ``name``, oldest first."""
    return list(
        ApiEvent.objects.filter(name=name).order_by("created_at").values_list("data", flat=True)
    )


# --- projects ---------------------------------------------------------------------------


def test_admin_creates_a_project_with_its_team_and_settings(prod, connect):
    kitsu = connect(prod.admin)
    anim = gazu.task.get_task_type_by_name("Animation", for_entity="Shot", client=kitsu)
    wip = gazu.task.get_task_status_by_short_name("wip", client=kitsu)

    created = gazu.project.new_project(
        "Cosmos Laundromat",
        "featurefilm",
        team=[str(prod.manager.id)],
        asset_types=[str(prod.props.id)],
        task_statuses=[wip],
        task_types=[anim],
        production_style="3d",
        client=kitsu,
    )

    assert created["type"] == "Project"
    assert (created["name"], created["production_type"], created["production_style"]) == (
        "Cosmos Laundromat",
        "featurefilm",
        "3d",
    )
    assert created["team"] == [str(prod.manager.id)]
    assert created["task_types"] == [anim["id"]]
    assert created["task_statuses"] == [wip["id"]]
    assert created["asset_types"] == [str(prod.props.id)]
    project = Project.objects.get(pk=created["id"])
    assert project.project_status.name == "Open"
    assert list(project.team.all()) == [prod.manager]
    assert [data["project_id"] for data in event_data("project:new")] == [created["id"]]
    # Asking again finds the project by name instead of creating a second one.
    again = gazu.project.new_project("Cosmos Laundromat", client=kitsu)
    assert again["id"] == created["id"]
    assert Project.objects.filter(name="Cosmos Laundromat").count() == 1


def test_only_admins_create_projects(prod, connect):
    for person in (prod.manager, prod.artist):
        with pytest.raises(NotAllowedException):
            gazu.project.new_project(f"Nope {person.id}", client=connect(person))
    assert Project.objects.count() == 2


def test_admin_lists_every_project_and_the_open_ones(prod, connect):
    kitsu = connect(prod.admin)

    assert names(gazu.project.all_projects(client=kitsu)) == ["Agent 327", "Spring"]
    assert names(gazu.project.all_open_projects(client=kitsu)) == ["Agent 327", "Spring"]
    assert names(gazu.project.all_project_status(client=kitsu)) == ["Closed", "Open"]

    gazu.project.close_project(str(prod.other.id), client=kitsu)

    prod.other.refresh_from_db()
    assert prod.other.project_status.name == "Closed"
    assert names(gazu.project.all_open_projects(client=kitsu)) == ["Agent 327"]
    assert names(gazu.project.all_projects(client=kitsu)) == ["Agent 327", "Spring"]


def test_project_lookups(prod, connect):
    kitsu = connect(prod.admin)

    project = gazu.project.get_project(str(prod.project.id), client=kitsu)
    by_name = gazu.project.get_project_by_name("Agent 327", client=kitsu)

    assert project["id"] == by_name["id"] == str(prod.project.id)
    assert (project["type"], project["production_type"]) == ("Project", "tvshow")
    assert project["project_status_id"] == str(prod.project.project_status_id)
    assert set(project["team"]) == {str(prod.manager.id), str(prod.artist.id)}
    assert gazu.project.get_project_by_name("No Such Show", client=kitsu) is None
    with pytest.raises(RouteNotFoundException):
        gazu.project.get_project(UNKNOWN_ID, client=kitsu)


def test_manager_adds_and_removes_team_members(prod, connect):
    kitsu = connect(prod.manager)
    newcomer = prod.other_artist

    project = gazu.project.add_person_to_team(
        str(prod.project.id), str(newcomer.id), role="supervisor", client=kitsu
    )

    assert (project["id"], project["type"]) == (str(prod.project.id), "Project")
    link = ProjectPersonLink.objects.get(project=prod.project, person=newcomer)
    assert link.role == "supervisor"
    team = gazu.project.get_team(str(prod.project.id), client=kitsu)
    assert {person["id"] for person in team} == {
        str(prod.manager.id),
        str(prod.artist.id),
        str(newcomer.id),
    }
    assert all("password" not in person for person in team)

    assert gazu.project.remove_person_from_team(prod.project.id, newcomer.id, client=kitsu) == ""
    assert not ProjectPersonLink.objects.filter(project=prod.project, person=newcomer).exists()


def test_artists_and_outside_managers_may_not_change_the_team(prod, connect):
    for person in (prod.artist, prod.outside_manager):
        with pytest.raises(NotAllowedException):
            gazu.project.add_person_to_team(
                str(prod.project.id), str(prod.other_artist.id), client=connect(person)
            )
    assert prod.project.team.count() == 2


def test_project_settings_task_types_and_statuses(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    anim = str(prod.animation.id)
    wip = TaskStatus.objects.get(short_name="wip")

    gazu.project.remove_task_type(project, anim, client=kitsu)
    gazu.project.remove_task_status(project, str(wip.id), client=kitsu)

    task_types = gazu.task.all_task_types_for_project(project, client=kitsu)
    statuses = gazu.task.all_task_statuses_for_project(project, client=kitsu)
    assert anim not in ids(task_types)
    assert len(task_types) == TaskType.objects.count() - 1
    assert str(wip.id) not in ids(statuses)
    assert len(statuses) == TaskStatus.objects.count() - 1

    gazu.project.add_task_type(project, anim, 3, client=kitsu)
    gazu.project.add_task_status(project, str(wip.id), client=kitsu)

    assert anim in ids(gazu.task.all_task_types_for_project(project, client=kitsu))
    assert str(wip.id) in ids(gazu.task.all_task_statuses_for_project(project, client=kitsu))
    assert (
        ProjectTaskTypeLink.objects.get(project=prod.project, task_type=prod.animation).priority
        == 3
    )


def test_update_project_and_its_data(prod, connect):
    kitsu = connect(prod.manager)

    updated = gazu.project.update_project(
        {"id": str(prod.project.id), "fps": "24", "resolution": "2048x858"}, client=kitsu
    )
    assert (updated["fps"], updated["resolution"]) == ("24", "2048x858")

    gazu.project.update_project_data(str(prod.project.id), {"studio": "Blender"}, client=kitsu)
    merged = gazu.project.update_project_data(str(prod.project.id), {"year": 2017}, client=kitsu)

    assert merged["data"] == {"studio": "Blender", "year": 2017}
    prod.project.refresh_from_db()
    assert (prod.project.fps, prod.project.data) == ("24", {"studio": "Blender", "year": 2017})
    assert str(prod.project.id) in {data["project_id"] for data in event_data("project:update")}


def test_artist_sees_only_the_projects_of_their_team(prod, connect):
    kitsu = connect(prod.artist)

    assert names(gazu.project.all_projects(client=kitsu)) == ["Agent 327"]
    assert names(gazu.project.all_open_projects(client=kitsu)) == ["Agent 327"]
    assert gazu.project.get_project(str(prod.project.id), client=kitsu)["name"] == "Agent 327"
    with pytest.raises(NotAllowedException):
        gazu.project.get_project(str(prod.other.id), client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.project.update_project({"id": str(prod.project.id), "fps": "12"}, client=kitsu)
    prod.project.refresh_from_db()
    assert prod.project.fps == "25"


def test_calls_without_login_are_refused(prod, connect):
    kitsu = connect()
    with pytest.raises(NotAuthenticatedException):
        gazu.project.all_projects(client=kitsu)
    with pytest.raises(NotAuthenticatedException):
        gazu.shot.all_shots_for_project(str(prod.project.id), client=kitsu)


# --- assets -----------------------------------------------------------------------------


def test_asset_types(prod, connect):
    kitsu = connect(prod.admin)

    assert names(gazu.asset.all_asset_types(client=kitsu)) == [
        "Characters",
        "Environment",
        "FX",
        "Props",
    ]
    props = gazu.asset.get_asset_type_by_name("Props", client=kitsu)
    # Gazu reads it from the generic entity-types route, hence its type.
    assert (props["id"], props["type"]) == (str(prod.props.id), "EntityType")
    assert gazu.asset.get_asset_type(str(prod.props.id), client=kitsu)["name"] == "Props"

    vehicles = gazu.asset.new_asset_type("Vehicles", client=kitsu)
    again = gazu.asset.new_asset_type("Vehicles", client=kitsu)

    assert vehicles["name"] == "Vehicles"
    assert again["id"] == vehicles["id"]
    assert AssetType.objects.filter(name="Vehicles").count() == 1
    assert "Vehicles" in names(gazu.asset.all_asset_types(client=kitsu))
    # Only the asset types of the project's assets are listed for it.
    assert names(gazu.asset.all_asset_types_for_project(str(prod.project.id), client=kitsu)) == [
        "Characters",
        "Props",
    ]


def test_manager_creates_an_asset(prod, connect):
    kitsu = connect(prod.manager)

    created = gazu.asset.new_asset(
        str(prod.project.id),
        str(prod.characters.id),
        "Boris",
        description="The villain",
        extra_data={"height": 180},
        client=kitsu,
    )

    assert created["type"] == "Asset"
    assert (created["name"], created["description"], created["data"]) == (
        "Boris",
        "The villain",
        {"height": 180},
    )
    assert created["entity_type_id"] == str(prod.characters.id)
    assert created["project_id"] == str(prod.project.id)
    assert created["created_by"] == str(prod.manager.id)
    asset = Asset.objects.get(pk=created["id"])
    assert (asset.name, asset.entity_type_id) == ("Boris", prod.characters.id)
    assert "asset:new" in event_names(prod.project)
    # new_asset looks the name up first: a second call returns the same asset.
    again = gazu.asset.new_asset(
        str(prod.project.id), str(prod.characters.id), "Boris", client=kitsu
    )
    assert again["id"] == created["id"]
    assert Asset.objects.filter(name="Boris").count() == 1


def test_asset_listings_and_lookups(prod, connect):
    kitsu = connect(prod.admin)
    project = str(prod.project.id)

    assets = gazu.asset.all_assets_for_project(project, client=kitsu)
    characters = gazu.asset.all_assets_for_project_and_type(
        project, str(prod.characters.id), client=kitsu
    )
    by_name = gazu.asset.get_asset_by_name(project, "Sword", client=kitsu)
    by_name_and_type = gazu.asset.get_asset_by_name(
        project, "Sword", str(prod.props.id), client=kitsu
    )

    assert names(assets) == ["Hero", "Sword"]
    assert {asset["type"] for asset in assets} == {"Asset"}
    assert ids(characters) == [str(prod.hero.id)]
    assert by_name["id"] == by_name_and_type["id"] == str(prod.sword.id)
    assert (
        gazu.asset.get_asset_by_name(project, "Sword", str(prod.characters.id), client=kitsu)
        is None
    )
    assert gazu.asset.get_asset_by_name(project, "Nobody", client=kitsu) is None


def test_get_asset_gives_the_full_asset(prod, connect):
    kitsu = connect(prod.admin)

    asset = gazu.asset.get_asset(str(prod.hero.id), client=kitsu)

    assert (asset["id"], asset["type"], asset["name"]) == (str(prod.hero.id), "Asset", "Hero")
    assert (asset["asset_type_id"], asset["asset_type_name"]) == (
        str(prod.characters.id),
        "Characters",
    )
    assert asset["project_name"] == "Agent 327"
    assert [task["id"] for task in asset["tasks"]] == [str(prod.model_task.id)]
    assert asset["tasks"][0]["assignees"] == [str(prod.artist.id)]
    assert gazu.asset.get_asset_type_from_asset(asset, client=kitsu)["name"] == "Characters"
    with pytest.raises(RouteNotFoundException):
        gazu.asset.get_asset(UNKNOWN_ID, client=kitsu)


def test_update_asset_and_its_data(prod, connect):
    kitsu = connect(prod.manager)
    prod.hero.data = {"mood": "grumpy"}
    prod.hero.save()

    updated = gazu.asset.update_asset(
        {"id": str(prod.hero.id), "description": "The hero"}, client=kitsu
    )
    merged = gazu.asset.update_asset_data(str(prod.hero.id), {"height": 175}, client=kitsu)

    assert updated["description"] == "The hero"
    assert merged["data"] == {"mood": "grumpy", "height": 175}
    prod.hero.refresh_from_db()
    assert (prod.hero.description, prod.hero.data) == (
        "The hero",
        {"mood": "grumpy", "height": 175},
    )


def test_remove_asset_with_tasks_cancels_then_force_deletes(prod, connect):
    kitsu = connect(prod.manager)

    assert gazu.asset.remove_asset(str(prod.hero.id), client=kitsu) == ""
    prod.hero.refresh_from_db()
    assert prod.hero.canceled is True
    assert Task.objects.filter(entity=prod.hero).count() == 1

    gazu.asset.remove_asset(str(prod.hero.id), force=True, client=kitsu)

    assert not Asset.objects.filter(pk=prod.hero.id).exists()
    assert not Task.objects.filter(pk=prod.model_task.id).exists()
    assert "asset:delete" in event_names(prod.project)
    with pytest.raises(RouteNotFoundException):
        gazu.asset.get_asset(str(prod.hero.id), client=kitsu)


def test_remove_asset_without_tasks_deletes_it(prod, connect):
    kitsu = connect(prod.manager)

    gazu.asset.remove_asset(str(prod.sword.id), client=kitsu)

    assert not Asset.objects.filter(pk=prod.sword.id).exists()


def test_artist_and_outside_manager_may_not_create_or_remove_assets(prod, connect):
    for person in (prod.artist, prod.outside_manager):
        kitsu = connect(person)
        with pytest.raises(NotAllowedException):
            gazu.asset.new_asset(str(prod.project.id), str(prod.props.id), "Gadget", client=kitsu)
        with pytest.raises(NotAllowedException):
            gazu.asset.remove_asset(str(prod.sword.id), client=kitsu)
    assert not Asset.objects.filter(name="Gadget").exists()
    assert Asset.objects.filter(pk=prod.sword.id).exists()


def test_new_asset_needs_an_asset_type(prod, connect):
    kitsu = connect(prod.manager)
    shot_type = str(prod.sh010.entity_type_id)

    # The Shot entity type is no asset type: unknown as such.
    with pytest.raises(RouteNotFoundException):
        gazu.asset.new_asset(str(prod.project.id), shot_type, "Not an asset", client=kitsu)
    with pytest.raises(RouteNotFoundException):
        gazu.asset.new_asset(str(prod.project.id), UNKNOWN_ID, "Nowhere", client=kitsu)
    assert not Asset.objects.filter(name__in=["Not an asset", "Nowhere"]).exists()


# --- episodes, sequences and shots --------------------------------------------------


def test_manager_builds_episode_sequence_and_shots(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)

    episode = gazu.shot.new_episode(project, "E02", client=kitsu)
    sequence = gazu.shot.new_sequence(project, "SQ02", episode=episode, client=kitsu)
    shot = gazu.shot.new_shot(
        project,
        sequence,
        "SH100",
        nb_frames=48,
        frame_in=101,
        frame_out=148,
        description="Opening",
        data={"camera": "A"},
        client=kitsu,
    )

    assert (episode["type"], episode["name"], episode["parent_id"]) == ("Episode", "E02", None)
    assert (sequence["type"], sequence["parent_id"]) == ("Sequence", episode["id"])
    assert (shot["type"], shot["name"], shot["parent_id"]) == ("Shot", "SH100", sequence["id"])
    assert (shot["nb_frames"], shot["description"]) == (48, "Opening")
    assert shot["data"] == {"camera": "A", "frame_in": 101, "frame_out": 148}
    stored = Shot.objects.get(pk=shot["id"])
    assert (stored.parent_id, stored.nb_frames) == (Sequence.objects.get(name="SQ02").id, 48)
    events = event_names(prod.project)
    assert {"episode:new", "sequence:new", "shot:new"} <= set(events)
    # Every creation looks the name up first, so running a script twice is harmless.
    assert gazu.shot.new_episode(project, "E02", client=kitsu)["id"] == episode["id"]
    again = gazu.shot.new_sequence(project, "SQ02", episode=episode, client=kitsu)
    assert again["id"] == sequence["id"]
    assert gazu.shot.new_shot(project, sequence, "SH100", client=kitsu)["id"] == shot["id"]
    assert Shot.objects.filter(name="SH100").count() == 1


def test_get_shot_gives_frame_range_and_parents(prod, connect):
    kitsu = connect(prod.admin)

    shot = gazu.shot.get_shot(str(prod.sh010.id), client=kitsu)

    assert (shot["type"], shot["name"]) == ("Shot", "SH010")
    assert (shot["frame_in"], shot["frame_out"], shot["nb_frames"]) == (1001, 1024, 24)
    assert (shot["sequence_id"], shot["sequence_name"]) == (str(prod.sequence.id), "SQ01")
    assert (shot["episode_id"], shot["episode_name"]) == (str(prod.episode.id), "E01")
    assert shot["project_name"] == "Agent 327"
    assert [task["id"] for task in shot["tasks"]] == [str(prod.anim_task.id)]
    sequence = gazu.shot.get_sequence_from_shot(shot, client=kitsu)
    assert sequence["id"] == str(prod.sequence.id)
    assert gazu.shot.get_episode_from_sequence(sequence, client=kitsu)["id"] == str(prod.episode.id)
    with pytest.raises(RouteNotFoundException):
        gazu.shot.get_shot(UNKNOWN_ID, client=kitsu)


def test_breakdown_listings_and_lookups(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    sequence = str(prod.sequence.id)

    assert names(gazu.shot.all_episodes_for_project(project, client=kitsu)) == ["E01"]
    assert names(gazu.shot.all_sequences_for_project(project, client=kitsu)) == ["SQ01"]
    assert names(gazu.shot.all_sequences_for_episode(str(prod.episode.id), client=kitsu)) == [
        "SQ01"
    ]
    assert names(gazu.shot.all_shots_for_sequence(sequence, client=kitsu)) == ["SH010", "SH020"]
    assert names(gazu.shot.all_shots_for_project(project, client=kitsu)) == ["SH010", "SH020"]
    assert names(gazu.shot.all_shots_for_episode(str(prod.episode.id), client=kitsu)) == [
        "SH010",
        "SH020",
    ]
    assert gazu.shot.get_shot_by_name(sequence, "SH020", client=kitsu)["id"] == str(prod.sh020.id)
    assert gazu.shot.get_shot_by_name(sequence, "SH999", client=kitsu) is None
    assert gazu.shot.get_sequence_by_name(project, "SQ01", client=kitsu)["id"] == sequence
    in_episode = gazu.shot.get_sequence_by_name(
        project, "SQ01", episode=str(prod.episode.id), client=kitsu
    )
    assert in_episode["id"] == sequence
    assert gazu.shot.get_episode_by_name(project, "E01", client=kitsu)["id"] == str(prod.episode.id)


def test_update_shot_and_its_data(prod, connect):
    kitsu = connect(prod.manager)

    updated = gazu.shot.update_shot(
        {"id": str(prod.sh010.id), "description": "Close up", "nb_frames": 30}, client=kitsu
    )
    merged = gazu.shot.update_shot_data(str(prod.sh010.id), {"frame_out": 1030}, client=kitsu)

    assert (updated["description"], updated["nb_frames"]) == ("Close up", 30)
    assert merged["data"] == {"frame_in": 1001, "frame_out": 1030}
    prod.sh010.refresh_from_db()
    assert (prod.sh010.nb_frames, prod.sh010.data["frame_out"]) == (30, 1030)
    assert "shot:update" in event_names(prod.project)


def test_remove_shot_cancels_restores_then_force_deletes(prod, connect):
    kitsu = connect(prod.manager)
    shot = str(prod.sh010.id)

    assert gazu.shot.remove_shot(shot, client=kitsu) == ""
    prod.sh010.refresh_from_db()
    assert prod.sh010.canceled is True
    assert gazu.shot.get_shot(shot, client=kitsu)["canceled"] is True

    restored = gazu.shot.restore_shot(shot, client=kitsu)
    assert restored["canceled"] is False

    gazu.shot.remove_shot(shot, force=True, client=kitsu)
    assert not Shot.objects.filter(pk=shot).exists()
    assert not Task.objects.filter(pk=prod.anim_task.id).exists()
    assert "shot:delete" in event_names(prod.project)
    with pytest.raises(RouteNotFoundException):
        gazu.shot.get_shot(shot, client=kitsu)
    # A shot without tasks is deleted at once.
    bare = Shot.objects.create(project=prod.project, name="SH030", parent=prod.sequence)
    gazu.shot.remove_shot(str(bare.id), client=kitsu)
    assert not Shot.objects.filter(pk=bare.id).exists()


def test_artist_may_read_but_not_write_shots(prod, connect):
    kitsu = connect(prod.artist)
    project = str(prod.project.id)

    assert names(gazu.shot.all_shots_for_project(project, client=kitsu)) == ["SH010", "SH020"]
    with pytest.raises(NotAllowedException):
        gazu.shot.new_shot(project, str(prod.sequence.id), "SH030", client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.shot.update_shot({"id": str(prod.sh010.id), "nb_frames": 1}, client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.shot.remove_shot(str(prod.sh020.id), client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.shot.all_shots_for_project(str(prod.other.id), client=kitsu)
    assert not Shot.objects.filter(name="SH030").exists()


# --- casting ----------------------------------------------------------------------------


def test_shot_casting_round_trip(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    shot = gazu.shot.get_shot(str(prod.sh010.id), client=kitsu)

    gazu.casting.update_shot_casting(
        project,
        shot,
        [
            {"asset_id": str(prod.hero.id), "nb_occurences": 2, "label": "animate"},
            {"asset_id": str(prod.sword.id), "nb_occurences": 1},
        ],
        client=kitsu,
    )

    casting = gazu.casting.get_shot_casting(shot, client=kitsu)
    assert [(row["asset_name"], row["nb_occurences"]) for row in casting] == [
        ("Hero", 2),
        ("Sword", 1),
    ]
    assert casting[0]["asset_id"] == str(prod.hero.id)
    assert casting[0]["asset_type_name"] == "Characters"
    assert casting[0]["label"] == "animate"
    assert casting[0]["project_id"] == project
    # Zou answers the shot's assets with the casting rows (asset_id, asset_name...).
    cast_assets = gazu.asset.all_assets_for_shot(shot, client=kitsu)
    assert [row["asset_id"] for row in cast_assets] == [str(prod.hero.id), str(prod.sword.id)]
    prod.sh010.refresh_from_db()
    assert prod.sh010.nb_entities_out == 2
    assert EntityLink.objects.filter(entity_in=prod.sh010).count() == 2
    update = event_data("shot:casting-update")[-1]
    assert (update["shot_id"], update["nb_entities_out"]) == (str(prod.sh010.id), 2)
    assert sorted(update["added_asset_ids"]) == sorted([str(prod.hero.id), str(prod.sword.id)])
    # The episode is cast with the assets of its shots.
    assert event_data("episode:casting-update")[-1]["episode_id"] == str(prod.episode.id)

    # A second PUT replaces the whole casting.
    gazu.casting.update_shot_casting(
        project, shot, [{"asset_id": str(prod.sword.id), "nb_occurences": 3}], client=kitsu
    )
    casting = gazu.casting.get_shot_casting(shot, client=kitsu)
    assert [(row["asset_name"], row["nb_occurences"]) for row in casting] == [("Sword", 3)]
    prod.sh010.refresh_from_db()
    assert prod.sh010.nb_entities_out == 1
    assert event_data("shot:casting-update")[-1]["removed_asset_ids"] == [str(prod.hero.id)]


def test_casting_reads_by_asset_sequence_and_episode(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    hero = str(prod.hero.id)
    for shot, count in ((prod.sh010, 2), (prod.sh020, 1)):
        gazu.casting.update_shot_casting(
            project, str(shot.id), [{"asset_id": hero, "nb_occurences": count}], client=kitsu
        )

    cast_in = gazu.casting.get_asset_cast_in(hero, client=kitsu)
    sequence = gazu.shot.get_sequence(str(prod.sequence.id), client=kitsu)
    by_shot = gazu.casting.get_sequence_casting(sequence, client=kitsu)
    all_shots = gazu.casting.get_project_shots_casting(project, client=kitsu)
    by_episode = gazu.casting.get_episodes_casting(project, client=kitsu)

    assert [(row["shot_name"], row["nb_occurences"]) for row in cast_in] == [
        ("SH010", 2),
        ("SH020", 1),
    ]
    assert {(row["sequence_name"], row["episode_name"]) for row in cast_in} == {("SQ01", "E01")}
    assert set(by_shot) == {str(prod.sh010.id), str(prod.sh020.id)}
    assert [(row["asset_id"], row["name"]) for row in by_shot[str(prod.sh010.id)]] == [
        (hero, "Hero")
    ]
    assert by_shot[str(prod.sh010.id)][0]["nb_occurences"] == 2
    assert by_shot[str(prod.sh020.id)][0]["sequence_name"] == "SQ01"
    assert all_shots == by_shot
    # The episode's casting is derived from the casting of its shots.
    assert [row["asset_id"] for row in by_episode[str(prod.episode.id)]] == [hero]


def test_cast_one_asset_into_several_shots(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)

    gazu.casting.cast_asset(
        project,
        [str(prod.sh010.id), str(prod.sh020.id)],
        str(prod.sword.id),
        nb_occurences=4,
        client=kitsu,
    )

    for shot in (prod.sh010, prod.sh020):
        casting = gazu.casting.get_shot_casting(
            {"id": str(shot.id), "project_id": project}, client=kitsu
        )
        assert [(row["asset_id"], row["nb_occurences"]) for row in casting] == [
            (str(prod.sword.id), 4)
        ]


def test_artist_reads_casting_but_may_not_change_it(prod, connect):
    gazu.casting.update_shot_casting(
        str(prod.project.id),
        str(prod.sh010.id),
        [{"asset_id": str(prod.hero.id), "nb_occurences": 1}],
        client=connect(prod.manager),
    )
    kitsu = connect(prod.artist)
    shot = {"id": str(prod.sh010.id), "project_id": str(prod.project.id)}

    assert [row["asset_name"] for row in gazu.casting.get_shot_casting(shot, client=kitsu)] == [
        "Hero"
    ]
    with pytest.raises(NotAllowedException):
        gazu.casting.update_shot_casting(str(prod.project.id), shot, [], client=kitsu)
    assert EntityLink.objects.filter(entity_in=prod.sh010).count() == 1


# --- tasks ------------------------------------------------------------------------------


def test_task_type_and_status_lookups(prod, connect):
    kitsu = connect(prod.artist)

    task_types = gazu.task.all_task_types(client=kitsu)
    statuses = gazu.task.all_task_statuses(client=kitsu)

    assert len(task_types) == TaskType.objects.count() == 13
    assert {task_type["type"] for task_type in task_types} == {"TaskType"}
    assert len(statuses) == 9
    anim = gazu.task.get_task_type_by_name("Animation", client=kitsu)
    assert (anim["id"], anim["for_entity"]) == (str(prod.animation.id), "Shot")
    asset_concept = gazu.task.get_task_type_by_name("Concept", for_entity="Asset", client=kitsu)
    assert asset_concept["for_entity"] == "Asset"
    assert gazu.task.get_task_type(str(prod.layout.id), client=kitsu)["name"] == "Layout"
    wip = gazu.task.get_task_status_by_short_name("wip", client=kitsu)
    assert (wip["name"], wip["is_wip"]) == ("Work In Progress", True)
    assert gazu.task.get_task_status_by_name("Done", client=kitsu)["short_name"] == "done"
    assert gazu.task.get_task_status(str(prod.todo.id), client=kitsu)["name"] == "Todo"
    assert gazu.task.get_task_type_by_name("Juggling", client=kitsu) is None


def test_default_task_status_is_todo(prod, connect):
    kitsu = connect(prod.manager)

    default = gazu.task.get_default_task_status(client=kitsu)
    shot = gazu.shot.get_shot(str(prod.sh020.id), client=kitsu)
    task = gazu.task.new_task(shot, str(prod.animation.id), client=kitsu)

    assert default["short_name"] == "todo"
    assert task["task_status_id"] == str(prod.todo.id)


def test_manager_creates_a_task_with_assignees(prod, connect):
    kitsu = connect(prod.manager)
    shot = gazu.shot.get_shot(str(prod.sh020.id), client=kitsu)
    todo = gazu.task.get_task_status_by_short_name("todo", client=kitsu)

    task = gazu.task.new_task(
        shot,
        str(prod.animation.id),
        task_status=todo,
        assigner=str(prod.manager.id),
        assignees=[str(prod.artist.id)],
        client=kitsu,
    )

    assert task["type"] == "Task"
    assert (task["entity_id"], task["task_type_id"], task["task_status_id"]) == (
        str(prod.sh020.id),
        str(prod.animation.id),
        str(prod.todo.id),
    )
    assert (task["name"], task["project_id"]) == ("main", str(prod.project.id))
    assert task["assignees"] == [str(prod.artist.id)]
    assert task["assigner_id"] == str(prod.manager.id)
    stored = Task.objects.get(pk=task["id"])
    assert list(stored.assignees.all()) == [prod.artist]
    assert "task:new" in event_names(prod.project)
    # new_task looks the task up first: a second call returns the same task.
    again = gazu.task.new_task(shot, str(prod.animation.id), task_status=todo, client=kitsu)
    assert again["id"] == task["id"]
    assert Task.objects.filter(entity=prod.sh020, task_type=prod.animation).count() == 1


def test_create_tasks_for_an_entity(prod, connect):
    kitsu = connect(prod.manager)
    shading = _task_type("Shading", "Asset")
    rigging = _task_type("Rigging", "Asset")

    created = gazu.task.create_asset_tasks(
        str(prod.sword.id), [str(shading.id), str(rigging.id)], client=kitsu
    )

    assert sorted(task["task_type_id"] for task in created) == sorted(
        [str(shading.id), str(rigging.id)]
    )
    assert {task["entity_id"] for task in created} == {str(prod.sword.id)}
    assert {task["task_status_id"] for task in created} == {str(prod.todo.id)}
    assert Task.objects.filter(entity=prod.sword).count() == 2
    shot_tasks = gazu.task.create_shot_tasks(
        str(prod.sh020.id), [str(prod.animation.id)], client=kitsu
    )
    assert [task["entity_id"] for task in shot_tasks] == [str(prod.sh020.id)]


def test_artists_may_not_create_tasks(prod, connect):
    kitsu = connect(prod.artist)
    shot = {"id": str(prod.sh020.id), "project_id": str(prod.project.id)}

    with pytest.raises(NotAllowedException):
        gazu.task.new_task(
            shot, str(prod.animation.id), task_status={"id": str(prod.todo.id)}, client=kitsu
        )
    with pytest.raises(NotAllowedException):
        gazu.task.create_shot_tasks(shot, [str(prod.animation.id)], client=kitsu)
    assert not Task.objects.filter(entity=prod.sh020, task_type=prod.animation).exists()


def test_bad_input_is_refused_with_a_message(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    stranger = Asset.objects.create(project=prod.other, name="Alien", entity_type=prod.props)
    ProjectTaskTypeLink.objects.filter(project=prod.project, task_type=prod.layout).delete()

    with pytest.raises(ParameterException, match="wizard is not a role"):
        gazu.project.add_person_to_team(
            project, str(prod.other_artist.id), role="wizard", client=kitsu
        )
    with pytest.raises(ParameterException, match="Only assets of this production"):
        gazu.casting.update_shot_casting(
            project,
            str(prod.sh010.id),
            [{"asset_id": str(stranger.id), "nb_occurences": 1}],
            client=kitsu,
        )
    with pytest.raises(ParameterException, match="Malformed ID"):
        gazu.casting.update_shot_casting(
            project, str(prod.sh010.id), [{"asset_id": "nope"}], client=kitsu
        )
    with pytest.raises(ParameterException, match="Layout is not enabled"):
        gazu.task.create_shot_tasks(str(prod.sh010.id), [str(prod.layout.id)], client=kitsu)
    with pytest.raises(ParameterException, match="Malformed ID"):
        gazu.shot.get_shot("not-an-id", client=kitsu)

    assert not ProjectPersonLink.objects.filter(person=prod.other_artist, project=prod.project)
    assert not EntityLink.objects.filter(entity_in=prod.sh010).exists()
    assert not Task.objects.filter(entity=prod.sh010, task_type=prod.layout).exists()


def test_new_task_refuses_a_task_type_not_enabled_on_the_project(prod, connect):
    kitsu = connect(prod.manager)
    ProjectTaskTypeLink.objects.filter(project=prod.project, task_type=prod.layout).delete()
    shot = {"id": str(prod.sh010.id), "project_id": str(prod.project.id)}

    with pytest.raises(ParameterException):
        gazu.task.new_task(
            shot, str(prod.layout.id), task_status={"id": str(prod.todo.id)}, client=kitsu
        )
    assert not Task.objects.filter(entity=prod.sh010, task_type=prod.layout).exists()


def test_assign_and_clear_assignations(prod, connect):
    kitsu = connect(prod.manager)
    task = str(prod.layout_task.id)

    assigned = gazu.task.assign_task(task, str(prod.artist.id), client=kitsu)

    assert [row["id"] for row in assigned] == [task]
    assert assigned[0]["assignees"] == [str(prod.artist.id)]
    assert list(prod.layout_task.assignees.all()) == [prod.artist]
    assert {"task_id": task, "person_id": str(prod.artist.id)}.items() <= (
        event_data("task:assign")[-1].items()
    )

    cleared = gazu.task.clear_assignations(task, client=kitsu)

    assert cleared == [task]
    assert prod.layout_task.assignees.count() == 0
    assert "task:unassign" in event_names(prod.project)

    several = gazu.task.assign_tasks_to_person(
        [task, str(prod.anim_task.id)], str(prod.manager.id), client=kitsu
    )
    assert sorted(ids(several)) == sorted([task, str(prod.anim_task.id)])
    assert set(prod.anim_task.assignees.all()) == {prod.artist, prod.manager}


def test_task_listings_by_entity_type_and_person(prod, connect):
    kitsu = connect(prod.manager)
    project = str(prod.project.id)
    anim = str(prod.animation.id)

    assert ids(gazu.task.all_tasks_for_shot(str(prod.sh010.id), client=kitsu)) == [
        str(prod.anim_task.id)
    ]
    asset_tasks = gazu.task.all_tasks_for_asset(str(prod.hero.id), client=kitsu)
    assert ids(asset_tasks) == [str(prod.model_task.id)]
    assert (asset_tasks[0]["task_type_name"], asset_tasks[0]["entity_name"]) == ("Modeling", "Hero")
    assert ids(gazu.task.all_tasks_for_task_type(project, anim, client=kitsu)) == [
        str(prod.anim_task.id)
    ]
    assert ids(
        gazu.task.all_tasks_for_task_status(project, anim, str(prod.todo.id), client=kitsu)
    ) == [str(prod.anim_task.id)]
    assert sorted(ids(gazu.task.all_tasks_for_person(str(prod.artist.id), client=kitsu))) == sorted(
        [str(prod.anim_task.id), str(prod.model_task.id)]
    )
    shot_tasks = gazu.task.all_shot_tasks_for_sequence(str(prod.sequence.id), client=kitsu)
    assert sorted(ids(shot_tasks)) == sorted([str(prod.anim_task.id), str(prod.layout_task.id)])
    assert ids(
        gazu.task.all_tasks_for_entity_and_task_type(str(prod.sh010.id), anim, client=kitsu)
    ) == [str(prod.anim_task.id)]
    assert names(gazu.task.all_task_types_for_shot(str(prod.sh010.id), client=kitsu)) == [
        "Animation"
    ]
    assert names(gazu.task.all_task_types_for_asset(str(prod.hero.id), client=kitsu)) == [
        "Modeling"
    ]
    assert gazu.task.get_task_by_entity(str(prod.sh010.id), anim, client=kitsu)["id"] == str(
        prod.anim_task.id
    )
    assert gazu.task.get_task_by_entity(str(prod.sh020.id), anim, client=kitsu) is None
    project_tasks = gazu.task.all_tasks_for_project(project, client=kitsu)
    assert sorted(ids(project_tasks)) == sorted(
        str(task.id) for task in (prod.anim_task, prod.layout_task, prod.model_task)
    )


def test_get_task_gives_the_full_task(prod, connect):
    kitsu = connect(prod.manager)

    task = gazu.task.get_task(str(prod.anim_task.id), client=kitsu)

    assert (task["id"], task["type"]) == (str(prod.anim_task.id), "Task")
    assert task["assignees"] == [str(prod.artist.id)]
    assert task["entity"]["id"] == str(prod.sh010.id)
    assert task["entity"]["name"] == "SH010"
    assert task["task_type"]["name"] == "Animation"
    assert task["task_status"]["short_name"] == "todo"
    assert task["project"]["name"] == "Agent 327"
    assert gazu.task.get_task_url(task, client=kitsu).endswith(
        f"/productions/{prod.project.id}/shots/tasks/{prod.anim_task.id}/"
    )
    with pytest.raises(RouteNotFoundException):
        gazu.task.get_task(UNKNOWN_ID, client=kitsu)


def test_update_and_remove_a_task(prod, connect):
    kitsu = connect(prod.manager)
    task = str(prod.layout_task.id)

    updated = gazu.task.update_task({"id": task, "priority": 2, "estimation": 3.5}, client=kitsu)
    merged = gazu.task.update_task_data(task, {"difficulty_note": "hard"}, client=kitsu)

    assert (updated["priority"], updated["estimation"]) == (2, 3.5)
    assert merged["data"] == {"difficulty_note": "hard"}
    prod.layout_task.refresh_from_db()
    assert prod.layout_task.priority == 2

    gazu.task.remove_task(task, client=kitsu)

    assert not Task.objects.filter(pk=task).exists()
    assert "task:delete" in event_names(prod.project)


def test_artist_may_not_read_tasks_of_another_production(prod, connect):
    kitsu = connect(prod.artist)

    with pytest.raises(NotAllowedException):
        gazu.task.get_task(str(prod.other_task.id), client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.task.all_tasks_for_shot(str(prod.other_shot.id), client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.task.update_task({"id": str(prod.anim_task.id), "priority": 5}, client=kitsu)


# --- the artist's own view: gazu.user and gazu.context ---------------------------


def test_artist_open_projects_and_todo_list(prod, connect):
    kitsu = connect(prod.artist)

    assert names(gazu.user.all_open_projects(client=kitsu)) == ["Agent 327"]
    assert names(gazu.context.all_open_projects(user_context=True, client=kitsu)) == ["Agent 327"]
    todo = gazu.user.all_tasks_to_do(client=kitsu)
    assert sorted(ids(todo)) == sorted([str(prod.anim_task.id), str(prod.model_task.id)])
    anim = next(task for task in todo if task["id"] == str(prod.anim_task.id))
    assert (anim["project_name"], anim["entity_name"], anim["task_type_name"]) == (
        "Agent 327",
        "SH010",
        "Animation",
    )
    assert (anim["sequence_name"], anim["episode_name"]) == ("SQ01", "E01")
    assert anim["task_status_short_name"] == "todo"
    assert anim["assignees"] == [str(prod.artist.id)]
    assert gazu.user.all_done_tasks(client=kitsu) == []

    prod.anim_task.task_status = TaskStatus.objects.get(short_name="done")
    prod.anim_task.save()

    assert ids(gazu.user.all_tasks_to_do(client=kitsu)) == [str(prod.model_task.id)]
    assert ids(gazu.user.all_done_tasks(client=kitsu)) == [str(prod.anim_task.id)]


def test_artist_browses_the_breakdown_of_their_tasks(prod, connect):
    kitsu = connect(prod.artist)
    project = str(prod.project.id)
    sequence = str(prod.sequence.id)

    assert names(gazu.user.all_episodes_for_project(project, client=kitsu)) == ["E01"]
    assert names(gazu.user.all_sequences_for_project(project, client=kitsu)) == ["SQ01"]
    assert names(
        gazu.context.all_sequences_for_project(project, user_context=True, client=kitsu)
    ) == ["SQ01"]
    # Only the shots and assets the artist has tasks on.
    assert names(gazu.user.all_shots_for_sequence(sequence, client=kitsu)) == ["SH010"]
    assert names(gazu.user.all_asset_types_for_project(project, client=kitsu)) == ["Characters"]
    assert names(
        gazu.user.all_assets_for_asset_type_and_project(
            project, str(prod.characters.id), client=kitsu
        )
    ) == ["Hero"]
    assert ids(gazu.user.all_tasks_for_shot(str(prod.sh010.id), client=kitsu)) == [
        str(prod.anim_task.id)
    ]
    assert ids(gazu.user.all_tasks_for_asset(str(prod.hero.id), client=kitsu)) == [
        str(prod.model_task.id)
    ]
    assert names(gazu.user.all_task_types_for_shot(str(prod.sh010.id), client=kitsu)) == [
        "Animation"
    ]
    assert names(gazu.user.all_task_types_for_asset(str(prod.hero.id), client=kitsu)) == [
        "Modeling"
    ]
    assert gazu.user.all_tasks_for_shot(str(prod.sh020.id), client=kitsu) == []
    assert gazu.user.all_tasks_requiring_feedback(client=kitsu) == []


def test_artist_gets_nothing_from_another_production(prod, connect):
    kitsu = connect(prod.artist)
    other = str(prod.other.id)

    # Zou answers these with an empty list; here a production out of reach
    # is refused outright, as everywhere else.
    with pytest.raises(NotAllowedException):
        gazu.user.all_sequences_for_project(other, client=kitsu)
    with pytest.raises(NotAllowedException):
        gazu.user.all_tasks_for_shot(str(prod.other_shot.id), client=kitsu)
    with pytest.raises(RouteNotFoundException):
        gazu.user.all_sequences_for_project(UNKNOWN_ID, client=kitsu)
    assert str(prod.other_task.id) not in ids(gazu.user.all_tasks_to_do(client=kitsu))


def test_context_switches_between_studio_and_user_views(prod, connect):
    project = str(prod.project.id)
    manager = connect(prod.manager)
    artist = connect(prod.artist)

    assert names(gazu.context.all_open_projects(client=manager)) == ["Agent 327"]
    assert names(gazu.context.all_assets_for_project(project, client=manager)) == [
        "Hero",
        "Sword",
    ]
    assert names(gazu.context.all_asset_types_for_project(project, client=manager)) == [
        "Characters",
        "Props",
    ]
    assert names(gazu.context.all_shots_for_sequence(str(prod.sequence.id), client=manager)) == [
        "SH010",
        "SH020",
    ]
    assert names(gazu.context.all_episodes_for_project(project, client=manager)) == ["E01"]
    assert names(gazu.context.all_task_types_for_shot(str(prod.sh020.id), client=manager)) == [
        "Layout"
    ]
    # The same calls in the artist's context only show what they work on.
    assert names(
        gazu.context.all_shots_for_sequence(str(prod.sequence.id), user_context=True, client=artist)
    ) == ["SH010"]
    assert names(
        gazu.context.all_asset_types_for_project(project, user_context=True, client=artist)
    ) == ["Characters"]
    assert (
        names(
            gazu.context.all_assets_for_asset_type_and_project(
                project, str(prod.props.id), user_context=True, client=artist
            )
        )
        == []
    )
    assert names(
        gazu.context.all_task_types_for_asset(str(prod.hero.id), user_context=True, client=artist)
    ) == ["Modeling"]
    assert names(
        gazu.context.all_episodes_for_project(project, user_context=True, client=artist)
    ) == ["E01"]


def test_user_context_as_admin_and_as_artist(prod, connect):
    admin_context = gazu.user.get_context(client=connect(prod.admin))
    artist_context = gazu.user.get_context(client=connect(prod.artist))

    common_keys = {
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
    assert set(admin_context) == common_keys | {"user_limit"}
    assert set(artist_context) == common_keys
    assert names(admin_context["projects"]) == ["Agent 327", "Spring"]
    assert names(artist_context["projects"]) == ["Agent 327"]
    project = artist_context["projects"][0]
    assert project["first_episode_id"] == str(prod.episode.id)
    assert set(project["team"]) == {str(prod.manager.id), str(prod.artist.id)}
    assert len(artist_context["task_types"]) == 13
    assert len(artist_context["task_status"]) == 9
