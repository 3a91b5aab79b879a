"""The real Gazu client against a live server: the review loop. An artist
posts comments that change a task's status and attaches picture and movie
previews; supervisors review them in playlists; pipeline tools register
working and output files; everyone logs their time.

Each test logs in with a Gazu client of its own. The production every test
starts from is built directly in the database; the calls under test go
through Gazu, with real files made in the test (Pillow pictures, ffmpeg
movies) and stored under a temporary media folder.
"""

import datetime
import json
import shutil
import subprocess
import zipfile
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


def names_of(rows):
    return [row["name"] for row in rows]


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

    comment = gazu.task.add_comment(str(prod.anim_task.id), wip, "Blocking started", client=kitsu)

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
    retake = gazu.task.add_comment(task, str(prod.status.retake.id), "Faster", client=manager)

    fetched = gazu.task.get_task(task, client=artist)
    assert fetched["task_status_id"] == str(prod.status.retake.id)
    assert fetched["retake_count"] == 1
    assert fetched["last_comment_date"] == retake["created_at"]
    assert sorted(ids(gazu.task.all_comments_for_task(task, client=artist))) == sorted(
        [retake["id"], first["id"]]
    )

    gazu.task.remove_comment(retake, client=manager)

    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.wfa.id)
    assert ids(gazu.task.all_comments_for_task(task, client=artist)) == [first["id"]]
    assert not Comment.objects.filter(pk=retake["id"]).exists()
    assert "comment:delete" in event_names(prod.project)


def test_back_dated_comment_is_listed_in_date_order_and_keeps_the_newest_status(prod, connect):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)
    two_days_ago = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    two_days_ago -= datetime.timedelta(days=2)
    stamp = two_days_ago.isoformat()

    current = gazu.task.add_comment(task, str(prod.status.wip.id), "Started", client=artist)
    # Managers may post a comment at an earlier date (an import, a note from
    # a meeting): it takes its place in the history without changing the
    # status set by the newest comment.
    older = gazu.task.add_comment(
        task, str(prod.status.retake.id), "From Monday's review", created_at=stamp, client=manager
    )

    assert older["created_at"] == stamp
    assert ids(gazu.task.all_comments_for_task(task, client=artist)) == [
        current["id"],
        older["id"],
    ]
    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.wip.id)
    assert gazu.task.get_last_comment_for_task(task, client=artist)["id"] == current["id"]

    # Artists may not back-date: the date they send is ignored.
    ignored = gazu.task.add_comment(
        task, str(prod.status.wfa.id), "Done?", created_at=stamp, client=artist
    )
    assert ignored["created_at"] > stamp
    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.wfa.id)


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
    with pytest.raises(NotAuthenticatedException):
        gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=connect())
    assert not Comment.objects.exists()
    assert Task.objects.get(pk=prod.anim_task.id).task_status_id == prod.status.todo.id


def test_comment_with_an_unknown_status_is_not_found(prod, connect):
    artist = connect(prod.artist)

    with pytest.raises(RouteNotFoundException):
        gazu.task.add_comment(str(prod.anim_task.id), UNKNOWN_ID, client=artist)


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
    # Listing a task's attachments is an admin route, as in Zou.
    admin = connect(prod.admin)
    listed = gazu.files.get_all_attachment_files_for_task(task, client=admin)
    assert ids(listed) == [attachment["id"]]
    with pytest.raises(NotAllowedException):
        gazu.files.get_all_attachment_files_for_task(task, client=artist)
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

    edited = gazu.task.update_comment(
        {"id": comment["id"], "text": "Notes (edited)"}, client=artist
    )
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


