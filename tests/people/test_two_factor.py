"""Two-factor authentication: TOTP, e-mail codes, recovery codes, enforcement,
and the admin route that turns it off for a locked-out person."""

import re
import time

import bcrypt
import jwt
import pyotp
import pytest
from django.conf import settings as django_settings
from django.core import mail
from rest_framework.test import APIClient

from people import auth
from people.models import Person
from tests.conftest import PASSWORD

LOGIN = "/api/auth/login"


@pytest.fixture(autouse=True)
def fast_hashers(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.BCryptPasswordHasher",
    ]


@pytest.fixture(autouse=True)
def empty_cache():
    from django.core.cache import cache

    cache.clear()


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def totp_now(person):
    person.refresh_from_db()
    return pyotp.TOTP(person.totp_secret).now()


def enrol_totp(client, person):
    """Enable TOTP through the API; returns the answer of the confirmation."""
    client.put("/api/auth/totp")
    return client.post("/api/auth/totp", {"totp": totp_now(person)}, format="json")


def mailed_code(message):
    return re.search(r"code is:? (\d{6})", message.body).group(1)


def login(email, password=PASSWORD, **proofs):
    return APIClient().post(LOGIN, {"email": email, "password": password, **proofs}, format="json")


# --- TOTP enrolment ------------------------------------------------------------------


def test_start_totp_returns_uri_and_secret_without_enabling(artist_api, artist):
    response = artist_api.put("/api/auth/totp")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"totp_provisionning_uri", "otp_secret"}
    artist.refresh_from_db()
    assert body["otp_secret"] == artist.totp_secret
    assert body["totp_provisionning_uri"].startswith("otpauth://totp/")
    assert artist.totp_secret in body["totp_provisionning_uri"]
    assert artist.totp_enabled is False


def test_confirm_totp_enables_it_and_returns_recovery_codes(artist_api, artist):
    response = enrol_totp(artist_api, artist)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"otp_recovery_codes", "access_token", "refresh_token"}
    codes = body["otp_recovery_codes"]
    assert len(codes) == 16
    assert all(re.fullmatch(r"[A-Z0-9]{10}", code) for code in codes)
    assert len(set(codes)) == 16
    artist.refresh_from_db()
    assert artist.totp_enabled is True
    assert artist.preferred_two_factor_authentication == "totp"
    assert len(artist.otp_recovery_codes) == 16
    # Stored hashed, never in clear.
    assert not set(codes) & set(artist.otp_recovery_codes)
    assert response.cookies["access_token_cookie"].value == body["access_token"]
    assert bearer(body["access_token"]).get("/api/auth/authenticated").status_code == 200


def test_confirm_totp_with_wrong_code(artist_api, artist):
    artist_api.put("/api/auth/totp")
    wrong = "000000" if totp_now(artist) != "000000" else "111111"

    response = artist_api.post("/api/auth/totp", {"totp": wrong}, format="json")

    assert response.status_code == 400
    assert response.json()["wrong_OTP"] is True
    artist.refresh_from_db()
    assert artist.totp_enabled is False


def test_confirm_totp_without_code_is_400(artist_api, artist):
    artist_api.put("/api/auth/totp")

    assert artist_api.post("/api/auth/totp", {}, format="json").status_code == 400


def test_confirm_totp_before_starting_is_400(artist_api, artist):
    response = artist_api.post("/api/auth/totp", {"totp": "123456"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] is True


def test_start_totp_twice_once_enabled_is_400(artist_api, artist):
    enrol_totp(artist_api, artist)

    response = artist_api.put("/api/auth/totp")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "TOTP already enabled."}


# --- login with a second factor -------------------------------------------------------------


def test_login_without_second_factor_is_refused(artist_api, artist):
    enrol_totp(artist_api, artist)

    response = login(artist.email)

    assert response.status_code == 400
    assert response.json() == {
        "error": True,
        "login": False,
        "missing_OTP": True,
        "preferred_two_factor_authentication": "totp",
        "two_factor_authentication_enabled": ["recovery_code", "totp"],
    }


