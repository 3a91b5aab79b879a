"""Files attached to comments, in default storage under ``attachments/<id>``."""

import logging

from django.core.files.storage import default_storage
from django.db import transaction

from tasks.models import AttachmentFile

logger = logging.getLogger(__name__)


def attachment_path(attachment_id):
    """Storage key of an attachment's file."""
    return f"attachments/{attachment_id}"


def remove_attachment_files(attachment_ids):
    """Delete attachment rows, and their stored files once the transaction commits."""
    attachment_ids = list(attachment_ids)
    AttachmentFile.objects.filter(pk__in=attachment_ids).delete()

    def remove():
        for attachment_id in attachment_ids:
            path = attachment_path(attachment_id)
            try:
                if default_storage.exists(path):
                    default_storage.delete(path)
            except OSError:
                logger.warning("Could not delete the file of attachment %s", attachment_id)

    # A rolled-back delete keeps its files.
    transaction.on_commit(remove)
