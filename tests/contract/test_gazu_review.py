"""The real Gazu client against a live server: the review loop. An artist
posts comments that change a task's status and attaches picture and movie
previews; supervisors review them in playlists; pipeline tools register
working and output files; everyone logs their time.

Each test logs in with a Gazu client of its own. The production every test
starts from is built directly in the database; the calls under test go
through Gazu, with real files made in the test (Pillow pictures, ffmpeg
movies) and stored under a temporary media folder.
"""

import json
import shutil
import subprocess
import time
from types import SimpleNamespace

import gazu
import pytest
from django.core.management import call_command
from gazu.exception import (
    NotAllowedException,
    NotAuthenticatedException,
    ParameterException,
    RouteNotFoundException,
)
from PIL import Image

from kitsu_backend.api.models import ApiEvent
from productions.models import (
    Project,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)
from shots.models import Episode, Sequence, Shot
from tasks.models import Comment, PreviewFile, Task, TaskStatus, TaskType
from tests.conftest import PASSWORD

pytestmark = pytest.mark.contract

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
    reason="ffmpeg is not installed",
)


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def plain_http(settings):
    # The live server speaks plain HTTP: with the production default the
    # security middleware would redirect every call to https.
    if settings.SECURE_SSL_REDIRECT:
        pytest.skip("needs SECURE_SSL_REDIRECT=false, as `make test` sets it")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Stored media go to a fresh folder; x264 runs at its fastest preset."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.PREVIEW_X264_PRESET = "ultrafast"
    return tmp_path / "media"


@pytest.fixture
def connect(live_server):
    """``connect(person)`` returns a Gazu client of its own, logged in as ``person``."""
    clients = []

    def make(person=None):
        kitsu = gazu.client.create_client(live_server.url + "/api")
        clients.append(kitsu)
        if person is not None:
            gazu.log_in(person.email, PASSWORD, client=kitsu)
        return kitsu

    yield make
    # Drop the kept-alive connections so that no server thread outlives the test.
    for kitsu in clients:
        kitsu.session.close()


@pytest.fixture
def prod(make_person):
    """A TV show (64x48 at 25 fps) with its team, one shot and a second production.

    Agent 327: episode E01 > sequence SQ01 > shots SH010 and SH020. The
    artist is assigned the SH010 animation task, the SH020 animation task
    is assigned to nobody. The outsider artist works on Spring only.
    """
    call_command("init_data", verbosity=0)
    open_status = ProjectStatus.objects.get(name="Open")
    people = SimpleNamespace(
        admin=make_person("admin", first_name="Ada", last_name="Admin"),
        manager=make_person("manager", first_name="Max", last_name="Manager"),
        artist=make_person("user", first_name="Art", last_name="Artist"),
        client=make_person("client", first_name="Cleo", last_name="Client"),
        outsider=make_person("user", first_name="Bob", last_name="Elsewhere"),
    )
    project = Project.objects.create(
        name="Agent 327",
        production_type="tvshow",
        project_status=open_status,
        resolution="64x48",
        fps="25",
    )
    other = Project.objects.create(name="Spring", project_status=open_status)
    for person in (people.manager, people.artist, people.client):
        ProjectPersonLink.objects.create(project=project, person=person)
    ProjectPersonLink.objects.create(project=other, person=people.outsider)
    animation = TaskType.objects.get(name="Animation", for_entity="Shot")
    for linked in (project, other):
        ProjectTaskTypeLink.objects.create(project=linked, task_type=animation)
        for priority, status in enumerate(TaskStatus.objects.order_by("name")):
            ProjectTaskStatusLink.objects.create(
                project=linked, task_status=status, priority=priority
            )

    episode = Episode.objects.create(project=project, name="E01")
    sequence = Sequence.objects.create(project=project, name="SQ01", parent=episode)
    sh010 = Shot.objects.create(
        project=project, name="SH010", parent=sequence, nb_frames=25, data={"fps": "25"}
    )
    sh020 = Shot.objects.create(project=project, name="SH020", parent=sequence, data={})
    statuses = {status.short_name: status for status in TaskStatus.objects.all()}

    def task(entity, *assignees):
        created = Task.objects.create(
            project=entity.project,
            entity=entity,
            task_type=animation,
            task_status=statuses["todo"],
            assigner=people.manager,
        )
        created.assignees.set(assignees)
        return created

    return SimpleNamespace(
        **vars(people),
        project=project,
        other=other,
        episode=episode,
        sequence=sequence,
        sh010=sh010,
        sh020=sh020,
        animation=animation,
        status=SimpleNamespace(**statuses),
        anim_task=task(sh010, people.artist),
        sh020_task=task(sh020),
    )


