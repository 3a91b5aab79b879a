"""How people prove who they are: the login flow and everything around it.

- Login by e-mail or desktop login plus password, with Zou's lockout after
  repeated failures and its second factor (TOTP, e-mail code or single-use
  recovery code).
- Tokens and the cookies that carry them for the Kitsu web UI.
- Password change, reset links and invitations, built on Django's stateless
  reset tokens: a token dies as soon as the password it was made for changes.
- Two-factor enrolment and removal.
- The app-login hand-off, where a logged-in browser gives a desktop app a
  one-time code that the app exchanges for tokens (PKCE, RFC 7636).

The functions raise ``ApiError`` with the exact bodies Zou answers with, so
that views only parse the request and render the result.
"""

import base64
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import smtplib
import string
import time
import urllib.parse
from datetime import timedelta

import bcrypt
import pyotp
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.http import base36_to_int

from kitsu_backend.api.exceptions import ApiError, TokenError, WrongParameter
from kitsu_backend.api.permissions import is_admin
from people import tokens
from people.authentication import ACCESS_COOKIE, REFRESH_COOKIE, person_for_claims, raw_token
from people.backends import find_person_by_login
from people.models import AppLoginCode, LoginLog, Organisation, Person
from people.presentation import present_organisation, present_person

logger = logging.getLogger(__name__)

# About a year, independent of the JWT lifetime, as Zou sets it.
COOKIE_MAX_AGE = 31540000
ACCESS_COOKIE_PATH = "/"
# Zou scopes the refresh cookie to /auth/refresh-token, a path of its own
# root: behind the usual /api prefix the browser never sends it back, so a
# cookie refresh always fails there. Here it is scoped to the path the API
# really answers on.
REFRESH_COOKIE_PATH = "/api/auth/refresh-token"
EXPIRED_COOKIE_DATE = "Thu, 01 Jan 1970 00:00:00 GMT"

# Zou treats this literal password as "never set": the person must choose one.
DEFAULT_PASSWORD = "default"

SECOND_FACTOR_FIELDS = ("totp", "email_otp", "fido_authentication_response", "recovery_code")
# Order in which the remaining method becomes the preferred one when the
# preferred one is turned off.
METHOD_FALLBACK_ORDER = ("fido", "totp", "email_otp")

RECOVERY_CODE_COUNT = 16
RECOVERY_CODE_LENGTH = 10
RECOVERY_CODE_ALPHABET = string.ascii_uppercase + string.digits
# A recovery code carries about 51 bits of randomness, so a lighter key
# stretching than for passwords is enough, and checking a code against the
# sixteen stored hashes stays well under a second.
RECOVERY_CODE_ITERATIONS = 30_000

EMAIL_OTP_INTERVAL = 15 * 60
# A TOTP code is accepted from 30 s before to 30 s after its own period.
TOTP_REUSE_SECONDS = 90
# GET /auth/email-otp is public: at most one code mail per person this often.
EMAIL_OTP_RESEND_SECONDS = 30

# Self-service reset links and the token of the "default password" answer are
# short-lived; links made by an admin (invitations) live for Django's
# PASSWORD_RESET_TIMEOUT.
RESET_TOKEN_MAX_AGE = 2 * 3600

APP_LOGIN_CODE_LIFETIME = timedelta(seconds=60)
# RFC 7636: verifiers are 43-128 unreserved characters; an S256 challenge is
# the unpadded base64url of a SHA-256 digest (43 characters).
PKCE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
PKCE_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")

BROWSER_AGENT = re.compile(r"Mozilla|Chrome|Safari|Firefox|Edg", re.IGNORECASE)

MISSING_REFRESH_MESSAGE = (
    'Missing JWT in cookies or headers (Missing cookie "refresh_token_cookie"; '
    "Missing Authorization Header)"
)


def refuse(message, status=400, **extra):
    """Zou's plain error body ``{"error": true, "message": ...}`` (no ``data`` key)."""
    return ApiError({"error": True, "message": message, **extra}, status=status)


class WrongCredentials(ApiError):
    def __init__(self):
        super().__init__({"login": False, "message": "Wrong email or password."}, status=400)


class InactiveAccount(ApiError):
    def __init__(self):
        super().__init__(
            {
                "error": True,
                "login": False,
                "unactive": True,
                "message": "User is unactive, he cannot log in.",
            },
            status=401,
        )


