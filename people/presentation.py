"""How people and the organisation appear in JSON, by who is looking.

- ``present_person``: the full row (admins, or a person reading themself),
  never with secrets; ``departments`` ids when ``relations`` is true.
- ``present_minimal``: what colleagues see (Zou's ``present_minimal``).
- ``present_client``: the smaller form clients see.
- ``present_organisation``: chat tokens only for admins.
"""

from kitsu_backend.api.permissions import is_admin
from kitsu_backend.api.serialization import columns, serialize_instance, serialize_rows
from people.models import Organisation, Person

HIDDEN = Person.SECRET_FIELDS
MINIMAL_KEYS = (
    "id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "has_avatar",
    "active",
    "departments",
    "studio_id",
    "role",
    "desktop_login",
    "is_bot",
)
CLIENT_KEYS = (
    "id",
    "type",
    "first_name",
    "last_name",
    "full_name",
    "has_avatar",
    "active",
    "role",
    "is_bot",
)


def _full_name(row):
    return f"{row['first_name']} {row['last_name'] or ''}".strip()


def _with_full_name(row):
    """Insert ``full_name`` just before ``id``, where Zou puts it."""
    ordered = {}
    for key, value in row.items():
        if key == "id":
            ordered["full_name"] = _full_name(row)
        ordered[key] = value
    return ordered


def person_columns():
    return columns(Person, HIDDEN)


def present_person(person, relations=True):
    return _with_full_name(serialize_instance(person, relations=relations, hidden=HIDDEN))


def present_people(queryset, relations=False):
    """Full rows of many people in one query (plus one for departments)."""
    rows = serialize_rows(Person, queryset, relations=relations, hidden=HIDDEN)
    return [_with_full_name(row) for row in rows]


def _reduced(rows, keys):
    return [{key: row[key] for key in keys if key in row} for row in rows]


def present_minimal_people(queryset):
    rows = present_people(queryset, relations=True)
    return _reduced(rows, MINIMAL_KEYS)


def present_client_people(queryset):
    rows = present_people(queryset, relations=False)
    return _reduced(rows, CLIENT_KEYS)


def present_minimal(person):
    return _reduced([present_person(person, relations=True)], MINIMAL_KEYS)[0]


def present_people_for(viewer, queryset):
    """The list form ``viewer`` is entitled to: full for admins, reduced otherwise."""
    if is_admin(viewer):
        return present_people(queryset)
    if viewer.role == "client":
        return present_client_people(queryset)
    return present_minimal_people(queryset)


def present_organisation(organisation=None, viewer=None):
    organisation = organisation or Organisation.get()
    hidden = frozenset() if is_admin(viewer) else frozenset(Organisation.SECRET_FIELDS)
    return serialize_instance(organisation, relations=False, hidden=hidden)
