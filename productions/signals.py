"""Signals the productions app sends to the apps above it.

Metadata descriptors of entity type ``Task`` keep their values in
``task.data``, which this app may not touch (tasks sit one floor above).
Renaming or deleting such a descriptor sends one of these signals inside
the same transaction; the tasks app rewrites its rows in a receiver.

Both signals are sent with the keyword arguments ``project_id``,
``entity_type`` and ``task_type_id``; ``descriptor_field_renamed`` adds
``old_field_name`` and ``new_field_name``, ``descriptor_field_removed`` adds
``field_name``.
"""

from django.dispatch import Signal

descriptor_field_renamed = Signal()
descriptor_field_removed = Signal()
