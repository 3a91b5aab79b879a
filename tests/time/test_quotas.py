"""Quotas: shots, frames, seconds and drawings completed per person and period."""

from datetime import datetime

import pytest

from people.models import Studio

from .conftest import UNKNOWN_ID

MARCH_5 = datetime(2024, 3, 5, 10, 0)
# 23:30 UTC on the 6th is already the 7th in Paris, the viewers' time zone.
MARCH_6_LATE = datetime(2024, 3, 6, 23, 30)
WIP_START = datetime(2024, 3, 4, 9, 0)


@pytest.fixture
def shots(team, artist, make_shot, make_task, animation, asset_task, log):
    """SH0010 (48 frames, 8 drawings): feedback on the 5th, 60 + 180 minutes
    logged on the 4th and 5th. SH0020 (96 frames): feedback late on the 6th,
    no time logged. An asset task with a feedback date does not count."""
    first = make_task(
        make_shot("SH0010", nb_frames=48),
        animation,
        real_start_date=WIP_START,
        end_date=MARCH_5,
        nb_drawings=8,
    )
    second = make_task(
        make_shot("SH0020", nb_frames=96),
        animation,
        real_start_date=WIP_START,
        end_date=MARCH_6_LATE,
    )
    for task in (first, second, asset_task):
        task.assignees.add(artist)
    asset_task.end_date = MARCH_5
    asset_task.save()
    log(artist, first, "2024-03-04", 60)
    log(artist, first, "2024-03-05", 180)
    return first, second


def quotas_path(project, task_type):
    return f"/api/data/projects/{project.id}/quotas/{task_type.id}"


