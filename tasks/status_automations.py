"""Status automations: a status reached on one task changes another step.

A project's automation says "when a ``<in task type>`` task of an
``<entity type>`` reaches ``<in status>``, then …":

- ``out_field_type == "status"``: the same author posts a comment on the
  entity's ``<out task type>`` task with ``<out status>``. That comment is a
  full comment (notifications, news, events) and may trigger further
  automations in turn. With ``import_last_revision`` the previews of the
  triggering task's last revision are copied onto that comment as the
  target task's next revision.
- ``out_field_type == "ready_for"``: the asset becomes ready for
  ``<out task type>`` and ``asset:update`` is emitted.

Two guards keep chains finite: a status automation whose input step comes
after its output step in the pipeline (higher task type priority) is
skipped, as it would move work backwards and could bounce between two
steps forever; and a chain never visits the same task and status twice.
"""

import logging

from django.db import transaction
from django.dispatch import Signal

from kitsu_backend.api import events
from productions.models import (
    RESERVED_ENTITY_TYPE_NAMES,
    ProjectStatusAutomationLink,
    StatusAutomation,
)
from tasks.media import storage
from tasks.models import CommentPreviewLink, News, PreviewFile, PreviewFileStorageState, Task

logger = logging.getLogger(__name__)

# Sent with ``asset_id`` and ``project_id`` when an automation changed an
# asset's ``ready_for``. The casting readiness counters of the shots using
# the asset (``task.nb_assets_ready``) are computed by the assets app, which
# sits above tasks and cannot be imported from here: it connects a receiver
# to this signal to refresh them in the same transaction.
asset_ready_for_changed = Signal()


def entity_matches(automation, entity_type_name):
    """Whether an automation made for ``automation.entity_type`` applies to this entity."""
    wanted = (automation.entity_type or "asset").lower()
    if wanted == "asset":
        return entity_type_name not in RESERVED_ENTITY_TYPE_NAMES
    return entity_type_name.lower() == wanted


def moves_backwards(automation):
    """A status automation from a later pipeline step to an earlier one."""
    if automation.out_field_type != "status":
        return False
    in_priority = automation.in_task_type.priority or 0
    out_priority = automation.out_task_type.priority or 0
    return in_priority > out_priority


def automations_for(task):
    """The project's active automations triggered by the task's current type and status."""
    linked = ProjectStatusAutomationLink.objects.filter(project_id=task.project_id).values(
        "status_automation_id"
    )
    return list(
        StatusAutomation.objects.filter(
            pk__in=linked,
            archived=False,
            in_task_type_id=task.task_type_id,
            in_task_status_id=task.task_status_id,
        ).select_related("in_task_type", "in_task_status", "out_task_type", "out_task_status")
    )


def run_status_automations(task, author, seen=None):
    """Apply the automations the task's new status triggers; returns the comments posted.

    ``seen`` holds the ``(task_id, task_status_id)`` pairs already reached in
    this chain; it is shared with the comments the automations post.
    """
    from tasks import comments

    seen = seen if seen is not None else set()
    seen.add((task.pk, task.task_status_id))
    entity = task.entity
    entity_type_name = entity.entity_type.name
    posted = []
    for automation in automations_for(task):
        if not entity_matches(automation, entity_type_name):
            continue
        if automation.out_task_type_id is None:
            continue
        if automation.out_field_type == "ready_for":
            set_ready_for(entity, automation.out_task_type_id)
            continue
        if automation.out_task_status_id is None or moves_backwards(automation):
            logger.info("Status automation %s skipped: it would loop", automation.pk)
            continue
        target = (
            Task.objects.select_related(
                "project", "task_type", "task_status", "entity__entity_type"
            )
            .filter(entity_id=entity.pk, task_type_id=automation.out_task_type_id)
            .first()
        )
        if target is None or target.task_status_id == automation.out_task_status_id:
            continue
        if (target.pk, automation.out_task_status_id) in seen:
            continue
        text = (
            f"Change triggered by {automation.in_task_type.name} set to "
            f"{automation.in_task_status.name}"
        )
        comment = comments.post_comment(
            target,
            author,
            automation.out_task_status,
            text=text,
            hashtags=False,
            seen=seen,
        )
        if automation.import_last_revision:
            # Copied once the comment (and any automation it cascades into)
            # is posted: a cascaded automation that imports the target's
            # last revision in turn does not see these copies yet.
            import_last_revision(task, target, comment, author)
        posted.append(comment)
    return posted


