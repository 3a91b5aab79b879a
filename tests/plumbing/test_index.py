"""The public routes of the index domain: version, instance settings, health."""

import pytest

from kitsu_backend.api.exceptions import MISSING_TOKEN_MESSAGE
from kitsu_backend.api.models import ApiEvent
from people.models import Person

STATUS_KEYS = [
    "name",
    "version",
    "database-up",
    "key-value-store-up",
    "event-stream-up",
    "job-queue-up",
    "indexer-up",
]


@pytest.fixture
def embedded(settings):
    """No Redis and no broker: the embedded set-up, where everything is up."""
    settings.REDIS_URL = ""
    settings.CELERY_BROKER_URL = ""


@pytest.mark.django_db
def test_root_gives_api_name_and_version(anonymous_api):
    response = anonymous_api.get("/api/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"api": "Zou", "version": "1.0.97"}


@pytest.mark.django_db
def test_config_has_zou_keys_and_defaults(anonymous_api):
    response = anonymous_api.get("/api/config")

    assert response.status_code == 200
    assert response.json() == {
        "is_self_hosted": True,
        "crisp_token": "",
        "dark_theme_by_default": False,
        "indexer_configured": False,
        "saml_enabled": False,
        "saml_idp_name": "",
        "oidc_enabled": False,
        "oidc_idp_name": "",
        "default_locale": "en_US",
        "default_timezone": "Europe/Paris",
        "enforce_2fa": False,
        "movie_highdef_bitrate": 28,
        "movie_lowdef_bitrate": 6,
        "preview_accounts_enabled": True,
    }


@pytest.mark.django_db
def test_config_follows_settings(anonymous_api, settings):
    settings.DEFAULT_LOCALE = "fr_FR"
    settings.MOVIE_LOWDEF_BITRATE = 3

    body = anonymous_api.get("/api/config").json()

    assert (body["default_locale"], body["movie_lowdef_bitrate"]) == ("fr_FR", 3)


@pytest.mark.django_db
def test_config_ignores_a_broken_token(client_for):
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION="Bearer abc")

    assert api.get("/api/config").status_code == 200


@pytest.mark.django_db
def test_status_reports_every_service(anonymous_api, embedded):
    response = anonymous_api.get("/api/status")

    assert response.status_code == 200
    body = response.json()
    assert list(body) == STATUS_KEYS
    assert body == {
        "name": "Kitsu",
        "version": "1.0.97",
        "database-up": True,
        "key-value-store-up": True,
        "event-stream-up": True,
        "job-queue-up": True,
        "indexer-up": True,
    }


@pytest.mark.django_db
def test_status_reports_an_unreachable_redis_as_down(anonymous_api, embedded, settings):
    # Port 9 (discard) has no Redis behind it.
    settings.REDIS_URL = "redis://127.0.0.1:9/0"

    body = anonymous_api.get("/api/status").json()

    assert body["key-value-store-up"] is False
    assert body["event-stream-up"] is False
    assert body["database-up"] is True


@pytest.mark.django_db
def test_status_text(anonymous_api, embedded):
    response = anonymous_api.get("/api/status.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        "name: Kitsu\n"
        "version: 1.0.97\n"
        "database-up: up\n"
        "key-value-store-up: up\n"
        "event-stream-up: up\n"
        "job-queue-up: up\n"
        "indexer-up: up\n"
    )


@pytest.mark.django_db
def test_status_influx_gives_numbers(anonymous_api, embedded):
    response = anonymous_api.get("/api/status/influx")

    assert response.status_code == 200
    assert response.json() == {
        "database-up": 1,
        "key-value-store-up": 1,
        "event-stream-up": 1,
        "job-queue-up": 1,
        "indexer-up": 1,
    }


@pytest.mark.django_db
def test_status_resources_shape(anonymous_api):
    response = anonymous_api.get("/api/status/resources")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"date", "cpu", "memory", "disk", "jobs"}
    assert set(body["cpu"]) == {"1", "5", "10"}
    assert set(body["memory"]) == {"total", "available", "percent"}
    assert set(body["disk"]) == {"total", "used", "free"}
    assert body["disk"]["total"] > 0
    assert len(body["date"]) == len("2024-03-05T14:07:09")


@pytest.mark.django_db(transaction=True)
def test_test_event_emits_an_unpersisted_event(anonymous_api, embedded):
    response = anonymous_api.get("/api/status/test-event")

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert not ApiEvent.objects.exists()


@pytest.mark.django_db
def test_stats_needs_a_login(anonymous_api):
    response = anonymous_api.get("/api/stats")

    assert response.status_code == 401
    assert response.json() == {"msg": MISSING_TOKEN_MESSAGE}


@pytest.mark.django_db
def test_stats_counts_rows(artist_api, make_person):
    make_person("manager")

    response = artist_api.get("/api/stats")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"projects", "persons", "tasks", "entities", "comments", "preview_files"}
    assert body["persons"] == Person.objects.count() == 2
    assert all(isinstance(value, int) for value in body.values())
