"""A status automation with ``import_last_revision`` copies the previews of
the source task's last revision onto the comment it posts on the target task."""

import pytest

from kitsu_backend.api.models import ApiEvent
from productions.models import ProjectStatusAutomationLink, StatusAutomation
from tasks.media import storage
from tasks.models import (
    Comment,
    CommentPreviewLink,
    News,
    PreviewFile,
    PreviewFileStorageState,
)


@pytest.fixture
def automation(project, statuses, task_types):
    """Layout done sends Animation to ready; imports the last revision unless told not to."""

    def make(import_last_revision=True):
        automation = StatusAutomation.objects.create(
            entity_type="shot",
            in_task_type=task_types[("Layout", "Shot")],
            in_task_status=statuses["done"],
            out_field_type="status",
            out_task_type=task_types[("Animation", "Shot")],
            out_task_status=statuses["ready"],
            import_last_revision=import_last_revision,
        )
        ProjectStatusAutomationLink.objects.create(project=project, status_automation=automation)
        return automation

    return make


@pytest.fixture
def make_preview(admin):
    def make(task, revision, position, **fields):
        preview = PreviewFile(task=task, revision=revision, position=position, person=admin)
        preview.name = str(preview.pk)[:13]
        for field, value in fields.items():
            setattr(preview, field, value)
        preview.save()
        return preview

    return make


@pytest.fixture
def layout_previews(layout_task, make_preview):
    """Revisions 1 and 3 on the layout task: a movie (position 1) and a PDF (position 2) in 3."""
    make_preview(layout_task, 1, 1, extension="png", status="ready", original_name="old")
    movie = make_preview(
        layout_task,
        3,
        1,
        extension="mp4",
        status="ready",
        original_name="layout_v3",
        width=1920,
        height=1080,
        duration=2.5,
        file_size=4096,
        data={"movie": True},
        annotations=[{"time": 0, "drawing": {"objects": []}}],
    )
    document = make_preview(
        layout_task,
        3,
        2,
        extension="pdf",
        status="ready",
        original_name="notes",
        file_size=12,
    )
    storage.save(storage.movie_key("previews", movie.pk), b"hd movie")
    storage.save(storage.movie_key("lowdef", movie.pk), b"ld movie")
    storage.save(storage.picture_key("thumbnails", movie.pk), b"thumb")
    storage.save(storage.picture_key("tiles", movie.pk), b"tiles")
    storage.save(storage.file_key(document.pk), b"pdf document")
    PreviewFileStorageState.objects.create(
        preview_file=movie, bucket="movies", prefix="previews", state="ok"
    )
    return movie, document


def post(api, task, status):
    return api.post(
        f"/api/actions/tasks/{task.id}/comment",
        {"task_status_id": str(status.id), "comment": "done"},
        format="json",
    )


def test_last_revision_is_copied_onto_the_automation_comment(
    client_for,
    manager,
    team,
    task,
    layout_task,
    statuses,
    automation,
    layout_previews,
    make_preview,
    committed,
):
    movie, document = layout_previews
    # The animation task already has two revisions: the copies become the third.
    make_preview(task, 1, 1, extension="png", status="ready")
    make_preview(task, 2, 1, extension="png", status="ready")
    automation()
    with committed():
        assert post(client_for(manager), layout_task, statuses["done"]).status_code == 201

    comment = Comment.objects.get(object_id=task.id)
    assert comment.text == "Change triggered by Layout set to Done"
    copies = list(PreviewFile.objects.filter(task=task, revision=3).order_by("position"))
    assert [(copy.position, copy.extension) for copy in copies] == [(1, "mp4"), (2, "pdf")]
    assert {copy.pk for copy in copies}.isdisjoint({movie.pk, document.pk})
    first, second = copies
    assert (first.original_name, first.width, first.height, first.duration) == (
        "layout_v3",
        1920,
        1080,
        2.5,
    )
    assert (first.status, first.file_size, first.data) == ("ready", 4096, {"movie": True})
    assert first.annotations is None
    assert first.person_id == manager.id
    assert (second.original_name, second.file_size) == ("notes", 12)
    linked = set(
        CommentPreviewLink.objects.filter(comment_id=comment.pk).values_list(
            "preview_file_id", flat=True
        )
    )
    assert linked == {first.pk, second.pk}

    task.refresh_from_db()
    assert task.last_preview_file_id == first.pk
    assert News.objects.get(comment_id=comment.pk).preview_file_id == first.pk
    # The source task keeps its own previews untouched.
    assert PreviewFile.objects.filter(task=layout_task).count() == 3

    assert storage.read(storage.movie_key("previews", first.pk)) == b"hd movie"
    assert storage.read(storage.movie_key("lowdef", first.pk)) == b"ld movie"
    assert storage.read(storage.picture_key("thumbnails", first.pk)) == b"thumb"
    assert storage.read(storage.picture_key("tiles", first.pk)) == b"tiles"
    assert not storage.exists(storage.movie_key("source", first.pk))
    assert storage.read(storage.file_key(second.pk)) == b"pdf document"
    assert storage.read(storage.file_key(document.pk)) == b"pdf document"
    state = PreviewFileStorageState.objects.get(preview_file=first)
    assert (state.bucket, state.prefix, state.state) == ("movies", "previews", "ok")

    new_events = ApiEvent.objects.filter(name="preview-file:new")
    assert sorted(event.data["preview_file_id"] for event in new_events) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert {event.data["comment_id"] for event in new_events} == {str(comment.pk)}
    assert ApiEvent.objects.filter(name="comment:update", data__comment_id=str(comment.pk)).exists()


