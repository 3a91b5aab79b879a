"""Movie builds of playlists (real ffmpeg runs), their jobs and downloads, and the zip."""

import io
import json
import subprocess
import zipfile

import pytest

from kitsu_backend.api.models import ApiEvent
from tasks import playlist_builds
from tasks.media import storage
from tasks.models import BuildJob

from .conftest import UNKNOWN_ID


@pytest.fixture
def api(client_for):
    return client_for


@pytest.fixture
def movie_playlist(shot, make_shot, task, make_task, animation, stored_movie, make_playlist):
    """A playlist of two shots, each with a one-second movie in storage."""
    second_shot = make_shot("SH0020")
    first = stored_movie(task)
    second = stored_movie(make_task(second_shot, animation))
    return make_playlist(
        shots=[
            {"entity_id": str(shot.id), "preview_file_id": str(first.id)},
            {"entity_id": str(second_shot.id), "preview_file_id": str(second.id)},
        ]
    )


def movie_duration(content, tmp_path):
    path = tmp_path / "downloaded.mp4"
    path.write_bytes(content)
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
        capture_output=True, check=True, text=True,
    )  # fmt: skip
    return float(json.loads(result.stdout)["format"]["duration"])


def downloaded(response):
    return b"".join(response.streaming_content)


def test_build_concatenates_movies_into_a_downloadable_mp4(
    api, manager, team, movie_playlist, committed, tmp_path
):
    with committed():
        response = api(manager).get(f"/api/data/playlists/{movie_playlist.id}/build/mp4")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "BuildJob"
    assert body["job_type"] == "movie"
    assert body["playlist_id"] == str(movie_playlist.id)
    job = BuildJob.objects.get(pk=body["id"])
    assert job.status == "succeeded"
    assert job.ended_at is not None
    assert ApiEvent.objects.filter(name="build-job:new").count() == 1
    update = ApiEvent.objects.get(name="build-job:update")
    assert update.data["status"] == "succeeded"

    download = api(manager).get(f"/api/data/playlists/{movie_playlist.id}/jobs/{job.id}/build/mp4")
    assert download.status_code == 200
    assert download["Content-Type"] == "video/mp4"
    assert "attachment" in download["Content-Disposition"]
    assert "demo_tv_main_pack_dailies.mp4" in download["Content-Disposition"]
    assert movie_duration(downloaded(download), tmp_path) == pytest.approx(2.0, abs=0.15)


def test_full_build_reencodes_with_the_concat_filter(
    api, manager, team, movie_playlist, committed, tmp_path, monkeypatch
):
    demuxer_calls = []
    monkeypatch.setattr(
        playlist_builds, "concat_with_demuxer", lambda *args: demuxer_calls.append(args)
    )
    with committed():
        response = api(manager).get(f"/api/data/playlists/{movie_playlist.id}/build/mp4?full=true")
    job = BuildJob.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded"
    assert demuxer_calls == []
    content = storage.read(playlist_builds.build_movie_key(job.id))
    assert movie_duration(content, tmp_path) == pytest.approx(2.0, abs=0.15)


def test_build_falls_back_to_the_filter_when_the_demuxer_fails(
    manager, team, movie_playlist, monkeypatch, tmp_path
):
    monkeypatch.setattr(playlist_builds, "concat_with_demuxer", lambda *args: False)
    job = BuildJob.objects.create(playlist=movie_playlist)
    assert playlist_builds.build_playlist_movie(str(job.id)) == "succeeded"
    content = storage.read(playlist_builds.build_movie_key(job.id))
    assert movie_duration(content, tmp_path) == pytest.approx(2.0, abs=0.15)


def test_second_build_while_one_runs_is_a_conflict(api, manager, team, movie_playlist):
    BuildJob.objects.create(playlist=movie_playlist, status="running")
    response = api(manager).get(f"/api/data/playlists/{movie_playlist.id}/build/mp4")
    assert response.status_code == 409
    assert response.json()["error"] is True
    assert BuildJob.objects.count() == 1


def test_build_without_movies_fails_and_cannot_be_downloaded(
    api, manager, team, shot, task, make_preview, make_playlist, committed, media
):
    picture = make_preview(task)
    playlist = make_playlist(
        shots=[{"entity_id": str(shot.id), "preview_file_id": str(picture.id)}]
    )
    with committed():
        response = api(manager).get(f"/api/data/playlists/{playlist.id}/build/mp4")
    job = BuildJob.objects.get(pk=response.json()["id"])
    assert job.status == "failed"
    assert "no ready movie" in job.message
    download = api(manager).get(f"/api/data/playlists/{playlist.id}/jobs/{job.id}/build/mp4")
    assert download.status_code == 400
    assert download.json() == {"error": True, "message": "Build is not finished"}


def test_build_job_is_idempotent_once_ended(manager, team, movie_playlist):
    job = BuildJob.objects.create(playlist=movie_playlist, status="failed")
    assert playlist_builds.build_playlist_movie(str(job.id)) == "failed"
    assert playlist_builds.build_playlist_movie(UNKNOWN_ID) is None


