"""Receivers of the signals sent by the apps below tasks.

Metadata columns of entity type ``Task`` store their values in
``task.data``; productions owns the columns but not the tasks, so it sends
a signal when a column is renamed or deleted and the stored values are
rewritten here, in the sender's transaction.
"""

from django.dispatch import receiver

from productions.signals import descriptor_field_removed, descriptor_field_renamed

# Tasks are rewritten in batches of this size: a few hundred JSON rows per
# UPDATE keeps each statement small on both SQLite and PostgreSQL.
BATCH_SIZE = 500


def _tasks_with_key(project_id, task_type_id, field_name):
    from tasks.models import Task

    return Task.objects.filter(
        project_id=project_id, task_type_id=task_type_id, data__has_key=field_name
    )


def _rewrite(tasks, old_key, new_key):
    from tasks.models import Task

    changed = []
    for task in tasks.only("id", "data"):
        data = dict(task.data or {})
        if old_key not in data:
            continue
        value = data.pop(old_key)
        if new_key is not None and value is not None:
            data[new_key] = value
        task.data = data
        changed.append(task)
    Task.objects.bulk_update(changed, ["data"], batch_size=BATCH_SIZE)
    return len(changed)


@receiver(descriptor_field_renamed, dispatch_uid="tasks.rename_task_metadata")
def rename_task_metadata(
    sender, project_id, task_type_id, old_field_name, new_field_name, **kwargs
):
    """Move the values of a renamed task column to its new key."""
    if kwargs.get("entity_type") != "Task":
        return
    _rewrite(
        _tasks_with_key(project_id, task_type_id, old_field_name), old_field_name, new_field_name
    )


@receiver(descriptor_field_removed, dispatch_uid="tasks.remove_task_metadata")
def remove_task_metadata(sender, project_id, task_type_id, field_name, **kwargs):
    """Drop the values of a deleted task column."""
    if kwargs.get("entity_type") != "Task":
        return
    _rewrite(_tasks_with_key(project_id, task_type_id, field_name), field_name, None)
