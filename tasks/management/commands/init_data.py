"""Create the data a fresh instance needs before the first production can be set up."""

import logging

from django.core.management.base import BaseCommand
from django.db import transaction

from people.models import Department
from productions.models import RESERVED_ENTITY_TYPE_NAMES, EntityType, ProjectStatus
from tasks.models import TaskStatus, TaskType

logger = logging.getLogger(__name__)

PROJECT_STATUSES = [("Open", "#FFFFFF"), ("Closed", "#000000")]

DEPARTMENTS = [
    ("Concept", "#8D6E63"),
    ("Storyboard", "#43A047"),
    ("Modeling", "#78909C"),
    ("Rigging", "#9CCC65"),
    ("Layout", "#7CB342"),
    ("Animation", "#009688"),
    ("Lighting", "#F9A825"),
    ("FX", "#26C6DA"),
    ("Compositing", "#F06292"),
    ("Editing", "#9B298C"),
]

ASSET_TYPES = ["Characters", "Props", "Environment", "FX"]

# (name, for_entity, department, priority, color). Sequences and episodes get
# no default task type.
TASK_TYPES = [
    ("Concept", "Asset", "Concept", 1, "#8D6E63"),
    ("Modeling", "Asset", "Modeling", 2, "#78909C"),
    ("Shading", "Asset", "Modeling", 3, "#64B5F6"),
    ("Rigging", "Asset", "Rigging", 4, "#9CCC65"),
    ("Storyboard", "Shot", "Storyboard", 1, "#43A047"),
    ("Layout", "Shot", "Layout", 2, "#7CB342"),
    ("Animation", "Shot", "Animation", 3, "#009688"),
    ("Lighting", "Shot", "Lighting", 4, "#F9A825"),
    ("FX", "Shot", "FX", 5, "#26C6DA"),
    ("Rendering", "Shot", "Lighting", 6, "#F06292"),
    ("Compositing", "Shot", "Compositing", 7, "#FF5252"),
    ("Edit", "Edit", "Editing", 1, "#9B298C"),
    ("Concept", "Concept", "Concept", 1, "#8D6E63"),
]

# Artists may move their own work forward (todo, wip, wfa); reviewing
# (retake, done) is for the production and its clients; "ready" is a
# production decision. Concepts are reviewed by clients as well, and artists
# post them with the neutral status.
TASK_STATUSES = [
    {
        "name": "Todo",
        "short_name": "todo",
        "color": "#f5f5f5",
        "is_default": True,
        "is_artist_allowed": True,
        "is_client_allowed": False,
    },
    {
        "name": "Work In Progress",
        "short_name": "wip",
        "color": "#3273dc",
        "is_wip": True,
        "is_artist_allowed": True,
        "is_client_allowed": False,
    },
    {
        "name": "Waiting For Approval",
        "short_name": "wfa",
        "color": "#ab26ff",
        "is_feedback_request": True,
        "is_artist_allowed": True,
        "is_client_allowed": False,
    },
    {
        "name": "Retake",
        "short_name": "retake",
        "color": "#ff3860",
        "is_retake": True,
        "is_artist_allowed": False,
        "is_client_allowed": True,
    },
    {
        "name": "Done",
        "short_name": "done",
        "color": "#22d160",
        "is_done": True,
        "is_artist_allowed": False,
        "is_client_allowed": True,
    },
    {
        "name": "Ready To Start",
        "short_name": "ready",
        "color": "#fbc02d",
        "is_artist_allowed": False,
        "is_client_allowed": False,
    },
    {
        "name": "Neutral",
        "short_name": "neutral",
        "color": "#CCCCCC",
        "for_concept": True,
        # The default of concept tasks; the default of other tasks is
        # looked up with for_concept=False.
        "is_default": True,
        "is_artist_allowed": True,
        "is_client_allowed": True,
    },
    {
        "name": "Approved",
        "short_name": "approved",
        "color": "#22d160",
        "for_concept": True,
        "is_done": True,
        "is_artist_allowed": False,
        "is_client_allowed": True,
    },
    {
        "name": "Rejected",
        "short_name": "rejected",
        "color": "#ff3860",
        "for_concept": True,
        "is_retake": True,
        "is_artist_allowed": False,
        "is_client_allowed": True,
    },
]


def _ensure(model, lookup, defaults=None):
    """Create a ``model`` row matching ``lookup`` unless one exists; True if created.

    Existing rows are left as they are, so a studio's own colors and flags
    survive a second run.
    """
    if model.objects.filter(**lookup).exists():
        return False
    model.objects.create(**lookup, **(defaults or {}))
    return True


def create_default_data():
    """Create whatever default rows are missing; return how many of each kind were created."""
    created = {
        "project statuses": 0,
        "departments": 0,
        "entity types": 0,
        "task types": 0,
        "task statuses": 0,
    }
    with transaction.atomic():
        for name, color in PROJECT_STATUSES:
            created["project statuses"] += _ensure(ProjectStatus, {"name": name}, {"color": color})

        departments = {}
        for name, color in DEPARTMENTS:
            created["departments"] += _ensure(Department, {"name": name}, {"color": color})
            departments[name] = Department.objects.get(name=name)

        for name in (*ASSET_TYPES, *RESERVED_ENTITY_TYPE_NAMES):
            created["entity types"] += _ensure(EntityType, {"name": name})

        for name, for_entity, department, priority, color in TASK_TYPES:
            created["task types"] += _ensure(
                TaskType,
                {"name": name, "for_entity": for_entity},
                {"department": departments[department], "priority": priority, "color": color},
            )

        for fields in TASK_STATUSES:
            lookup = {"short_name": fields["short_name"]}
            defaults = {key: value for key, value in fields.items() if key != "short_name"}
            created["task statuses"] += _ensure(TaskStatus, lookup, defaults)
    return created


def summary(created):
    parts = [f"{count} {kind}" for kind, count in created.items() if count]
    if not parts:
        return "Default data already present: nothing created."
    return f"Created {', '.join(parts)}."


class Command(BaseCommand):
    help = (
        "Create the default project statuses, departments, asset and shot entity types, "
        "task types and task statuses that are missing."
    )

    def handle(self, *args, **options):
        created = create_default_data()
        logger.info("Default data initialised: %s", created)
        self.stdout.write(self.style.SUCCESS(summary(created)))
