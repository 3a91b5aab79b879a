"""Model rows as Zou serializes them, built from ``.values()`` without per-row serializers.

A row becomes a dict with one key per column (foreign keys as ``<name>_id``),
then ``id``, ``created_at``, ``updated_at`` and ``type``. With relations,
each many-to-many field adds a list of ids, fetched in one query per field for
the whole batch. The renderer turns UUIDs, dates and datetimes into Zou's
strings, so values are left as Python objects here.
"""

from collections import defaultdict
from functools import cache

TRAILING = ("id", "created_at", "updated_at")


@cache
def columns(model, hidden=frozenset()):
    """Attribute names of the concrete columns of ``model``, in Zou's key order."""
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname not in TRAILING and field.attname not in hidden
    ]
    return tuple(names) + tuple(name for name in TRAILING if _has_field(model, name))


def _has_field(model, attname):
    return any(field.attname == attname for field in model._meta.concrete_fields)


@cache
def m2m_fields(model, hidden=frozenset()):
    return tuple(field for field in model._meta.many_to_many if field.name not in hidden)


def relation_ids(model, ids, hidden=frozenset()):
    """``{field_name: {row_id: [related ids]}}`` for the many-to-many fields of ``model``."""
    result = {}
    for field in m2m_fields(model, hidden):
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        links = defaultdict(list)
        rows = through.objects.filter(**{f"{source}__in": ids}).values_list(
            f"{source}_id", f"{target}_id"
        )
        for owner_id, related_id in rows:
            links[owner_id].append(related_id)
        result[field.name] = links
    return result


def serialize_rows(model, queryset, relations=False, hidden=frozenset(), kitsu_type=None):
    """Serialize every row of ``queryset`` (a queryset of ``model``)."""
    names = columns(model, hidden)
    rows = list(queryset.values(*names))
    kitsu_type = kitsu_type or model.get_kitsu_type()
    for row in rows:
        row["type"] = kitsu_type
    if relations and rows:
        ids = [row["id"] for row in rows]
        for name, links in relation_ids(model, ids, hidden).items():
            for row in rows:
                row[name] = links.get(row["id"], [])
    return rows


def serialize_instance(instance, relations=True, hidden=frozenset()):
    """Serialize one saved instance (one query, plus one per many-to-many field)."""
    model = type(instance)
    row = {name: getattr(instance, name) for name in columns(model, hidden)}
    row["type"] = instance.get_kitsu_type()
    if relations:
        for name, links in relation_ids(model, [instance.pk], hidden).items():
            row[name] = links.get(instance.pk, [])
    return row


def keep_fields(rows, fields):
    """Apply the ``fields=a,b`` query parameter."""
    if not fields:
        return rows
    return [{key: row[key] for key in fields if key in row} for row in rows]
