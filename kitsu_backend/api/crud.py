"""The generic ``/data/<model>`` resource, driven by one registry.

Each app describes its models with a ``CrudResource`` subclass and registers
it with ``@register``; ``crud_urlpatterns()`` then serves, for each one:

    GET    /data/<slug>          list, with Zou's query-string filters
    POST   /data/<slug>          create (201)
    GET    /data/<slug>/<id>     retrieve (relations included)
    PUT    /data/<slug>/<id>     partial update
    DELETE /data/<slug>/<id>     delete (204)

The permission hooks default to admin-only, as in Zou; resources relax them.
Every write runs in one transaction and emits ``<table>:new|update|delete``
after commit.
"""

import json
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import CrudError, WrongParameter
from kitsu_backend.api.permissions import require_admin
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import (
    columns,
    keep_fields,
    serialize_instance,
    serialize_rows,
)
from kitsu_backend.api.views import KitsuView, get_or_404, parse_int, query_flag

RESERVED_PARAMETERS = {"page", "limit", "relations", "fields"}
AUTOMATIC_FIELDS = {"id", "created_at", "updated_at", "type"}


class CrudResource:
    """How one model is exposed under ``/data/<slug>``.

    Subclasses set ``model`` and ``slug`` and override the ``check_*`` hooks
    to open access beyond admins. ``scope_queryset`` narrows lists to what the
    caller may see; ``check_read`` and friends raise ``Forbidden`` for a known
    object out of reach.
    """

    model = None
    slug = None
    # Columns never serialized and refused as filters (password hashes, secrets).
    hidden_fields = frozenset()
    # Columns a PUT may not change.
    protected_fields = frozenset()
    list_methods = ("get", "post")
    detail_methods = ("get", "put", "delete")
    ordering = ()

    # --- permission hooks --------------------------------------------------
    def check_list(self, request):
        require_admin(request.user)

    def scope_queryset(self, request, queryset):
        return queryset

    def check_read(self, request, instance):
        require_admin(request.user)

    def check_create(self, request, values):
        require_admin(request.user)

    def check_update(self, request, instance, values):
        require_admin(request.user)

    def check_delete(self, request, instance):
        require_admin(request.user)

    # --- reading -----------------------------------------------------------
    def get_queryset(self):
        return self.model._default_manager.all()

    def serialize_queryset(self, request, queryset, relations=False):
        return serialize_rows(self.model, queryset, relations, self.hidden_fields)

    def serialize(self, request, instance):
        return serialize_instance(instance, relations=True, hidden=self.hidden_fields)

    # --- writing -----------------------------------------------------------
    def create(self, request, values, relations):
        instance = self.model(**values)
        self.validate(instance)
        instance.save()
        for name, ids in relations.items():
            getattr(instance, name).set(ids)
        return instance

    def update(self, request, instance, values, relations):
        for name, value in values.items():
            setattr(instance, name, value)
        self.validate(instance)
        instance.save()
        for name, ids in relations.items():
            getattr(instance, name).set(ids)
        return instance

    def delete(self, request, instance):
        instance.delete()

    def validate(self, instance):
        try:
            instance.full_clean(validate_unique=True)
        except ValidationError as error:
            raise CrudError(_validation_message(error)) from None

    # --- events ------------------------------------------------------------
    @property
    def event_prefix(self):
        return self.model._meta.db_table.replace("_", "-")

    def event_data(self, instance):
        return {f"{self.model._meta.db_table}_id": instance.pk}

    def project_id(self, instance):
        return getattr(instance, "project_id", None)

    def emit(self, action, instance):
        events.emit(
            f"{self.event_prefix}:{action}",
            self.event_data(instance),
            project_id=self.project_id(instance),
        )

    # --- parsing -----------------------------------------------------------
    def field_for(self, key):
        """The concrete field whose name or attname is ``key``, or None."""
        for field in self.model._meta.concrete_fields:
            if key in (field.name, field.attname):
                return field
        return None

    def m2m_for(self, key):
        for field in self.model._meta.many_to_many:
            if field.name == key:
                return field
        return None

    def parse_body(self, body, updating=False):
        """Split a JSON body into column values and many-to-many id lists."""
        values, relations = {}, {}
        for key, raw in body.items():
            if key in AUTOMATIC_FIELDS or (updating and key in self.protected_fields):
                continue
            field = self.field_for(key)
            if field is not None and field.name not in self.hidden_fields:
                values[field.attname] = _to_python(field, raw)
                continue
            m2m = self.m2m_for(key)
            if m2m is not None and m2m.name not in self.hidden_fields:
                if not isinstance(raw, list):
                    raise CrudError(f"{key} must be a list of ids.")
                target = m2m.remote_field.model._meta.pk
                relations[m2m.name] = [_to_python(target, item) for item in raw]
                continue
            if updating:
                # Zou ignores keys it does not know on update, so that a client
                # can send back a whole object it read (with computed keys).
                continue
            raise CrudError(f"'{key}' is an invalid keyword argument for {self.model.__name__}")
        return values, relations

    def filter_queryset(self, request, queryset):
        """Zou's query-string filters: ILIKE on name, JSON arrays as IN, m2m ids."""
        for key, raw in request.query_params.items():
            if key in RESERVED_PARAMETERS:
                continue
            if key in self.hidden_fields:
                raise WrongParameter(f"Filtering on {key} is not allowed.")
            field = self.field_for(key)
            m2m = None if field else self.m2m_for(key)
            if field is None and m2m is None:
                continue
            target = field if field is not None else m2m.remote_field.model._meta.pk
            if raw.startswith("["):
                try:
                    items = json.loads(raw)
                except ValueError:
                    raise WrongParameter(f"{key} is not a valid JSON list.") from None
                if not isinstance(items, list):
                    raise WrongParameter(f"{key} is not a valid JSON list.")
                wanted = [_to_python(target, item, error=WrongParameter) for item in items]
                lookup = "in"
            else:
                wanted = _to_python(target, raw, error=WrongParameter)
                lookup = "ilike" if key == "name" else "exact"
            if m2m is not None:
                matches = self.model._default_manager.filter(**{f"{m2m.name}__{lookup}": wanted})
                queryset = queryset.filter(pk__in=matches.values("pk"))
            elif wanted is None:
                queryset = queryset.filter(**{f"{field.attname}__isnull": True})
            else:
                queryset = queryset.filter(**{f"{field.attname}__{lookup}": wanted})
        return queryset


