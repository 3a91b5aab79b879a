"""The seed_demo command."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productions.models import Entity, EntityLink, Project, ProjectPersonLink
from shots.models import Episode, Sequence, Shot
from tasks.models import Task, TaskType


def seed(**options):
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_builds_a_tv_show_and_prints_a_summary():
    output = seed(shots=25, assets=8, project_name="Seeded")
    project = Project.objects.get(name="Seeded")
    assert project.production_type == "tvshow"
    shots = Shot.objects.filter(project=project)
    assert shots.count() == 25
    assert Sequence.objects.filter(project=project).count() == 3
    assert Episode.objects.filter(project=project).count() == 1
    for shot in shots:
        assert 24 <= shot.nb_frames <= 144
        assert shot.data["frame_out"] - shot.data["frame_in"] + 1 == shot.nb_frames
        assert shot.data["fps"] == "24"
        assert shot.nb_entities_out == EntityLink.objects.filter(entity_in=shot).count() >= 2
    assets = Entity.objects.filter(project=project, parent__isnull=True).exclude(
        entity_type__name__in=["Episode", "Sequence", "Shot"]
    )
    assert assets.count() == 8
    # Every asset type of init_data is represented.
    assert assets.values("entity_type").distinct().count() == 4
    shot_types = TaskType.objects.filter(for_entity="Shot").count()
    asset_types = TaskType.objects.filter(for_entity="Asset").count()
    assert Task.objects.filter(project=project).count() == 25 * shot_types + 8 * asset_types
    assert Task.objects.filter(project=project, assignees__isnull=False).exists()
    assert ProjectPersonLink.objects.filter(project=project).count() == 8
    assert "[##############################] 25/25" in output
    last_line = output.strip().splitlines()[-1]
    assert last_line.startswith("Created production 'Seeded': 1 episodes, 3 sequences, 25 shots")


@pytest.mark.django_db
def test_seed_demo_refuses_an_existing_production_name():
    seed(shots=2, assets=1, project_name="Twice")
    with pytest.raises(CommandError, match="already exists"):
        seed(shots=2, assets=1, project_name="Twice")
    assert Project.objects.filter(name="Twice").count() == 1


@pytest.mark.django_db
def test_seed_demo_refuses_negative_sizes():
    with pytest.raises(CommandError):
        seed(shots=-1)
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_shots_board_of_a_seeded_production_has_a_flat_query_count(client_for, admin):
    seed(shots=10, assets=5, project_name="Small")
    seed(shots=200, assets=20, project_name="Large")
    api = client_for(admin)
    counts = {}
    for name, expected in (("Small", 10), ("Large", 200)):
        project = Project.objects.get(name=name)
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/data/shots/with-tasks", {"project_id": str(project.id)})
        assert len(response.json()) == expected
        counts[name] = len(queries)
    assert counts["Small"] == counts["Large"]