def test_batch_comments_with_a_preview_in_one_call(prod, connect, tmp_path):
    artist = connect(prod.artist)
    task = str(prod.anim_task.id)
    picture = write_png(tmp_path / "batch.png", (120, 80))

    created = gazu.task.batch_comments(
        [
            {
                "task_status_id": str(prod.status.wip.id),
                "comment": "Work in progress",
                "preview_files": [picture],
            },
            {"task_status_id": str(prod.status.wfa.id), "comment": "Ready for review"},
        ],
        task=task,
        client=artist,
    )

    assert sorted(comment["text"] for comment in created) == [
        "Ready for review",
        "Work in progress",
    ]
    with_preview = next(comment for comment in created if comment["text"] == "Work in progress")
    # Each posted comment lists the previews made from its files.
    [preview] = with_preview["preview_files"]
    assert (preview["revision"], preview["extension"], preview["status"]) == (1, "png", "ready")
    assert (preview["width"], preview["height"]) == (120, 80)
    assert ids(gazu.files.get_all_preview_files_for_task(task, client=artist)) == [preview["id"]]
    # The comment row itself lists its previews by id.
    assert gazu.task.get_comment(with_preview["id"], client=artist)["previews"] == [preview["id"]]
    assert gazu.task.get_task(task, client=artist)["task_status_id"] == str(prod.status.wfa.id)


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
    preview = gazu.files.wait_for_preview_file(
        preview, timeout=10, poll_interval=0.2, client=artist
    )
    assert (preview["status"], preview["width"], preview["height"]) == ("ready", 300, 200)
    # The comment now carries the preview, the task and the shot point at it.
    [listed] = gazu.task.all_comments_for_task(str(prod.anim_task.id), client=artist)
    assert [item["id"] for item in listed["previews"]] == [preview["id"]]
    task = gazu.task.get_task(str(prod.anim_task.id), client=artist)
    assert task["last_preview_file_id"] == preview["id"]
    assert task["task_status_id"] == str(prod.status.wfa.id)
    assert (
        gazu.shot.get_shot(str(prod.sh010.id), client=artist)["preview_file_id"] == (preview["id"])
    )
    assert ids(
        gazu.files.get_all_preview_files_for_task(str(prod.anim_task.id), client=artist)
    ) == [preview["id"]]

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
    assert gazu.files.get_running_preview_files(client=connect(prod.admin)) == []

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
    # Extracting a given frame is for managers.
    frame = gazu.files.extract_frame_from_preview(
        ready, 12, str(tmp_path / "frame.png"), client=manager
    )
    assert frame.status_code == 200
    assert image_size(tmp_path / "frame.png") == ("PNG", (64, 48))
    with pytest.raises(NotAllowedException):
        gazu.files.extract_frame_from_preview(ready, 12, client=artist)


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

    # Zou answers with the entity the preview now illustrates.
    main = gazu.task.set_main_preview(first, client=artist)
    assert (main["id"], main["preview_file_id"]) == (str(prod.sh010.id), first["id"])
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


def test_unsupported_or_corrupt_uploads_are_refused_and_nothing_kept(
    prod, connect, tmp_path, media_root
):
    artist = connect(prod.artist)
    comment = gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=artist)
    unsupported = tmp_path / "notes.xyz"
    unsupported.write_bytes(b"not a picture")
    corrupt = tmp_path / "broken.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n but nothing after the signature")

    for path in (unsupported, corrupt):
        with pytest.raises(ParameterException):
            gazu.task.add_preview(str(prod.anim_task.id), comment, str(path), client=artist)

    assert not PreviewFile.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []


def test_outsider_may_not_add_previews(prod, connect, tmp_path):
    artist = connect(prod.artist)
    outsider = connect(prod.outsider)
    comment = gazu.task.add_comment(str(prod.anim_task.id), str(prod.status.wip.id), client=artist)

    with pytest.raises(NotAllowedException):
        gazu.task.create_preview(str(prod.anim_task.id), comment, client=outsider)
    with pytest.raises(RouteNotFoundException):
        gazu.task.create_preview(UNKNOWN_ID, comment, client=artist)
    assert not PreviewFile.objects.exists()


# --- playlists --------------------------------------------------------------------------


