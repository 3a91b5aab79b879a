"""Login, logout, token refresh, cookies and the JWT error bodies of the auth domain."""

import uuid
from datetime import timedelta

import bcrypt
import jwt
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework.test import APIClient

from people import auth
from people.models import Department, LoginLog, Organisation, Person, RevokedToken
from tests.conftest import PASSWORD

LOGIN = "/api/auth/login"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"

# Every key of the ``user`` object of Zou's login answer (payloads.md).
PERSON_KEYS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "country",
    "contract_type",
    "active",
    "archived",
    "last_presence",
    "desktop_login",
    "totp_enabled",
    "email_otp_enabled",
    "fido_enabled",
    "preferred_two_factor_authentication",
    "shotgun_id",
    "timezone",
    "locale",
    "use_12_hour_clock",
    "display_date_format",
    "data",
    "role",
    "position",
    "seniority",
    "daily_salary",
    "has_avatar",
    "notifications_enabled",
    "notifications_slack_enabled",
    "notifications_slack_userid",
    "notifications_mattermost_enabled",
    "notifications_mattermost_userid",
    "notifications_discord_enabled",
    "notifications_discord_userid",
    "is_bot",
    "is_guest",
    "preview_project_id",
    "preview_opened_at",
    "preview_open_until",
    "expiration_date",
    "is_generated_from_ldap",
    "ldap_uid",
    "studio_id",
    "full_name",
    "id",
    "created_at",
    "updated_at",
    "type",
    "departments",
}
ORGANISATION_KEYS = {
    "name",
    "hours_by_day",
    "has_avatar",
    "use_original_file_name",
    "timesheets_locked",
    "format_duration_in_hours",
    "hd_by_default",
    "chat_token_slack",
    "chat_webhook_mattermost",
    "chat_token_discord",
    "dark_theme_by_default",
    "id",
    "created_at",
    "updated_at",
    "type",
}


