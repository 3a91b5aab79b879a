"""App-login hand-off: a logged-in browser mints a one-time code that a desktop
app exchanges, with its PKCE verifier, for the answer of a normal login."""

import base64
import hashlib
import secrets
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import AppLoginCode, LoginLog

CODE_URL = "/api/auth/app-login/code"
TOKEN_URL = "/api/auth/app-login/token"


@pytest.fixture(autouse=True)
def fast_hashers(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def mint(client, challenge, **extra):
    return client.post(CODE_URL, {"code_challenge": challenge, **extra}, format="json")


def exchange(code, verifier):
    return APIClient().post(TOKEN_URL, {"code": code, "code_verifier": verifier}, format="json")


def test_code_exchange_gives_the_login_answer(artist_api, artist):
    verifier, challenge = pkce_pair()

    minted = mint(artist_api, challenge, code_challenge_method="S256")
    response = exchange(minted.json()["code"], verifier)

    assert minted.status_code == 200
    assert set(minted.json()) == {"code"}
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "organisation", "login", "access_token", "refresh_token"}
    assert body["login"] is True
    assert body["user"]["id"] == str(artist.id)
    assert response.cookies["access_token_cookie"].value == body["access_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert client.get("/api/auth/authenticated").json()["user"]["id"] == str(artist.id)
    assert LoginLog.objects.filter(person=artist).count() == 1


def test_code_is_stored_hashed(artist_api):
    _verifier, challenge = pkce_pair()

    code = mint(artist_api, challenge).json()["code"]

    row = AppLoginCode.objects.get()
    assert row.code_hash != code
    assert row.code_hash == hashlib.sha256(code.encode()).hexdigest()
    assert row.code_challenge == challenge
    assert row.expires_at <= timezone.now() + timedelta(seconds=60)


def test_code_is_single_use(artist_api):
    verifier, challenge = pkce_pair()
    code = mint(artist_api, challenge).json()["code"]

    assert exchange(code, verifier).status_code == 200
    again = exchange(code, verifier)

    assert again.status_code == 400
    assert again.json() == {"error": True, "message": "Invalid or expired code."}


def test_wrong_verifier_is_refused_and_spends_the_code(artist_api):
    verifier, challenge = pkce_pair()
    code = mint(artist_api, challenge).json()["code"]
    other_verifier, _ = pkce_pair()

    assert exchange(code, other_verifier).status_code == 400
    assert exchange(code, verifier).status_code == 400
    assert not AppLoginCode.objects.exists()


def test_expired_code_is_refused(artist_api):
    verifier, challenge = pkce_pair()
    code = mint(artist_api, challenge).json()["code"]
    AppLoginCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert exchange(code, verifier).status_code == 400


def test_unknown_code_is_refused(db):
    verifier, _ = pkce_pair()

    assert exchange("made-up-code", verifier).status_code == 400


def test_exchange_without_verifier_is_400(db):
    response = APIClient().post(TOKEN_URL, {"code": "abc"}, format="json")

    assert response.status_code == 400
    assert response.json()["message"] == "The field code_verifier is required."


def test_code_of_deactivated_person_is_refused(artist_api, artist):
    verifier, challenge = pkce_pair()
    code = mint(artist_api, challenge).json()["code"]
    artist.active = False
    artist.save()

    response = exchange(code, verifier)

    assert response.status_code == 401
    assert response.json()["unactive"] is True


def test_plain_challenge_method_is_refused(artist_api):
    _verifier, challenge = pkce_pair()

    response = mint(artist_api, challenge, code_challenge_method="plain")

    assert response.status_code == 400
    assert not AppLoginCode.objects.exists()


def test_malformed_challenge_is_refused(artist_api):
    assert mint(artist_api, "too-short").status_code == 400


def test_missing_challenge_is_400(artist_api):
    assert artist_api.post(CODE_URL, {}, format="json").status_code == 400


def test_minting_needs_a_login(anonymous_api, db):
    _verifier, challenge = pkce_pair()

    assert mint(anonymous_api, challenge).status_code == 401


def test_expired_codes_are_purged_when_minting(artist_api):
    _verifier, challenge = pkce_pair()
    mint(artist_api, challenge)
    AppLoginCode.objects.update(expires_at=timezone.now() - timedelta(minutes=5))

    mint(artist_api, challenge)

    assert AppLoginCode.objects.count() == 1