def test_manager_builds_a_review_playlist(prod, connect, tmp_path):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    project = str(prod.project.id)
    _comment, first = gazu.task.publish_preview(
        str(prod.anim_task.id),
        str(prod.status.wfa.id),
        preview_file_path=write_png(tmp_path / "v1.png"),
        client=artist,
    )
    _comment, second = gazu.task.publish_preview(
        str(prod.anim_task.id),
        str(prod.status.wfa.id),
        preview_file_path=write_png(tmp_path / "v2.png"),
        client=artist,
    )

    playlist = gazu.playlist.new_playlist(
        project, "Daily 01", episode=str(prod.episode.id), client=manager
    )
    assert (playlist["type"], playlist["name"], playlist["for_entity"]) == (
        "Playlist",
        "Daily 01",
        "shot",
    )
    assert (playlist["project_id"], playlist["episode_id"]) == (project, str(prod.episode.id))
    assert not playlist["shots"]
    # Asking again finds the playlist of that name instead of creating another.
    again = gazu.playlist.new_playlist(project, "Daily 01", client=manager)
    assert again["id"] == playlist["id"]
    assert names_of(gazu.playlist.all_playlists_for_project(project, client=manager)) == [
        "Daily 01"
    ]
    assert ids(gazu.playlist.all_playlists_for_episode(str(prod.episode.id), client=manager)) == [
        playlist["id"]
    ]

    # Without a preview, the newest revision of the shot is picked.
    playlist = gazu.playlist.add_entity_to_playlist(playlist, str(prod.sh010.id), client=manager)
    assert [(entry["entity_id"], entry["preview_file_id"]) for entry in playlist["shots"]] == [
        (str(prod.sh010.id), second["id"])
    ]
    fetched = gazu.playlist.get_playlist(playlist["id"], client=artist)
    assert fetched["shots"] == playlist["shots"]
    # The project route resolves the entries to their preview files.
    resolved = gazu.client.fetch_one(f"projects/{project}/playlists", playlist["id"], client=artist)
    [entry] = resolved["shots"]
    assert (entry["preview_file_id"], entry["preview_file_revision"]) == (second["id"], 2)
    assert (entry["preview_file_extension"], entry["preview_file_status"]) == ("png", "ready")
    assert (
        gazu.playlist.get_playlist_by_name(project, "Daily 01", client=manager)["id"]
        == (playlist["id"])
    )

    # Pin the first revision, then take the shot out again.
    playlist = gazu.playlist.update_entity_preview(
        gazu.playlist.get_playlist(playlist, client=manager),
        str(prod.sh010.id),
        first,
        client=manager,
    )
    assert [
        entry["preview_file_id"]
        for entry in gazu.playlist.get_playlist(playlist, client=manager)["shots"]
    ] == [first["id"]]
    gazu.playlist.remove_entity_from_playlist(playlist, str(prod.sh010.id), client=manager)
    assert gazu.playlist.get_playlist(playlist, client=manager)["shots"] == []

    renamed = gazu.playlist.update_playlist(
        {"id": playlist["id"], "name": "Daily 01 (retakes)"}, client=manager
    )
    assert renamed["name"] == "Daily 01 (retakes)"
    gazu.playlist.delete_playlist(playlist, client=manager)
    with pytest.raises(RouteNotFoundException):
        gazu.playlist.get_playlist(playlist["id"], client=manager)
    assert "playlist:delete" in event_names(prod.project)


def test_playlist_permissions_and_client_visibility(prod, connect):
    project = str(prod.project.id)
    manager = connect(prod.manager)
    artist = connect(prod.artist)
    client = connect(prod.client)
    outsider = connect(prod.outsider)
    internal = gazu.playlist.new_playlist(project, "Internal", client=manager)
    shared = gazu.playlist.new_playlist(project, "For the client", for_client=True, client=manager)

    with pytest.raises(NotAllowedException):
        gazu.playlist.new_playlist(project, "Mine", client=artist)
    with pytest.raises(NotAllowedException):
        gazu.playlist.all_playlists_for_project(project, client=outsider)
    with pytest.raises(NotAllowedException):
        gazu.playlist.get_playlist(internal["id"], client=outsider)
    with pytest.raises(RouteNotFoundException):
        gazu.playlist.get_playlist(UNKNOWN_ID, client=manager)
    assert names_of(gazu.playlist.all_playlists_for_project(project, client=manager)) == [
        "For the client",
        "Internal",
    ]
    assert ids(gazu.playlist.all_playlists_for_project(project, client=client)) == [shared["id"]]

    notified = gazu.playlist.notify_clients_playlist_ready(shared, client=manager)
    assert notified == {"status": "success"}
    [notification] = gazu.user.all_notifications(client=client)
    assert notification["notification_type"] == "playlist-ready"
    assert (notification["playlist_id"], notification["playlist_name"]) == (
        shared["id"],
        "For the client",
    )


def test_share_links_of_a_playlist(prod, connect):
    manager = connect(prod.manager)
    artist = connect(prod.artist)
    playlist = gazu.playlist.new_playlist(str(prod.project.id), "Client review", client=manager)

    link = gazu.playlist.new_share_link(
        playlist, expiration_date="2099-01-01", can_comment=False, password="s3cret", client=manager
    )

    assert link["playlist_id"] == playlist["id"]
    assert (link["type"], link["can_comment"], link["is_active"]) == (
        "PlaylistShareLink",
        False,
        True,
    )
    assert link["expiration_date"] == "2099-01-01T00:00:00"
    assert len(link["token"]) >= 32
    # The password is kept hashed and never sent back.
    assert link["has_password"] is True
    assert "password" not in link
    listed = gazu.playlist.all_share_links_for_playlist(playlist, client=manager)
    assert [row["token"] for row in listed] == [link["token"]]
    with pytest.raises(NotAllowedException):
        gazu.playlist.new_share_link(playlist, client=artist)

    gazu.playlist.remove_share_link(playlist, link["token"], client=manager)
    assert gazu.playlist.all_share_links_for_playlist(playlist, client=manager) == []


