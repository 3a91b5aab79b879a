"""A small production (from the task tests' fixtures) with output types,
file statuses and a software for the file tests."""

import pytest

from people.models import Software
from tasks.models import OutputType
from tests.tasks.conftest import (  # noqa: F401  (fixtures used by these tests)
    UNKNOWN_ID,
    animation,
    asset,
    characters,
    committed,
    done,
    episode,
    init_data,
    join,
    layout,
    make_shot,
    modeling,
    other_project,
    project,
    sequence,
    shot,
    task,
    team,
    todo,
    wip,
)


@pytest.fixture
def geometry(db):
    return OutputType.objects.create(name="Geometry", short_name="geo")


@pytest.fixture
def cache_type(db):
    return OutputType.objects.create(name="Cache", short_name="cache")


@pytest.fixture
def blender(db):
    return Software.objects.create(name="Blender", short_name="bl", file_extension="blend")


@pytest.fixture
def media(settings, tmp_path):
    """Stored files go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path
