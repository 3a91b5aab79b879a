"""Password change, self-service reset, and the admin routes that set another
person's password, hand out a reset link or send an invitation."""

import urllib.parse

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from people import auth
from people.models import Person
from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-secret"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"
NON_ADMIN_ROLES = ["manager", "supervisor", "user", "client", "vendor"]


@pytest.fixture(autouse=True)
def fast_hashers(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


def can_log_in(email, password):
    response = APIClient().post(
        "/api/auth/login", {"email": email, "password": password}, format="json"
    )
    return response.status_code == 200


def link_params(text):
    """``(email, token)`` of the reset link in a mail body or an answer."""
    url = next(word for word in text.split() if "reset-change-password" in word)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    return query["email"][0], query["token"][0]


# --- own password --------------------------------------------------------------


def change(client, old=PASSWORD, new=NEW_PASSWORD, confirmation=None):
    body = {"old_password": old, "password": new, "password_2": confirmation or new}
    return client.post("/api/auth/change-password", body, format="json")


def test_change_own_password(artist_api, artist):
    response = change(artist_api)

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert can_log_in(artist.email, NEW_PASSWORD)
    assert not can_log_in(artist.email, PASSWORD)
    assert mail.outbox[-1].to == [artist.email]


def test_change_password_with_wrong_old_password(artist_api, artist):
    response = change(artist_api, old="not-my-password")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Old password is wrong."}
    assert can_log_in(artist.email, PASSWORD)


def test_change_password_with_mismatched_confirmation(artist_api, artist):
    response = change(artist_api, confirmation="something-else-entirely")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Confirmation password doesn't match."}


def test_change_password_too_short(artist_api, artist, settings):
    settings.MIN_PASSWORD_LENGTH = 8

    response = change(artist_api, new="short")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Password is too short."}
    assert can_log_in(artist.email, PASSWORD)


def test_change_password_without_body_is_400(artist_api):
    assert artist_api.post("/api/auth/change-password", {}, format="json").status_code == 400


# --- self-service reset ---------------------------------------------------------------


def test_reset_request_mails_a_link(anonymous_api, artist, settings):
    settings.DOMAIN_PROTOCOL = "https"
    settings.DOMAIN_NAME = "kitsu.example.com"

    response = anonymous_api.post("/api/auth/reset-password", {"email": artist.email})

    assert response.status_code == 200
    assert response.json() == {"success": "Reset token sent"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [artist.email]
    assert "https://kitsu.example.com/reset-change-password?" in mail.outbox[0].body
    email, token = link_params(mail.outbox[0].body)
    assert email == artist.email
    assert auth.check_reset_token(artist, token)


def test_reset_request_for_unknown_email_answers_the_same(anonymous_api, db):
    response = anonymous_api.post("/api/auth/reset-password", {"email": "ghost@example.com"})

    assert response.status_code == 200
    assert response.json() == {"success": "Reset token sent"}
    assert mail.outbox == []


def test_reset_request_for_inactive_person_sends_nothing(anonymous_api, make_person):
    person = make_person("user", active=False)

    response = anonymous_api.post("/api/auth/reset-password", {"email": person.email})

    assert response.json() == {"success": "Reset token sent"}
    assert mail.outbox == []


def test_reset_request_without_email_is_400(anonymous_api, db):
    assert anonymous_api.post("/api/auth/reset-password", {}, format="json").status_code == 400


def reset(client, email, token, password=NEW_PASSWORD, confirmation=None):
    body = {
        "email": email,
        "token": token,
        "password": password,
        "password2": confirmation or password,
    }
    return client.put("/api/auth/reset-password", body, format="json")


def test_reset_sets_the_password_once_and_lifts_lockout(anonymous_api, artist):
    Person.objects.filter(pk=artist.pk).update(
        login_failed_attemps=5, last_login_failed=timezone.now()
    )
    anonymous_api.post("/api/auth/reset-password", {"email": artist.email})
    email, token = link_params(mail.outbox[0].body)

    response = reset(anonymous_api, email, token)

    assert response.status_code == 200
    assert response.json() == {"success": True}
    artist.refresh_from_db()
    assert artist.login_failed_attemps == 0
    assert artist.last_login_failed is None
    assert can_log_in(artist.email, NEW_PASSWORD)
    # The token was bound to the old password hash: it cannot be used again.
    again = reset(anonymous_api, email, token, password="yet-another-secret")
    assert again.status_code == 400
    assert again.json() == {"error": True, "message": "Wrong or expired token."}


def test_reset_with_bad_token(anonymous_api, artist):
    response = reset(anonymous_api, artist.email, "1-abcdef")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Wrong or expired token."}


def test_reset_token_of_another_person_is_refused(anonymous_api, artist, manager):
    token = auth.make_reset_token(manager)

    assert reset(anonymous_api, artist.email, token).status_code == 400


def test_reset_token_expires_after_two_hours(anonymous_api, artist, monkeypatch):
    token = auth.make_reset_token(artist)
    later = timezone.now() + timezone.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)

    assert reset(anonymous_api, artist.email, token).status_code == 400


def test_reset_with_mismatched_passwords(anonymous_api, artist):
    token = auth.make_reset_token(artist)

    response = reset(anonymous_api, artist.email, token, confirmation="not-the-same-one")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Confirmation password doesn't match."}
    assert can_log_in(artist.email, PASSWORD)


def test_reset_with_short_password(anonymous_api, artist):
    token = auth.make_reset_token(artist)

    response = reset(anonymous_api, artist.email, token, password="short")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Password is too short."}


def test_default_password_token_sets_a_real_password(anonymous_api, make_person):
    person = make_person("user", password="default")
    token = anonymous_api.post(
        "/api/auth/login", {"email": person.email, "password": "default"}, format="json"
    ).json()["token"]

    assert reset(anonymous_api, person.email, token).status_code == 200
    assert can_log_in(person.email, NEW_PASSWORD)


# --- admin: change another person's password -----------------------------------------------


def admin_change(client, person_id, password=NEW_PASSWORD, confirmation=None):
    body = {"password": password, "password_2": confirmation or password}
    return client.post(f"/api/actions/persons/{person_id}/change-password", body, format="json")


def test_admin_changes_a_password(admin_api, artist):
    Person.objects.filter(pk=artist.pk).update(
        login_failed_attemps=5, last_login_failed=timezone.now()
    )

    response = admin_change(admin_api, artist.id)

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert can_log_in(artist.email, NEW_PASSWORD)
    assert mail.outbox[-1].to == [artist.email]


def test_admin_change_password_mismatch(admin_api, artist):
    response = admin_change(admin_api, artist.id, confirmation="different-password")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Confirmation password doesn't match."}


def test_admin_change_password_missing_body_is_400(admin_api, artist):
    url = f"/api/actions/persons/{artist.id}/change-password"

    assert admin_api.post(url, {}, format="json").status_code == 400


def test_admin_cannot_set_a_bot_password(admin_api, make_person):
    bot = make_person("user", is_bot=True)

    assert admin_change(admin_api, bot.id).status_code == 400


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_change_passwords(client_for, make_person, artist, role):
    response = admin_change(client_for(make_person(role)), artist.id)

    assert response.status_code == 403
    assert can_log_in(artist.email, PASSWORD)


def test_admin_change_password_unknown_person_is_404(admin_api):
    assert admin_change(admin_api, UNKNOWN_ID).status_code == 404


def test_admin_change_password_malformed_id_is_400(admin_api):
    response = admin_change(admin_api, "not-a-uuid")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "Malformed ID.", "data": None}