@needs_ffmpeg
def test_build_and_download_a_playlist_movie(prod, connect, movie_path, tmp_path):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    admin = connect(prod.admin)
    _comment, preview = gazu.task.publish_preview(
        str(prod.anim_task.id),
        str(prod.status.wfa.id),
        preview_file_path=str(movie_path),
        client=artist,
    )
    gazu.files.wait_for_preview_file(preview, timeout=30, poll_interval=0.2, client=artist)
    playlist = gazu.playlist.new_playlist(str(prod.project.id), "Edit", client=manager)
    playlist = gazu.playlist.add_entity_to_playlist(
        playlist, str(prod.sh010.id), preview, client=manager
    )

    job = gazu.playlist.build_playlist_movie(playlist, client=manager)

    assert job["playlist_id"] == playlist["id"]
    job = gazu.playlist.get_build_job(playlist, job, client=manager)
    assert job["status"] == "succeeded"
    assert ids(gazu.playlist.all_build_jobs_for_project(str(prod.project.id), client=admin)) == [
        job["id"]
    ]
    built = tmp_path / "edit.mp4"
    gazu.playlist.download_playlist_build(playlist, job, str(built), client=manager)
    info = probe(built)
    assert float(info["format"]["duration"]) == pytest.approx(1.0, abs=0.2)
    with pytest.raises(NotAllowedException):
        gazu.playlist.build_playlist_movie(playlist, client=artist)

    archive = tmp_path / "edit.zip"
    gazu.playlist.download_playlist_zip(playlist, str(archive), client=manager)
    with zipfile.ZipFile(archive) as opened:
        [member] = opened.namelist()
        assert member.endswith(".mp4")

    gazu.playlist.remove_build_job(playlist, job, client=manager)
    assert gazu.playlist.all_build_jobs_for_project(str(prod.project.id), client=admin) == []


# --- working files, output files and their types -------------------------------------


def test_softwares_output_types_and_file_statuses(prod, connect):
    admin = connect(prod.admin)
    artist = connect(prod.artist)

    blender = gazu.files.new_software(
        "Blender", "bl", "blend", secondary_extensions=["blend1"], client=admin
    )
    assert (blender["type"], blender["short_name"], blender["file_extension"]) == (
        "Software",
        "bl",
        "blend",
    )
    assert blender["secondary_extensions"] == ["blend1"]
    assert gazu.files.new_software("Blender", "bl", "blend", client=admin)["id"] == blender["id"]
    assert ids(gazu.files.all_softwares(client=artist)) == [blender["id"]]
    assert gazu.files.get_software(blender["id"], client=artist)["name"] == "Blender"
    assert gazu.files.get_software_by_name("Blender", client=artist)["id"] == blender["id"]
    updated = gazu.files.update_software(
        {"id": blender["id"], "file_extension": "blend3"}, client=admin
    )
    assert updated["file_extension"] == "blend3"

    geometry = gazu.files.new_output_type("Geometry", "geo", client=admin)
    assert (geometry["type"], geometry["short_name"]) == ("OutputType", "geo")
    assert gazu.files.new_output_type("Geometry", "geo", client=admin)["id"] == geometry["id"]
    assert ids(gazu.files.all_output_types(client=artist)) == [geometry["id"]]
    assert gazu.files.get_output_type(geometry["id"], client=artist)["name"] == "Geometry"
    assert gazu.files.get_output_type_by_name("Geometry", client=artist)["id"] == geometry["id"]
    assert gazu.files.get_output_type_by_name("Nope", client=artist) is None

    approved = gazu.files.new_file_status("Approved", "#00FF00", client=admin)
    assert (approved["type"], approved["color"]) == ("FileStatus", "#00FF00")
    assert gazu.files.get_file_status(approved["id"], client=artist)["name"] == "Approved"
    assert gazu.files.get_file_status_by_name("Approved", client=artist)["id"] == approved["id"]

    # Only admins define them.
    with pytest.raises(NotAllowedException):
        gazu.files.new_software("Maya", "ma", "ma", client=artist)
    with pytest.raises(NotAllowedException):
        gazu.files.new_output_type("Cache", "cache", client=artist)


