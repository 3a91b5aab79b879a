"""Model rows serialize with exactly the keys of Zou's payloads.

Each expected key set is copied from a real Zou 1.0.97 response. Keys that
the route adds on top of the row (names of related objects, nested tasks,
per-project settings) are listed apart: they are computed by the views, not
stored on the model.
"""

from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.models import Entity, ProjectPersonLink
from shots.models import Episode
from tasks.models import Comment

# GET /data/projects/{project_id}
PROJECT_PAYLOAD_KEYS = {
    "name",
    "code",
    "description",
    "shotgun_id",
    "file_tree",
    "data",
    "has_avatar",
    "fps",
    "ratio",
    "resolution",
    "production_type",
    "production_style",
    "start_date",
    "end_date",
    "man_days",
    "nb_episodes",
    "episode_span",
    "max_retakes",
    "is_clients_isolated",
    "is_client_stats_visible",
    "is_client_task_list_visible",
    "is_client_task_panel_visible",
    "is_preview_download_allowed",
    "is_set_preview_automated",
    "homepage",
    "is_publish_default_for_artists",
    "is_bot_collaboration_enabled",
    "is_single_preview_per_revision",
    "is_frame_in_numbering",
    "revision_padding",
    "hd_bitrate_compression",
    "ld_bitrate_compression",
    "project_status_id",
    "default_preview_background_file_id",
    "from_schedule_version_id",
    "team",
    "asset_types",
    "task_statuses",
    "task_types",
    "status_automations",
    "preview_background_files",
    "id",
    "created_at",
    "updated_at",
    "type",
    "descriptors",
    "task_type_links",
    "task_types_priority",
    "task_statuses_link",
    "first_episode_id",
    "project_status_name",
}
# Built by the project route from descriptors, link tables, episodes and status.
PROJECT_COMPUTED_KEYS = {
    "descriptors",
    "task_type_links",
    "task_types_priority",
    "task_statuses_link",
    "first_episode_id",
    "project_status_name",
}

# GET /data/tasks (generic CRUD): raw rows, no many-to-many lists.
TASK_ROW_KEYS = {
    "name",
    "description",
    "priority",
    "difficulty",
    "duration",
    "estimation",
    "completion_rate",
    "retake_count",
    "sort_order",
    "start_date",
    "due_date",
    "real_start_date",
    "end_date",
    "done_date",
    "last_comment_date",
    "nb_assets_ready",
    "data",
    "nb_drawings",
    "shotgun_id",
    "last_preview_file_id",
    "project_id",
    "task_type_id",
    "task_status_id",
    "entity_id",
    "assigner_id",
    "id",
    "created_at",
    "updated_at",
    "type",
}
# GET /data/tasks/{task_id}: the same row with its assignees.
TASK_DETAIL_KEYS = TASK_ROW_KEYS | {"assignees"}

# GET /data/shots/{shot_id}
SHOT_PAYLOAD_KEYS = {
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "episode_id",
    "episode_name",
    "fps",
    "frame_in",
    "frame_out",
    "id",
    "name",
    "nb_frames",
    "parent_id",
    "preview_file_id",
    "project_id",
    "project_name",
    "sequence_id",
    "sequence_name",
    "source_id",
    "nb_entities_out",
    "is_casting_standby",
    "tasks",
    "type",
    "code",
    "shotgun_id",
    "is_shared",
    "status",
    "ready_for",
    "created_by",
    "entities_out",
    "entity_concept_links",
    "instance_casting",
    "created_at",
    "updated_at",
    "entities_in",
}
# Added by the shot route: parent names, frame range lifted out of data, tasks.
SHOT_COMPUTED_KEYS = {
    "episode_id",
    "episode_name",
    "fps",
    "frame_in",
    "frame_out",
    "project_name",
    "sequence_id",
    "sequence_name",
    "tasks",
}

# GET /data/assets/{asset_id}
ASSET_PAYLOAD_KEYS = {
    "id",
    "name",
    "code",
    "description",
    "shotgun_id",
    "canceled",
    "nb_entities_out",
    "is_casting_standby",
    "is_shared",
    "status",
    "project_id",
    "entity_type_id",
    "parent_id",
    "preview_file_id",
    "data",
    "ready_for",
    "created_by",
    "entities_out",
    "entity_concept_links",
    "instance_casting",
    "created_at",
    "updated_at",
    "entities_in",
    "type",
    "project_name",
    "asset_type_id",
    "asset_type_name",
    "episode_id",
    "casting_episode_ids",
    "tasks",
}
ASSET_COMPUTED_KEYS = {
    "project_name",
    "asset_type_id",
    "asset_type_name",
    "episode_id",
    "casting_episode_ids",
    "tasks",
}
# The asset route drops these two row keys: ``source_id`` becomes ``episode_id``
# and ``nb_frames`` means nothing for an asset.
ASSET_DROPPED_ROW_KEYS = {"source_id", "nb_frames"}