@pytest.fixture(scope="session")
def movie_path(tmp_path_factory):
    """A one-second 64x48 mp4, made once for the whole run."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    path = tmp_path_factory.mktemp("movies") / "playblast.mp4"
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-t", "1",
            "-pix_fmt", "yuv420p", str(path),
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    return path


def write_png(path, size=(300, 200), colour=(200, 30, 30)):
    Image.new("RGB", size, colour).save(path, format="PNG")
    return str(path)


def image_size(path):
    with Image.open(path) as image:
        return image.format, image.size


def probe(path):
    """ffprobe's view of a movie: its format names, streams and duration."""
    output = subprocess.run(
        [
            "ffprobe", "-v", "error", "-print_format", "json",
            "-show_streams", "-show_format", str(path),
        ],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output)


def ids(rows):
    return [row["id"] for row in rows]


def event_names(project):
    return list(
        ApiEvent.objects.filter(project_id=project.id)
        .order_by("created_at")
        .values_list("name", flat=True)
    )


# --- comments ---------------------------------------------------------------------------


def test_artist_comment_changes_the_task_status(prod, connect):
    kitsu = connect(prod.artist)
    wip = gazu.task.get_task_status_by_short_name("wip", client=kitsu)

    comment = gazu.task.add_comment(
        str(prod.anim_task.id), wip, "Blocking started", client=kitsu
    )

    assert comment["type"] == "Comment"
    assert (comment["object_id"], comment["object_type"]) == (str(prod.anim_task.id), "Task")
    assert (comment["text"], comment["task_status_id"]) == ("Blocking started", wip["id"])
    assert comment["person_id"] == str(prod.artist.id)
    # The 201 body embeds the full status and the full author.
    assert (comment["task_status"]["short_name"], comment["task_status"]["type"]) == (
        "wip",
        "TaskStatus",
    )
    assert comment["person"]["id"] == str(prod.artist.id)
    assert "password" not in comment["person"]

    task = gazu.task.get_task(str(prod.anim_task.id), client=kitsu)
    assert task["task_status_id"] == wip["id"]
    assert task["real_start_date"] is not None
    comments = gazu.task.all_comments_for_task(str(prod.anim_task.id), client=kitsu)
    assert ids(comments) == [comment["id"]]
    assert comments[0]["task_status"]["short_name"] == "wip"
    assert comments[0]["person"]["id"] == str(prod.artist.id)
    last = gazu.task.get_last_comment_for_task(str(prod.anim_task.id), client=kitsu)
    assert last["id"] == comment["id"]
    assert gazu.task.get_comment(comment["id"], client=kitsu)["text"] == "Blocking started"
    names = event_names(prod.project)
    assert "comment:new" in names
    assert "task:status-changed" in names
    changed = ApiEvent.objects.get(name="task:status-changed").data
    assert (changed["previous_task_status_id"], changed["new_task_status_id"]) == (
        str(prod.status.todo.id),
        wip["id"],
    )


def test_newest_comment_sets_the_status_and_deleting_it_restores_the_previous(prod, connect):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)

    first = gazu.task.add_comment(task, str(prod.status.wfa.id), "Please review", client=artist)
    # Timestamps are kept to the second: two comments of the same second
    # would tie in the newest-first order.
    time.sleep(1.1)
    retake = gazu.task.add_comment(task, str(prod.status.retake.id), "Faster", client=manager)

    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.retake.id)
    assert gazu.task.get_task(task, client=artist)["retake_count"] == 1
    assert ids(gazu.task.all_comments_for_task(task, client=artist)) == [
        retake["id"],
        first["id"],
    ]

    gazu.task.remove_comment(retake, client=manager)

    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.wfa.id)
    assert ids(gazu.task.all_comments_for_task(task, client=artist)) == [first["id"]]
    assert not Comment.objects.filter(pk=retake["id"]).exists()