def _to_python(field, raw, error=CrudError):
    if raw == "" and field.null:
        return None
    if isinstance(field, models.DateTimeField) and isinstance(raw, str):
        from kitsu_backend.api.views import parse_datetime

        try:
            return parse_datetime(raw, field.name)
        except WrongParameter:
            raise error(f"{field.name}: wrong datetime format {raw!r}.") from None
    if isinstance(field, models.DateField) and isinstance(raw, str):
        raw = raw[:10]
    if isinstance(field, models.BooleanField) and isinstance(raw, str):
        lowered = raw.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    try:
        return field.to_python(raw)
    except ValidationError as exc:
        raise error(f"{field.name}: {' '.join(exc.messages)}") from None


def _validation_message(error):
    if hasattr(error, "message_dict"):
        return " ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _integrity_message(error):
    text = str(error).lower()
    if "unique" in text or "duplicate" in text:
        return "A record with the same unique values already exists."
    if "foreign key" in text:
        return "A referenced record does not exist or is still in use."
    if "not null" in text or "null value" in text:
        return "A required value is missing."
    return "The change breaks a database constraint."


class CrudListView(KitsuView):
    resource = None

    def get(self, request):
        resource = self.resource
        resource.check_list(request)
        queryset = resource.scope_queryset(request, resource.get_queryset())
        queryset = resource.filter_queryset(request, queryset)
        relations = query_flag(request, "relations")
        fields = [name for name in request.query_params.get("fields", "").split(",") if name]
        page = parse_int(request.query_params.get("page", -1), "page")
        if page < 1:
            if resource.ordering:
                queryset = queryset.order_by(*resource.ordering)
            rows = resource.serialize_queryset(request, queryset, relations)
            return self.respond(keep_fields(rows, fields))
        limit = parse_int(
            request.query_params.get("limit", settings.NB_RECORDS_PER_PAGE), "limit", minimum=1
        )
        total = queryset.count()
        offset = (page - 1) * limit
        queryset = queryset.order_by("-updated_at", "-created_at", "id")[offset : offset + limit]
        rows = resource.serialize_queryset(request, queryset, relations)
        return self.respond(
            {
                "data": keep_fields(rows, fields),
                "total": total,
                "nb_pages": math.ceil(total / limit),
                "limit": limit,
                "offset": offset,
                "page": page,
            }
        )

    def post(self, request):
        resource = self.resource
        values, relations = resource.parse_body(self.body())
        resource.check_create(request, values)
        try:
            with transaction.atomic():
                instance = resource.create(request, values, relations)
                resource.emit("new", instance)
        except IntegrityError as error:
            raise CrudError(_integrity_message(error)) from None
        return self.respond(resource.serialize(request, instance), status=201)