class TooManyFailedAttempts(ApiError):
    def __init__(self):
        super().__init__(
            {"error": True, "login": False, "too_many_failed_login_attemps": True}, status=400
        )


class SecondFactorMissing(Exception):
    """The person has two-factor authentication and gave no usable proof."""


class SecondFactorWrong(Exception):
    """The proof given does not match."""


# --- request facts -----------------------------------------------------------


def is_browser(request):
    return bool(BROWSER_AGENT.search(request.META.get("HTTP_USER_AGENT", "")))


def client_ip(request):
    """The caller's address: first proxy hop when behind one, else the socket peer."""
    meta = request.META
    candidates = (
        meta.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip(),
        meta.get("HTTP_X_REAL_IP", "").strip(),
        meta.get("REMOTE_ADDR", ""),
    )
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


# --- cookies -----------------------------------------------------------------


def _cookie(response, name, value, path, max_age, expires=None):
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        expires=expires,
        path=path,
        secure=settings.JWT_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def set_access_cookie(response, access_token):
    _cookie(response, ACCESS_COOKIE, access_token, ACCESS_COOKIE_PATH, COOKIE_MAX_AGE)


def set_auth_cookies(response, access_token, refresh_token):
    """Both JWT cookies. Set on every login, not only for browser user agents:
    the Kitsu web UI authenticates by cookie alone and scripts ignore them."""
    set_access_cookie(response, access_token)
    _cookie(response, REFRESH_COOKIE, refresh_token, REFRESH_COOKIE_PATH, COOKIE_MAX_AGE)


def clear_auth_cookies(response):
    _cookie(response, ACCESS_COOKIE, "", ACCESS_COOKIE_PATH, 0, EXPIRED_COOKIE_DATE)
    _cookie(response, REFRESH_COOKIE, "", REFRESH_COOKIE_PATH, 0, EXPIRED_COOKIE_DATE)


# --- lockout -----------------------------------------------------------------


def _lockout_window_start():
    return timezone.now() - timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)


def is_locked_out(person):
    return (
        person.login_failed_attemps >= settings.LOGIN_MAX_FAILED_ATTEMPTS
        and person.last_login_failed is not None
        and person.last_login_failed > _lockout_window_start()
    )


def record_failed_attempt(person):
    """Count a wrong password or code. Failures older than the lockout window
    are forgotten, so only a burst of failures locks the account."""
    now = timezone.now()
    recent = Person.objects.filter(pk=person.pk, last_login_failed__gt=_lockout_window_start())
    # Single UPDATE statements: concurrent failures cannot overwrite each other.
    if not recent.update(login_failed_attemps=F("login_failed_attemps") + 1, last_login_failed=now):
        Person.objects.filter(pk=person.pk).update(login_failed_attemps=1, last_login_failed=now)
    person.refresh_from_db(fields=["login_failed_attemps", "last_login_failed"])


def clear_failed_attempts(person):
    if person.login_failed_attemps or person.last_login_failed:
        Person.objects.filter(pk=person.pk).update(login_failed_attemps=0, last_login_failed=None)
        person.login_failed_attemps = 0
        person.last_login_failed = None


# --- login -------------------------------------------------------------------


def second_factor_proofs(body):
    """The second-factor fields of a request body, blanks dropped."""
    proofs = {}
    for name in SECOND_FACTOR_FIELDS:
        value = body.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(int(value))
        if isinstance(value, str):
            value = value.strip()
        proofs[name] = value if value not in (None, "", {}, []) else None
    return proofs