@pytest.mark.parametrize(("who", "status"), [("supervisor", 403), ("artist", 403), ("vendor", 403)])
def test_build_is_for_managers(api, request, team, movie_playlist, who, status):
    person = request.getfixturevalue(who)
    response = api(person).get(f"/api/data/playlists/{movie_playlist.id}/build/mp4")
    assert response.status_code == status
    assert not BuildJob.objects.exists()


def test_build_errors(api, manager, anonymous_api, make_person, team, movie_playlist):
    assert api(manager).get(f"/api/data/playlists/{UNKNOWN_ID}/build/mp4").status_code == 404
    assert api(manager).get("/api/data/playlists/nope/build/mp4").status_code == 400
    url = f"/api/data/playlists/{movie_playlist.id}/build/mp4"
    assert anonymous_api.get(url).status_code == 401
    assert api(make_person("manager")).get(url).status_code == 403


def test_read_and_delete_build_job(
    api, manager, artist, vendor, team, movie_playlist, make_playlist, committed
):
    job = BuildJob.objects.create(playlist=movie_playlist, status="succeeded")
    key = playlist_builds.build_movie_key(job.id)
    storage.save(key, b"movie")
    url = f"/api/data/playlists/{movie_playlist.id}/jobs/{job.id}"
    response = api(artist).get(url)
    assert response.status_code == 200
    assert response.json()["status"] == "succeeded"
    assert api(vendor).get(url).status_code == 403
    other = make_playlist("Other")
    assert api(manager).get(f"/api/data/playlists/{other.id}/jobs/{job.id}").status_code == 404
    assert (
        api(manager).get(f"/api/data/playlists/{movie_playlist.id}/jobs/{UNKNOWN_ID}").status_code
        == 404
    )
    assert api(manager).get(f"/api/data/playlists/{movie_playlist.id}/jobs/nope").status_code == 400
    with committed():
        assert api(manager).delete(url).status_code == 204
    assert not BuildJob.objects.filter(pk=job.id).exists()
    assert not storage.exists(key)
    assert ApiEvent.objects.get(name="build-job:delete").data["build_job_id"] == str(job.id)


def test_playlist_detail_lists_build_jobs(api, manager, team, movie_playlist):
    job = BuildJob.objects.create(playlist=movie_playlist, status="succeeded")
    body = api(manager).get(f"/api/data/projects/{team.id}/playlists/{movie_playlist.id}").json()
    assert [row["id"] for row in body["build_jobs"]] == [str(job.id)]


def test_project_build_jobs_is_for_admins(api, admin, manager, team, movie_playlist):
    job = BuildJob.objects.create(playlist=movie_playlist, status="succeeded")
    response = api(admin).get(f"/api/data/projects/{team.id}/build-jobs")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(job.id)]
    assert api(manager).get(f"/api/data/projects/{team.id}/build-jobs").status_code == 403
    assert api(admin).get(f"/api/data/projects/{UNKNOWN_ID}/build-jobs").status_code == 404


# --- zip -----------------------------------------------------------------------------


def test_zip_holds_every_file_of_the_chosen_revisions(
    api, artist, team, shot, task, make_preview, make_playlist, media
):
    picture = make_preview(task, revision=2)
    second_file = make_preview(task, revision=2, position=2)
    make_preview(task, revision=1)  # another revision: not in the zip
    storage.save(storage.key(storage.PICTURES, "original", picture.id), b"first picture")
    storage.save(storage.key(storage.PICTURES, "original", second_file.id), b"second picture")
    playlist = make_playlist(
        shots=[{"entity_id": str(shot.id), "preview_file_id": str(picture.id)}]
    )
    response = api(artist).get(f"/api/data/playlists/{playlist.id}/download/zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "demo_tv_main_pack_dailies.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(downloaded(response)))
    assert sorted(archive.namelist()) == ["SH0010_Animation_v2.png", "SH0010_Animation_v2_2.png"]
    assert archive.read("SH0010_Animation_v2.png") == b"first picture"
    assert archive.read("SH0010_Animation_v2_2.png") == b"second picture"


def test_zip_access(api, client_person, vendor, team, make_playlist, anonymous_api, media):
    internal = make_playlist("Internal")
    for_client = make_playlist("Review", for_client=True)
    assert (
        api(client_person).get(f"/api/data/playlists/{internal.id}/download/zip").status_code == 403
    )
    response = api(client_person).get(f"/api/data/playlists/{for_client.id}/download/zip")
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(downloaded(response))).namelist() == []
    assert api(vendor).get(f"/api/data/playlists/{for_client.id}/download/zip").status_code == 403
    assert anonymous_api.get(f"/api/data/playlists/{for_client.id}/download/zip").status_code == 401
    assert (
        api(client_person).get(f"/api/data/playlists/{UNKNOWN_ID}/download/zip").status_code == 404
    )