def test_comment_notifies_the_assignee(prod, connect):
    manager = connect(prod.manager)
    artist = connect(prod.artist)

    comment = gazu.task.add_comment(
        str(prod.anim_task.id), str(prod.status.retake.id), "Arm pops at frame 12", client=manager
    )

    notifications = gazu.user.all_notifications(client=artist)
    assert len(notifications) == 1
    notification = notifications[0]
    assert notification["notification_type"] == "comment"
    assert (notification["comment_id"], notification["task_id"]) == (
        comment["id"],
        str(prod.anim_task.id),
    )
    assert (notification["author_id"], notification["read"], notification["change"]) == (
        str(prod.manager.id),
        False,
        True,
    )
    assert notification["full_entity_name"] == "E01 / SQ01 / SH010"
    # The author is not notified of their own comment.
    assert gazu.user.all_notifications(client=manager) == []

    single = gazu.user.get_notification(notification["id"], client=artist)
    assert single["id"] == notification["id"]
    updated = gazu.user.update_notification({"id": notification["id"], "read": True}, client=artist)
    assert updated["read"] is True
    assert gazu.user.all_notifications(client=artist)[0]["read"] is True


def test_artist_may_not_use_a_supervisor_status_or_another_production(prod, connect):
    artist = connect(prod.artist)
    outsider = connect(prod.outsider)

    # Done is not an artist status.
    with pytest.raises(NotAllowedException):
        gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.done.id), client=artist)
    with pytest.raises(NotAllowedException):
        gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=outsider)
    with pytest.raises(RouteNotFoundException):
        gazu.task.add_comment(UNKNOWN_ID, str(prod.status.wip.id), client=artist)
    with pytest.raises(ParameterException):
        gazu.task.add_comment(str(prod.anim_task.id), UNKNOWN_ID, client=artist)
    with pytest.raises(NotAuthenticatedException):
        gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=connect())
    assert not Comment.objects.exists()
    assert Task.objects.get(pk=prod.anim_task.id).task_status_id == prod.status.todo.id


def test_comment_with_attachment_reply_and_acknowledgement(prod, connect, tmp_path):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)
    notes = tmp_path / "notes.txt"
    notes.write_text("frame 12: the arm pops\n")

    comment = gazu.task.add_comment(
        task,
        str(prod.status.wip.id),
        "Notes attached",
        attachments=[str(notes)],
        checklist=[{"text": "Fix the arm", "checked": False}],
        client=artist,
    )

    assert comment["checklist"] == [{"text": "Fix the arm", "checked": False}]
    [attachment] = comment["attachment_files"]
    assert attachment["name"] == "notes.txt"
    listed = gazu.files.get_all_attachment_files_for_task(task, client=artist)
    assert ids(listed) == [attachment["id"]]
    assert gazu.files.get_attachment_file(attachment["id"], client=artist)["mimetype"] == (
        "text/plain"
    )
    downloaded = tmp_path / "downloaded.txt"
    gazu.files.download_attachment_file(attachment["id"], str(downloaded), client=manager)
    assert downloaded.read_text() == "frame 12: the arm pops\n"

    reply = gazu.task.reply_to_comment(task, comment, "On it", client=manager)
    assert reply["text"] == "On it"
    assert reply["person_id"] == str(prod.manager.id)
    acknowledged = gazu.task.acknowledge_comment(task, comment, client=manager)
    assert acknowledged["acknowledgements"] == [str(prod.manager.id)]

    stored = gazu.task.get_comment(comment["id"], client=artist)
    assert [item["text"] for item in stored["replies"]] == ["On it"]
    gazu.task.delete_comment_reply(task, comment, reply["id"], client=manager)
    assert gazu.task.get_comment(comment["id"], client=artist)["replies"] == []

    edited = gazu.task.update_comment({"id": comment["id"], "text": "Notes (edited)"}, client=artist)
    assert edited["text"] == "Notes (edited)"


def test_same_comment_on_several_tasks(prod, connect):
    manager = connect(prod.manager)
    tasks = [str(prod.anim_task.id), str(prod.sh020_task.id)]

    created = gazu.task.add_tasks_batch_comments(
        tasks,
        {
            "text": "Sequence review: all on hold",
            "task_status_id": str(prod.status.retake.id),
            "person_id": str(prod.manager.id),
        },
        client=manager,
    )

    assert sorted(comment["object_id"] for comment in created) == sorted(tasks)
    assert {comment["text"] for comment in created} == {"Sequence review: all on hold"}
    for task in tasks:
        assert gazu.task.get_task(task, client=manager)["task_status_id"] == str(
            prod.status.retake.id
        )