def test_login_with_totp(artist_api, artist):
    enrol_totp(artist_api, artist)

    response = login(artist.email, totp=totp_now(artist))

    assert response.status_code == 200
    assert response.json()["login"] is True
    assert response.json()["user"]["totp_enabled"] is True


def test_totp_code_cannot_be_replayed(artist_api, artist):
    enrol_totp(artist_api, artist)
    code = totp_now(artist)

    first = login(artist.email, totp=code)
    replay = login(artist.email, totp=code)

    assert first.status_code == 200
    assert replay.status_code == 400
    assert replay.json()["wrong_OTP"] is True


def test_login_with_wrong_totp_counts_as_failure(artist_api, artist):
    enrol_totp(artist_api, artist)
    wrong = "000000" if totp_now(artist) != "000000" else "111111"

    response = login(artist.email, totp=wrong)

    assert response.status_code == 400
    assert response.json() == {"error": True, "login": False, "wrong_OTP": True}
    artist.refresh_from_db()
    assert artist.login_failed_attemps == 1


def test_wrong_password_is_checked_before_second_factor(artist_api, artist):
    enrol_totp(artist_api, artist)

    response = login(artist.email, "wrong-password", totp=totp_now(artist))

    assert response.json() == {"login": False, "message": "Wrong email or password."}


def test_recovery_code_logs_in_once(artist_api, artist):
    codes = enrol_totp(artist_api, artist).json()["otp_recovery_codes"]

    first = login(artist.email, recovery_code=codes[3])
    second = login(artist.email, recovery_code=codes[3])

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["wrong_OTP"] is True
    artist.refresh_from_db()
    assert len(artist.otp_recovery_codes) == 15


def test_recovery_code_is_accepted_in_lower_case(artist_api, artist):
    codes = enrol_totp(artist_api, artist).json()["otp_recovery_codes"]

    assert login(artist.email, recovery_code=codes[0].lower()).status_code == 200


def test_zou_bcrypt_recovery_code_is_accepted(make_person):
    hashed = bcrypt.hashpw(b"ABCDEFGHIJ", bcrypt.gensalt(rounds=4)).decode()
    person = make_person(
        "user",
        totp_enabled=True,
        totp_secret=pyotp.random_base32(),
        otp_recovery_codes=[hashed],
        preferred_two_factor_authentication="totp",
    )

    assert login(person.email, recovery_code="ABCDEFGHIJ").status_code == 200
    person.refresh_from_db()
    assert person.otp_recovery_codes == []


def test_fido_only_account_is_asked_for_a_second_factor(make_person):
    person = make_person(
        "user",
        fido_enabled=True,
        fido_credentials=[{"device_name": "Key"}],
        preferred_two_factor_authentication="fido",
    )

    body = login(person.email).json()

    assert body["missing_OTP"] is True
    assert body["two_factor_authentication_enabled"] == ["recovery_code", "fido"]


# --- disabling TOTP and recovery codes ---------------------------------------------------


def test_disable_totp_needs_a_valid_second_factor(artist_api, artist):
    enrol_totp(artist_api, artist)

    missing = artist_api.delete("/api/auth/totp", {}, format="json")
    ok = artist_api.delete("/api/auth/totp", {"totp": totp_now(artist)}, format="json")

    assert missing.status_code == 400
    assert missing.json() == {
        "error": True,
        "message": "OTP verification failed.",
        "wrong_OTP": True,
    }
    assert ok.status_code == 200
    assert ok.json() == {"success": True}
    artist.refresh_from_db()
    assert artist.totp_enabled is False
    assert artist.totp_secret is None
    assert artist.otp_recovery_codes is None
    assert artist.preferred_two_factor_authentication is None