# Columns a copied preview takes from its source. Annotations stay behind:
# they are the review of the source step, not of the target one.
COPIED_PREVIEW_FIELDS = (
    "original_name",
    "extension",
    "width",
    "height",
    "duration",
    "status",
    "file_size",
    "data",
)


def import_last_revision(source, target, comment, author):
    """Copy the previews of ``source``'s last revision onto ``comment`` of ``target``.

    The copies form the next revision of the target task, keeping their
    positions; their stored media are copied once the transaction commits,
    so that a rolled back comment leaves no stray files. Returns the new
    previews (none when the source task has no preview).
    """
    last = (
        PreviewFile.objects.filter(task_id=source.pk, revision__isnull=False)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    if last is None:
        return []
    originals = list(
        PreviewFile.objects.filter(task_id=source.pk, revision=last).order_by("position")
    )
    # Serialize revision numbering with uploads on the same task.
    Task.objects.select_for_update().filter(pk=target.pk).first()
    previous = (
        PreviewFile.objects.filter(task_id=target.pk, revision__isnull=False)
        .order_by("-revision")
        .values_list("revision", flat=True)
        .first()
    )
    revision = (previous or 0) + 1
    copies = []
    for original in originals:
        copy = PreviewFile(
            task_id=target.pk,
            person_id=author.pk,
            revision=revision,
            position=original.position,
            source="webgui",
            **{field: getattr(original, field) for field in COPIED_PREVIEW_FIELDS},
        )
        copy.name = str(copy.pk)[:13]
        copies.append(copy)
    PreviewFile.objects.bulk_create(copies)
    CommentPreviewLink.objects.bulk_create(
        CommentPreviewLink(comment_id=comment.pk, preview_file_id=copy.pk) for copy in copies
    )
    copy_of = {original.pk: copy.pk for original, copy in zip(originals, copies, strict=True)}
    PreviewFileStorageState.objects.bulk_create(
        PreviewFileStorageState(
            preview_file_id=copy_of[state.preview_file_id],
            bucket=state.bucket,
            prefix=state.prefix,
            state=state.state,
        )
        for state in PreviewFileStorageState.objects.filter(preview_file_id__in=copy_of)
    )
    main = next((copy for copy in copies if copy.position == 1), None)
    if main is not None:
        target.last_preview_file_id = main.pk
        target.save(update_fields=["last_preview_file", "updated_at"])
        News.objects.filter(comment_id=comment.pk).update(preview_file_id=main.pk)
    for copy in copies:
        events.emit(
            "preview-file:new",
            {"preview_file_id": copy.pk, "comment_id": comment.pk},
            project_id=target.project_id,
        )
    events.emit("comment:update", {"comment_id": comment.pk}, project_id=target.project_id)
    # A source still "processing" (a movie being normalized) is copied as it
    # stands: the copy keeps that status and only the media stored so far.
    pairs = list(copy_of.items())
    transaction.on_commit(lambda: copy_media(pairs), robust=True)
    logger.info(
        "Status automation copied %d preview(s) of task %s to task %s",
        len(copies),
        source.pk,
        target.pk,
    )
    return copies


def copy_media(pairs):
    for source_id, copy_id in pairs:
        storage.copy_preview_media(source_id, copy_id)


def set_ready_for(entity, task_type_id):
    """Mark an asset ready for a pipeline step."""
    if entity.ready_for == task_type_id:
        return
    entity.ready_for = task_type_id
    entity.save(update_fields=["ready_for"])
    events.emit("asset:update", {"asset_id": entity.pk}, project_id=entity.project_id)
    asset_ready_for_changed.send(
        sender=StatusAutomation, asset_id=entity.pk, project_id=entity.project_id
    )