def test_working_files_of_a_task(prod, connect, tmp_path):
    admin = connect(prod.admin)
    artist = connect(prod.artist)
    blender = gazu.files.new_software("Blender", "bl", "blend", client=admin)
    task = str(prod.anim_task.id)

    path = gazu.files.build_working_file_path(task, software=blender, revision=3, client=artist)
    # The default file tree: lower case, revision padded to three digits.
    assert path == (
        "/productions/agent_327/shots/e01/sq01/sh010/animation/"
        "agent_327_sq01_sh010_animation_main_v003"
    )

    first = gazu.files.new_working_file(task, software=blender, comment="blocking", client=artist)
    second = gazu.files.new_working_file(task, software=blender, comment="spline", client=artist)
    other = gazu.files.new_working_file(task, name="cam", client=artist)

    assert (first["type"], first["revision"], first["name"]) == ("WorkingFile", 1, "main")
    assert (first["task_id"], first["entity_id"]) == (task, str(prod.sh010.id))
    assert first["person_id"] == str(prod.artist.id)
    assert first["software_id"] == blender["id"]
    assert first["path"].endswith("agent_327_sq01_sh010_animation_main_v001")
    assert (second["revision"], other["revision"]) == (2, 1)
    assert sorted(
        (row["name"], row["revision"])
        for row in gazu.files.get_working_files_for_task(task, client=artist)
    ) == [("cam", 1), ("main", 1), ("main", 2)]
    last = gazu.files.get_last_working_files(task, client=artist)
    assert {name: row["id"] for name, row in last.items()} == {
        "main": second["id"],
        "cam": other["id"],
    }
    assert gazu.files.get_last_working_file_revision(task, client=artist)["id"] == second["id"]
    assert gazu.files.get_working_file(first["id"], client=artist)["comment"] == "blocking"
    assert ids(
        gazu.files.get_all_working_files_for_entity(str(prod.sh010.id), name="cam", client=artist)
    ) == [other["id"]]

    commented = gazu.files.update_comment(first, "blocking, approved", client=artist)
    assert commented["comment"] == "blocking, approved"
    touched = gazu.files.update_modification_date(first, client=artist)
    assert touched["id"] == first["id"]

    scene = tmp_path / "sh010.blend"
    scene.write_bytes(b"BLENDER-v300 scene data")
    uploaded = gazu.files.upload_working_file(second, str(scene), client=artist)
    assert uploaded["id"] == second["id"]
    copy = tmp_path / "copy.blend"
    gazu.files.download_working_file(second, str(copy), client=artist)
    assert copy.read_bytes() == b"BLENDER-v300 scene data"

    with pytest.raises(NotAllowedException):
        gazu.files.new_working_file(task, client=connect(prod.outsider))
    with pytest.raises(RouteNotFoundException):
        gazu.files.new_working_file(UNKNOWN_ID, client=artist)


def test_output_files_of_a_shot(prod, connect):
    admin = connect(prod.admin)
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    geometry = gazu.files.new_output_type("Geometry", "geo", client=admin)
    cache = gazu.files.new_output_type("Cache", "cache", client=admin)
    shot = str(prod.sh010.id)
    animation = str(prod.animation.id)
    working = gazu.files.new_working_file(str(prod.anim_task.id), client=artist)

    assert gazu.files.get_next_entity_output_revision(shot, geometry, animation, client=artist) == 1
    assert gazu.files.get_last_entity_output_revision(shot, geometry, animation, client=artist) == 0
    path = gazu.files.build_entity_output_file_path(
        shot, geometry, animation, revision=4, client=artist
    )
    assert path == (
        "/productions/agent_327/shots/e01/sq01/sh010/animation/geometry/"
        "agent_327_sq01_sh010_geometry_main_v004"
    )

    first = gazu.files.new_entity_output_file(
        shot,
        geometry,
        animation,
        "first export",
        working_file=working,
        representation="abc",
        client=artist,
    )
    second = gazu.files.new_entity_output_file(
        shot, geometry, animation, "second export", representation="abc", client=artist
    )
    cached = gazu.files.new_entity_output_file(shot, cache, animation, "sim", client=artist)

    assert (first["type"], first["revision"], second["revision"]) == ("OutputFile", 1, 2)
    assert (first["entity_id"], first["output_type_id"], first["task_type_id"]) == (
        shot,
        geometry["id"],
        animation,
    )
    assert first["source_file_id"] == working["id"]
    assert first["representation"] == "abc"
    assert first["file_status_id"] is not None
    assert cached["revision"] == 1
    assert gazu.files.get_last_entity_output_revision(shot, geometry, animation, client=artist) == 2
    assert sorted(
        ids(gazu.files.all_output_files_for_entity(shot, output_type=geometry, client=artist))
    ) == sorted([first["id"], second["id"]])
    assert ids(
        gazu.files.get_last_output_files_for_entity(shot, output_type=geometry, client=artist)
    ) == [second["id"]]
    assert sorted(ids(gazu.files.all_output_types_for_entity(shot, client=artist))) == sorted(
        [geometry["id"], cache["id"]]
    )
    assert len(gazu.files.all_output_files_for_project(str(prod.project.id), client=manager)) == 3
    assert gazu.files.get_output_file(first["id"], client=artist)["comment"] == "first export"
    assert gazu.files.get_output_file_by_path(first["path"], client=artist)["id"] == first["id"]
    updated = gazu.files.update_output_file(first, {"comment": "checked"}, client=artist)
    assert updated["comment"] == "checked"
    assert "output-file:new" in event_names(prod.project)