def authenticate(login, password, proofs):
    """The person behind ``login`` and ``password`` once every check passed.

    The password is checked before anything else is revealed about the
    account, and a hash is computed even for unknown logins so that response
    times do not tell which e-mails exist.
    """
    person = find_person_by_login(login)
    if person is None:
        make_password(password)
        raise WrongCredentials()
    if is_locked_out(person):
        raise TooManyFailedAttempts()
    if not person.check_password(password):
        record_failed_attempt(person)
        logger.info("Wrong password for person %s", person.pk)
        raise WrongCredentials()
    if not person.active:
        raise InactiveAccount()
    if two_factor_enabled(person):
        try:
            check_second_factor(person, proofs)
        except SecondFactorMissing:
            raise ApiError(
                {
                    "error": True,
                    "login": False,
                    "missing_OTP": True,
                    "preferred_two_factor_authentication": (
                        person.preferred_two_factor_authentication
                    ),
                    "two_factor_authentication_enabled": [
                        "recovery_code",
                        *enabled_methods(person),
                    ],
                },
                status=400,
            ) from None
        except SecondFactorWrong:
            record_failed_attempt(person)
            raise ApiError({"error": True, "login": False, "wrong_OTP": True}, status=400) from None
    if password == DEFAULT_PASSWORD:
        raise ApiError(
            {"login": False, "default_password": True, "token": make_reset_token(person)},
            status=400,
        )
    clear_failed_attempts(person)
    return person


def requires_2fa_setup(person):
    """True when the server enforces 2FA and this person has not set it up yet."""
    if not settings.ENFORCE_2FA or two_factor_enabled(person):
        return False
    exempt = {email.strip().lower() for email in settings.TWO_FA_EXEMPT_USERS}
    return (person.email or "").lower() not in exempt


def open_session(person, request):
    """Tokens and the login body for an authenticated person; logs the login.

    Zou's answer to ``POST /auth/login``, also given by the app-login exchange.
    """
    restricted = requires_2fa_setup(person)
    access, refresh = tokens.issue_tokens(
        person, {"requires_2fa_setup": True} if restricted else None
    )
    LoginLog.objects.create(
        person=person,
        ip_address=client_ip(request),
        origin="web" if is_browser(request) else "script",
    )
    logger.info("Person %s logged in%s", person.pk, " (2FA set-up pending)" if restricted else "")
    body = {
        "user": present_person(person, relations=True),
        "organisation": present_organisation(viewer=person),
        "login": True,
        "access_token": access,
        "refresh_token": refresh,
    }
    if restricted:
        body["two_factor_authentication_required"] = True
    return body


def fido_device_names(person):
    names = []
    for credential in person.fido_credentials or []:
        if isinstance(credential, dict):
            names.append(credential.get("device_name") or credential.get("name"))
        else:
            names.append(str(credential))
    return names


def refresh_access_token(request):
    """A new access token from the refresh token of the request.

    Returns ``(access_token, from_cookie)``. The new token keeps pointing at
    the refresh token it came from, so that logging out with it revokes the
    refresh token as well.
    """
    from_cookie = not request.META.get("HTTP_AUTHORIZATION")
    raw = raw_token(request, REFRESH_COOKIE)
    if raw is None:
        raise TokenError(MISSING_REFRESH_MESSAGE)
    claims = tokens.decode(raw)
    if claims.get("type") != "refresh":
        raise TokenError("Only refresh tokens are allowed", status=422)
    person = person_for_claims(claims)
    extra = {"refresh_jti": claims["jti"]}
    if requires_2fa_setup(person):
        extra["requires_2fa_setup"] = True
    return tokens.issue_access_token(person, extra), from_cookie


def logout(claims):
    """Revoke the access token and the refresh token issued with it."""
    if claims:
        tokens.revoke_claims(claims)


# --- two-factor authentication -----------------------------------------------


def two_factor_enabled(person):
    return bool(person.totp_enabled or person.email_otp_enabled or person.fido_enabled)


def enabled_methods(person):
    flags = (
        ("totp", person.totp_enabled),
        ("email_otp", person.email_otp_enabled),
        ("fido", person.fido_enabled),
    )
    return [name for name, enabled in flags if enabled]


def _totp(secret):
    return pyotp.TOTP(secret)


def _verify(otp, code):
    # One step of tolerance either side covers clock drift and slow typing.
    return bool(code) and otp.verify(str(code), valid_window=1)