def test_first_revision_of_a_task_without_previews(
    client_for, manager, team, task, layout_task, statuses, automation, layout_previews, committed
):
    automation()
    with committed():
        post(client_for(manager), layout_task, statuses["done"])
    revisions = list(
        PreviewFile.objects.filter(task=task)
        .values_list("revision", "position")
        .order_by("position")
    )
    assert revisions == [(1, 1), (1, 2)]


def test_without_the_flag_nothing_is_copied(
    client_for, manager, team, task, layout_task, statuses, automation, layout_previews, committed
):
    automation(import_last_revision=False)
    with committed():
        post(client_for(manager), layout_task, statuses["done"])
    task.refresh_from_db()
    assert task.task_status_id == statuses["ready"].id
    comment = Comment.objects.get(object_id=task.id)
    assert not PreviewFile.objects.filter(task=task).exists()
    assert not CommentPreviewLink.objects.filter(comment_id=comment.pk).exists()
    assert task.last_preview_file_id is None
    assert not ApiEvent.objects.filter(name="preview-file:new").exists()


def test_a_source_without_previews_still_posts_the_comment(
    client_for, manager, team, task, layout_task, statuses, automation, committed
):
    automation()
    with committed():
        assert post(client_for(manager), layout_task, statuses["done"]).status_code == 201
    task.refresh_from_db()
    assert task.task_status_id == statuses["ready"].id
    comment = Comment.objects.get(object_id=task.id)
    assert comment.text == "Change triggered by Layout set to Done"
    assert not PreviewFile.objects.filter(task=task).exists()
    assert not CommentPreviewLink.objects.filter(comment_id=comment.pk).exists()
    assert not ApiEvent.objects.filter(name="preview-file:new").exists()
    assert not ApiEvent.objects.filter(
        name="comment:update", data__comment_id=str(comment.pk)
    ).exists()


def test_media_are_copied_only_once_committed(
    client_for, manager, team, task, layout_task, statuses, automation, layout_previews
):
    # Without the commit the rows exist but no file was written yet, so a
    # rolled back comment would leave nothing behind in storage.
    automation()
    post(client_for(manager), layout_task, statuses["done"])
    copy = PreviewFile.objects.get(task=task, position=1)
    assert not storage.exists(storage.movie_key("previews", copy.pk))


def test_copy_preview_media_copies_existing_variants_only(media):
    source = "11111111-2222-4333-8444-555555555555"
    target = "66666666-7777-4888-8999-000000000000"
    storage.save(storage.picture_key("original", source), b"png")
    storage.save(storage.file_key(source), b"file")
    copied = storage.copy_preview_media(source, target)
    assert copied == [storage.picture_key("original", target), storage.file_key(target)]
    assert storage.read(storage.picture_key("original", target)) == b"png"
    assert storage.read(storage.file_key(target)) == b"file"
    assert (media / storage.file_key(target)).read_bytes() == b"file"
    assert storage.copy_preview_media("99999999-0000-4000-8000-000000000000", target) == []