def test_raw_feedback_quotas(admin_api, project, animation, artist, shots):
    response = admin_api.get(quotas_path(project, animation), {"count_mode": "feedback"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {str(artist.id), "total"}
    expected = {
        "day": {
            "frames": {"2024-03-05": 48, "2024-03-07": 96},
            "seconds": {"2024-03-05": 2.0, "2024-03-07": 4.0},
            "count": {"2024-03-05": 1, "2024-03-07": 1},
            "drawings": {"2024-03-05": 8, "2024-03-07": 0},
            "entries": {"2024-03": 2},
        },
        "week": {
            "frames": {"2024-10": 144},
            "seconds": {"2024-10": 6.0},
            "count": {"2024-10": 2},
            "drawings": {"2024-10": 8},
            "entries": {"2024": 1},
        },
        "month": {
            "frames": {"2024-03": 144},
            "seconds": {"2024-03": 6.0},
            "count": {"2024-03": 2},
            "drawings": {"2024-03": 8},
            "entries": {"2024": 1},
        },
        "year": {
            "frames": {"2024": 144},
            "seconds": {"2024": 6.0},
            "count": {"2024": 2},
            "drawings": {"2024": 8},
        },
    }
    assert data[str(artist.id)] == expected
    assert data["total"] == expected


def test_weighted_quotas_follow_logged_time(admin_api, project, animation, artist, shots):
    data = admin_api.get(quotas_path(project, animation)).json()  # weighted by default
    day = data[str(artist.id)]["day"]
    # SH0010: a quarter of its frames on the 4th, three quarters on the 5th.
    # SH0020: no time logged, spread over its four working days (4th to 7th).
    assert day["frames"] == {"2024-03-04": 36, "2024-03-05": 60, "2024-03-06": 24, "2024-03-07": 24}
    assert day["drawings"] == {"2024-03-04": 2, "2024-03-05": 6, "2024-03-06": 0, "2024-03-07": 0}
    assert day["count"] == {"2024-03-04": 2, "2024-03-05": 2, "2024-03-06": 1, "2024-03-07": 1}
    assert day["seconds"]["2024-03-04"] == 1.5
    assert data["total"]["week"]["frames"] == {"2024-10": 144}


def test_done_modes_use_the_approval_date(admin_api, project, animation, artist, shots):
    assert admin_api.get(quotas_path(project, animation), {"count_mode": "done"}).json() == {}
    first, _second = shots
    first.done_date = datetime(2024, 3, 8, 12, 0)
    first.save()
    done = admin_api.get(quotas_path(project, animation), {"count_mode": "done"}).json()
    assert done[str(artist.id)]["day"]["frames"] == {"2024-03-08": 48}
    weighted = admin_api.get(quotas_path(project, animation), {"count_mode": "weighteddone"})
    assert weighted.json()[str(artist.id)]["day"]["frames"] == {"2024-03-04": 12, "2024-03-05": 36}


def test_days_follow_the_viewers_time_zone(client_for, admin, project, animation, artist, shots):
    admin.timezone = "UTC"
    admin.save()
    data = client_for(admin).get(quotas_path(project, animation), {"count_mode": "feedback"})
    assert data.json()["total"]["day"]["frames"] == {"2024-03-05": 48, "2024-03-06": 96}


def test_studio_filter(admin_api, project, animation, artist, shots):
    north = Studio.objects.create(name="North", color="#000000")
    south = Studio.objects.create(name="South", color="#FFFFFF")
    artist.studio = north
    artist.save()
    params = {"count_mode": "feedback"}
    north_data = admin_api.get(quotas_path(project, animation), {**params, "studio_id": north.id})
    assert north_data.json()["total"]["year"]["count"] == {"2024": 2}
    south_data = admin_api.get(quotas_path(project, animation), {**params, "studio_id": south.id})
    assert south_data.json() == {}


def test_project_quotas_access(
    client_for, manager, artist, client_person, vendor, make_person, project, animation, shots,
    anonymous_api, admin_api,
):  # fmt: skip
    path = quotas_path(project, animation)
    for person in (manager, artist):
        assert client_for(person).get(path).status_code == 200
    for person in (client_person, vendor, make_person("user")):
        assert client_for(person).get(path).status_code == 403
    assert anonymous_api.get(path).status_code == 401
    assert (
        admin_api.get(f"/api/data/projects/{UNKNOWN_ID}/quotas/{animation.id}").status_code == 404
    )
    assert admin_api.get(f"/api/data/projects/{project.id}/quotas/{UNKNOWN_ID}").status_code == 404
    assert admin_api.get(f"/api/data/projects/nope/quotas/{animation.id}").status_code == 400
    assert admin_api.get(path, {"count_mode": "lots"}).status_code == 400
    assert admin_api.get(path, {"studio_id": "nope"}).status_code == 400


def test_person_quotas_are_keyed_by_task_type(
    client_for, artist, manager, supervisor, client_person, project, animation, shots
):
    path = f"/api/data/projects/{project.id}/quotas/persons/{artist.id}"
    for viewer in (artist, supervisor):
        data = client_for(viewer).get(path, {"count_mode": "feedback"}).json()
        assert set(data) == {str(animation.id), "total"}
        assert data[str(animation.id)]["year"]["frames"] == {"2024": 144}
    other = f"/api/data/projects/{project.id}/quotas/persons/{manager.id}"
    assert client_for(artist).get(other).status_code == 403
    assert client_for(client_person).get(path).status_code == 403
    unknown = f"/api/data/projects/{project.id}/quotas/persons/{UNKNOWN_ID}"
    assert client_for(manager).get(unknown).status_code == 404
    assert client_for(manager).get(path, {"count_mode": "x"}).status_code == 400


@pytest.mark.parametrize("count", [1, 6])
def test_quotas_query_count_is_flat(
    count, admin_api, project, artist, team, make_shot, make_task, animation, log,
    django_assert_num_queries,
):  # fmt: skip
    for number in range(count):
        task = make_task(make_shot(f"SH{number:04d}"), animation, end_date=MARCH_5)
        task.assignees.add(artist)
        log(artist, task, "2024-03-05", 10)
    # 2 for the token, the project, the task type, the logged time, the
    # tasks without logged time.
    with django_assert_num_queries(6):
        data = admin_api.get(quotas_path(project, animation)).json()
    assert data["total"]["day"]["count"] == {"2024-03-05": count}


# --- the shots behind one person's quota ----------------------------------------------------


def shots_path(person, period):
    return f"/api/data/persons/{person.id}/quota-shots/{period}"


def test_weighted_quota_shots(client_for, artist, manager, project, animation, shots):
    params = {"project_id": project.id, "task_type_id": animation.id}
    for viewer in (artist, manager):
        response = client_for(viewer).get(shots_path(artist, "month/2024/3"), params)
        assert response.status_code == 200
        rows = response.json()
        assert [(row["full_name"], row["weight"], row["type"]) for row in rows] == [
            ("E01 / SQ01 / SH0010", 1.0, "Shot"),
            ("E01 / SQ01 / SH0020", 1.0, "Shot"),
        ]
        assert rows[0]["nb_frames"] == 48
    api = client_for(artist)
    day = api.get(shots_path(artist, "day/2024/3/5"), params).json()
    # Three quarters of SH0010's time that day; one of SH0020's four working days.
    assert [(row["name"], row["weight"]) for row in day] == [("SH0010", 0.75), ("SH0020", 0.25)]
    week = api.get(shots_path(artist, "week/2024/10"), params).json()
    assert [row["weight"] for row in week] == [1.0, 1.0]
    assert api.get(shots_path(artist, "month/2024/4"), params).json() == []


def test_raw_quota_shots(client_for, artist, project, animation, shots):
    params = {"project_id": project.id, "task_type_id": animation.id, "count_mode": "feedback"}
    api = client_for(artist)
    day = api.get(shots_path(artist, "day/2024/3/5"), params).json()
    assert [(row["name"], row["weight"]) for row in day] == [("SH0010", 1)]
    late = api.get(shots_path(artist, "day/2024/3/7"), params).json()
    assert [row["name"] for row in late] == ["SH0020"]


def test_quota_shots_refusals(
    client_for, artist, supervisor, client_person, make_person, project, animation, shots,
    anonymous_api,
):  # fmt: skip
    params = {"project_id": project.id, "task_type_id": animation.id}
    path = shots_path(artist, "month/2024/3")
    assert client_for(supervisor).get(path, params).status_code == 200
    assert client_for(make_person("user")).get(path, params).status_code == 403
    assert client_for(client_person).get(path, params).status_code == 403
    assert anonymous_api.get(path, params).status_code == 401
    api = client_for(artist)
    assert api.get(path, {"project_id": project.id}).status_code == 400
    assert api.get(path, {**params, "count_mode": "x"}).status_code == 400
    assert api.get(shots_path(artist, "week/2024/60"), params).status_code == 400
    assert api.get(shots_path(artist, "day/2024/2/31"), params).status_code == 400
    unknown_project = {**params, "project_id": UNKNOWN_ID}
    assert api.get(path, unknown_project).status_code == 404
    unknown = f"/api/data/persons/{UNKNOWN_ID}/quota-shots/month/2024/3"
    assert api.get(unknown, params).status_code == 404


def test_teammates_do_not_read_each_others_quota_shots(
    client_for, artist, make_person, join, project, animation, shots
):
    teammate = join(project, make_person("user"))
    params = {"project_id": project.id, "task_type_id": animation.id}
    response = client_for(teammate).get(shots_path(artist, "month/2024/3"), params)
    assert response.status_code == 403


@pytest.mark.parametrize("count", [1, 6])
def test_quota_shots_query_count_is_flat(
    count, client_for, artist, project, team, make_shot, make_task, animation, log,
    django_assert_num_queries,
):  # fmt: skip
    for number in range(count):
        logged = make_task(make_shot(f"SH{number:04d}"), animation, end_date=MARCH_5)
        logged.assignees.add(artist)
        log(artist, logged, "2024-03-05", 10)
        spread = make_task(
            make_shot(f"SH{number + 100:04d}"),
            animation,
            real_start_date=WIP_START,
            end_date=MARCH_6_LATE,
        )
        spread.assignees.add(artist)
    api = client_for(artist)
    params = {"project_id": project.id, "task_type_id": animation.id}
    # 2 for the token, the person, the project, the team links, the logged
    # time, the tasks without logged time, the shot names, the entity types,
    # the shot rows.
    with django_assert_num_queries(10):
        rows = api.get(shots_path(artist, "month/2024/3"), params).json()
    assert len(rows) == 2 * count
