"""Give a production built by ``seed_demo`` a review history, for the load bench.

``seed_demo`` creates the breakdown, the tasks and their assignments but no
conversation. A studio's database is mostly conversation, so this script adds
comments spread over the started tasks, in the order a real review goes
(the artist starts, sends for review with a preview, the supervisor or the
producer asks for a retake or validates), until the requested number of
comments is reached. Each comment sent for review carries a preview file row
(no media is stored: the bench does not read pictures). Tasks get the dates,
retake count and last preview that history implies, and entities their
thumbnail preview.

It also gives the demo producer and one demo artist a password so that the
bench can log in as them, and writes a JSON file naming the ids the bench
requests. Rows are written with ``bulk_create``; no event is sent.

Run by bench/run.py against the bench database only:

    DATABASE_URL=postgres://.../kitsu_bench python bench/seed.py \
        --database-name kitsu_bench --comments 30000 --output ids.json

The password is read from the BENCH_PASSWORD environment variable.
"""

import argparse
import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH_SIZE = 1000
MANAGER_EMAIL = "paula.producer@demo.kitsu.local"
SUPERVISOR_EMAIL = "sam.supervisor@demo.kitsu.local"
ARTIST_EMAIL = "alice.animator@demo.kitsu.local"
# How many tasks the read endpoints rotate over, and how many of the artist's
# open tasks the comment posts may use (one task per post).
READ_SAMPLE = 50
POST_SAMPLE = 1000
# Comments a single task may get, extra rounds and notes included.
MAX_COMMENTS_PER_TASK = 20
# Share of extra comments that are a new review round rather than a note.
ROUND_SHARE = 0.6
HISTORY_DAYS = 90

ARTIST_NOTES = [
    "Started blocking, first pass on the main poses.",
    "Updated the timing on the second half as discussed.",
    "Fixed the interpenetration on frame 1040.",
    "New version with the notes from dailies.",
    "Polished the silhouette, please have a look.",
    "Cleaned up the topology around the shoulders.",
    "Render settings aligned with the lighting template.",
    "Camera moved slightly to keep the prop in frame.",
]
REVIEW_NOTES = {
    "retake": [
        "The arc of the arm feels stiff, let's loosen it.",
        "Colour is too saturated compared to the previous shot.",
        "Please match the continuity with the shot before.",
        "Almost there: the ending needs a longer hold.",
    ],
    "done": [
        "Approved, thanks!",
        "Looks great, validated for the next step.",
        "Good to go.",
    ],
    "ready": [
        "Inputs are ready, you can start.",
        "Layout is approved, ready for animation.",
    ],
}


