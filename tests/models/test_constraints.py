"""Database constraints carried over from Zou: unique keys and check constraints."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction

from people.models import Department
from productions.models import EntityLink, MetadataDescriptor, ProjectTaskTypeLink
from shots.models import Sequence, Shot
from tasks.models import (
    Comment,
    Notification,
    Playlist,
    Subscription,
    Task,
    TaskStatus,
    TaskType,
    TimeSpent,
)

DAY = datetime.date(2026, 3, 2)


def raises_integrity_error(create):
    """Run ``create`` in a savepoint and check the database refuses it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_entity_name_is_unique_per_project_kind_and_parent(project, sequence, shot):
    raises_integrity_error(
        lambda: Shot.objects.create(name="SH0010", project=project, parent=sequence)
    )


def test_same_entity_name_is_allowed_under_another_parent(project, episode, shot):
    other_sequence = Sequence.objects.create(name="SQ02", project=project, parent=episode)
    twin = Shot.objects.create(name="SH0010", project=project, parent=other_sequence)
    assert Shot.objects.filter(name="SH0010").count() == 2
    assert twin.pk != shot.pk


def test_task_is_unique_per_name_project_type_and_entity(task):
    raises_integrity_error(
        lambda: Task.objects.create(
            project=task.project,
            entity=task.entity,
            task_type=task.task_type,
            task_status=task.task_status,
        )
    )


def test_a_second_task_of_another_name_is_allowed(task):
    Task.objects.create(
        name="cleanup",
        project=task.project,
        entity=task.entity,
        task_type=task.task_type,
        task_status=task.task_status,
    )
    assert Task.objects.filter(entity=task.entity).count() == 2


@pytest.mark.parametrize("difficulty", [0, 6, -1])
def test_difficulty_outside_one_to_five_is_refused(task, difficulty):
    raises_integrity_error(lambda: Task.objects.filter(pk=task.pk).update(difficulty=difficulty))
    task.refresh_from_db()
    assert task.difficulty == 3


@pytest.mark.parametrize("difficulty", [1, 5])
def test_difficulty_bounds_are_accepted(task, difficulty):
    Task.objects.filter(pk=task.pk).update(difficulty=difficulty)
    task.refresh_from_db()
    assert task.difficulty == difficulty


def test_time_spent_duration_must_be_positive(task, make_person):
    artist = make_person("user")
    raises_integrity_error(
        lambda: TimeSpent.objects.create(task=task, person=artist, date=DAY, duration=0)
    )
    assert not TimeSpent.objects.exists()


def test_time_spent_is_unique_per_person_task_and_date(task, make_person):
    artist = make_person("user")
    TimeSpent.objects.create(task=task, person=artist, date=DAY, duration=60)
    raises_integrity_error(
        lambda: TimeSpent.objects.create(task=task, person=artist, date=DAY, duration=30)
    )
    TimeSpent.objects.create(task=task, person=artist, date=DAY.replace(day=3), duration=30)
    assert TimeSpent.objects.count() == 2


def test_task_status_short_name_is_unique(todo):
    raises_integrity_error(
        lambda: TaskStatus.objects.create(name="To do", short_name="todo", color="#000000")
    )


def test_task_type_is_unique_per_name_entity_kind_and_department(animation):
    # NULL departments never collide in a unique index (as in Zou), so both
    # rows get a department.
    department = Department.objects.create(name="Anim", color="#009688")
    TaskType.objects.filter(pk=animation.pk).update(department=department)
    raises_integrity_error(
        lambda: TaskType.objects.create(name="Animation", for_entity="Shot", department=department)
    )
    # The same name for another kind of entity is another step.
    TaskType.objects.create(name="Animation", for_entity="Asset", department=department)
    assert TaskType.objects.filter(name="Animation").count() == 2


def test_casting_link_is_unique_per_pair(shot, asset):
    EntityLink.objects.create(entity_in=shot, entity_out=asset, nb_occurences=2)
    raises_integrity_error(lambda: EntityLink.objects.create(entity_in=shot, entity_out=asset))
    assert list(shot.entities_out.all()) == [asset]


def test_task_type_is_enabled_once_per_project(project, animation):
    ProjectTaskTypeLink.objects.create(project=project, task_type=animation, priority=1)
    raises_integrity_error(
        lambda: ProjectTaskTypeLink.objects.create(project=project, task_type=animation)
    )


def test_metadata_column_names_are_unique_per_project_and_kind(project):
    MetadataDescriptor.objects.create(
        project=project, entity_type="Asset", name="Mood", field_name="mood"
    )
    raises_integrity_error(
        lambda: MetadataDescriptor.objects.create(
            project=project, entity_type="Asset", name="Mood", field_name="mood_2"
        )
    )
    raises_integrity_error(
        lambda: MetadataDescriptor.objects.create(
            project=project, entity_type="Asset", name="Mood 2", field_name="mood"
        )
    )
    # The same column on another kind is a different column.
    MetadataDescriptor.objects.create(
        project=project, entity_type="Shot", name="Mood", field_name="mood"
    )
    assert MetadataDescriptor.objects.count() == 2


def test_task_metadata_columns_are_unique_per_task_type(project, animation):
    layout = TaskType.objects.create(name="Layout", for_entity="Shot")
    MetadataDescriptor.objects.create(
        project=project, entity_type="Task", task_type=animation, name="Pose", field_name="pose"
    )
    raises_integrity_error(
        lambda: MetadataDescriptor.objects.create(
            project=project, entity_type="Task", task_type=animation, name="Pose", field_name="p2"
        )
    )
    raises_integrity_error(
        lambda: MetadataDescriptor.objects.create(
            project=project, entity_type="Task", task_type=animation, name="P2", field_name="pose"
        )
    )
    # Another task type, or no task type at all, may reuse the name.
    MetadataDescriptor.objects.create(
        project=project, entity_type="Task", task_type=layout, name="Pose", field_name="pose"
    )
    MetadataDescriptor.objects.create(
        project=project, entity_type="Task", name="Pose", field_name="pose"
    )
    assert MetadataDescriptor.objects.filter(name="Pose").count() == 3


def test_subscription_to_a_task_is_unique_per_person(task, make_person):
    follower = make_person("user")
    Subscription.objects.create(person=follower, task=task)
    raises_integrity_error(lambda: Subscription.objects.create(person=follower, task=task))


def test_notification_is_unique_per_recipient_author_comment_reply_playlist_and_type(
    task, make_person
):
    recipient, author = make_person("user"), make_person("manager")
    comment = Comment.objects.create(
        object_id=task.pk, object_type="Task", person=author, task_status=task.task_status
    )
    playlist = Playlist.objects.create(name="Dailies", project=task.project)
    fields = {
        "person": recipient,
        "author": author,
        "comment": comment,
        "task": task,
        "playlist": playlist,
        "reply_id": uuid.uuid4(),
    }
    Notification.objects.create(type="reply", **fields)
    raises_integrity_error(lambda: Notification.objects.create(type="reply", **fields))
    Notification.objects.create(type="reply-mention", **fields)
    assert Notification.objects.filter(person=recipient).count() == 2


def test_notification_key_with_nulls_does_not_collide(task, make_person):
    """As in Zou, NULL columns never collide: services must avoid such duplicates."""
    recipient, author = make_person("user"), make_person("manager")
    fields = {"person": recipient, "author": author, "task": task}
    Notification.objects.create(type="assignation", **fields)
    Notification.objects.create(type="assignation", **fields)
    assert Notification.objects.filter(person=recipient).count() == 2