@pytest.fixture(autouse=True)
def fast_hashers(settings):
    """Cheap password hashing; bcrypt stays available for hashes imported from Zou."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]


def login(client, email, password=PASSWORD, **headers):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", **headers)


def decode(token):
    return jwt.decode(token, django_settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])


# --- login ---------------------------------------------------------------------


def test_login_answers_zou_body(anonymous_api, admin):
    department = Department.objects.create(name="Animation", color="#000000")
    admin.departments.add(department)
    Organisation.objects.create(name="Studio", chat_token_slack="xoxb")

    response = login(anonymous_api, admin.email)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "organisation", "login", "access_token", "refresh_token"}
    assert body["login"] is True
    assert set(body["user"]) == PERSON_KEYS
    assert body["user"]["id"] == str(admin.id)
    assert body["user"]["type"] == "Person"
    assert body["user"]["full_name"] == "Ada Admin"
    assert body["user"]["departments"] == [str(department.id)]
    assert set(body["organisation"]) == ORGANISATION_KEYS
    assert body["organisation"]["type"] == "Organisation"
    # Admins see the chat tokens of the organisation.
    assert body["organisation"]["chat_token_slack"] == "xoxb"


def test_login_tokens_carry_zou_claims(anonymous_api, artist):
    body = login(anonymous_api, artist.email).json()

    access, refresh = decode(body["access_token"]), decode(body["refresh_token"])
    assert access["sub"] == refresh["sub"] == str(artist.id)
    assert access["type"] == "access"
    assert refresh["type"] == "refresh"
    assert access["identity_type"] == refresh["identity_type"] == "person"
    assert access["refresh_jti"] == refresh["jti"]
    assert "requires_2fa_setup" not in access


def test_artist_login_hides_organisation_chat_tokens(anonymous_api, artist):
    Organisation.objects.create(name="Studio", chat_token_slack="xoxb")

    organisation = login(anonymous_api, artist.email).json()["organisation"]

    assert "chat_token_slack" not in organisation
    assert organisation["name"] == "Studio"


def test_login_never_returns_secrets(anonymous_api, artist):
    user = login(anonymous_api, artist.email).json()["user"]

    assert not set(user) & Person.SECRET_FIELDS


def test_login_sets_both_cookies_for_scripts_too(anonymous_api, artist):
    response = login(anonymous_api, artist.email, HTTP_USER_AGENT="python-requests/2.32")
    body = response.json()

    access = response.cookies["access_token_cookie"]
    assert access.value == body["access_token"]
    assert access["path"] == "/"
    assert access["httponly"] is True
    assert access["samesite"] == "Lax"
    assert access["max-age"] == 31540000
    assert not access["secure"]
    refresh = response.cookies["refresh_token_cookie"]
    assert refresh.value == body["refresh_token"]
    assert refresh["path"] == "/api/auth/refresh-token"
    assert refresh["httponly"] is True
    assert refresh["samesite"] == "Lax"
    assert refresh["max-age"] == 31540000


def test_cookie_secure_flag_follows_setting(anonymous_api, artist, settings):
    settings.JWT_COOKIE_SECURE = True

    response = login(anonymous_api, artist.email)

    assert response.cookies["access_token_cookie"]["secure"] is True
    assert response.cookies["refresh_token_cookie"]["secure"] is True


def test_login_is_case_insensitive_on_email(anonymous_api, artist):
    response = login(anonymous_api, artist.email.upper())

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(artist.id)


def test_login_with_desktop_login(anonymous_api, make_person):
    person = make_person("user", desktop_login="jdoe")

    response = login(anonymous_api, "jdoe")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(person.id)


def test_login_answers_with_trailing_slash(anonymous_api, artist):
    response = anonymous_api.post(
        LOGIN + "/", {"email": artist.email, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["login"] is True


def test_login_ignores_a_stale_cookie(anonymous_api, artist):
    anonymous_api.cookies["access_token_cookie"] = "not.a.jwt"

    assert login(anonymous_api, artist.email).status_code == 200


def test_wrong_password(anonymous_api, artist):
    response = login(anonymous_api, artist.email, "nope-nope")

    assert response.status_code == 400
    assert response.json() == {"login": False, "message": "Wrong email or password."}
    artist.refresh_from_db()
    assert artist.login_failed_attemps == 1
    assert artist.last_login_failed is not None
    assert "access_token_cookie" not in response.cookies


def test_unknown_email_answers_like_wrong_password(anonymous_api, db):
    response = login(anonymous_api, "ghost@example.com")

    assert response.status_code == 400
    assert response.json() == {"login": False, "message": "Wrong email or password."}


def test_login_without_password_is_400(anonymous_api, artist):
    response = anonymous_api.post(LOGIN, {"email": artist.email}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] is True


def test_login_with_non_object_body_is_400(anonymous_api, db):
    response = anonymous_api.post(LOGIN, ["a"], format="json")

    assert response.status_code == 400


def test_inactive_account_is_401(anonymous_api, make_person):
    person = make_person("user", active=False)

    response = login(anonymous_api, person.email)

    assert response.status_code == 401
    body = response.json()
    assert body["login"] is False
    assert body["unactive"] is True
    assert "access_token" not in body


def test_inactive_account_with_wrong_password_reveals_nothing(anonymous_api, make_person):
    person = make_person("user", active=False)

    response = login(anonymous_api, person.email, "wrong-password")

    assert response.status_code == 400
    assert response.json() == {"login": False, "message": "Wrong email or password."}


def test_bot_cannot_log_in_with_a_password(anonymous_api, make_person):
    bot = make_person("user", is_bot=True)

    response = login(anonymous_api, bot.email)

    assert response.status_code == 400
    assert response.json() == {"login": False, "message": "Wrong email or password."}


def test_lockout_after_five_failures(anonymous_api, artist):
    for _ in range(5):
        assert login(anonymous_api, artist.email, "wrong-password").status_code == 400

    response = login(anonymous_api, artist.email)  # right password, still locked

    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "login": False,
        "too_many_failed_login_attemps": True,
    }
    artist.refresh_from_db()
    assert artist.login_failed_attemps == 5


def test_lockout_ends_after_the_window_and_success_resets_counters(anonymous_api, artist):
    for _ in range(5):
        login(anonymous_api, artist.email, "wrong-password")
    Person.objects.filter(pk=artist.pk).update(
        last_login_failed=timezone.now()
        - timedelta(seconds=django_settings.LOGIN_LOCKOUT_SECONDS + 1)
    )

    response = login(anonymous_api, artist.email)

    assert response.status_code == 200
    artist.refresh_from_db()
    assert artist.login_failed_attemps == 0
    assert artist.last_login_failed is None


def test_success_resets_failed_attempts(anonymous_api, artist):
    for _ in range(3):
        login(anonymous_api, artist.email, "wrong-password")

    assert login(anonymous_api, artist.email).status_code == 200

    artist.refresh_from_db()
    assert artist.login_failed_attemps == 0


def test_old_failures_do_not_add_up(anonymous_api, artist):
    Person.objects.filter(pk=artist.pk).update(
        login_failed_attemps=4, last_login_failed=timezone.now() - timedelta(hours=1)
    )

    login(anonymous_api, artist.email, "wrong-password")

    artist.refresh_from_db()
    assert artist.login_failed_attemps == 1


def test_default_password_asks_for_a_new_one(anonymous_api, make_person):
    person = make_person("user", password="default")

    response = login(anonymous_api, person.email, "default")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"login", "default_password", "token"}
    assert body["login"] is False
    assert body["default_password"] is True
    assert auth.check_reset_token(person, body["token"])
    assert not LoginLog.objects.exists()


def test_zou_bcrypt_hash_verifies_and_is_upgraded(anonymous_api, artist, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]
    zou_hash = bcrypt.hashpw(b"secret-from-zou", bcrypt.gensalt(rounds=4)).decode()
    Person.objects.filter(pk=artist.pk).update(password=zou_hash)

    response = login(anonymous_api, artist.email, "secret-from-zou")

    assert response.status_code == 200
    artist.refresh_from_db()
    assert artist.password.startswith("pbkdf2_sha256$")
    assert artist.check_password("secret-from-zou")


def test_login_logs_web_origin_for_browsers(anonymous_api, artist):
    login(anonymous_api, artist.email, HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="10.1.2.3")

    log = LoginLog.objects.get()
    assert log.person_id == artist.id
    assert log.origin == "web"
    assert log.ip_address == "10.1.2.3"


def test_login_logs_script_origin_and_forwarded_ip(anonymous_api, artist):
    login(
        anonymous_api,
        artist.email,
        HTTP_USER_AGENT="python-requests/2.32",
        HTTP_X_FORWARDED_FOR="192.0.2.7, 10.0.0.1",
    )

    log = LoginLog.objects.get()
    assert log.origin == "script"
    assert log.ip_address == "192.0.2.7"


def test_failed_login_writes_no_log(anonymous_api, artist):
    login(anonymous_api, artist.email, "wrong-password")

    assert not LoginLog.objects.exists()


# --- authenticated ---------------------------------------------------------------


def test_authenticated_answers_user_with_fido_devices(client_for, artist):
    Person.objects.filter(pk=artist.pk).update(
        fido_credentials=[{"device_name": "YubiKey", "credential_id": 1}]
    )

    response = client_for(artist).get("/api/auth/authenticated")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"authenticated", "user", "organisation"}
    assert body["authenticated"] is True
    assert set(body["user"]) == PERSON_KEYS | {"fido_devices"}
    assert body["user"]["fido_devices"] == ["YubiKey"]
    assert body["user"]["id"] == str(artist.id)
    assert body["organisation"]["type"] == "Organisation"


def test_authenticated_without_token_is_401(anonymous_api, db):
    response = anonymous_api.get("/api/auth/authenticated")

    assert response.status_code == 401
    assert response.json()["msg"].startswith("Missing JWT")


def test_authenticated_by_cookie_only(artist):
    client = APIClient()
    login(client, artist.email)  # the client keeps the cookies it was given

    response = client.get("/api/auth/authenticated")

    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(artist.id)


def test_malformed_token_is_422(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer abc")

    response = client.get("/api/auth/authenticated")

    assert response.status_code == 422
    assert response.json() == {"msg": "Not enough segments"}


def test_expired_token_is_401(artist):
    now = timezone.now()
    claims = {
        "sub": str(artist.id),
        "jti": uuid.uuid4().hex,
        "type": "access",
        "identity_type": "person",
        "iat": int((now - timedelta(days=9)).timestamp()),
        "exp": int((now - timedelta(days=2)).timestamp()),
    }
    token = jwt.encode(claims, django_settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.get("/api/auth/authenticated")

    assert response.status_code == 401
    assert response.json() == {"error": True, "message": "Signature has expired"}


def test_refresh_token_is_refused_as_access_token(anonymous_api, artist):
    refresh = login(anonymous_api, artist.email).json()["refresh_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh}")

    response = client.get("/api/auth/authenticated")

    assert response.status_code == 422
    assert response.json() == {"msg": "Only non-refresh tokens are allowed"}


# --- logout ------------------------------------------------------------------------


def test_logout_revokes_access_and_refresh_tokens(anonymous_api, artist):
    body = login(anonymous_api, artist.email).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")

    response = client.get("/api/auth/logout")

    assert response.status_code == 200
    assert response.json() == {"logout": True}
    assert RevokedToken.objects.count() == 2
    again = client.get("/api/auth/authenticated")
    assert again.status_code == 401
    assert again.json() == {"msg": "Token has been revoked"}
    refresh_client = APIClient()
    refresh_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['refresh_token']}")
    refreshed = refresh_client.get("/api/auth/refresh-token")
    assert refreshed.status_code == 401
    assert refreshed.json() == {"msg": "Token has been revoked"}


def test_logout_clears_both_cookies(artist):
    client = APIClient()
    login(client, artist.email)

    response = client.get("/api/auth/logout")

    assert response.status_code == 200
    access = response.cookies["access_token_cookie"]
    refresh = response.cookies["refresh_token_cookie"]
    assert access.value == refresh.value == ""
    assert access["max-age"] == refresh["max-age"] == 0
    assert access["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert access["path"] == "/"
    assert refresh["path"] == "/api/auth/refresh-token"


def test_logout_without_token_is_401(anonymous_api, db):
    assert anonymous_api.get("/api/auth/logout").status_code == 401


# --- refresh ---------------------------------------------------------------------------


def test_refresh_with_bearer_refresh_token(anonymous_api, artist):
    body = login(anonymous_api, artist.email).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['refresh_token']}")

    response = client.get("/api/auth/refresh-token")

    assert response.status_code == 200
    assert set(response.json()) == {"access_token"}
    assert "access_token_cookie" not in response.cookies
    new_access = response.json()["access_token"]
    claims = decode(new_access)
    assert claims["type"] == "access"
    assert claims["sub"] == str(artist.id)
    assert claims["refresh_jti"] == decode(body["refresh_token"])["jti"]
    check = APIClient()
    check.credentials(HTTP_AUTHORIZATION=f"Bearer {new_access}")
    assert check.get("/api/auth/authenticated").status_code == 200


def test_refresh_with_cookie_sets_a_new_access_cookie(artist):
    client = APIClient()
    login(client, artist.email)

    response = client.get("/api/auth/refresh-token")

    assert response.status_code == 200
    assert response.json() == {"refresh": True}
    cookie = response.cookies["access_token_cookie"]
    assert decode(cookie.value)["sub"] == str(artist.id)
    assert cookie["path"] == "/"
    assert cookie["httponly"] is True


def test_logout_with_a_refreshed_token_revokes_the_refresh_token(anonymous_api, artist):
    body = login(anonymous_api, artist.email).json()
    refresh_client = APIClient()
    refresh_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['refresh_token']}")
    new_access = refresh_client.get("/api/auth/refresh-token").json()["access_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new_access}")

    assert client.get("/api/auth/logout").status_code == 200

    assert refresh_client.get("/api/auth/refresh-token").status_code == 401


def test_refresh_with_access_token_is_422(anonymous_api, artist):
    access = login(anonymous_api, artist.email).json()["access_token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = client.get("/api/auth/refresh-token")

    assert response.status_code == 422
    assert response.json() == {"msg": "Only refresh tokens are allowed"}


def test_refresh_without_token_is_401(anonymous_api, db):
    response = anonymous_api.get("/api/auth/refresh-token")

    assert response.status_code == 401
    assert "refresh_token_cookie" in response.json()["msg"]


def test_refresh_for_deactivated_person_is_401(anonymous_api, artist):
    refresh = login(anonymous_api, artist.email).json()["refresh_token"]
    Person.objects.filter(pk=artist.pk).update(active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {refresh}")

    assert client.get("/api/auth/refresh-token").status_code == 401


# --- routes this server does not offer yet -------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "word"),
    [
        ("get", "/api/auth/fido?email=a@example.com", "FIDO"),
        ("get", "/api/auth/saml/login", "SAML"),
        ("post", "/api/auth/saml/sso", "SAML"),
        ("get", "/api/auth/oidc/login", "OpenID Connect"),
        ("get", "/api/auth/oidc/callback", "OpenID Connect"),
    ],
)
def test_public_sso_and_fido_routes_answer_501(anonymous_api, db, method, path, word):
    response = getattr(anonymous_api, method)(path)

    assert response.status_code == 501
    body = response.json()
    assert body["error"] is True
    assert word in body["message"]


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_fido_management_answers_501_when_logged_in(artist_api, method):
    response = getattr(artist_api, method)("/api/auth/fido", {}, format="json")

    assert response.status_code == 501
    assert "FIDO" in response.json()["message"]


@pytest.mark.parametrize("method", ["put", "post", "delete"])
def test_fido_management_needs_a_login(anonymous_api, db, method):
    assert getattr(anonymous_api, method)("/api/auth/fido", {}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/auth/logout"),
        ("post", "/api/auth/change-password"),
        ("put", "/api/auth/totp"),
        ("post", "/api/auth/totp"),
        ("delete", "/api/auth/totp"),
        ("put", "/api/auth/email-otp"),
        ("post", "/api/auth/email-otp"),
        ("delete", "/api/auth/email-otp"),
        ("put", "/api/auth/recovery-codes"),
        ("post", "/api/auth/app-login/code"),
    ],
)
def test_logged_in_routes_need_a_token(anonymous_api, db, method, path):
    response = getattr(anonymous_api, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response.json()["msg"].startswith("Missing JWT")


def test_bot_token_cannot_use_credential_routes(make_person):
    from people.tokens import issue_bot_token

    bot = make_person("user", is_bot=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_bot_token(bot)}")

    assert client.get("/api/auth/authenticated").status_code == 200
    assert client.put("/api/auth/totp").status_code == 403
    assert client.get("/api/auth/logout").status_code == 403
