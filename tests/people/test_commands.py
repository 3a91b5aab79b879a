"""Operations commands: create_admin, reset_password and revoke_tokens."""

from datetime import timedelta
from io import StringIO

import jwt
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from kitsu_backend.api.models import ApiEvent, utcnow
from people.models import Person, RevokedToken
from people.tokens import issue_tokens
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Full-strength PBKDF2 costs about half a second per person created.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def printed_password(output):
    [line] = [line for line in output.splitlines() if line.startswith("Password: ")]
    return line.removeprefix("Password: ")


def token_issued_seconds_ago(person, seconds):
    access, _ = issue_tokens(person)
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    algorithm = settings.SIMPLE_JWT["ALGORITHM"]
    claims = jwt.decode(access, key, algorithms=[algorithm])
    claims["iat"] -= seconds
    claims["nbf"] -= seconds
    return jwt.encode(claims, key, algorithm=algorithm)


# --- create_admin -------------------------------------------------------------------------


def test_create_admin_with_a_generated_password(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run("create_admin", "boss@example.com", "--first-name", "Big", "--last-name", "B")
    password = printed_password(output)
    assert len(password) >= 20
    assert output.splitlines()[-1] == "Created admin account boss@example.com."
    person = Person.objects.get(email="boss@example.com")
    assert (person.role, person.first_name, person.last_name) == ("admin", "Big", "B")
    assert person.check_password(password)
    assert ApiEvent.objects.get(name="person:new").data == {"person_id": str(person.pk)}


def test_create_admin_with_a_given_password_does_not_print_it(db):
    output = run("create_admin", "boss@example.com", "--password", "chosen-password-1")
    assert "chosen-password-1" not in output
    assert output.strip() == "Created admin account boss@example.com."
    person = Person.objects.get(email="boss@example.com")
    assert person.first_name == "boss"
    assert person.check_password("chosen-password-1")


def test_print_password_echoes_a_given_password(db):
    output = run("create_admin", "boss@example.com", "--password", "chosen-password-1",
                 "--print-password")  # fmt: skip
    assert printed_password(output) == "chosen-password-1"


def test_create_admin_promotes_an_existing_person(make_person):
    person = make_person("user", email="Art@Example.com", active=False, login_failed_attemps=4)
    output = run("create_admin", "art@example.com", "--password", "new-password-42")
    assert output.strip() == f"Updated admin account {person.email}."
    person.refresh_from_db()
    assert (person.role, person.active, person.login_failed_attemps) == ("admin", True, 0)
    assert person.check_password("new-password-42")
    assert Person.objects.count() == 1


def test_create_admin_if_missing_keeps_an_existing_admin(admin):
    output = run("create_admin", admin.email, "--if-missing", "--password", "other-password-1")
    assert output.strip() == f"Kept the existing admin account {admin.email}; nothing changed."
    admin.refresh_from_db()
    assert admin.check_password(PASSWORD)


def test_create_admin_if_missing_creates_when_absent(db):
    output = run("create_admin", "boss@example.com", "--if-missing")
    assert output.splitlines()[-1] == "Created admin account boss@example.com."
    assert Person.objects.filter(email="boss@example.com", role="admin").exists()


def test_create_admin_twice_is_idempotent(db):
    run("create_admin", "boss@example.com", "--password", "first-password-1")
    run("create_admin", "boss@example.com", "--password", "second-password-2")
    [person] = Person.objects.all()
    assert person.check_password("second-password-2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email"], "'not-an-email' is not a valid e-mail address."),
        (["boss@example.com", "--password", "short"], "Password is too short"),
    ],
)
def test_create_admin_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("create_admin", *args)
    assert not Person.objects.exists()


# --- reset_password --------------------------------------------------------------------------


def test_reset_password_generates_one_and_clears_the_lockout(make_person):
    person = make_person(
        email="art@example.com", login_failed_attemps=5, last_login_failed=utcnow()
    )
    output = run("reset_password", "ART@example.com")
    password = printed_password(output)
    assert output.splitlines()[-1] == "Password reset for art@example.com."
    person.refresh_from_db()
    assert person.check_password(password)
    assert (person.login_failed_attemps, person.last_login_failed) == (0, None)


def test_reset_password_with_a_given_one(artist):
    output = run("reset_password", artist.email, "--password", "given-password-7")
    assert "given-password-7" not in output
    artist.refresh_from_db()
    assert artist.check_password("given-password-7")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com"], "No person has the e-mail address nobody@example.com."),
        (["bad email"], "is not a valid e-mail address"),
    ],
)
def test_reset_password_errors(db, args, message):
    with pytest.raises(CommandError, match=message):
        run("reset_password", *args)


def test_reset_password_refuses_a_short_password(artist):
    with pytest.raises(CommandError, match="too short"):
        run("reset_password", artist.email, "--password", "abc")
    artist.refresh_from_db()
    assert artist.check_password(PASSWORD)


# --- revoke_tokens -----------------------------------------------------------------------------


def test_revoke_tokens_refuses_older_tokens_and_purges(client_for, artist):
    old_token = token_issued_seconds_ago(artist, 60)
    RevokedToken.objects.create(jti="expired", expires_at=utcnow() - timedelta(days=1))
    RevokedToken.objects.create(jti="live", expires_at=utcnow() + timedelta(days=1))
    output = run("revoke_tokens", artist.email)
    assert output.strip() == (
        f"Revoked every token of {artist.email}; purged 1 expired revocation(s)."
    )
    artist.refresh_from_db()
    assert artist.tokens_revoked_at is not None
    assert list(RevokedToken.objects.values_list("jti", flat=True)) == ["live"]
    api = client_for(None)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {old_token}")
    response = api.get("/api/data/persons")
    assert response.status_code == 401
    assert response.json() == {"msg": "Token has been revoked"}


def test_revoke_tokens_of_unknown_email(db):
    with pytest.raises(CommandError, match="No person has the e-mail address"):
        run("revoke_tokens", "ghost@example.com")
