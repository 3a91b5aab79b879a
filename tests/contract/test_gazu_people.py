"""The real Gazu client against a live server: logging in and out, reading
people and writing through the generic /data routes, as pipeline scripts do."""

import gazu
import pytest
from gazu.exception import (
    AuthFailedException,
    NotAllowedException,
    NotAuthenticatedException,
    RouteNotFoundException,
)

from people.models import Department, Person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.contract


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The live server speaks plain HTTP: with the production default the
    # security middleware would redirect every call to https.
    if settings.SECURE_SSL_REDIRECT:
        pytest.skip("needs SECURE_SSL_REDIRECT=false, as `make test` sets it")


@pytest.fixture
def api_url(live_server):
    return live_server.url + "/api"


@pytest.fixture
def client(api_url):
    """A Gazu client of its own, so that no test sees another's tokens."""
    kitsu = gazu.client.create_client(api_url)
    yield kitsu
    kitsu.session.close()


@pytest.fixture
def default_client(api_url):
    """Gazu's module-level client, as most scripts use it, reset afterwards."""
    default = gazu.client.default_client
    previous_host = default.host
    gazu.set_host(api_url)
    yield default
    gazu.client.set_tokens({"access_token": None, "refresh_token": None})
    default.host = previous_host
    # Drop the kept-alive connection so that no server thread outlives the test.
    default.session.close()


@pytest.fixture
def admin(make_person):
    return make_person("admin", first_name="Ada", last_name="Admin", desktop_login="ada")


@pytest.fixture
def logged_in(client, admin):
    gazu.log_in(admin.email, PASSWORD, client=client)
    return client


def test_scripts_log_in_with_the_default_client(default_client, admin):
    tokens = gazu.log_in(admin.email, PASSWORD)

    assert tokens["login"] is True
    assert tokens["user"]["id"] == str(admin.id)
    assert gazu.client.get_current_user()["email"] == admin.email
    assert [person["id"] for person in gazu.client.fetch_all("persons")] == [str(admin.id)]


def test_wrong_password_is_refused(client, admin):
    with pytest.raises(AuthFailedException):
        gazu.log_in(admin.email, "not-the-password", client=client)


def test_api_version_and_host(client):
    assert gazu.client.host_is_up(client=client)
    assert gazu.client.get_api_version(client=client) == "1.0.97"


def test_list_persons(logged_in, admin, make_person):
    ben = make_person("user", first_name="Ben", last_name="Artist")

    fetched = gazu.client.fetch_all("persons", client=logged_in)
    everyone = gazu.person.all_persons(client=logged_in)

    assert {person["id"] for person in fetched} == {str(admin.id), str(ben.id)}
    # all_persons sorts by name: "Ada Admin" before "Ben Artist".
    assert [person["id"] for person in everyone] == [str(admin.id), str(ben.id)]
    assert all(person["type"] == "Person" for person in everyone)
    assert all("password" not in person for person in everyone)


def test_person_lookups(logged_in, admin, make_person):
    ben = make_person(
        "user", first_name="Ben", last_name="Artist", desktop_login="ben", email="ben@example.com"
    )

    by_email = gazu.person.get_person_by_email("ben@example.com", client=logged_in)
    by_login = gazu.person.get_person_by_desktop_login("ben", client=logged_in)
    by_name = gazu.person.get_person_by_full_name(
        "Ben Artist", first_name="Ben", last_name="Artist", client=logged_in
    )
    unknown = gazu.person.get_person_by_email("nobody@example.com", client=logged_in)

    assert by_email["id"] == by_login["id"] == by_name["id"] == str(ben.id)
    assert unknown is None


def test_fetch_one_person(logged_in, admin):
    person = gazu.client.fetch_one("persons", str(admin.id), client=logged_in)

    assert (person["id"], person["email"], person["type"]) == (
        str(admin.id),
        admin.email,
        "Person",
    )
    with pytest.raises(RouteNotFoundException):
        gazu.client.fetch_one("persons", "00000000-0000-0000-0000-000000000000", client=logged_in)


def test_new_person(logged_in, admin):
    created = gazu.person.new_person(
        "Cleo",
        "Compositor",
        "cleo@example.com",
        desktop_login="cleo",
        password="a-long-enough-password",
        client=logged_in,
    )

    assert created["email"] == "cleo@example.com"
    assert created["desktop_login"] == "cleo"
    assert created["role"] == "user"
    assert "password" not in created
    person = Person.objects.get(pk=created["id"])
    assert person.check_password("a-long-enough-password")
    # Asking again finds the existing person instead of creating a second one.
    again = gazu.person.new_person("Cleo", "Compositor", "cleo@example.com", client=logged_in)
    assert again["id"] == created["id"]
    assert Person.objects.filter(email="cleo@example.com").count() == 1


def test_generic_create_update_delete(logged_in):
    created = gazu.client.create(
        "departments", {"name": "Compositing", "color": "#123456"}, client=logged_in
    )
    assert (created["name"], created["type"]) == ("Compositing", "Department")

    updated = gazu.client.update(
        "departments", created["id"], {"color": "#654321"}, client=logged_in
    )
    assert (updated["name"], updated["color"]) == ("Compositing", "#654321")
    assert gazu.client.fetch_one("departments", created["id"], client=logged_in) == updated

    assert gazu.client.delete(f"data/departments/{created['id']}", client=logged_in) == ""
    assert not Department.objects.filter(pk=created["id"]).exists()
    with pytest.raises(RouteNotFoundException):
        gazu.client.fetch_one("departments", created["id"], client=logged_in)


def test_artist_may_not_create_departments(client, make_person):
    artist = make_person("user")
    gazu.log_in(artist.email, PASSWORD, client=client)

    with pytest.raises(NotAllowedException):
        gazu.client.create("departments", {"name": "Nope", "color": "#000000"}, client=client)
    assert not Department.objects.exists()


def test_log_out_revokes_the_token(logged_in):
    old_tokens = dict(logged_in.tokens)
    assert gazu.client.fetch_all("persons", client=logged_in)

    gazu.log_out(client=logged_in)
    assert logged_in.tokens == {}

    gazu.client.set_tokens(old_tokens, client=logged_in)
    with pytest.raises(NotAuthenticatedException):
        gazu.client.fetch_all("persons", client=logged_in)


def test_calls_without_login_are_refused(client):
    with pytest.raises(NotAuthenticatedException):
        gazu.client.fetch_all("persons", client=client)