def test_file_tree_drives_the_paths(prod, connect):
    manager = connect(prod.manager)
    artist = connect(prod.artist)
    tree = {
        "working": {
            "mountpoint": "/mnt",
            "root": "work",
            "folder_path": {"shot": "<Project>/<Sequence>/<Shot>/<TaskType>", "style": "lowercase"},
            "file_name": {"shot": "<Shot>_<TaskType>_v<Revision>", "style": "lowercase"},
        }
    }

    project = gazu.files.update_project_file_tree(str(prod.project.id), tree, client=manager)

    assert project["file_tree"] == tree
    assert (
        gazu.files.build_working_file_path(str(prod.anim_task.id), revision=7, client=artist)
        == "/mnt/work/agent_327/sq01/sh010/animation/sh010_animation_v007"
    )
    with pytest.raises(NotAllowedException):
        gazu.files.update_project_file_tree(str(prod.project.id), tree, client=artist)


# --- time spents and day offs ---------------------------------------------------------


def test_time_spents_on_a_task(prod, connect):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)
    artist_id = str(prod.artist.id)

    created = gazu.task.set_time_spent(task, artist_id, "2026-03-02", 120, client=artist)
    assert (created["type"], created["duration"], created["date"]) == (
        "TimeSpent",
        120,
        "2026-03-02",
    )
    assert (created["task_id"], created["person_id"]) == (task, artist_id)
    added = gazu.task.add_time_spent(task, artist_id, "2026-03-02", 30, client=artist)
    assert (added["id"], added["duration"]) == (created["id"], 150)
    gazu.task.set_time_spent(task, artist_id, "2026-03-03", 60, client=manager)

    assert gazu.task.get_task(task, client=artist)["duration"] == 210
    spent = gazu.task.get_time_spent(task, client=artist)
    assert spent["total"] == 210
    assert sorted(row["duration"] for row in spent[artist_id]) == [60, 150]
    day = gazu.task.get_time_spent(task, "2026-03-02", client=artist)
    assert day["total"] == 150
    assert gazu.task.get_task_time_spent_for_date(task, "2026-03-03", client=artist)["total"] == 60

    # Replacing the value, then removing the entry, recompute the task duration.
    gazu.task.set_time_spent(task, artist_id, "2026-03-02", 90, client=artist)
    assert gazu.task.get_task(task, client=artist)["duration"] == 150
    gazu.task.remove_time_spent(created, client=manager)
    assert gazu.task.get_task(task, client=artist)["duration"] == 60
    assert "time-spent:delete" in event_names(prod.project)


