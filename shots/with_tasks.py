"""The main tables of the Kitsu UI: shots, sequences, episodes, scenes and edits with their tasks.

These are the hottest reads of the product, so each board is assembled in
Python from a fixed handful of ``.values()`` queries, whatever its size:

1. the entities, with the names of their project, sequence and episode
   joined in;
2. their tasks (narrowed to what the caller's role may see);
3. the assignees of those tasks;
4. the caller's subscriptions among those tasks.

Rows are plain dicts keyed as Zou keys them; ``compact`` turns them into
positional lists under a header naming the fields.
"""

from productions.access import visible_project_ids
from productions.models import EDIT, EPISODE, SCENE, SEQUENCE, SHOT
from productions.user_data import hidden_data_keys, tasks_without_keys, without_keys
from shots.services import TASK_LINK, of_kind, visible_entities, visible_tasks
from tasks.models import Subscription, Task

SHOT_FIELDS = (
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
    "type",
    "tasks",
)
SHOT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "end_date",
    "done_date",
    "entity_id",
    "estimation",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "nb_drawings",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)
# Sequences, episodes and scenes share one reduced form.
ENTITY_FIELDS = (
    "id",
    "name",
    "status",
    "episode_id",
    "description",
    "frame_in",
    "frame_out",
    "fps",
    "preview_file_id",
    "canceled",
    "data",
    "tasks",
)
ENTITY_TASK_FIELDS = (
    "id",
    "due_date",
    "done_date",
    "duration",
    "entity_id",
    "estimation",
    "end_date",
    "is_subscribed",
    "last_comment_date",
    "last_preview_file_id",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "difficulty",
    "task_status_id",
    "task_type_id",
    "assignees",
    "data",
)
EDIT_FIELDS = (
    "canceled",
    "data",
    "description",
    "entity_type_id",
    "episode_id",
    "episode_name",
    "id",
    "name",
    "parent_id",
    "preview_file_id",
    "project_id",
    "project_name",
    "source_id",
    "nb_entities_out",
    "tasks",
    "type",
)
EDIT_TASK_FIELDS = (
    "id",
    "duration",
    "due_date",
    "entity_id",
    "end_date",
    "estimation",
    "last_comment_date",
    "last_preview_file_id",
    "nb_assets_ready",
    "priority",
    "real_start_date",
    "retake_count",
    "start_date",
    "task_status_id",
    "task_type_id",
    "is_subscribed",
    "assignees",
)
# Task keys that are not columns of the task row.
COMPUTED_TASK_KEYS = ("is_subscribed", "assignees")


class Board:
    """One with-tasks table: its field lists and its rows (dicts)."""

    def __init__(self, kind, entity_fields, task_fields, rows):
        self.kind = kind
        self.entity_fields = entity_fields
        self.task_fields = task_fields
        self.rows = rows

    @property
    def header(self):
        return {
            "compact": True,
            f"{self.kind.lower()}_fields": list(self.entity_fields),
            "task_fields": list(self.task_fields),
        }

    def compact_rows(self):
        """Rows as positional lists in field order, tasks too."""
        task_fields = self.task_fields
        index = self.entity_fields.index("tasks")
        result = []
        for row in self.rows:
            values = [row[name] for name in self.entity_fields]
            values[index] = [[task[name] for name in task_fields] for task in row["tasks"]]
            result.append(values)
        return result


def _task_map(person, entity_queryset, project_id, task_fields):
    """``{entity_id: [task dicts]}`` for the entities of ``entity_queryset`` (three queries)."""
    tasks = visible_tasks(
        person, Task.objects.filter(entity_id__in=entity_queryset.values("id")), project_id
    )
    columns = [name for name in task_fields if name not in COMPUTED_TASK_KEYS]
    if "entity_id" not in columns:
        columns.append("entity_id")
    task_ids = tasks.values("id")
    assignees = {}
    for task_id, person_id in TASK_LINK.objects.filter(task_id__in=task_ids).values_list(
        "task_id", "person_id"
    ):
        assignees.setdefault(task_id, []).append(person_id)
    subscribed = set(
        Subscription.objects.filter(person_id=person.pk, task_id__in=task_ids).values_list(
            "task_id", flat=True
        )
    )
    by_entity = {}
    rows = tasks.order_by("task_type__priority", "task_type__name", "id").values(*columns)
    for row in rows.iterator(chunk_size=2000):
        task = {}
        for name in task_fields:
            if name == "assignees":
                task[name] = assignees.get(row["id"], [])
            elif name == "is_subscribed":
                task[name] = row["id"] in subscribed
            elif name == "priority":
                task[name] = row["priority"] or 0
            else:
                task[name] = row[name]
        by_entity.setdefault(row["entity_id"], []).append(task)
    return by_entity


def _scoped(person, kind, project_id=None, episode_id=None, entity_id=None):
    """Entities of ``kind`` the caller may see, filtered by the query parameters."""
    queryset = visible_entities(person, of_kind(kind), project_id)
    if project_id is not None:
        queryset = queryset.filter(project_id=project_id)
    if entity_id is not None:
        queryset = queryset.filter(pk=entity_id)
    if episode_id is not None:
        # Kitsu's production-wide views pass the pseudo-episode "all".
        lookup = {
            SHOT: "parent__parent_id",
            SCENE: "parent__parent_id",
            SEQUENCE: "parent_id",
            EDIT: "parent_id",
            EPISODE: "id",
        }[kind]
        queryset = queryset.filter(**{lookup: episode_id})
    return queryset.order_by("name", "id")


