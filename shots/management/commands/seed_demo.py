"""Build a realistic demo TV-show production so that a newcomer sees real data.

The production gets episodes, sequences, shots with frame ranges, assets of
every asset type, their casting in shots (and so in episodes), a task for
every enabled task type on every shot and asset, demo artists assigned to
those tasks, and a team. Rows are written with ``bulk_create`` in batches so
that thousands of shots take seconds; no events are sent, as for an import.
"""

import itertools
import math
import random

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from people.models import Person
from productions.models import (
    EPISODE,
    RESERVED_ENTITY_TYPE_NAMES,
    SEQUENCE,
    SHOT,
    Entity,
    EntityLink,
    EntityType,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectStatus,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    get_or_create_entity_type,
)
from tasks.models import Task, TaskStatus, TaskType

# Rows per INSERT. 500 keeps each statement under SQLite's variable limit
# for the widest table written here (entity, ~25 columns) while a 2000-shot
# production (about 17 000 rows in all) is written in a few seconds.
BATCH_SIZE = 500
SHOTS_PER_SEQUENCE = 10
SEQUENCES_PER_EPISODE = 5
# Status short names and how often a seeded task gets each.
STATUS_WEIGHTS = {"todo": 5, "ready": 1, "wip": 3, "wfa": 2, "retake": 1, "done": 3}
DEMO_PEOPLE = [
    ("Paula", "Producer", "manager"),
    ("Sam", "Supervisor", "supervisor"),
    ("Alice", "Animator", "user"),
    ("Bruno", "Layout", "user"),
    ("Chloe", "Modeler", "user"),
    ("Dimitri", "Rigger", "user"),
    ("Eva", "Lighter", "user"),
    ("Farid", "Compositor", "user"),
]
BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Create a demo TV-show production with shots, assets, casting and assigned tasks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--shots", type=int, default=40, help="Number of shots to create (default 40)."
        )
        parser.add_argument(
            "--assets", type=int, default=20, help="Number of assets to create (default 20)."
        )
        parser.add_argument(
            "--project-name",
            default="Demo TV Show",
            help="Name of the production; an existing production of that name is refused.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing (and succeed) when the production exists already.",
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed, for a reproducible production."
        )

    def handle(self, *args, **options):
        nb_shots, nb_assets = options["shots"], options["assets"]
        name = options["project_name"].strip()
        if nb_shots < 0 or nb_assets < 0:
            raise CommandError("--shots and --assets must be zero or more.")
        if not name:
            raise CommandError("--project-name must not be empty.")
        if Project.objects.filter(name=name).exists():
            if options["if_missing"]:
                self.stdout.write(f"Demo production kept: {name!r} already exists.")
                return
            raise CommandError(
                f"A production named {name!r} already exists; "
                "choose another one with --project-name."
            )
        if not TaskStatus.objects.exists() or not TaskType.objects.exists():
            call_command("init_data", verbosity=0)
        self.random = random.Random(options["seed"])
        with transaction.atomic():
            counts = self.build(name, nb_shots, nb_assets)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created production {name!r}: {counts['episodes']} episodes, "
                f"{counts['sequences']} sequences, {counts['shots']} shots, "
                f"{counts['assets']} assets, {counts['links']} casting links, "
                f"{counts['tasks']} tasks, {counts['people']} team members."
            )
        )

    # --- building ------------------------------------------------------------

    def build(self, name, nb_shots, nb_assets):
        open_status, _ = ProjectStatus.objects.get_or_create(
            name="Open", defaults={"color": "#FFFFFF"}
        )
        project = Project.objects.create(
            name=name,
            production_type="tvshow",
            fps="24",
            project_status=open_status,
            description="Demo production created by seed_demo.",
        )
        shot_task_types = list(TaskType.objects.filter(for_entity="Shot", archived=False))
        asset_task_types = list(TaskType.objects.filter(for_entity="Asset", archived=False))
        asset_types = list(
            EntityType.objects.exclude(name__in=RESERVED_ENTITY_TYPE_NAMES).filter(archived=False)
        )
        if nb_assets and not asset_types:
            raise CommandError("No asset type exists; run init_data first.")
        self.configure(project, shot_task_types + asset_task_types, asset_types)
        people = self.team(project)

        episodes, sequences, shots = self.breakdown(project, nb_shots)
        assets = self.assets(project, nb_assets, asset_types)
        links = self.casting(shots, episodes, sequences, assets)
        self.insert("shots", shots)
        self.insert("assets", assets)
        self.insert("casting", links)
        tasks = self.tasks(project, shots, shot_task_types, people)
        tasks += self.tasks(project, assets, asset_task_types, people)
        return {
            "episodes": len(episodes),
            "sequences": len(sequences),
            "shots": len(shots),
            "assets": len(assets),
            "links": len(links),
            "tasks": tasks,
            "people": len(people),
        }

    def configure(self, project, task_types, asset_types):
        ProjectTaskTypeLink.objects.bulk_create(
            ProjectTaskTypeLink(project=project, task_type=task_type, priority=task_type.priority)
            for task_type in task_types
        )
        statuses = TaskStatus.objects.filter(for_concept=False, archived=False)
        ProjectTaskStatusLink.objects.bulk_create(
            ProjectTaskStatusLink(project=project, task_status=status, priority=status.priority)
            for status in statuses
        )
        ProjectAssetTypeLink.objects.bulk_create(
            ProjectAssetTypeLink(project=project, asset_type=asset_type)
            for asset_type in asset_types
        )

    def team(self, project):
        people = []
        for first_name, last_name, role in DEMO_PEOPLE:
            email = f"{first_name.lower()}.{last_name.lower()}@demo.kitsu.local"
            person = Person.objects.filter(email=email).first()
            if person is None:
                # No password: demo people are assignees to look at, not accounts.
                person = Person.objects.create_user(
                    email, first_name=first_name, last_name=last_name, role=role
                )
            people.append(person)
        ProjectPersonLink.objects.bulk_create(
            ProjectPersonLink(project=project, person=person) for person in people
        )
        return people

    def breakdown(self, project, nb_shots):
        shot_type = get_or_create_entity_type(SHOT)
        sequence_type = get_or_create_entity_type(SEQUENCE)
        episode_type = get_or_create_entity_type(EPISODE)
        nb_sequences = math.ceil(nb_shots / SHOTS_PER_SEQUENCE)
        nb_episodes = max(1, math.ceil(nb_sequences / SEQUENCES_PER_EPISODE))
        episodes = [
            Entity(
                project=project,
                entity_type=episode_type,
                name=f"E{number:02d}",
                description=f"Episode {number}",
                data={},
            )
            for number in range(1, nb_episodes + 1)
        ]
        self.insert("episodes", episodes)
        sequences = []
        for index in range(nb_sequences):
            episode = episodes[index // SEQUENCES_PER_EPISODE]
            number = index % SEQUENCES_PER_EPISODE + 1
            sequences.append(
                Entity(
                    project=project,
                    entity_type=sequence_type,
                    parent=episode,
                    name=f"SQ{number:02d}",
                    description="",
                    data={},
                )
            )
        self.insert("sequences", sequences)
        shots = []
        for index in range(nb_shots):
            sequence = sequences[index // SHOTS_PER_SEQUENCE]
            nb_frames = self.random.randrange(24, 145)
            frame_in = 1001
            shots.append(
                Entity(
                    project=project,
                    entity_type=shot_type,
                    parent=sequence,
                    name=f"SH{(index % SHOTS_PER_SEQUENCE + 1) * 10:04d}",
                    description=f"Shot {index % SHOTS_PER_SEQUENCE + 1} of {sequence.name}",
                    nb_frames=nb_frames,
                    data={
                        "frame_in": frame_in,
                        "frame_out": frame_in + nb_frames - 1,
                        "fps": "24",
                    },
                )
            )
        return episodes, sequences, shots

    def assets(self, project, nb_assets, asset_types):
        assets = []
        per_type = {}
        for index in range(nb_assets):
            asset_type = asset_types[index % len(asset_types)]
            per_type[asset_type.pk] = per_type.get(asset_type.pk, 0) + 1
            assets.append(
                Entity(
                    project=project,
                    entity_type=asset_type,
                    name=f"{asset_type.name} {per_type[asset_type.pk]:02d}",
                    description=f"A demo {asset_type.name.lower()} asset",
                    data={},
                )
            )
        return assets

    def casting(self, shots, episodes, sequences, assets):
        """Casting links: 2 to 5 assets per shot, and each used asset in the shot's episode.

        Sets ``nb_entities_out`` on the shots (not saved yet) and the episodes.
        """
        links = []
        episode_links = set()
        episode_of_sequence = {sequence.pk: sequence.parent_id for sequence in sequences}
        for shot in shots:
            if not assets:
                break
            cast = self.random.sample(assets, min(len(assets), self.random.randint(2, 5)))
            shot.nb_entities_out = len(cast)
            episode_id = episode_of_sequence[shot.parent_id]
            for asset in cast:
                links.append(
                    EntityLink(
                        entity_in=shot,
                        entity_out=asset,
                        nb_occurences=self.random.randint(1, 3),
                        label="fixed",
                    )
                )
                episode_links.add((episode_id, asset.pk))
        episodes_by_id = {episode.pk: episode for episode in episodes}
        assets_by_id = {asset.pk: asset for asset in assets}
        for episode_id, asset_id in sorted(episode_links, key=str):
            links.append(
                EntityLink(
                    entity_in=episodes_by_id[episode_id],
                    entity_out=assets_by_id[asset_id],
                    nb_occurences=1,
                    label="fixed",
                )
            )
        for episode in episodes:
            episode.nb_entities_out = sum(
                1 for episode_id, _asset_id in episode_links if episode_id == episode.pk
            )
        Entity.objects.bulk_update(episodes, ["nb_entities_out"], batch_size=BATCH_SIZE)
        return links

    def tasks(self, project, entities, task_types, people):
        if not entities or not task_types:
            return 0
        statuses = {status.short_name: status for status in TaskStatus.objects.all()}
        choices = [name for name in STATUS_WEIGHTS if name in statuses]
        weights = [STATUS_WEIGHTS[name] for name in choices]
        artists = [person for person in people if person.role == "user"] or people
        supervisor = next((person for person in people if person.role != "user"), None)
        tasks, assignments = [], []
        for entity, task_type in itertools.product(entities, task_types):
            status = statuses[self.random.choices(choices, weights)[0]]
            task = Task(
                project=project,
                entity=entity,
                task_type=task_type,
                task_status=status,
                assigner=supervisor,
                retake_count=1 if status.short_name == "retake" else 0,
                estimation=float(self.random.choice((60, 120, 240, 480))),
            )
            tasks.append(task)
            if status.short_name != "todo" or self.random.random() < 0.5:
                assignee = artists[self.random.randrange(len(artists))]
                assignments.append(Task.assignees.through(task_id=task.pk, person_id=assignee.pk))
        self.insert(f"{task_types[0].for_entity.lower()} tasks", tasks)
        Task.assignees.through.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
        return len(tasks)

    # --- output ---------------------------------------------------------------

    def insert(self, label, rows):
        """``bulk_create`` in batches, drawing a text progress bar."""
        model = type(rows[0]) if rows else None
        total = len(rows)
        for start in range(0, total, BATCH_SIZE):
            model.objects.bulk_create(rows[start : start + BATCH_SIZE])
            self.progress(label, min(start + BATCH_SIZE, total), total)
        if total:
            self.stdout.write("")

    def progress(self, label, done, total):
        filled = round(BAR_WIDTH * done / total)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stdout.write(f"\r{label:<12} [{bar}] {done}/{total}", ending="")
        self.stdout.flush()
