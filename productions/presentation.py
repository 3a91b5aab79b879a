"""Entity rows as Zou serializes them, whatever their kind.

An entity's JSON ``type`` is its kind: ``Asset`` for any asset type, else the
reserved entity type name (``Shot``, ``Sequence``, ``Episode``…). Entity
types are few, so their names are read in one query per call.
"""

from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.models import RESERVED_ENTITY_TYPE_NAMES, Entity, EntityType


def entity_type_names():
    """``{entity_type_id: name}`` for every entity type (one query)."""
    return dict(EntityType.objects.values_list("id", "name"))


def kind_of(entity_type_name):
    """The JSON ``type`` of an entity whose entity type is called ``entity_type_name``."""
    return entity_type_name if entity_type_name in RESERVED_ENTITY_TYPE_NAMES else "Asset"


def serialize_entities(queryset, relations=False, type_names=None):
    """Rows of ``queryset`` (entities of any kind), each with its own ``type``."""
    type_names = type_names if type_names is not None else entity_type_names()
    rows = serialize_rows(Entity, queryset, relations=relations)
    for row in rows:
        row["type"] = kind_of(type_names.get(row["entity_type_id"]))
    return rows


def serialize_entity(entity, relations=True):
    row = serialize_instance(entity, relations=relations)
    row["type"] = kind_of(entity.entity_type.name)
    return row
