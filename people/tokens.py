"""JSON Web Tokens: issuing, reading and revoking them.

Tokens carry Zou's claims so that tokens and clients stay interchangeable:
``sub`` (person id), ``type`` (``access``/``refresh``), ``jti``, ``fresh``,
``nbf``, ``identity_type`` (``person``, ``bot``) and, on access tokens,
``refresh_jti`` so that logout revokes both halves of the pair.

Revoked ids go to Redis when ``REDIS_URL`` is set, otherwise to the
``revoked_token`` table; either way every worker process sees them. Bot
tokens are instead valid only while their ``jti`` equals ``person.jti``.
"""

import logging
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from kitsu_backend.api.exceptions import ApiError, TokenError

logger = logging.getLogger(__name__)

REVOKED_PREFIX = "kitsu:revoked:"
# Bots without an expiration date get tokens that outlive any deployment.
BOT_TOKEN_LIFETIME = timedelta(days=365 * 100)


def _stamp(token, person, identity_type, extra):
    token["sub"] = str(person.pk)
    token["identity_type"] = identity_type
    token["fresh"] = False
    token["nbf"] = token["iat"]
    for key, value in (extra or {}).items():
        token[key] = value
    return token


def issue_tokens(person, extra_claims=None):
    """A fresh ``(access_token, refresh_token)`` pair of strings for a person."""
    refresh = _stamp(RefreshToken(), person, "person", extra_claims)
    access = _stamp(AccessToken(), person, "person", extra_claims)
    access["refresh_jti"] = refresh["jti"]
    return str(access), str(refresh)


def issue_access_token(person, extra_claims=None):
    """A new access token alone (refresh-token route)."""
    return str(_stamp(AccessToken(), person, "person", extra_claims))


def issue_bot_token(person):
    """An API token for a bot; it replaces (and so revokes) the previous one."""
    token = _stamp(AccessToken(), person, "bot", None)
    if person.expiration_date:
        expires = datetime.combine(person.expiration_date, datetime.min.time())
        token.set_exp(lifetime=expires - timezone.now())
    else:
        token.set_exp(lifetime=BOT_TOKEN_LIFETIME)
    person.jti = token["jti"]
    person.save(update_fields=["jti"])
    return str(token)


def decode(raw_token):
    """The claims of a signed token, or the error flask-jwt-extended would give."""
    try:
        return jwt.decode(
            raw_token,
            settings.SIMPLE_JWT["SIGNING_KEY"],
            algorithms=[settings.SIMPLE_JWT["ALGORITHM"]],
            options={"require": ["exp", "sub", "jti", "type"]},
        )
    except jwt.ExpiredSignatureError:
        raise ApiError({"error": True, "message": "Signature has expired"}, status=401) from None
    except jwt.PyJWTError as error:
        raise TokenError(str(error), status=422) from None


# --- revocation --------------------------------------------------------------


@cache
def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL)


def revoke(jti, expires_at_timestamp):
    """Block ``jti`` until ``expires_at_timestamp`` (a Unix time)."""
    if not jti:
        return
    expires_at = datetime.fromtimestamp(int(expires_at_timestamp), UTC).replace(tzinfo=None)
    ttl = max(int((expires_at - timezone.now()).total_seconds()), 1)
    if settings.REDIS_URL:
        _redis().set(REVOKED_PREFIX + jti, "1", ex=ttl)
        return
    from people.models import RevokedToken

    RevokedToken.objects.update_or_create(jti=jti, defaults={"expires_at": expires_at})


def is_revoked(jti):
    if settings.REDIS_URL:
        return bool(_redis().exists(REVOKED_PREFIX + jti))
    from people.models import RevokedToken

    return RevokedToken.objects.filter(jti=jti).exists()


def revoke_claims(claims):
    """Revoke a token and, for an access token, the refresh token it was issued with."""
    revoke(claims.get("jti"), claims["exp"])
    if claims.get("refresh_jti"):
        refresh_expiry = claims["iat"] + int(
            settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()
        )
        revoke(claims["refresh_jti"], refresh_expiry)


def purge_expired_revocations():
    """Drop revoked ids whose tokens have expired anyway; returns how many."""
    from people.models import RevokedToken

    deleted, _ = RevokedToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