# GET /data/projects/{project_id}/episodes: raw entity rows.
EPISODE_ROW_KEYS = {
    "id",
    "name",
    "code",
    "description",
    "shotgun_id",
    "canceled",
    "nb_frames",
    "nb_entities_out",
    "is_casting_standby",
    "is_shared",
    "status",
    "project_id",
    "entity_type_id",
    "parent_id",
    "source_id",
    "preview_file_id",
    "data",
    "ready_for",
    "created_by",
    "created_at",
    "updated_at",
    "type",
}

# GET /data/tasks/{task_id}/comments
COMMENT_PAYLOAD_KEYS = {
    "shotgun_id",
    "object_id",
    "object_type",
    "text",
    "data",
    "replies",
    "checklist",
    "pinned",
    "for_client",
    "links",
    "task_status_id",
    "person_id",
    "editor_id",
    "preview_file_id",
    "id",
    "created_at",
    "updated_at",
    "type",
    "person",
    "task_status",
    "acknowledgements",
    "previews",
    "mentions",
    "department_mentions",
    "attachment_files",
}
# Nested author and status, and the attachments (a reverse relation).
COMMENT_COMPUTED_KEYS = {"person", "task_status", "attachment_files"}


def test_project_row_has_the_project_payload_keys(project, make_person):
    assert set(serialize_instance(project)) == PROJECT_PAYLOAD_KEYS - PROJECT_COMPUTED_KEYS


def test_project_relations_are_lists_of_ids(project, make_person, animation, todo, characters):
    member = make_person("user")
    ProjectPersonLink.objects.create(project=project, person=member, role="supervisor")
    project.task_types.add(animation, through_defaults={"priority": 1})
    project.task_statuses.add(todo)
    project.asset_types.add(characters)

    row = serialize_instance(project)

    assert row["type"] == "Project"
    assert row["team"] == [member.pk]
    assert row["task_types"] == [animation.pk]
    assert row["task_statuses"] == [todo.pk]
    assert row["asset_types"] == [characters.pk]
    assert row["status_automations"] == []
    assert row["preview_background_files"] == []
    assert row["fps"] == "25"
    assert row["production_style"] == "2d3d"


def test_task_list_row_has_exactly_the_generic_crud_keys(task):
    rows = serialize_rows(type(task), type(task).objects.all())
    assert len(rows) == 1
    assert set(rows[0]) == TASK_ROW_KEYS
    assert rows[0]["name"] == "main"
    assert rows[0]["difficulty"] == 3


def test_task_detail_has_exactly_the_task_payload_keys(task, make_person):
    artist = make_person("user")
    task.assignees.add(artist)

    row = serialize_instance(task)

    assert set(row) == TASK_DETAIL_KEYS
    assert row["type"] == "Task"
    assert row["assignees"] == [artist.pk]
    assert row["duration"] == 0.0
    assert isinstance(row["duration"], float)


def test_shot_row_has_the_shot_payload_keys(shot, asset):
    shot.entities_out.add(asset, through_defaults={"nb_occurences": 2})

    row = serialize_instance(shot)

    assert set(row) == SHOT_PAYLOAD_KEYS - SHOT_COMPUTED_KEYS
    assert row["type"] == "Shot"
    assert row["entities_out"] == [asset.pk]
    assert row["entities_in"] == []
    assert row["instance_casting"] == []
    assert row["nb_frames"] == 48


def test_asset_row_has_the_asset_payload_keys(shot, asset):
    shot.entities_out.add(asset)

    row = serialize_instance(asset)

    assert set(row) - ASSET_DROPPED_ROW_KEYS == ASSET_PAYLOAD_KEYS - ASSET_COMPUTED_KEYS
    assert row["type"] == "Asset"
    assert row["entities_in"] == [shot.pk]
    assert row["entities_out"] == []


def test_entity_read_without_proxy_has_the_same_keys(shot):
    proxy_row = serialize_instance(shot)
    plain_row = serialize_instance(Entity.objects.get(pk=shot.pk))
    assert set(proxy_row) == set(plain_row)
    assert plain_row["type"] == "Entity"


def test_episode_rows_have_exactly_the_episode_list_keys(episode):
    rows = serialize_rows(Episode, Episode.objects.all())
    assert [set(row) for row in rows] == [EPISODE_ROW_KEYS]
    assert rows[0]["type"] == "Episode"
    assert rows[0]["status"] == "running"


def test_comment_row_has_the_comment_payload_keys(task, make_person):
    author = make_person("manager")
    comment = Comment.objects.create(
        object_id=task.pk, object_type="Task", person=author, task_status=task.task_status
    )

    row = serialize_instance(comment)

    assert set(row) == COMMENT_PAYLOAD_KEYS - COMMENT_COMPUTED_KEYS
    assert row["replies"] == []
    assert row["checklist"] == []
    assert row["for_client"] is False