def _hidden_data_keys(person, project_id):
    """Metadata columns the caller may not read, by project (none for staff)."""
    project_ids = [project_id] if project_id else (visible_project_ids(person) or [])
    return hidden_data_keys(person, project_ids)


def shots_board(person, project_id=None, episode_id=None, shot_id=None):
    """The shots table of Kitsu (payloads.md "GET /data/shots/with-tasks")."""
    shots = _scoped(person, SHOT, project_id, episode_id, shot_id)
    tasks = _task_map(person, shots, project_id, SHOT_TASK_FIELDS)
    rows = []
    values = shots.values(
        "id",
        "name",
        "description",
        "data",
        "canceled",
        "entity_type_id",
        "nb_frames",
        "parent_id",
        "preview_file_id",
        "project_id",
        "project__name",
        "parent__name",
        "parent__parent_id",
        "parent__parent__name",
        "source_id",
        "nb_entities_out",
        "is_casting_standby",
    )
    hidden = _hidden_data_keys(person, project_id)
    for shot in values.iterator(chunk_size=2000):
        data = without_keys(shot["data"] or {}, hidden.get(shot["project_id"]))
        rows.append(
            {
                "canceled": shot["canceled"],
                "data": data,
                "description": shot["description"],
                "entity_type_id": shot["entity_type_id"],
                "episode_id": shot["parent__parent_id"],
                "episode_name": shot["parent__parent__name"] or "",
                "fps": data.get("fps"),
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "id": shot["id"],
                "name": shot["name"],
                "nb_frames": shot["nb_frames"],
                "parent_id": shot["parent_id"],
                "preview_file_id": shot["preview_file_id"],
                "project_id": shot["project_id"],
                "project_name": shot["project__name"],
                "sequence_id": shot["parent_id"],
                "sequence_name": shot["parent__name"],
                "source_id": shot["source_id"],
                "nb_entities_out": shot["nb_entities_out"],
                "is_casting_standby": shot["is_casting_standby"],
                "type": "Shot",
                "tasks": tasks_without_keys(
                    tasks.get(shot["id"], []), hidden.get(shot["project_id"])
                ),
            }
        )
    return Board(SHOT, SHOT_FIELDS, SHOT_TASK_FIELDS, rows)


def entities_board(person, kind, project_id=None, episode_id=None):
    """Sequences, episodes or scenes with their tasks.

    The shape of payloads.md "GET /data/sequences/with-tasks".
    """
    entities = _scoped(person, kind, project_id, episode_id)
    tasks = _task_map(person, entities, project_id, ENTITY_TASK_FIELDS)
    rows = []
    values = entities.values(
        "id",
        "name",
        "status",
        "parent_id",
        "description",
        "data",
        "preview_file_id",
        "canceled",
        "project_id",
    )
    hidden = _hidden_data_keys(person, project_id)
    for entity in values.iterator(chunk_size=2000):
        data = without_keys(entity["data"] or {}, hidden.get(entity["project_id"]))
        rows.append(
            {
                "id": entity["id"],
                "name": entity["name"],
                "status": entity["status"] or "running",
                # Zou writes the parent id through str(), so a missing parent
                # reads "None"; Kitsu copes with that value, so it is kept.
                "episode_id": str(entity["parent_id"]),
                "description": entity["description"],
                "frame_in": data.get("frame_in"),
                "frame_out": data.get("frame_out"),
                "fps": data.get("fps"),
                "preview_file_id": entity["preview_file_id"] or "",
                "canceled": entity["canceled"],
                "data": data,
                "tasks": tasks_without_keys(
                    tasks.get(entity["id"], []), hidden.get(entity["project_id"])
                ),
            }
        )
    return Board(kind, ENTITY_FIELDS, ENTITY_TASK_FIELDS, rows)


def edits_board(person, project_id=None, episode_id=None, edit_id=None):
    """Edits with their tasks, their episode and project names."""
    edits = _scoped(person, EDIT, project_id, episode_id, edit_id)
    tasks = _task_map(person, edits, project_id, EDIT_TASK_FIELDS)
    rows = []
    values = edits.values(
        "id",
        "name",
        "description",
        "data",
        "canceled",
        "entity_type_id",
        "parent_id",
        "parent__name",
        "preview_file_id",
        "source_id",
        "nb_entities_out",
        "project_id",
        "project__name",
    )
    hidden = _hidden_data_keys(person, project_id)
    for edit in values.iterator(chunk_size=2000):
        rows.append(
            {
                "canceled": edit["canceled"],
                "data": without_keys(edit["data"] or {}, hidden.get(edit["project_id"])),
                "description": edit["description"],
                "entity_type_id": edit["entity_type_id"],
                "episode_id": edit["parent_id"],
                "episode_name": edit["parent__name"] or "",
                "id": edit["id"],
                "name": edit["name"],
                "parent_id": edit["parent_id"],
                "preview_file_id": edit["preview_file_id"],
                "project_id": edit["project_id"],
                "project_name": edit["project__name"],
                "source_id": edit["source_id"],
                "nb_entities_out": edit["nb_entities_out"],
                "tasks": tasks_without_keys(
                    tasks.get(edit["id"], []), hidden.get(edit["project_id"])
                ),
                "type": "Edit",
            }
        )
    return Board(EDIT, EDIT_FIELDS, EDIT_TASK_FIELDS, rows)