def test_time_spents_are_refused_for_others_and_unassigned(prod, connect):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    outsider = connect(prod.outsider)
    task = str(prod.anim_task.id)

    # An artist logs only their own time, and only on tasks they are assigned to.
    with pytest.raises(NotAllowedException):
        gazu.task.set_time_spent(task, str(prod.manager.id), "2026-03-02", 60, client=artist)
    with pytest.raises(NotAllowedException):
        gazu.task.set_time_spent(task, str(prod.outsider.id), "2026-03-02", 60, client=outsider)
    with pytest.raises(NotAllowedException):
        gazu.task.set_time_spent(
            str(prod.sh020_task.id), str(prod.artist.id), "2026-03-02", 60, client=artist
        )
    # Even a manager logs time only for people assigned to the task.
    with pytest.raises(NotAllowedException):
        gazu.task.set_time_spent(
            str(prod.sh020_task.id), str(prod.artist.id), "2026-03-02", 60, client=manager
        )
    with pytest.raises(ParameterException):
        gazu.task.set_time_spent(task, str(prod.artist.id), "2026-03-02", -5, client=artist)
    with pytest.raises(ParameterException):
        gazu.task.set_time_spent(task, str(prod.artist.id), "not-a-date", 60, client=artist)
    with pytest.raises(RouteNotFoundException):
        gazu.task.set_time_spent(UNKNOWN_ID, str(prod.artist.id), "2026-03-02", 60, client=artist)
    assert gazu.task.get_task(task, client=artist)["duration"] == 0


def test_timesheets_of_the_user_and_of_a_person(prod, connect):
    artist = connect(prod.artist)
    admin = connect(prod.admin)
    task = str(prod.anim_task.id)
    artist_id = str(prod.artist.id)
    gazu.task.set_time_spent(task, artist_id, "2026-03-02", 120, client=artist)
    gazu.task.set_time_spent(task, artist_id, "2026-03-10", 45, client=artist)

    mine = gazu.user.get_time_spents_by_date("2026-03-02", client=artist)
    assert [(row["task_id"], row["duration"]) for row in mine] == [(task, 120)]
    ranged = gazu.user.get_timespents_range("2026-03-01", "2026-03-31", client=artist)
    assert sorted(row["duration"] for row in ranged) == [45, 120]
    entry = gazu.user.get_task_time_spent(task, "2026-03-10", client=artist)
    assert (entry["type"], entry["duration"], entry["person_id"]) == ("TimeSpent", 45, artist_id)

    by_date = gazu.person.get_time_spents_by_date(artist_id, "2026-03-10", client=admin)
    assert [row["duration"] for row in by_date] == [45]
    assert sorted(
        row["duration"]
        for row in gazu.person.get_time_spents_range(
            artist_id, "2026-03-01", "2026-03-05", client=admin
        )
    ) == [120]
    week = gazu.person.get_week_time_spents(artist_id, 2026, 10, client=admin)
    year = gazu.person.get_year_time_spents(artist_id, 2026, client=admin)
    assert [(row["task_id"], row["duration"]) for row in week] == [(task, 120)]
    assert [(row["task_id"], row["duration"]) for row in year] == [(task, 165)]
    assert (week[0]["entity_name"], week[0]["project_name"]) == ("SH010", "Agent 327")
    month = gazu.person.get_all_month_time_spents(
        artist_id, datetime.date(2026, 3, 1), client=artist
    )
    assert sorted(row["duration"] for row in month) == [45, 120]
    with pytest.raises(NotAllowedException):
        gazu.person.get_all_month_time_spents(
            artist_id, datetime.date(2026, 3, 1), client=connect(prod.outsider)
        )


def test_day_offs(prod, connect):
    artist = connect(prod.artist)
    admin = connect(prod.admin)
    artist_id = str(prod.artist.id)
    gazu.task.set_time_spent(str(prod.anim_task.id), artist_id, "2026-04-14", 60, client=artist)

    day_off = gazu.person.new_day_off(
        artist_id, "2026-04-13", "2026-04-15", description="Holidays", client=artist
    )

    assert (day_off["type"], day_off["date"], day_off["end_date"]) == (
        "DayOff",
        "2026-04-13",
        "2026-04-15",
    )
    assert (day_off["person_id"], day_off["description"]) == (artist_id, "Holidays")
    # Time logged within the period goes away.
    assert gazu.user.get_time_spents_by_date("2026-04-14", client=artist) == []
    assert ids(gazu.person.get_day_offs(artist_id, client=artist)) == [day_off["id"]]
    assert gazu.person.get_day_off(day_off["id"], client=artist)["description"] == "Holidays"
    assert gazu.user.get_day_off("2026-04-14", client=artist)["id"] == day_off["id"]
    assert ids(gazu.person.get_month_day_offs(artist_id, 2026, 4, client=admin)) == [day_off["id"]]
    assert ids(gazu.person.get_year_day_offs(artist_id, 2026, client=admin)) == [day_off["id"]]
    assert ids(gazu.person.get_week_day_offs(artist_id, 2026, 16, client=admin)) == [day_off["id"]]
    assert gazu.person.get_month_day_offs(artist_id, 2026, 5, client=admin) == []

    with pytest.raises(ParameterException):
        gazu.person.new_day_off(artist_id, "2026-04-15", "2026-04-16", client=artist)
    with pytest.raises(NotAllowedException):
        gazu.person.new_day_off(str(prod.manager.id), "2026-05-01", "2026-05-01", client=artist)

    moved = gazu.person.update_day_off(
        {"id": day_off["id"], "date": "2026-04-20", "end_date": "2026-04-21"}, client=artist
    )
    assert (moved["date"], moved["end_date"]) == ("2026-04-20", "2026-04-21")
    gazu.person.remove_day_off(day_off, client=artist)
    assert gazu.person.get_day_offs(artist_id, client=artist) == []


