"""Errors of the API and the exact JSON bodies Zou answers them with.

Views raise these (or DRF's own exceptions); ``exception_handler`` turns every
one of them into Zou's payload so that clients that parse error bodies, like
the Kitsu web UI and Gazu, behave the same.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response

logger = logging.getLogger(__name__)

FORBIDDEN_MESSAGE = (
    "You don't have the permission to access the requested resource. "
    "It is either read-protected or not readable by the server."
)
NOT_FOUND_MESSAGE = (
    "404 Not Found: The requested URL was not found on the server. "
    "If you entered the URL manually please check your spelling and try again."
)
MISSING_TOKEN_MESSAGE = (
    'Missing JWT in cookies or headers (Missing cookie "access_token_cookie"; '
    "Missing Authorization Header)"
)


class ApiError(drf.APIException):
    """An error whose JSON body is given whole: ``payload`` is sent as is."""

    status_code = 400

    def __init__(self, payload, status=None):
        self.payload = payload
        if status is not None:
            self.status_code = status
        super().__init__(detail=str(payload.get("message") or payload.get("msg") or ""))


class WrongParameter(ApiError):
    """400 ``{"error": true, "message": ..., "data": ...}``: a bad value in the request."""

    def __init__(self, message, data=None, status=400, **extra):
        super().__init__({"error": True, "message": message, "data": data, **extra}, status)


class MalformedId(WrongParameter):
    def __init__(self):
        super().__init__("Malformed ID.")


class Forbidden(ApiError):
    status_code = 403

    def __init__(self, message=FORBIDDEN_MESSAGE, **extra):
        super().__init__({"error": True, "message": message, **extra})


class NotFound(ApiError):
    status_code = 404

    def __init__(self, message=NOT_FOUND_MESSAGE):
        super().__init__({"error": True, "message": message})


class Conflict(ApiError):
    status_code = 409

    def __init__(self, message, **extra):
        super().__init__({"error": True, "message": message, **extra})


class NotImplementedYet(ApiError):
    """501 for features this server does not offer (e.g. an SSO protocol)."""

    status_code = 501

    def __init__(self, message):
        super().__init__({"error": True, "message": message})


class TokenError(ApiError):
    """JWT failures keep flask-jwt-extended's ``{"msg": ...}`` shape."""

    status_code = 401

    def __init__(self, message, status=401):
        super().__init__({"msg": message}, status)


class CrudError(ApiError):
    """The generic /data routes answer bad bodies with only ``{"message": ...}``."""

    def __init__(self, message, status=400):
        super().__init__({"message": message}, status)


def _first_message(detail):
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return f"{key}: {message}" if key != "non_field_errors" else message
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        return Response(exc.payload, status=exc.status_code)
    if isinstance(exc, (Http404, drf.NotFound)):
        return Response({"error": True, "message": NOT_FOUND_MESSAGE}, status=404)
    if isinstance(exc, (DjangoPermissionDenied, drf.PermissionDenied)):
        return Response({"error": True, "message": FORBIDDEN_MESSAGE}, status=403)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        return Response({"msg": MISSING_TOKEN_MESSAGE}, status=401)
    if isinstance(exc, drf.ValidationError):
        return Response(
            {"error": True, "message": _first_message(exc.detail), "data": exc.detail},
            status=400,
        )
    if isinstance(exc, drf.MethodNotAllowed):
        return Response(
            {
                "error": True,
                "message": "405 Method Not Allowed: The method is not allowed for the "
                "requested URL.",
            },
            status=405,
        )
    if isinstance(exc, drf.APIException):
        return Response(
            {"error": True, "message": str(exc.detail), "data": None}, status=exc.status_code
        )
    return None
