"""Concurrent preview creation on one task keeps revisions and positions unique.

The per-task lock is a ``SELECT ... FOR UPDATE`` on the task row, which
SQLite ignores (it serializes writers on its own), so this runs on
PostgreSQL only.
"""

import threading

import pytest
from django.db import connection

from tasks.models import PreviewFile

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

THREADS = 20


def add_previews_concurrently(client_for, person, task, comments):
    barrier = threading.Barrier(len(comments))
    statuses = []
    errors = []

    def add(comment):
        try:
            client = client_for(person)
            barrier.wait(timeout=30)
            response = client.post(
                f"/api/actions/tasks/{task.id}/comments/{comment.id}/add-preview",
                {},
                format="json",
            )
            statuses.append(response.status_code)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(comment,)) for comment in comments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, errors


def test_concurrent_previews_get_distinct_revisions(
    transactional_db, client_for, artist, task, make_comment
):
    comments = [make_comment(artist) for _ in range(THREADS)]
    statuses, errors = add_previews_concurrently(client_for, artist, task, comments)
    assert errors == []
    assert statuses == [201] * THREADS
    revisions = sorted(PreviewFile.objects.filter(task=task).values_list("revision", flat=True))
    assert revisions == list(range(1, THREADS + 1))


def test_concurrent_previews_of_one_comment_get_distinct_positions(
    transactional_db, client_for, artist, task, make_comment
):
    comment = make_comment(artist)
    statuses, errors = add_previews_concurrently(client_for, artist, task, [comment] * THREADS)
    assert errors == []
    assert statuses == [201] * THREADS
    rows = list(PreviewFile.objects.filter(task=task).values_list("revision", "position"))
    assert {revision for revision, _ in rows} == {1}
    assert sorted(position for _, position in rows) == list(range(1, THREADS + 1))
