"""Deleting rows that other rows protect.

Zou has almost no ``ON DELETE CASCADE``: its services remove dependent rows
first. Our models mirror that with ``PROTECT`` on the references that must
not vanish by accident, so a deliberate cascade (``?force=true``) walks the
protecting relations and removes the dependents first, recursively.
``CASCADE`` and ``SET_NULL`` relations are left to Django.
"""

from django.db import models

from kitsu_backend.api.exceptions import WrongParameter

# Deepest chain of protecting relations followed (task -> comment -> preview
# -> ...); deeper data means a modelling error rather than real content.
MAX_DEPTH = 6


def purge(queryset, depth=0):
    """Delete the rows of ``queryset`` after every row that protects them."""
    model = queryset.model
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    if depth > MAX_DEPTH:
        raise WrongParameter("The data to delete is nested too deeply.")
    for relation in model._meta.related_objects:
        if getattr(relation, "on_delete", None) not in (models.PROTECT, models.RESTRICT):
            continue
        dependents = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": ids}
        )
        if relation.related_model is model:
            dependents = dependents.exclude(pk__in=ids)
        purge(dependents, depth + 1)
    model._base_manager.filter(pk__in=ids).delete()
