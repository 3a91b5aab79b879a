"""Fixtures shared by every test: people of each role and API clients logged in as them."""

import itertools

import pytest
from rest_framework.test import APIClient

from people.models import Person
from people.tokens import issue_tokens

_counter = itertools.count(1)
PASSWORD = "correct-horse-42"


@pytest.fixture
def make_person(db):
    """Create a person: ``make_person(role="manager", first_name="Max", ...)``."""

    def make(role="user", password=PASSWORD, **fields):
        number = next(_counter)
        fields.setdefault("first_name", role.capitalize())
        fields.setdefault("last_name", f"Person{number}")
        fields.setdefault("email", f"{role}{number}@example.com")
        return Person.objects.create_user(password=password, role=role, **fields)

    return make


@pytest.fixture
def client_for():
    """An API client that sends a Bearer token for ``person`` (anonymous when None)."""

    def make(person=None):
        client = APIClient()
        if person is not None:
            access, _refresh = issue_tokens(person)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return make


@pytest.fixture
def admin(make_person):
    return make_person("admin", first_name="Ada", last_name="Admin")


@pytest.fixture
def manager(make_person):
    return make_person("manager", first_name="Max", last_name="Manager")


@pytest.fixture
def supervisor(make_person):
    return make_person("supervisor", first_name="Sue", last_name="Supervisor")


@pytest.fixture
def artist(make_person):
    return make_person("user", first_name="Art", last_name="Artist")


@pytest.fixture
def client_person(make_person):
    return make_person("client", first_name="Cli", last_name="Client")


@pytest.fixture
def vendor(make_person):
    return make_person("vendor", first_name="Ven", last_name="Vendor")


@pytest.fixture
def admin_api(client_for, admin):
    return client_for(admin)


@pytest.fixture
def artist_api(client_for, artist):
    return client_for(artist)


@pytest.fixture
def anonymous_api(client_for):
    return client_for(None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hash test passwords cheaply; tests of hashing itself set the real hashers."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]


@pytest.fixture(autouse=True)
def database_blocklist_unless_redis(request, settings):
    """Keep token revocation and events in the database, whatever REDIS_URL says.

    Query-count tests then count the same queries on every set-up. Tests
    marked ``redis`` keep the configured Redis and are skipped without it.
    """
    if request.node.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set")
        return
    settings.REDIS_URL = ""
