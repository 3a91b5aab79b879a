"""Where media files live on Django's default storage.

Files are grouped in three buckets, as Zou does: ``pictures`` (PNG variants,
tile sheets, thumbnails), ``movies`` (normalized, low-definition and source
movies) and ``files`` (previews kept as uploaded). Inside a bucket a file is
named by a prefix (the variant) and the id of its owner, sharded on the first
characters of the id so that no folder grows too large:
``pictures/thumbnails/1a2/b3c/1a2b3c...``. Everything goes through
``default_storage``, never a filesystem path, so that S3 works unchanged.
"""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.core.files.base import File
from django.core.files.storage import default_storage

logger = logging.getLogger(__name__)

PICTURES = "pictures"
MOVIES = "movies"
FILES = "files"

# Read size of streamed responses and copies.
CHUNK_SIZE = 64 * 1024


def key(bucket, prefix, file_id):
    file_id = str(file_id)
    return f"{bucket}/{prefix}/{file_id[:3]}/{file_id[3:6]}/{file_id}"


def save(storage_key, content):
    """Write ``content`` (bytes, a file object or a local path) at ``storage_key``.

    An existing file is replaced: the file system storage would otherwise
    pick another name, and a retried job must land on the same key.
    """
    if default_storage.exists(storage_key):
        default_storage.delete(storage_key)
    if isinstance(content, (bytes, bytearray)):
        from django.core.files.base import ContentFile

        saved = default_storage.save(storage_key, ContentFile(bytes(content)))
    elif isinstance(content, (str, os.PathLike)):
        with open(content, "rb") as handle:
            saved = default_storage.save(storage_key, File(handle))
    else:
        if hasattr(content, "seek"):
            content.seek(0)
        saved = default_storage.save(storage_key, File(content))
    if saved != storage_key:
        # Only a concurrent writer of the same key could cause this.
        logger.warning("Stored %s under %s", storage_key, saved)
    return saved


def exists(storage_key):
    return default_storage.exists(storage_key)


def size(storage_key):
    return default_storage.size(storage_key)


def open_file(storage_key):
    return default_storage.open(storage_key, "rb")


def read(storage_key):
    with open_file(storage_key) as handle:
        return handle.read()


def delete(storage_key):
    try:
        if default_storage.exists(storage_key):
            default_storage.delete(storage_key)
    except OSError:
        logger.warning("Could not delete stored file %s", storage_key, exc_info=True)


@contextmanager
def local_copy(storage_key, suffix=""):
    """A temporary local path holding a copy of a stored file (ffmpeg needs paths)."""
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as target, open_file(storage_key) as source:
            shutil.copyfileobj(source, target, CHUNK_SIZE)
        yield path
    finally:
        if os.path.exists(path):
            os.remove(path)


# --- preview files -----------------------------------------------------------

PICTURE_VARIANTS = ("thumbnails", "thumbnails-square", "previews", "original")


def picture_key(prefix, file_id):
    return key(PICTURES, prefix, file_id)


def movie_key(prefix, file_id):
    return key(MOVIES, prefix, file_id)


def file_key(file_id):
    return key(FILES, "previews", file_id)


def delete_preview_media(preview_ids):
    """Remove every stored variant of the given previews (call after commit)."""
    for preview_id in preview_ids:
        for prefix in (*PICTURE_VARIANTS, "tiles"):
            delete(picture_key(prefix, preview_id))
        for prefix in ("previews", "lowdef", "source"):
            delete(movie_key(prefix, preview_id))
        delete(file_key(preview_id))


def preview_media_keys(preview_id):
    """Every key a preview's media may be stored under, whatever its kind."""
    return [
        *(picture_key(prefix, preview_id) for prefix in (*PICTURE_VARIANTS, "tiles")),
        *(movie_key(prefix, preview_id) for prefix in ("previews", "lowdef", "source")),
        file_key(preview_id),
    ]


def copy_preview_media(source_id, target_id):
    """Copy every stored variant of one preview under another preview's id.

    Streams through ``default_storage`` so that remote backends work; a
    variant the source does not have is skipped. Returns the target keys
    written. A variant that cannot be copied is logged and skipped, so that
    one unreadable file does not lose the others.
    """
    copied = []
    for source_key, target_key in zip(
        preview_media_keys(source_id), preview_media_keys(target_id), strict=True
    ):
        try:
            if not default_storage.exists(source_key):
                continue
            with open_file(source_key) as handle:
                save(target_key, handle)
        except OSError:
            logger.warning("Could not copy %s to %s", source_key, target_key, exc_info=True)
            continue
        copied.append(target_key)
    return copied