def out(text=""):
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-name", required=True, help="Refuse any other database.")
    parser.add_argument("--project-name", default="Bench Show")
    parser.add_argument("--comments", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--output", required=True, help="JSON file of the ids to request.")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    password = os.environ.get("BENCH_PASSWORD")
    if not password:
        sys.exit("BENCH_PASSWORD is not set.")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitsu_backend.settings")
    import django

    django.setup()
    from django.db import connection

    # This script writes tens of thousands of rows: never into a database
    # other than the one the bench created.
    if connection.settings_dict["NAME"] != args.database_name:
        sys.exit(
            f"Refusing to seed {connection.settings_dict['NAME']!r}: "
            f"expected {args.database_name!r}."
        )
    ids = Seeder(random.Random(args.seed)).run(args.project_name, args.comments, password)
    Path(args.output).write_text(json.dumps(ids, indent=2))


class Seeder:
    def __init__(self, rng):
        self.random = rng

    def run(self, project_name, nb_comments, password):
        from django.db import transaction

        from people.models import Person
        from productions.models import Project

        project = Project.objects.get(name=project_name)
        people = {
            person.email: person
            for person in Person.objects.filter(email__endswith="demo.kitsu.local")
        }
        manager, supervisor, artist = (
            people[MANAGER_EMAIL],
            people[SUPERVISOR_EMAIL],
            people[ARTIST_EMAIL],
        )
        with transaction.atomic():
            for person in (manager, artist):
                person.set_password(password)
                person.save(update_fields=["password", "updated_at"])
            counts = self.seed_history(project, nb_comments, [supervisor, manager])
        out(
            f"Seeded {counts['comments']} comments and {counts['previews']} previews "
            f"on {counts['tasks']} tasks."
        )
        return self.bench_ids(project, manager, artist, counts)

    # --- history ----------------------------------------------------------------

    def seed_history(self, project, nb_comments, reviewers):
        from tasks.models import Task, TaskStatus

        statuses = {status.short_name: status for status in TaskStatus.objects.all()}
        first_assignee = {}
        for task_id, person_id in Task.assignees.through.objects.filter(
            task__project=project
        ).values_list("task_id", "person_id"):
            first_assignee.setdefault(task_id, person_id)
        tasks = list(
            Task.objects.filter(project=project, id__in=first_assignee)
            .select_related("task_status", "task_type", "entity")
            .order_by("id")
        )
        self.random.shuffle(tasks)

        # Every started task gets the shortest history that explains its
        # status, while the budget lasts; the rest is spread as extra review
        # rounds and notes.
        histories = {}
        budget = nb_comments
        for task in tasks:
            steps = base_history(task.task_status.short_name)
            if not steps:
                continue
            if len(steps) > budget:
                break
            histories[task.pk] = steps
            budget -= len(steps)
        started = [task for task in tasks if task.pk in histories]
        while budget > 0 and started:
            task = self.random.choice(started)
            steps = histories[task.pk]
            if len(steps) >= MAX_COMMENTS_PER_TASK:
                continue
            reviewed = task.task_status.short_name in ("wfa", "retake", "done")
            if reviewed and budget >= 2 and self.random.random() < ROUND_SHARE:
                # A retake and a new version, inserted before the last step.
                steps[-1:-1] = [("retake", "reviewer"), ("wfa", "artist")]
                budget -= 2
            else:
                # A note keeps the status; artists may only post theirs.
                status = steps[-1][0]
                kinds = ("artist", "reviewer") if status in ("wip", "wfa") else ("reviewer",)
                steps.append((status, self.random.choice(kinds)))
                budget -= 1
        return self.write(started, histories, first_assignee, reviewers, statuses)

    def write(self, tasks, histories, first_assignee, reviewers, statuses):
        from django.utils import timezone

        from productions.models import Entity
        from tasks.models import Comment, CommentPreviewLink, PreviewFile, Task

        now = timezone.now().replace(microsecond=0, tzinfo=None)
        start = now - timedelta(days=HISTORY_DAYS)
        comments, previews, links = [], [], []
        entity_preview = {}
        for task in tasks:
            artist_id = first_assignee[task.pk]
            moment = start + timedelta(minutes=self.random.randrange(60 * 24 * 60))
            revision = 0
            task.retake_count = 0
            for short_name, kind in histories[task.pk]:
                moment = min(moment + timedelta(minutes=self.random.randrange(120, 4320)), now)
                if kind == "artist":
                    author_id = artist_id
                    text = self.random.choice(ARTIST_NOTES)
                else:
                    author_id = self.random.choices(reviewers, weights=(7, 3))[0].pk
                    text = self.random.choice(REVIEW_NOTES.get(short_name, ARTIST_NOTES))
                comment = Comment(
                    object_id=task.pk,
                    object_type="Task",
                    text=text,
                    checklist=[],
                    links=[],
                    replies=[],
                    for_client=False,
                    task_status_id=statuses[short_name].pk,
                    person_id=author_id,
                    created_at=moment,
                    updated_at=moment,
                )
                comments.append(comment)
                if short_name == "retake":
                    task.retake_count += 1
                if short_name == "wip" and task.real_start_date is None:
                    task.real_start_date = moment
                if short_name == "done":
                    task.end_date = task.done_date = moment
                if short_name == "wfa" and kind == "artist":
                    revision += 1
                    preview = self.preview(task, artist_id, revision, moment)
                    previews.append(preview)
                    links.append(CommentPreviewLink(comment=comment, preview_file=preview))
                    task.last_preview_file_id = preview.pk
                    entity_preview[task.entity_id] = max(
                        entity_preview.get(task.entity_id, (moment, preview.pk)),
                        (moment, preview.pk),
                    )
                task.last_comment_date = moment
        self.insert(Comment, comments, "comments")
        self.insert(PreviewFile, previews, "previews")
        self.insert(CommentPreviewLink, links, "preview links")
        Task.objects.bulk_update(
            tasks,
            [
                "last_comment_date",
                "last_preview_file",
                "retake_count",
                "real_start_date",
                "end_date",
                "done_date",
            ],
            batch_size=BATCH_SIZE,
        )
        entities = list(Entity.objects.filter(pk__in=entity_preview))
        for entity in entities:
            entity.preview_file_id = entity_preview[entity.pk][1]
        Entity.objects.bulk_update(entities, ["preview_file"], batch_size=BATCH_SIZE)
        return {"comments": len(comments), "previews": len(previews), "tasks": len(tasks)}

    def preview(self, task, artist_id, revision, moment):
        from tasks.models import PreviewFile

        movie = task.task_type.for_entity == "Shot"
        extension = "mp4" if movie else "png"
        nb_frames = task.entity.nb_frames or 48
        return PreviewFile(
            name=f"v{revision}",
            original_name=f"{task.entity.name}_{task.task_type.name}_v{revision:03d}.{extension}",
            revision=revision,
            position=1,
            extension=extension,
            file_size=self.random.randrange(200_000, 40_000_000),
            status="ready",
            validation_status="neutral",
            annotations=[],
            width=1920,
            height=1080,
            duration=round(nb_frames / 24, 3) if movie else 0.0,
            data={},
            task=task,
            person_id=artist_id,
            created_at=moment,
            updated_at=moment,
        )

    def insert(self, model, rows, label):
        for start in range(0, len(rows), BATCH_SIZE):
            model.objects.bulk_create(rows[start : start + BATCH_SIZE])
        out(f"  {label}: {len(rows)}")

    # --- what the bench requests --------------------------------------------------

    def bench_ids(self, project, manager, artist, counts):
        from tasks.models import Comment, PreviewFile, Task, TaskStatus

        commented = set(
            Comment.objects.filter(object_type="Task").values_list("object_id", flat=True)
        )
        with_previews = set(
            PreviewFile.objects.filter(task__project=project).values_list("task_id", flat=True)
        )
        # Tasks the task page is opened on: commented ones, most with previews.
        candidates = sorted(
            Task.objects.filter(project=project, id__in=commented).values_list("id", "entity_id"),
            key=str,
        )
        reading = self.random.sample(candidates, min(READ_SAMPLE, len(candidates)))
        reading.sort(key=lambda row: row[0] not in with_previews)
        open_tasks = sorted(
            Task.objects.filter(project=project, assignees=artist)
            .exclude(task_status__short_name__in=("done", "retake"))
            .values_list("id", flat=True),
            key=str,
        )
        posting = self.random.sample(open_tasks, min(POST_SAMPLE, len(open_tasks)))
        post_statuses = list(
            TaskStatus.objects.filter(short_name__in=("wip", "wfa"), is_artist_allowed=True)
            .order_by("short_name")
            .values_list("id", flat=True)
        )
        return {
            "project_id": str(project.pk),
            "manager": manager.email,
            "artist": artist.email,
            "read_tasks": [
                {"task_id": str(task_id), "entity_id": str(entity_id)}
                for task_id, entity_id in reading
            ],
            "post_tasks": [str(task_id) for task_id in posting],
            "post_statuses": [str(status_id) for status_id in post_statuses],
            "counts": {
                **counts,
                "all_tasks": Task.objects.filter(project=project).count(),
                "artist_tasks": Task.objects.filter(project=project, assignees=artist).count(),
            },
        }


def base_history(status):
    """The shortest sequence of (status, author kind) that leads to ``status``.

    The first ``wfa`` by the artist comes with a preview.
    """
    return {
        "ready": [("ready", "reviewer")],
        "wip": [("wip", "artist")],
        "wfa": [("wip", "artist"), ("wfa", "artist")],
        "retake": [("wip", "artist"), ("wfa", "artist"), ("retake", "reviewer")],
        "done": [("wip", "artist"), ("wfa", "artist"), ("done", "reviewer")],
    }.get(status, [])


if __name__ == "__main__":
    main()
