"""A small production (from the task tests' fixtures) plus comments, news
and notifications on its shot task."""

import pytest

from tasks.models import Comment, News, Notification
from tests.tasks.conftest import (  # noqa: F401  (fixtures used by these tests)
    UNKNOWN_ID,
    animation,
    asset,
    characters,
    committed,
    done,
    episode,
    init_data,
    join,
    layout,
    make_shot,
    modeling,
    other_project,
    project,
    sequence,
    shot,
    task,
    team,
    todo,
    wip,
)


@pytest.fixture
def make_comment():
    def make(on_task, person, status, text="A note", for_client=False):
        return Comment.objects.create(
            object_id=on_task.pk,
            object_type="Task",
            person=person,
            task_status=status,
            text=text,
            for_client=for_client,
        )

    return make


@pytest.fixture
def make_news(make_comment):
    """A comment and its news row: ``make_news(task, author, status, ...)``."""

    def make(on_task, author, status, text="A note", for_client=False, change=True):
        comment = make_comment(on_task, author, status, text, for_client)
        return News.objects.create(author=author, comment=comment, task=on_task, change=change)

    return make


@pytest.fixture
def make_notification(make_comment):
    def make(person, author, on_task, status, text="A note", kind="comment", **fields):
        comment = make_comment(on_task, author, status, text)
        return Notification.objects.create(
            person=person, author=author, comment=comment, task=on_task, type=kind, **fields
        )

    return make
