"""DRF authentication by JWT, from the ``Authorization: Bearer`` header or the
``access_token_cookie`` cookie (the Kitsu web UI sends only the cookie)."""

from datetime import UTC

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import Forbidden, TokenError
from people import tokens

ACCESS_COOKIE = "access_token_cookie"
REFRESH_COOKIE = "refresh_token_cookie"

# Routes a person with a pending 2FA set-up may still call (paths under /api).
TWO_FACTOR_SETUP_PATHS = (
    "/auth/totp",
    "/auth/email-otp",
    "/auth/fido",
    "/auth/recovery-codes",
    "/auth/login",
    "/auth/logout",
    "/auth/authenticated",
    "/auth/refresh-token",
)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def raw_token(request, cookie_name=ACCESS_COOKIE):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise TokenError(
            "Missing 'Bearer' type in 'Authorization' header. "
            "Expected 'Authorization: Bearer <JWT>'"
        )
    return request.COOKIES.get(cookie_name) or None


def person_for_claims(claims):
    """The person a verified token speaks for, refusing revoked tokens and
    inactive accounts."""
    from people.models import Person

    if claims.get("identity_type") == "bot":
        person = Person.objects.filter(pk=claims["sub"], is_bot=True).first()
        if person is None or person.jti != claims["jti"]:
            raise TokenError("Token has been revoked")
    else:
        if tokens.is_revoked(claims["jti"]):
            raise TokenError("Token has been revoked")
        person = Person.objects.filter(pk=claims["sub"]).first()
        if person is not None and issued_before_revocation(claims, person):
            raise TokenError("Token has been revoked")
    if person is None:
        raise TokenError(f"Error loading the user {claims['sub']}")
    if not person.active:
        raise TokenError("This account is not active.")
    return person


def issued_before_revocation(claims, person):
    """Whether the token predates the person's "revoke every token" instant.

    ``tokens_revoked_at`` is stored to the second and ``iat`` is whole seconds,
    so a token issued in the very second of the revocation, just before it,
    stays valid: a one-second window accepted to keep fresh logins working.
    """
    revoked_at = person.tokens_revoked_at
    if revoked_at is None:
        return False
    revoked_timestamp = revoked_at.replace(tzinfo=UTC).timestamp()
    return claims.get("iat", 0) < revoked_timestamp


class JWTAuthentication(BaseAuthentication):
    def authenticate(self, request):
        token = raw_token(request)
        if token is None:
            return None
        claims = tokens.decode(token)
        if claims.get("type") != "access":
            raise TokenError("Only non-refresh tokens are allowed", status=422)
        person = person_for_claims(claims)
        self._check_restrictions(request, person, claims)
        events.current_person_id.set(person.pk)
        return person, claims

    def _check_restrictions(self, request, person, claims):
        path = request.path.removeprefix("/api")
        if claims.get("requires_2fa_setup") and not path.rstrip("/").startswith(
            TWO_FACTOR_SETUP_PATHS
        ):
            raise Forbidden(
                "Two-factor authentication must be set up before using the API.",
                two_factor_authentication_required=True,
            )
        if person.preview_project_id:
            now = timezone.now()
            opened = person.preview_opened_at and person.preview_opened_at <= now
            still_open = person.preview_open_until is None or now <= person.preview_open_until
            if not (opened and still_open) or request.method not in SAFE_METHODS:
                raise Forbidden("This preview account can only read its production now.")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
