"""Celery jobs of the tasks app. Each takes ids, is safe to run twice, and
leaves the work to a plain function that commands can call too."""

from celery import shared_task

# Importing messaging and playlist_builds registers their jobs with Celery.
from tasks import messaging, playlist_builds, previews  # noqa: F401


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def process_movie_preview(preview_file_id, normalize=True):
    """Encode an uploaded movie preview and build its pictures.

    Storage errors (``OSError``) are retried; a movie ffmpeg cannot read
    marks the preview ``broken`` instead.
    """
    return previews.process_movie(preview_file_id, normalize=normalize)