def test_disable_totp_when_not_enabled_is_400(artist_api, artist):
    response = artist_api.delete("/api/auth/totp", {"totp": "123456"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "TOTP not enabled."}


def test_disable_totp_with_recovery_code(artist_api, artist):
    codes = enrol_totp(artist_api, artist).json()["otp_recovery_codes"]

    response = artist_api.delete("/api/auth/totp", {"recovery_code": codes[0]}, format="json")

    assert response.status_code == 200
    artist.refresh_from_db()
    assert artist.totp_enabled is False


def test_regenerate_recovery_codes(artist_api, artist):
    old_codes = enrol_totp(artist_api, artist).json()["otp_recovery_codes"]

    response = artist_api.put("/api/auth/recovery-codes", {"totp": totp_now(artist)}, format="json")

    assert response.status_code == 200
    new_codes = response.json()["otp_recovery_codes"]
    assert len(new_codes) == 16
    assert not set(new_codes) & set(old_codes)
    assert login(artist.email, recovery_code=old_codes[0]).status_code == 400
    assert login(artist.email, recovery_code=new_codes[0]).status_code == 200


def test_regenerate_recovery_codes_with_wrong_proof_is_400(artist_api, artist):
    enrol_totp(artist_api, artist)

    response = artist_api.put(
        "/api/auth/recovery-codes", {"recovery_code": "NOTACODE00"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["wrong_OTP"] is True


def test_regenerate_recovery_codes_without_2fa_is_400(artist_api, artist):
    response = artist_api.put("/api/auth/recovery-codes", {"totp": "123456"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "No two factor authentication enabled."}


# --- e-mail codes ------------------------------------------------------------------------


def enrol_email_otp(client, person):
    mail.outbox.clear()
    client.put("/api/auth/email-otp")
    code = mailed_code(mail.outbox[-1])
    return client.post("/api/auth/email-otp", {"email_otp": code}, format="json")


def test_start_email_otp_mails_a_code(artist_api, artist):
    response = artist_api.put("/api/auth/email-otp")

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [artist.email]
    artist.refresh_from_db()
    expected = pyotp.HOTP(artist.email_otp_secret).at(int(time.time() // (15 * 60)))
    assert mailed_code(mail.outbox[0]) == expected
    assert artist.email_otp_enabled is False


def test_confirm_email_otp_enables_it(artist_api, artist):
    response = enrol_email_otp(artist_api, artist)

    assert response.status_code == 200
    assert len(response.json()["otp_recovery_codes"]) == 16
    artist.refresh_from_db()
    assert artist.email_otp_enabled is True
    assert artist.preferred_two_factor_authentication == "email_otp"


def test_confirm_email_otp_with_wrong_code(artist_api, artist):
    artist_api.put("/api/auth/email-otp")
    code = mailed_code(mail.outbox[-1])
    wrong = "000000" if code != "000000" else "111111"

    response = artist_api.post("/api/auth/email-otp", {"email_otp": wrong}, format="json")

    assert response.status_code == 400
    assert response.json()["wrong_OTP"] is True


def test_login_with_email_code(artist_api, artist):
    enrol_email_otp(artist_api, artist)
    mail.outbox.clear()

    sent = APIClient().get("/api/auth/email-otp", {"email": artist.email})
    code = mailed_code(mail.outbox[0])

    assert sent.status_code == 200
    assert sent.json() == {"success": True}
    assert login(artist.email, email_otp=code).status_code == 200


def test_email_code_is_single_use(artist_api, artist):
    enrol_email_otp(artist_api, artist)
    mail.outbox.clear()
    APIClient().get("/api/auth/email-otp", {"email": artist.email})
    code = mailed_code(mail.outbox[0])

    assert login(artist.email, email_otp=code).status_code == 200
    replay = login(artist.email, email_otp=code)

    assert replay.status_code == 400
    assert replay.json()["wrong_OTP"] is True


def test_public_email_code_route_answers_the_same_for_unknown_accounts(db):
    response = APIClient().get("/api/auth/email-otp", {"email": "ghost@example.com"})

    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert mail.outbox == []


def test_public_email_code_route_sends_nothing_without_email_otp(artist):
    response = APIClient().get("/api/auth/email-otp", {"email": artist.email})

    assert response.json() == {"success": True}
    assert mail.outbox == []


def test_public_email_code_route_throttles_resends(artist_api, artist):
    enrol_email_otp(artist_api, artist)
    mail.outbox.clear()

    APIClient().get("/api/auth/email-otp", {"email": artist.email})
    APIClient().get("/api/auth/email-otp", {"email": artist.email})

    assert len(mail.outbox) == 1


def test_public_email_code_route_needs_the_email(db):
    assert APIClient().get("/api/auth/email-otp").status_code == 400


def test_second_method_keeps_recovery_codes_and_falls_back(artist_api, artist):
    codes = enrol_totp(artist_api, artist).json()["otp_recovery_codes"]

    second = enrol_email_otp(artist_api, artist)

    assert second.status_code == 200
    assert second.json()["otp_recovery_codes"] is None
    artist.refresh_from_db()
    assert artist.preferred_two_factor_authentication == "totp"
    assert login(artist.email).json()["two_factor_authentication_enabled"] == [
        "recovery_code",
        "totp",
        "email_otp",
    ]
    # Turning TOTP off makes e-mail codes the preferred method; codes survive.
    artist_api.delete("/api/auth/totp", {"totp": totp_now(artist)}, format="json")
    artist.refresh_from_db()
    assert artist.preferred_two_factor_authentication == "email_otp"
    assert len(artist.otp_recovery_codes) == 16
    assert login(artist.email, recovery_code=codes[1]).status_code == 200


def test_disable_email_otp(artist_api, artist):
    enrol_email_otp(artist_api, artist)
    mail.outbox.clear()
    artist.refresh_from_db()
    code = auth.email_code(artist.email_otp_secret)

    response = artist_api.delete("/api/auth/email-otp", {"email_otp": code}, format="json")

    assert response.status_code == 200
    artist.refresh_from_db()
    assert artist.email_otp_enabled is False
    assert artist.email_otp_secret is None


def test_disable_email_otp_when_not_enabled_is_400(artist_api, artist):
    response = artist_api.delete("/api/auth/email-otp", {"email_otp": "1"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"error": True, "message": "OTP by email not enabled."}


def test_wrong_codes_on_management_routes_lead_to_lockout(artist_api, artist):
    enrol_totp(artist_api, artist)
    wrong = "000000" if totp_now(artist) != "000000" else "111111"
    for _ in range(5):
        artist_api.delete("/api/auth/totp", {"totp": wrong}, format="json")

    response = artist_api.delete("/api/auth/totp", {"totp": totp_now(artist)}, format="json")

    assert response.status_code == 400
    assert response.json()["too_many_failed_login_attemps"] is True
    artist.refresh_from_db()
    assert artist.totp_enabled is True


# --- enforcement -------------------------------------------------------------------------


def mint_code(client):
    """Any route outside the 2FA set-up list; this one needs nothing but a login."""
    return client.post("/api/auth/app-login/code", {"code_challenge": "x" * 43}, format="json")


def test_enforced_2fa_gives_restricted_tokens(artist, settings):
    settings.ENFORCE_2FA = True

    response = login(artist.email)

    assert response.status_code == 200
    body = response.json()
    assert body["two_factor_authentication_required"] is True
    claims = jwt.decode(
        body["access_token"], django_settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"]
    )
    assert claims["requires_2fa_setup"] is True
    client = bearer(body["access_token"])
    refused = client.post("/api/auth/change-password", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["two_factor_authentication_required"] is True
    assert client.get("/api/auth/authenticated").status_code == 200


def test_enrolment_lifts_the_restriction(artist, settings):
    settings.ENFORCE_2FA = True
    restricted = bearer(login(artist.email).json()["access_token"])

    enrolled = enrol_totp(restricted, artist)

    assert enrolled.status_code == 200
    fresh = enrolled.json()["access_token"]
    claims = jwt.decode(fresh, django_settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
    assert "requires_2fa_setup" not in claims
    assert mint_code(bearer(fresh)).status_code == 200


def test_refresh_keeps_the_restriction_until_enrolment(artist, settings):
    settings.ENFORCE_2FA = True
    refresh = login(artist.email).json()["refresh_token"]

    access = bearer(refresh).get("/api/auth/refresh-token").json()["access_token"]

    assert mint_code(bearer(access)).status_code == 403


def test_exempt_users_get_full_tokens(artist, settings):
    settings.ENFORCE_2FA = True
    settings.TWO_FA_EXEMPT_USERS = [artist.email.upper()]

    body = login(artist.email).json()

    assert "two_factor_authentication_required" not in body
    assert mint_code(bearer(body["access_token"])).status_code == 200


def test_restricted_token_cannot_mint_app_login_codes(artist, settings):
    settings.ENFORCE_2FA = True
    client = bearer(login(artist.email).json()["access_token"])

    response = mint_code(client)

    assert response.status_code == 403
    assert response.json()["two_factor_authentication_required"] is True


# --- admin turns 2FA off -------------------------------------------------------------------


def enable_totp_directly(person):
    _codes, hashes = auth.generate_recovery_codes()
    Person.objects.filter(pk=person.pk).update(
        totp_enabled=True,
        totp_secret=pyotp.random_base32(),
        otp_recovery_codes=hashes,
        preferred_two_factor_authentication="totp",
    )


def disable_url(person_id):
    return f"/api/actions/persons/{person_id}/disable-two-factor-authentication"


def test_admin_disables_every_method(admin_api, artist):
    enable_totp_directly(artist)
    Person.objects.filter(pk=artist.pk).update(
        email_otp_enabled=True, email_otp_secret=pyotp.random_base32()
    )

    response = admin_api.delete(disable_url(artist.id))

    assert response.status_code == 200
    assert response.json() == {"success": True}
    artist.refresh_from_db()
    assert artist.totp_enabled is False
    assert artist.email_otp_enabled is False
    assert artist.fido_enabled is False
    assert artist.totp_secret is None
    assert artist.email_otp_secret is None
    assert artist.otp_recovery_codes is None
    assert artist.preferred_two_factor_authentication is None
    assert mail.outbox[-1].to == [artist.email]
    assert login(artist.email).status_code == 200


def test_admin_disable_2fa_answers_with_trailing_slash(admin_api, artist):
    enable_totp_directly(artist)

    assert admin_api.delete(disable_url(artist.id) + "/").status_code == 200


def test_admin_disable_2fa_when_none_is_400(admin_api, artist):
    response = admin_api.delete(disable_url(artist.id))

    assert response.status_code == 400
    assert response.json()["error"] is True


def test_admin_cannot_disable_another_admins_2fa(admin_api, make_person):
    other = make_person("admin")
    enable_totp_directly(other)

    response = admin_api.delete(disable_url(other.id))

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.totp_enabled is True


@pytest.mark.parametrize("role", ["manager", "supervisor", "user", "client", "vendor"])
def test_non_admins_cannot_disable_2fa(client_for, make_person, artist, role):
    enable_totp_directly(artist)

    response = client_for(make_person(role)).delete(disable_url(artist.id))

    assert response.status_code == 403
    artist.refresh_from_db()
    assert artist.totp_enabled is True


def test_disable_2fa_unknown_person_is_404(admin_api):
    assert admin_api.delete(disable_url("00000000-0000-0000-0000-000000000000")).status_code == 404


def test_disable_2fa_malformed_id_is_400(admin_api):
    response = admin_api.delete(disable_url("not-a-uuid"))

    assert response.status_code == 400
    assert response.json()["message"] == "Malformed ID."


def test_disable_2fa_without_token_is_401(anonymous_api, artist):
    assert anonymous_api.delete(disable_url(artist.id)).status_code == 401