# --- previews ---------------------------------------------------------------------------


def test_publish_picture_preview(prod, connect, tmp_path):
    artist = connect(prod.artist)
    picture = write_png(tmp_path / "layout.png", (300, 200))

    comment, preview = gazu.task.publish_preview(
        str(prod.anim_task.id),
        str(prod.status.wfa.id),
        comment="Layout frame",
        preview_file_path=picture,
        set_thumbnail=True,
        client=artist,
    )

    assert comment["task_status_id"] == str(prod.status.wfa.id)
    assert (preview["type"], preview["revision"], preview["position"]) == ("PreviewFile", 1, 1)
    assert (preview["extension"], preview["original_name"]) == ("png", "layout")
    assert preview["task_id"] == str(prod.anim_task.id)
    preview = gazu.files.wait_for_preview_file(preview, timeout=10, poll_interval=0.2, client=artist)
    assert (preview["status"], preview["width"], preview["height"]) == ("ready", 300, 200)
    # The comment now carries the preview, the task and the shot point at it.
    [listed] = gazu.task.all_comments_for_task(str(prod.anim_task.id), client=artist)
    assert [item["id"] for item in listed["previews"]] == [preview["id"]]
    task = gazu.task.get_task(str(prod.anim_task.id), client=artist)
    assert task["last_preview_file_id"] == preview["id"]
    assert task["task_status_id"] == str(prod.status.wfa.id)
    assert gazu.shot.get_shot(str(prod.sh010.id), client=artist)["preview_file_id"] == (
        preview["id"]
    )
    assert ids(gazu.files.get_all_preview_files_for_task(str(prod.anim_task.id), client=artist)) == [
        preview["id"]
    ]

    downloads = {
        "original": gazu.files.download_preview_file,
        "cover": gazu.files.download_preview_file_cover,
        "thumbnail": gazu.files.download_preview_file_thumbnail,
    }
    for name, download in downloads.items():
        download(preview["id"], str(tmp_path / f"{name}.png"), client=artist)
    assert image_size(tmp_path / "original.png") == ("PNG", (300, 200))
    assert image_size(tmp_path / "cover.png") == ("PNG", (300, 200))
    assert image_size(tmp_path / "thumbnail.png") == ("PNG", (150, 100))
    names = event_names(prod.project)
    assert "preview-file:new" in names
    assert "preview-file:add-file" in names