def test_admin_change_password_without_token_is_401(anonymous_api, artist):
    assert admin_change(anonymous_api, artist.id).status_code == 401


# --- admin: reset link -----------------------------------------------------------------------


def link_url(person_id):
    return f"/api/actions/persons/{person_id}/reset-password-link"


def test_admin_gets_a_reset_link_without_mail(admin_api, anonymous_api, artist):
    response = admin_api.post(link_url(artist.id))

    assert response.status_code == 200
    body = response.json()
    assert body["link"] == body["reset_password_link"]
    email, token = link_params(body["link"])
    assert email == artist.email
    assert mail.outbox == []
    assert reset(anonymous_api, email, token).status_code == 200
    assert can_log_in(artist.email, NEW_PASSWORD)


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_get_reset_links(client_for, make_person, artist, role):
    assert client_for(make_person(role)).post(link_url(artist.id)).status_code == 403


def test_reset_link_unknown_person_is_404(admin_api):
    assert admin_api.post(link_url(UNKNOWN_ID)).status_code == 404


def test_reset_link_malformed_id_is_400(admin_api):
    assert admin_api.post(link_url("nope")).status_code == 400


def test_reset_link_for_person_without_email_is_400(admin_api, make_person):
    person = make_person("user", email=None)

    assert admin_api.post(link_url(person.id)).status_code == 400


def test_reset_link_without_token_is_401(anonymous_api, artist):
    assert anonymous_api.post(link_url(artist.id)).status_code == 401


# --- admin: invitation ---------------------------------------------------------------------


def invite_url(person_id):
    return f"/api/actions/persons/{person_id}/invite"


def test_admin_invites_a_person(admin_api, anonymous_api, make_person):
    person = make_person("user", password=None)

    response = admin_api.get(invite_url(person.id))

    assert response.status_code == 200
    assert response.json()["success"] is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    email, token = link_params(mail.outbox[0].body)
    assert reset(anonymous_api, email, token).status_code == 200
    assert can_log_in(person.email, NEW_PASSWORD)


def test_invite_with_unreachable_mail_server_is_503(admin_api, artist, monkeypatch):
    def fail(*args, **kwargs):
        raise ConnectionRefusedError()

    monkeypatch.setattr(auth, "send_mail", fail)

    response = admin_api.get(invite_url(artist.id))

    assert response.status_code == 503
    assert response.json()["error"] is True


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_invite(client_for, make_person, artist, role):
    assert client_for(make_person(role)).get(invite_url(artist.id)).status_code == 403
    assert mail.outbox == []


def test_invite_unknown_person_is_404(admin_api):
    assert admin_api.get(invite_url(UNKNOWN_ID)).status_code == 404


def test_invite_malformed_id_is_400(admin_api):
    assert admin_api.get(invite_url("12")).status_code == 400


def test_invite_bot_is_400(admin_api, make_person):
    bot = make_person("user", is_bot=True)

    assert admin_api.get(invite_url(bot.id)).status_code == 400


def test_invite_without_token_is_401(anonymous_api, artist):
    assert anonymous_api.get(invite_url(artist.id)).status_code == 401
