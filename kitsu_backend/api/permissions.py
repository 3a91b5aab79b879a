"""Role checks that need nothing but the person.

Everything that depends on project membership lives in ``productions.access``.
Roles are Zou's codes: ``admin`` (studio manager), ``manager`` (production
manager), ``supervisor``, ``user`` (artist), ``client`` and ``vendor``.
"""

from rest_framework.permissions import BasePermission

from kitsu_backend.api.exceptions import Forbidden

ADMIN = "admin"
MANAGER = "manager"
SUPERVISOR = "supervisor"
ARTIST = "user"
CLIENT = "client"
VENDOR = "vendor"
ROLES = (ARTIST, ADMIN, SUPERVISOR, MANAGER, CLIENT, VENDOR)


def is_admin(person):
    return person is not None and person.role == ADMIN


def is_manager(person):
    """Admins and production managers."""
    return person is not None and person.role in (ADMIN, MANAGER)


def is_supervisor(person):
    """Admins, production managers and supervisors."""
    return person is not None and person.role in (ADMIN, MANAGER, SUPERVISOR)


def is_client(person):
    return person is not None and person.role == CLIENT


def is_vendor(person):
    return person is not None and person.role == VENDOR


def require(allowed):
    """Raise Zou's 403 unless ``allowed`` is true."""
    if not allowed:
        raise Forbidden()


def require_admin(person):
    require(is_admin(person))


def require_manager(person):
    require(is_manager(person))


def require_supervisor(person):
    require(is_supervisor(person))


def require_self_or_admin(person, person_id):
    require(is_admin(person) or str(person.id) == str(person_id))


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return is_admin(request.user)


class IsManager(BasePermission):
    def has_permission(self, request, view):
        return is_manager(request.user)


class IsSupervisor(BasePermission):
    def has_permission(self, request, view):
        return is_supervisor(request.user)