class CrudDetailView(KitsuView):
    resource = None

    def load(self, instance_id):
        return get_or_404(self.resource.get_queryset(), instance_id)

    def get(self, request, instance_id):
        instance = self.load(instance_id)
        self.resource.check_read(request, instance)
        return self.respond(self.resource.serialize(request, instance))

    def put(self, request, instance_id):
        resource = self.resource
        instance = self.load(instance_id)
        values, relations = resource.parse_body(self.body(), updating=True)
        resource.check_update(request, instance, values)
        try:
            with transaction.atomic():
                instance = resource.update(request, instance, values, relations)
                resource.emit("update", instance)
        except IntegrityError as error:
            raise CrudError(_integrity_message(error)) from None
        return self.respond(resource.serialize(request, instance))

    def delete(self, request, instance_id):
        resource = self.resource
        instance = self.load(instance_id)
        resource.check_delete(request, instance)
        try:
            with transaction.atomic():
                resource.emit("delete", instance)
                resource.delete(request, instance)
        except (ProtectedError, RestrictedError, IntegrityError):
            raise CrudError(
                "This record is still referenced by other data and cannot be deleted."
            ) from None
        return self.respond(None, status=204)


class Registry:
    def __init__(self):
        self._resources = {}

    def register(self, resource):
        if resource.slug in self._resources:
            raise ValueError(f"/data/{resource.slug} is registered twice")
        self._resources[resource.slug] = resource

    def __iter__(self):
        return iter(self._resources.values())

    def __getitem__(self, slug):
        return self._resources[slug]

    def __contains__(self, slug):
        return slug in self._resources


registry = Registry()


def register(resource_class):
    """Class decorator: serve ``resource_class`` under ``/data/<slug>``."""
    registry.register(resource_class())
    return resource_class


def crud_urlpatterns():
    """URL patterns of every registered resource, with views restricted to its methods."""
    patterns = []
    for resource in registry:
        name = resource.model.__name__
        for suffix, base, methods in (
            ("", CrudListView, resource.list_methods),
            ("/{instance_id}", CrudDetailView, resource.detail_methods),
        ):
            if not methods:
                continue
            view = type(
                f"{name}{base.__name__.removeprefix('Crud')}",
                (base,),
                {"resource": resource, "http_method_names": [*methods, "options"]},
            )
            patterns.append(route(f"data/{resource.slug}{suffix}", view.as_view()))
    return patterns


__all__ = ["CrudResource", "columns", "crud_urlpatterns", "register", "registry"]