def _email_window(now=None):
    return int((time.time() if now is None else now) // EMAIL_OTP_INTERVAL)


def email_code(secret, now=None):
    """The e-mail code of the current 15-minute window.

    Time-based like TOTP, but built on HOTP with the window number as counter:
    pyotp's TOTP refuses periods over two minutes, too short for a mail.
    """
    return pyotp.HOTP(secret).at(_email_window(now))


def _verify_email_code(secret, code):
    # The current window and the one before: a code stays valid for 15 to 30 minutes.
    if not secret or not code:
        return False
    hotp = pyotp.HOTP(secret)
    window = _email_window()
    return any(hmac.compare_digest(str(code), hotp.at(window - step)) for step in (0, 1))


def check_second_factor(person, proofs):
    """Check one proof, in Zou's order: TOTP, e-mail code, FIDO, recovery code.

    A proof for a method the person has not enabled counts as no proof.
    """
    if person.totp_enabled and proofs.get("totp"):
        valid = bool(person.totp_secret) and _verify(_totp(person.totp_secret), proofs["totp"])
        valid = valid and _first_use_of_totp(person, proofs["totp"])
    elif person.email_otp_enabled and proofs.get("email_otp"):
        valid = _verify_email_code(person.email_otp_secret, proofs["email_otp"])
        valid = valid and _spend_email_code(person)
    elif person.fido_enabled and proofs.get("fido_authentication_response"):
        # TODO: verify WebAuthn assertions; FIDO-only accounts must use a
        # recovery code until then.
        valid = False
    elif proofs.get("recovery_code"):
        valid = consume_recovery_code(person, proofs["recovery_code"])
    else:
        raise SecondFactorMissing()
    if not valid:
        raise SecondFactorWrong()


def _first_use_of_totp(person, code):
    """Refuse a TOTP code seen in the last 90 seconds (its whole validity), so
    that a code read over someone's shoulder cannot be replayed."""
    return cache.add(f"people:totp-used:{person.pk}:{code}", 1, TOTP_REUSE_SECONDS)


def _spend_email_code(person):
    """Make an e-mail code single use by changing the secret it came from.

    The conditional update lets only one of two concurrent requests with the
    same code succeed. The next code mailed comes from the new secret.
    """
    new_secret = pyotp.random_base32()
    spent = Person.objects.filter(pk=person.pk, email_otp_secret=person.email_otp_secret).update(
        email_otp_secret=new_secret
    )
    if spent:
        person.email_otp_secret = new_secret
    return bool(spent)


def require_second_factor(person, proofs):
    """Gate of the routes that change 2FA settings: a valid proof or a 400."""
    if is_locked_out(person):
        raise refuse(
            "Too many failed attempts, try again later.", too_many_failed_login_attemps=True
        )
    try:
        check_second_factor(person, proofs)
    except SecondFactorWrong:
        record_failed_attempt(person)
        raise refuse("OTP verification failed.", wrong_OTP=True) from None
    except SecondFactorMissing:
        raise refuse("OTP verification failed.", wrong_OTP=True) from None
    clear_failed_attempts(person)


def _hash_recovery_code(code):
    hasher = PBKDF2PasswordHasher()
    return hasher.encode(code, hasher.salt(), iterations=RECOVERY_CODE_ITERATIONS)


def _recovery_code_matches(code, encoded):
    if not isinstance(encoded, str):
        return False
    if encoded.startswith("$2"):  # a bcrypt hash copied from a Zou database
        try:
            return bcrypt.checkpw(code.encode(), encoded.encode())
        except ValueError:
            return False
    if encoded.startswith(PBKDF2PasswordHasher.algorithm + "$"):
        return PBKDF2PasswordHasher().verify(code, encoded)
    return False


def generate_recovery_codes():
    """``(codes, hashes)``: the codes to show once and what is stored."""
    codes = [
        "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    return codes, [_hash_recovery_code(code) for code in codes]


def consume_recovery_code(person, code):
    """True, and the code is spent, when ``code`` is one of the person's codes."""
    code = str(code).strip().upper()
    with transaction.atomic():
        # Locked so that two requests cannot spend the same code.
        stored = (
            Person.objects.select_for_update()
            .values_list("otp_recovery_codes", flat=True)
            .get(pk=person.pk)
        )
        remaining = list(stored or [])
        for encoded in remaining:
            if _recovery_code_matches(code, encoded):
                remaining.remove(encoded)
                Person.objects.filter(pk=person.pk).update(otp_recovery_codes=remaining)
                person.otp_recovery_codes = remaining
                return True
    return False


def _settle_methods(person):
    """After a method was turned off: pick another preferred one, or forget
    the recovery codes when none is left."""
    methods = enabled_methods(person)
    if not methods:
        person.preferred_two_factor_authentication = None
        person.otp_recovery_codes = None
    elif person.preferred_two_factor_authentication not in methods:
        person.preferred_two_factor_authentication = next(
            name for name in METHOD_FALLBACK_ORDER if name in methods
        )


def _enable_method(person, method):
    """Mark ``method`` enabled; returns new recovery codes when the person had none.

    As in Zou, a second method keeps the codes already handed out, and the
    answer then carries ``null`` instead of a new list.
    """
    setattr(person, f"{method}_enabled", True)
    codes = None
    if not person.otp_recovery_codes:
        codes, person.otp_recovery_codes = generate_recovery_codes()
    if not person.preferred_two_factor_authentication:
        person.preferred_two_factor_authentication = method
    return codes


TWO_FACTOR_COLUMNS = [
    "totp_enabled",
    "totp_secret",
    "email_otp_enabled",
    "email_otp_secret",
    "fido_enabled",
    "fido_credentials",
    "otp_recovery_codes",
    "preferred_two_factor_authentication",
]


def _save_two_factor(person):
    with transaction.atomic():
        person.save(update_fields=TWO_FACTOR_COLUMNS)


def start_totp(person):
    """A new TOTP secret (not enabled until confirmed) and its provisioning URI."""
    if person.totp_enabled:
        raise refuse("TOTP already enabled.")
    person.totp_secret = pyotp.random_base32()
    _save_two_factor(person)
    label = person.email or person.desktop_login or person.full_name
    uri = _totp(person.totp_secret).provisioning_uri(
        name=label, issuer_name=f"Kitsu {Organisation.get().name}"
    )
    return uri, person.totp_secret


def enable_totp(person, code):
    if person.totp_enabled:
        raise refuse("TOTP already enabled.")
    if not person.totp_secret:
        raise refuse("TOTP enrolment has not been started.")
    if not _verify(_totp(person.totp_secret), code):
        raise refuse("TOTP verification failed.", wrong_OTP=True)
    codes = _enable_method(person, "totp")
    _save_two_factor(person)
    logger.info("Person %s enabled TOTP", person.pk)
    return codes


def disable_totp(person, proofs):
    if not person.totp_enabled:
        raise refuse("TOTP not enabled.")
    require_second_factor(person, proofs)
    person.totp_enabled = False
    person.totp_secret = None
    _settle_methods(person)
    _save_two_factor(person)
    logger.info("Person %s disabled TOTP", person.pk)


def start_email_otp(person):
    if person.email_otp_enabled:
        raise refuse("OTP by email already enabled.")
    if not person.email:
        raise refuse("This account has no e-mail address.")
    person.email_otp_secret = pyotp.random_base32()
    _save_two_factor(person)
    send_email_otp(person)


def enable_email_otp(person, code):
    if person.email_otp_enabled:
        raise refuse("OTP by email already enabled.")
    if not person.email_otp_secret:
        raise refuse("OTP by email enrolment has not been started.")
    if not _verify_email_code(person.email_otp_secret, code):
        raise refuse("OTP by email verification failed.", wrong_OTP=True)
    codes = _enable_method(person, "email_otp")
    _save_two_factor(person)
    logger.info("Person %s enabled e-mail OTP", person.pk)
    return codes


def disable_email_otp(person, proofs):
    if not person.email_otp_enabled:
        raise refuse("OTP by email not enabled.")
    require_second_factor(person, proofs)
    person.email_otp_enabled = False
    person.email_otp_secret = None
    _settle_methods(person)
    _save_two_factor(person)
    logger.info("Person %s disabled e-mail OTP", person.pk)


def send_email_otp(person):
    code = email_code(person.email_otp_secret)
    organisation = Organisation.get()
    minutes = EMAIL_OTP_INTERVAL // 60
    _send(
        person,
        f"{organisation.name} - Kitsu: your verification code is {code}",
        f"Hello {person.first_name},\n\n"
        f"Your verification code is: {code}\n\n"
        f"It is valid for at least {minutes} minutes. If you did not try to log in, "
        "someone else may know your password: change it.\n",
    )


def send_login_email_otp(login):
    """Mail a login code to the person behind ``login``, if they use e-mail OTP.

    Nothing tells the caller whether a code was sent, so the route cannot be
    used to find out which accounts exist.
    """
    person = find_person_by_login(login)
    if person is None or not (person.active and person.email_otp_enabled and person.email):
        return
    if not person.email_otp_secret:
        return
    if cache.add(f"people:email-otp-sent:{person.pk}", 1, EMAIL_OTP_RESEND_SECONDS):
        send_email_otp(person)


def regenerate_recovery_codes(person, proofs):
    if not two_factor_enabled(person):
        raise refuse("No two factor authentication enabled.")
    require_second_factor(person, proofs)
    codes, person.otp_recovery_codes = generate_recovery_codes()
    _save_two_factor(person)
    logger.info("Person %s regenerated recovery codes", person.pk)
    return codes


def disable_all_two_factor(person, by):
    """An admin turns off every 2FA method of ``person`` (locked-out users)."""
    if is_admin(person) and person.pk != by.pk:
        raise refuse("An admin can't disable 2FA for other admins.")
    if not two_factor_enabled(person):
        raise refuse("Two factor authentication not enabled for this user.")
    person.totp_enabled = person.email_otp_enabled = person.fido_enabled = False
    person.totp_secret = person.email_otp_secret = None
    person.fido_credentials = None
    _settle_methods(person)
    _save_two_factor(person)
    logger.warning("Person %s disabled the 2FA of person %s", by.pk, person.pk)
    _send(
        person,
        f"{Organisation.get().name} - Kitsu: two-factor authentication disabled",
        f"Hello {person.first_name},\n\n"
        f"{by.full_name} turned off the two-factor authentication of your account. "
        "Set it up again from your profile page.\n",
    )


# --- passwords ---------------------------------------------------------------


class _TimedResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (tied to the current password hash, so single use)
    with a purpose of their own and an optional shorter lifetime."""

    def __init__(self, purpose, max_age=None):
        super().__init__()
        self.key_salt = f"people.auth.{purpose}"
        self.max_age = max_age

    def check_token(self, user, token):
        if not isinstance(token, str) or not super().check_token(user, token):
            return False
        if self.max_age is None:
            return True
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= self.max_age


_reset_tokens = _TimedResetTokens("password-reset", RESET_TOKEN_MAX_AGE)
_invitation_tokens = _TimedResetTokens("invitation")


def make_reset_token(person):
    return _reset_tokens.make_token(person)


def make_invitation_token(person):
    return _invitation_tokens.make_token(person)


def check_reset_token(person, token):
    return _reset_tokens.check_token(person, token) or _invitation_tokens.check_token(person, token)


def reset_link(person, token):
    query = urllib.parse.urlencode({"email": person.email, "token": token})
    return f"{settings.DOMAIN_PROTOCOL}://{settings.DOMAIN_NAME}/reset-change-password?{query}"


def validate_new_password(password, confirmation):
    if not isinstance(password, str) or not isinstance(confirmation, str):
        raise refuse("The password and its confirmation are required.")
    if password != confirmation:
        raise refuse("Confirmation password doesn't match.")
    if len(password) < settings.MIN_PASSWORD_LENGTH:
        raise refuse("Password is too short.")


def _store_password(person, password):
    """Set a new password and lift any lockout."""
    person.set_password(password)
    person.login_failed_attemps = 0
    person.last_login_failed = None
    with transaction.atomic():
        person.save(update_fields=["password", "login_failed_attemps", "last_login_failed"])


def change_own_password(person, old_password, password, confirmation):
    if is_locked_out(person):
        raise refuse(
            "Too many failed attempts, try again later.", too_many_failed_login_attemps=True
        )
    if not isinstance(old_password, str) or not person.check_password(old_password):
        record_failed_attempt(person)
        raise refuse("Old password is wrong.")
    validate_new_password(password, confirmation)
    _store_password(person, password)
    logger.info("Person %s changed their password", person.pk)
    _send(
        person,
        f"{Organisation.get().name} - Kitsu: password changed",
        f"Hello {person.first_name},\n\nThe password of your account was just changed. "
        "If you did not do it, contact your studio administrator.\n",
    )


def _refuse_bot(person):
    if person.is_bot:
        raise refuse("This action is not allowed on a bot account.")


def set_password_by_admin(person, password, confirmation, by):
    _refuse_bot(person)
    validate_new_password(password, confirmation)
    _store_password(person, password)
    logger.warning("Person %s changed the password of person %s", by.pk, person.pk)
    _send(
        person,
        f"{Organisation.get().name} - Kitsu: password changed",
        f"Hello {person.first_name},\n\n{by.full_name} changed the password of your account.\n",
    )


def admin_reset_link(person, by):
    _refuse_bot(person)
    if not person.email:
        raise refuse("This person has no e-mail address.")
    logger.info("Person %s made a password reset link for person %s", by.pk, person.pk)
    return reset_link(person, make_invitation_token(person))


def request_password_reset(login, request):
    """Mail a reset link if ``login`` names an active person; silent otherwise."""
    person = find_person_by_login(login)
    if person is None or not person.active or not person.email:
        return
    link = reset_link(person, make_reset_token(person))
    _send(
        person,
        f"{Organisation.get().name} - Kitsu: password recovery",
        f"Hello {person.first_name},\n\n"
        f"Someone (IP address {client_ip(request) or 'unknown'}) asked to reset the "
        "password of your account. To choose a new one, open this link within two hours:\n\n"
        f"{link}\n\nIf it was not you, ignore this message.\n",
    )


def reset_password(login, token, password, confirmation):
    person = find_person_by_login(login) if isinstance(login, str) and login else None
    if person is None or not check_reset_token(person, token):
        raise refuse("Wrong or expired token.")
    if not person.active:
        raise refuse("User is inactive.")
    validate_new_password(password, confirmation)
    _store_password(person, password)
    logger.info("Person %s reset their password", person.pk)


def invite(person, by):
    """Mail ``person`` a link to choose a password and join the studio."""
    _refuse_bot(person)
    if not person.email:
        raise refuse("This person has no e-mail address.")
    if not person.active:
        raise refuse("This person is not active.")
    organisation = Organisation.get()
    link = reset_link(person, make_invitation_token(person))
    sent = _send(
        person,
        f"You are invited by {organisation.name} to join their Kitsu production tracker",
        f"Hello {person.first_name},\n\n"
        f"{by.full_name} invites you to join {organisation.name} on Kitsu. "
        f"Choose your password here:\n\n{link}\n\n"
        f"Then log in with your e-mail address ({person.email}).\n",
    )
    if not sent:
        raise refuse("The invitation could not be sent: the mail server is unreachable.", 503)
    logger.info("Person %s invited person %s", by.pk, person.pk)


def _send(person, subject, text):
    """Send a mail to a person; a mail server failure is logged, not raised."""
    try:
        send_mail(subject, text, None, [person.email])
    except (smtplib.SMTPException, OSError):
        logger.exception("Could not send %r to person %s", subject, person.pk)
        return False
    return True


# --- app login hand-off --------------------------------------------------------


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def _s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def create_app_login_code(person, challenge, method):
    """A one-time code a desktop app exchanges for tokens within a minute.

    Only a hash of the code is stored.
    """
    if method != "S256":
        raise WrongParameter("Only the S256 code challenge method is supported.")
    if not isinstance(challenge, str) or not PKCE_CHALLENGE.fullmatch(challenge):
        raise WrongParameter("code_challenge must be the base64url SHA-256 of the verifier.")
    code = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        AppLoginCode.objects.filter(expires_at__lt=now).delete()
        AppLoginCode.objects.create(
            code_hash=_digest(code),
            person=person,
            code_challenge=challenge,
            code_challenge_method=method,
            expires_at=now + APP_LOGIN_CODE_LIFETIME,
        )
    return code


def redeem_app_login_code(code, verifier):
    """The person an app-login code was made for. Any attempt spends the code."""
    invalid = refuse("Invalid or expired code.")
    if not isinstance(code, str) or not isinstance(verifier, str):
        raise invalid
    with transaction.atomic():
        row = AppLoginCode.objects.select_related("person").filter(code_hash=_digest(code)).first()
        # Only the request that deletes the row may use it.
        spent = row is not None and AppLoginCode.objects.filter(pk=row.pk).delete()[0] == 1
    if not spent or row.expires_at < timezone.now():
        raise invalid
    if not PKCE_VERIFIER.fullmatch(verifier) or not hmac.compare_digest(
        _s256(verifier), row.code_challenge
    ):
        raise invalid
    person = row.person
    if person.is_bot:
        raise invalid
    if not person.active:
        raise InactiveAccount()
    return person
