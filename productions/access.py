"""Who may see and change which production.

Admins reach every project. Everyone else reaches the projects whose team
(``project_person_link``) includes them, and inside a project their role is the
one set on their team link when there is one, their global role otherwise
(``admin`` is global only and is never taken from a link).

A person's team links are read once per request and cached on the person
object, so every access check after the first one costs no query.
"""

import uuid

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden

_CACHE_ATTRIBUTE = "_kitsu_project_roles"


def project_roles(person):
    """``{project_id: effective role}`` for every project whose team includes ``person``."""
    cached = getattr(person, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    from productions.models import ProjectPersonLink

    links = ProjectPersonLink.objects.filter(person_id=person.pk).values_list("project_id", "role")
    result = {
        project_id: (role if role and role != roles.ADMIN else person.role)
        for project_id, role in links
    }
    setattr(person, _CACHE_ATTRIBUTE, result)
    return result


def forget_project_roles(person):
    """Drop the cached team links (after the person joined or left a team)."""
    if hasattr(person, _CACHE_ATTRIBUTE):
        delattr(person, _CACHE_ATTRIBUTE)


def explicit_project_roles(person):
    """Project id -> role, only where the team link sets a role (user context)."""
    from productions.models import ProjectPersonLink

    return {
        str(project_id): role
        for project_id, role in ProjectPersonLink.objects.filter(
            person_id=person.pk, role__isnull=False
        ).values_list("project_id", "role")
    }


def role_in_project(person, project_id):
    """The role ``person`` acts with in the project, or None when outside its team."""
    if roles.is_admin(person):
        return roles.ADMIN
    return project_roles(person).get(_as_key(project_id))


def is_member(person, project_id):
    return role_in_project(person, project_id) is not None


def visible_project_ids(person):
    """Ids of the projects ``person`` may read, or None for "all of them" (admins)."""
    if roles.is_admin(person):
        return None
    return set(project_roles(person))


def scope_to_projects(person, queryset, field="project_id"):
    """Narrow ``queryset`` to rows of the projects ``person`` may read."""
    project_ids = visible_project_ids(person)
    if project_ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": project_ids})


def check_project_access(person, project_id):
    """The caller's role in the project, or Zou's 403 when outside its team."""
    role = role_in_project(person, project_id)
    if role is None:
        raise Forbidden()
    return role


def check_manager_access(person, project_id):
    """Admins, and production managers of the project."""
    role = check_project_access(person, project_id)
    if role not in (roles.ADMIN, roles.MANAGER):
        raise Forbidden()
    return role


def check_supervisor_access(person, project_id):
    """Admins, and managers or supervisors of the project."""
    role = check_project_access(person, project_id)
    if role not in (roles.ADMIN, roles.MANAGER, roles.SUPERVISOR):
        raise Forbidden()
    return role


def check_not_vendor_or_client(person, project_id):
    """Team members other than vendors and clients (studio staff)."""
    role = check_project_access(person, project_id)
    if role in (roles.CLIENT, roles.VENDOR):
        raise Forbidden()
    return role


def project_mate_ids(person):
    """Ids of everyone sharing a team with ``person`` (provider for people.visibility)."""
    from productions.models import ProjectPersonLink

    project_ids = list(project_roles(person))
    if not project_ids:
        return set()
    return set(
        ProjectPersonLink.objects.filter(project_id__in=project_ids).values_list(
            "person_id", flat=True
        )
    )


def _as_key(project_id):
    if isinstance(project_id, uuid.UUID):
        return project_id
    try:
        return uuid.UUID(str(project_id))
    except ValueError:
        return None
