"""The entity table seen through its per-kind proxies, and lazily created entity types."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from assets.models import Asset, AssetType, Concept, ConceptFolder
from productions.models import (
    RESERVED_ENTITY_TYPE_NAMES,
    Entity,
    EntityType,
    get_or_create_entity_type,
)
from shots.models import Edit, Episode, Scene, Sequence, Shot


@pytest.fixture
def breakdown(project, episode, sequence, shot, asset):
    """One entity of every kind in one project."""
    scene = Scene.objects.create(name="SC01", project=project, parent=sequence)
    edit = Edit.objects.create(name="Cut", project=project, parent=episode)
    folder = ConceptFolder.objects.create(name="Moodboards", project=project)
    concept = Concept.objects.create(name="Hero sketch", project=project, parent=folder)
    prop = Asset.objects.create(
        name="Sword", project=project, entity_type=get_or_create_entity_type("Props")
    )
    return {
        "episode": episode,
        "sequence": sequence,
        "shot": shot,
        "scene": scene,
        "edit": edit,
        "folder": folder,
        "concept": concept,
        "assets": [asset, prop],
    }


def ids(queryset):
    return set(queryset.values_list("id", flat=True))


@pytest.mark.parametrize(
    ("proxy", "key"),
    [
        (Episode, "episode"),
        (Sequence, "sequence"),
        (Shot, "shot"),
        (Scene, "scene"),
        (Edit, "edit"),
        (ConceptFolder, "folder"),
        (Concept, "concept"),
    ],
)
def test_reserved_kind_manager_returns_only_its_kind(breakdown, proxy, key):
    assert ids(proxy.objects.all()) == {breakdown[key].pk}


def test_asset_manager_returns_entities_of_asset_types_only(breakdown):
    assert ids(Asset.objects.all()) == {asset.pk for asset in breakdown["assets"]}
    assert Entity.objects.count() == 9


def test_asset_type_manager_leaves_out_reserved_kinds(breakdown):
    assert set(AssetType.objects.values_list("name", flat=True)) == {"Characters", "Props"}
    assert set(
        EntityType.objects.filter(name__in=RESERVED_ENTITY_TYPE_NAMES).values_list(
            "name", flat=True
        )
    ) == set(RESERVED_ENTITY_TYPE_NAMES)


def test_creating_through_a_proxy_sets_the_reserved_entity_type(project):
    shot = Shot.objects.create(name="SH0020", project=project)
    assert shot.entity_type.name == "Shot"
    assert Entity.objects.get(pk=shot.pk).entity_type_id == shot.entity_type_id


def test_entity_type_is_created_once_and_reused(db):
    first = get_or_create_entity_type("Shot")
    second = get_or_create_entity_type("Shot")
    assert first.pk == second.pk
    assert EntityType.objects.filter(name="Shot").count() == 1


def test_entity_type_created_meanwhile_by_another_request_is_returned(db, monkeypatch):
    # Another request inserted "Shot" after this one looked for it: the insert
    # hits the unique name, and the helper returns the other request's row.
    existing = EntityType.objects.create(name="Shot")
    real_get = QuerySet.get
    lookups = []

    def get_missing_first_time(queryset, *args, **kwargs):
        lookups.append(kwargs)
        if len(lookups) == 1:
            raise queryset.model.DoesNotExist
        return real_get(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get_missing_first_time)

    assert get_or_create_entity_type("Shot").pk == existing.pk
    assert len(lookups) == 2
    assert EntityType.objects.filter(name="Shot").count() == 1


def test_shots_of_two_proxies_share_one_entity_type(project):
    Shot.objects.create(name="SH0010", project=project)
    Shot.objects.create(name="SH0020", project=project)
    assert EntityType.objects.filter(name="Shot").count() == 1


def test_proxy_kind_is_the_json_type(breakdown):
    assert Shot.get_kitsu_type() == "Shot"
    assert Asset.get_kitsu_type() == "Asset"
    assert AssetType.get_kitsu_type() == "AssetType"
    assert ConceptFolder.get_kitsu_type() == "ConceptFolder"
    assert Entity.get_kitsu_type() == "Entity"


def test_asset_with_a_reserved_entity_type_is_invalid(project):
    asset = Asset(
        name="Not an asset", project=project, entity_type=get_or_create_entity_type("Shot")
    )
    with pytest.raises(ValidationError, match="Shot is not an asset type"):
        asset.full_clean()


def test_asset_with_an_asset_type_is_valid(project, characters):
    asset = Asset(name="Villain", project=project, entity_type=characters)
    asset.full_clean()
    asset.save()
    assert Asset.objects.filter(name="Villain").exists()


def test_casting_reads_both_ways(shot, asset):
    shot.entities_out.add(asset, through_defaults={"nb_occurences": 2, "label": "fixed"})
    assert list(shot.entities_out.values_list("id", flat=True)) == [asset.pk]
    assert list(Entity.objects.get(pk=asset.pk).entities_in.values_list("id", flat=True)) == [
        shot.pk
    ]
    assert list(shot.entities_in.all()) == []