@needs_ffmpeg
def test_comment_with_a_movie_preview_ends_ready_and_its_variants_download(
    prod, connect, movie_path, tmp_path
):
    artist = connect(prod.artist)
    manager = connect(prod.manager)

    comment, preview = gazu.task.publish_preview(
        str(prod.anim_task.id),
        str(prod.status.wfa.id),
        comment="Playblast v1",
        preview_file_path=str(movie_path),
        client=artist,
    )

    assert comment["task_status_id"] == str(prod.status.wfa.id)
    assert preview["revision"] == 1
    # Celery runs eagerly without a broker: the movie is processed by the time
    # the upload answers, or a moment later.
    ready = gazu.files.wait_for_preview_file(preview, timeout=30, poll_interval=0.2, client=artist)
    assert ready["status"] == "ready"
    assert (ready["extension"], ready["width"], ready["height"]) == ("mp4", 64, 48)
    assert ready["duration"] == pytest.approx(1.0, abs=0.1)
    assert gazu.files.get_running_preview_files(client=manager) == []

    highdef = tmp_path / "highdef.mp4"
    gazu.files.download_preview_file(ready, str(highdef), client=artist)
    lowdef = tmp_path / "lowdef.mp4"
    gazu.files.download_preview_lowdef_movie(ready, str(lowdef), client=manager)
    movie = tmp_path / "movie.mp4"
    gazu.files.download_preview_movie(ready, str(movie), client=manager)
    assert movie.read_bytes() == highdef.read_bytes()
    for path in (highdef, lowdef):
        info = probe(path)
        assert "mp4" in info["format"]["format_name"]
        video = next(stream for stream in info["streams"] if stream["codec_type"] == "video")
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert float(info["format"]["duration"]) == pytest.approx(1.0, abs=0.15)
    video = next(s for s in probe(highdef)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (64, 48)

    gazu.files.download_preview_file_thumbnail(ready, str(tmp_path / "thumb.png"), client=artist)
    assert image_size(tmp_path / "thumb.png") == ("PNG", (150, 100))
    gazu.files.download_preview_file_cover(ready, str(tmp_path / "cover.png"), client=artist)
    assert image_size(tmp_path / "cover.png") == ("PNG", (64, 48))
    gazu.files.extract_tile_from_preview(ready, str(tmp_path / "tile.png"), client=artist)
    assert image_size(tmp_path / "tile.png")[0] == "PNG"
    frame = gazu.files.extract_frame_from_preview(
        ready, 12, str(tmp_path / "frame.png"), client=artist
    )
    assert frame.status_code == 200
    assert image_size(tmp_path / "frame.png") == ("PNG", (64, 48))


def test_second_preview_is_a_new_revision_and_extras_share_it(prod, connect, tmp_path):
    artist = connect(prod.artist)
    task = str(prod.anim_task.id)
    wip = str(prod.status.wip.id)
    first_comment, first = gazu.task.publish_preview(
        task, wip, preview_file_path=write_png(tmp_path / "a.png"), client=artist
    )
    second_comment, second = gazu.task.publish_preview(
        task, wip, preview_file_path=write_png(tmp_path / "b.png"), client=artist
    )
    extra = gazu.task.add_extra_preview(
        task,
        second_comment,
        second,
        preview_file_path=write_png(tmp_path / "c.png", (64, 48)),
        client=artist,
    )

    assert (first["revision"], second["revision"]) == (1, 2)
    assert (extra["revision"], extra["position"]) == (2, 2)
    assert sorted(
        (row["revision"], row.get("position"))
        for row in gazu.files.get_all_preview_files_for_task(task, client=artist)
    ) == [(1, 1), (2, 1), (2, 2)]
    by_type = gazu.playlist.get_entity_preview_files(str(prod.sh010.id), client=artist)
    assert list(by_type) == [str(prod.animation.id)]
    # Newest revision first.
    assert [row["revision"] for row in by_type[str(prod.animation.id)]][:1] == [2]

    moved = gazu.files.update_preview_position(extra, 1, client=artist)
    assert moved["position"] == 1
    assert PreviewFile.objects.get(pk=second["id"]).position == 2

    main = gazu.task.set_main_preview(first, client=artist)
    assert main["id"] == first["id"]
    assert str(Shot.objects.get(pk=prod.sh010.id).preview_file_id) == first["id"]


def test_annotations_and_removing_a_preview(prod, connect, tmp_path):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)
    comment, preview = gazu.task.publish_preview(
        task,
        str(prod.status.wfa.id),
        preview_file_path=write_png(tmp_path / "frame.png"),
        client=artist,
    )
    drawing = {"time": 0, "frame": 0, "drawing": {"objects": [{"id": "stroke-1", "type": "path"}]}}

    annotated = gazu.files.update_preview_annotations(preview, additions=[drawing], client=manager)

    assert len(annotated["annotations"]) == 1
    assert annotated["annotations"][0]["time"] == 0
    stored = gazu.files.get_preview_file(preview["id"], client=artist)
    assert stored["annotations"] == annotated["annotations"]

    gazu.task.remove_preview_from_comment(task, comment, preview, client=manager)
    assert not PreviewFile.objects.filter(pk=preview["id"]).exists()
    assert gazu.task.get_comment(comment["id"], client=artist)["previews"] == []
    with pytest.raises(RouteNotFoundException):
        gazu.files.get_preview_file(preview["id"], client=artist)


def test_unsupported_upload_is_refused_and_nothing_kept(prod, connect, tmp_path):
    artist = connect(prod.artist)
    comment = gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=artist)
    bogus = tmp_path / "notes.xyz"
    bogus.write_bytes(b"not a picture")

    with pytest.raises(ParameterException):
        gazu.task.add_preview(str(prod.anim_task.id), comment, str(bogus), client=artist)

    assert not PreviewFile.objects.exists()


def test_outsider_may_not_add_previews(prod, connect, tmp_path):
    artist = connect(prod.artist)
    outsider = connect(prod.outsider)
    comment = gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=artist)

    with pytest.raises(NotAllowedException):
        gazu.task.create_preview(str(prod.anim_task.id), comment, client=outsider)
    with pytest.raises(RouteNotFoundException):
        gazu.task.create_preview(UNKNOWN_ID, comment, client=artist)
    assert not PreviewFile.objects.exists()