# --- the artist's day: to-do list, subscriptions, notifications -----------------------


def test_artist_todo_list_follows_the_review(prod, connect, tmp_path):
    artist = connect(prod.artist)
    manager = connect(prod.manager)
    task = str(prod.anim_task.id)

    gazu.task.publish_preview(
        task,
        str(prod.status.wfa.id),
        comment="Ready for review",
        preview_file_path=write_png(tmp_path / "frame.png"),
        client=artist,
    )

    [todo] = gazu.user.all_tasks_to_do(client=artist)
    assert todo["id"] == task
    assert todo["task_status_short_name"] == "wfa"
    assert todo["last_comment"]["text"] == "Ready for review"
    assert todo["last_comment"]["person_id"] == str(prod.artist.id)
    assert todo["last_preview_file_id"] is not None
    # Tasks waiting for feedback are listed for the people who give it.
    assert ids(gazu.user.all_tasks_requiring_feedback(client=manager)) == [task]
    assert gazu.user.all_tasks_requiring_feedback(client=artist) == []

    gazu.task.add_comment(task, str(prod.status.done.id), "Approved", client=manager)
    assert gazu.user.all_tasks_to_do(client=artist) == []
    assert ids(gazu.user.all_done_tasks(client=artist)) == [task]


def test_subscriptions_and_marking_notifications_read(prod, connect):
    manager = connect(prod.manager)
    artist = connect(prod.artist)
    task = str(prod.sh020_task.id)

    assert gazu.user.check_task_subscription(task, client=manager) is False
    subscription = gazu.user.subscribe_to_task(task, client=manager)
    assert (subscription["task_id"], subscription["person_id"]) == (task, str(prod.manager.id))
    assert gazu.user.check_task_subscription(task, client=manager) is True

    # Nobody is assigned to SH020: only its subscriber hears of the comment.
    comment = gazu.task.add_comment(
        task, str(prod.status.wip.id), "Taking it", client=connect(prod.admin)
    )
    [notification] = gazu.user.all_notifications(client=manager)
    assert (notification["task_id"], notification["comment_id"]) == (task, comment["id"])
    assert (notification["notification_type"], notification["change"]) == ("comment", True)
    assert notification["subscription_id"] == subscription["id"]
    assert notification["comment_text"] == "Taking it"

    assert gazu.user.mark_all_notifications_as_read(client=manager) == {"success": True}
    assert [row["read"] for row in gazu.user.all_notifications(client=manager)] == [True]
    assert gazu.user.all_notifications(client=artist) == []

    gazu.user.unsubscribe_from_task(task, client=manager)
    assert gazu.user.check_task_subscription(task, client=manager) is False


def test_desktop_login_logs(prod, connect):
    artist = connect(prod.artist)

    entry = gazu.user.log_desktop_session_log_in(client=artist)

    assert entry["person_id"] == str(prod.artist.id)
    assert ids(gazu.user.all_desktop_login_logs(client=artist)) == [entry["id"]]


def test_artist_joins_and_leaves_the_chat_of_a_shot(prod, connect):
    artist = connect(prod.artist)
    outsider = connect(prod.outsider)
    shot = str(prod.sh010.id)

    chat = gazu.user.join_chat(shot, client=artist)

    assert (chat["type"], chat["object_id"]) == ("Chat", shot)
    assert str(prod.artist.id) in chat["participants"]
    assert [row["object_id"] for row in gazu.user.all_chats(client=artist)] == [shot]
    with pytest.raises(NotAllowedException):
        gazu.user.join_chat(shot, client=outsider)
    with pytest.raises(RouteNotFoundException):
        gazu.user.join_chat(UNKNOWN_ID, client=artist)

    gazu.user.leave_chat(shot, client=artist)
    assert gazu.user.all_chats(client=artist) == []
