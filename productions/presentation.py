"""Entity rows as Zou serializes them, whatever their kind.

An entity's JSON ``type`` is its kind: ``Asset`` for any asset type, else the
reserved entity type name (``Shot``, ``Sequence``, ``Episode``…). Entity
types are few, so their names are read in one query per call.
"""

from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.models import RESERVED_ENTITY_TYPE_NAMES, Entity, EntityType
from productions.user_data import hidden_data_keys, without_keys


def entity_type_names():
    """``{entity_type_id: name}`` for every entity type (one query)."""
    return dict(EntityType.objects.values_list("id", "name"))


def kind_of(entity_type_name):
    """The JSON ``type`` of an entity whose entity type is called ``entity_type_name``."""
    return entity_type_name if entity_type_name in RESERVED_ENTITY_TYPE_NAMES else "Asset"


def strip_hidden_data(rows, viewer):
    """Drop from each row's ``data`` the metadata columns ``viewer`` may not read.

    Only clients and vendors lose columns (behaviour §4, §17); for other
    viewers, or without a viewer, nothing is queried and rows are unchanged.
    """
    if viewer is None or not rows:
        return rows
    hidden = hidden_data_keys(viewer, {row["project_id"] for row in rows})
    if hidden:
        for row in rows:
            row["data"] = without_keys(row.get("data"), hidden.get(row["project_id"]))
    return rows


def serialize_entities(queryset, relations=False, type_names=None, viewer=None):
    """Rows of ``queryset`` (entities of any kind), each with its own ``type``."""
    type_names = type_names if type_names is not None else entity_type_names()
    rows = serialize_rows(Entity, queryset, relations=relations)
    for row in rows:
        row["type"] = kind_of(type_names.get(row["entity_type_id"]))
    return strip_hidden_data(rows, viewer)


def serialize_entity(entity, relations=True, viewer=None):
    row = serialize_instance(entity, relations=relations)
    row["type"] = kind_of(entity.entity_type.name)
    return strip_hidden_data([row], viewer)[0]
