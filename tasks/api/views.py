"""Routes of the tasks app: task actions, task lists, comments and previews of
tasks, time logging, the entity routes that read tasks, and the schedule
version actions.

Views parse and check input, check access, call ``tasks.services`` and
render. Access rules shared with the generic ``/data/tasks`` resource live
at the top of this module.
"""

import math

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from kitsu_backend.api import events
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import ApiError, Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.views import (
    KitsuView,
    get_or_404,
    parse_date,
    parse_int,
    parse_uuid,
)
from people.models import Person
from productions.access import (
    check_manager_access,
    check_project_access,
    check_supervisor_access,
    project_roles,
    scope_to_projects,
    visible_project_ids,
)
from productions.models import (
    CONCEPT,
    EDIT,
    EPISODE,
    RESERVED_ENTITY_TYPE_NAMES,
    SCENE,
    SEQUENCE,
    SHOT,
    Entity,
    ProductionScheduleVersion,
    Project,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
)
from productions.presentation import (
    kind_of,
    serialize_entities,
    serialize_entity,
    strip_hidden_data,
)
from tasks import activity, comments, services
from tasks.models import (
    AttachmentFile,
    Comment,
    CommentAcknowledgement,
    CommentDepartmentMention,
    CommentMention,
    CommentPreviewLink,
    News,
    Notification,
    PreviewFile,
    Subscription,
    Task,
    TaskStatus,
    TaskType,
    TimeSpent,
)
from tasks.services import (
    TaskAssignee,
    TaskError,
    assigned_task_ids,
    department_ids,
    supervises_task_type,
)

MANAGING = (roles.ADMIN, roles.MANAGER)
STUDIO_REVIEWERS = (roles.ADMIN, roles.MANAGER, roles.SUPERVISOR)


# --- access -------------------------------------------------------------------


def has_task_on_entity(person, entity_id):
    return Task.objects.filter(entity_id=entity_id, pk__in=assigned_task_ids(person)).exists()


def check_entity_read(person, entity):
    """Team members read an entity; vendors only one they have a task on."""
    role = check_project_access(person, entity.project_id)
    if role == roles.VENDOR and not has_task_on_entity(person, entity.pk):
        raise Forbidden()
    return role


def check_task_read(person, task):
    """Team members read a task; vendors only tasks of entities they work on."""
    role = check_project_access(person, task.project_id)
    if role == roles.VENDOR and not has_task_on_entity(person, task.entity_id):
        raise Forbidden()
    return role


def is_assigned(person, task):
    return TaskAssignee.objects.filter(task_id=task.pk, person_id=person.pk).exists()


def check_task_action(person, task):
    """Rights to comment-like actions on a task (previews, main preview).

    Admins, managers and clients of the project, supervisors of the task
    type's department, assignees, and the creator of the entity.
    """
    role = check_task_read(person, task)
    if role in (*MANAGING, roles.CLIENT):
        return role
    if role == roles.SUPERVISOR and supervises_task_type(person, task.task_type.department_id):
        return role
    if is_assigned(person, task):
        return role
    if task.entity.created_by == person.pk:
        return role
    raise Forbidden()


def check_task_supervision(person, task):
    """Managers of the project, or supervisors of the task type's department."""
    role = check_project_access(person, task.project_id)
    if role in MANAGING:
        return role
    if role == roles.SUPERVISOR and supervises_task_type(person, task.task_type.department_id):
        return role
    raise Forbidden()


def check_assignment(viewer, task, person=None):
    """Managers assign anyone; supervisors people of their departments on their task types."""
    role = check_task_supervision(viewer, task)
    if role in MANAGING or person is None:
        return role
    mine = department_ids(viewer)
    if mine and not (department_ids(person) & mine):
        raise Forbidden()
    return role


def scope_tasks(person, queryset):
    """Tasks of the caller's projects; in projects where they are a vendor, only their own."""
    queryset = scope_to_projects(person, queryset)
    if roles.is_admin(person):
        return queryset
    vendor_projects = [
        project_id for project_id, role in project_roles(person).items() if role == roles.VENDOR
    ]
    if vendor_projects:
        queryset = queryset.filter(
            ~Q(project_id__in=vendor_projects) | Q(pk__in=assigned_task_ids(person))
        )
    return queryset


# --- parsing --------------------------------------------------------------------


def load_task(task_id):
    return get_or_404(
        Task.objects.select_related("project", "task_type", "task_status", "entity"), task_id
    )


def load_project(project_id):
    return get_or_404(Project, project_id)


def id_list(value, name="ids"):
    """A list of UUIDs from a JSON value (400 when it is not a list of ids)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise WrongParameter(f"{name} must be a list of ids.")
    return [parse_uuid(item) for item in value]


def body_id_list(request):
    """The body of routes that take a bare JSON list of ids (empty when absent)."""
    data = request.data
    if data in (None, "", {}):
        return []
    return id_list(data)


def paginated(queryset, request, serialize):
    """A plain list, or with ``page`` Zou's ``{data, total, nb_pages, limit, offset, page}``."""
    page = parse_int(request.query_params.get("page", 0), "page")
    if page < 1:
        return serialize(queryset)
    limit = parse_int(
        request.query_params.get("limit", settings.NB_RECORDS_PER_PAGE), "limit", minimum=1
    )
    total = queryset.count()
    offset = (page - 1) * limit
    return {
        "data": serialize(queryset[offset : offset + limit]),
        "total": total,
        "nb_pages": math.ceil(total / limit),
        "limit": limit,
        "offset": offset,
        "page": page,
    }


def task_errors(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except TaskError as error:
        raise WrongParameter(str(error)) from None


# --- task creation --------------------------------------------------------------

ENTITY_KINDS = {
    "shot": SHOT,
    "sequence": SEQUENCE,
    "episode": EPISODE,
    "scene": SCENE,
    "edit": EDIT,
    "concept": CONCEPT,
}


class CreateTasksView(KitsuView):
    """Create tasks of a type on the given entities of a kind, or on all of them.

    The body is a list of entity ids; an empty body means every entity of the
    kind in the project. Answers 201 with the tasks created.
    """

    kind = None

    def check(self, request, project):
        check_manager_access(request.user, project.pk)

    def kind_for(self, entity_type):
        return self.kind

    def entities(self, project, kind, ids):
        queryset = Entity.objects.select_related("entity_type")
        if kind is None:  # assets: any entity type that is not a reserved kind
            queryset = queryset.exclude(entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES)
        else:
            queryset = queryset.filter(entity_type__name=kind)
        if ids:
            found = list(queryset.filter(pk__in=ids))
            if len(found) != len(set(ids)):
                raise WrongParameter(
                    "Some of the given entities do not exist or are not of this kind."
                )
            return found
        queryset = queryset.filter(project=project, canceled=False)
        episode_id = self.request.query_params.get("episode_id")
        if episode_id:
            episode_id = parse_uuid(episode_id)
            if kind in (SHOT, SCENE):
                queryset = queryset.filter(parent__parent_id=episode_id)
            elif kind in (SEQUENCE, EDIT):
                queryset = queryset.filter(parent_id=episode_id)
            elif kind is None:
                queryset = queryset.filter(source_id=episode_id)
        return list(queryset.order_by("name"))

    def post(self, request, project_id, task_type_id, entity_type=None):
        project = load_project(project_id)
        self.check(request, project)
        task_type = get_or_404(TaskType, task_type_id)
        kind = self.kind_for(entity_type)
        ids = body_id_list(request)
        entities = self.entities(project, kind, ids)
        if kind is None:
            entities = services.filter_assets_for_task_type(task_type, entities)
        tasks = task_errors(services.create_tasks, project, task_type, entities, request.user)
        rows = services.task_rows(Task.objects.filter(pk__in=[task.pk for task in tasks]))
        return self.respond(rows, status=201)


class CreateShotTasksView(CreateTasksView):
    kind = SHOT


class CreateEditTasksView(CreateTasksView):
    kind = EDIT


class CreateAssetTasksView(CreateTasksView):
    kind = None


class CreateConceptTasksView(CreateTasksView):
    kind = CONCEPT

    def check(self, request, project):
        # Artists create tasks on the concepts they upload; clients and vendors do not.
        role = check_project_access(request.user, project.pk)
        if role in (roles.CLIENT, roles.VENDOR):
            raise Forbidden()


class CreateEntityKindTasksView(CreateTasksView):
    def kind_for(self, entity_type):
        name = entity_type.lower()
        kind = ENTITY_KINDS.get(name) or ENTITY_KINDS.get(name.removesuffix("s"))
        if kind is None:
            raise NotFound()
        return kind


class EntityTasksView(KitsuView):
    """``POST /data/entities/<id>/tasks`` ``{"task_type_ids": [...]}``: tasks on one entity."""

    def post(self, request, entity_id):
        entity = get_or_404(Entity.objects.select_related("project"), entity_id)
        check_manager_access(request.user, entity.project_id)
        body = self.body()
        task_type_ids = id_list(body.get("task_type_ids"), "task_type_ids")
        if not task_type_ids:
            raise WrongParameter("The field task_type_ids is required.")
        task_types = list(TaskType.objects.filter(pk__in=task_type_ids))
        if len(task_types) != len(set(task_type_ids)):
            raise WrongParameter("Some of the given task types do not exist.")
        created = []
        with transaction.atomic():
            for task_type in task_types:
                created += task_errors(
                    services.create_tasks, entity.project, task_type, [entity], request.user
                )
        rows = services.task_rows(Task.objects.filter(pk__in=[task.pk for task in created]))
        return self.respond(rows, status=201)


# --- deletion -------------------------------------------------------------------


class DeleteTasksView(KitsuView):
    """Delete a list of tasks of a project; answers with the deleted ids."""

    def post(self, request, project_id):
        project = load_project(project_id)
        check_manager_access(request.user, project.pk)
        ids = body_id_list(request)
        tasks = list(Task.objects.filter(pk__in=ids, project=project))
        deleted = services.delete_tasks(tasks)
        return self.respond([str(task_id) for task_id in deleted])


class DeleteTaskTypeTasksView(KitsuView):
    """Delete every task of a task type in a project (admins)."""

    def delete(self, request, project_id, task_type_id):
        roles.require_admin(request.user)
        project = load_project(project_id)
        task_type = get_or_404(TaskType, task_type_id)
        services.delete_tasks(Task.objects.filter(project=project, task_type=task_type))
        return self.respond(None, status=204)


class DeleteEntitiesView(KitsuView):
    """Delete entities of a project; those with tasks are canceled instead."""

    def post(self, request, project_id):
        project = load_project(project_id)
        check_manager_access(request.user, project.pk)
        ids = body_id_list(request)
        entities = list(
            Entity.objects.select_related("entity_type").filter(pk__in=ids, project=project)
        )
        handled = services.delete_entities(entities)
        return self.respond([str(entity_id) for entity_id in handled])


# --- assignment -----------------------------------------------------------------


def load_person(person_id, status=404):
    try:
        return get_or_404(Person, person_id)
    except NotFound:
        if status == 404:
            raise
        raise ApiError({"error": "Assignee doesn't exist in database."}, status) from None


def tasks_from_body(body):
    ids = id_list(body.get("task_ids"), "task_ids")
    if not ids:
        raise WrongParameter("The field task_ids is required.")
    return list(Task.objects.select_related("task_type").filter(pk__in=ids))


class TaskAssignView(KitsuView):
    """``PUT /actions/tasks/<id>/assign {"person_id"}``: answers the task."""

    def put(self, request, task_id):
        (person_id,) = self.required(self.body(), "person_id")
        task = load_task(task_id)
        person = load_person(person_id, status=400)
        if person.is_bot:
            raise WrongParameter("A bot cannot be assigned to a task.")
        check_assignment(request.user, task, person)
        services.assign_tasks([task], person, request.user)
        return self.respond(services.task_row(Task.objects.get(pk=task.pk)))


class PersonAssignView(KitsuView):
    """``PUT /actions/persons/<id>/assign {"task_ids"}``: answers the tasks.

    Unlike Zou, a task the caller may not assign makes the whole call a 403
    instead of being skipped silently.
    """

    def put(self, request, person_id):
        person = load_person(person_id)
        if person.is_bot:
            raise WrongParameter("A bot cannot be assigned to a task.")
        tasks = tasks_from_body(self.body())
        for task in tasks:
            check_assignment(request.user, task, person)
        services.assign_tasks(tasks, person, request.user)
        return self.respond(services.task_rows(Task.objects.filter(pk__in=[t.pk for t in tasks])))


class ClearAssignationView(KitsuView):
    """``PUT /actions/tasks/clear-assignation {"task_ids", "person_id"?}``: answers the ids.

    A task the caller may not unassign makes the call a 403 (Zou skips it).
    """

    def put(self, request):
        body = self.body()
        tasks = tasks_from_body(body)
        person = None
        if body.get("person_id"):
            person = load_person(body["person_id"], status=400)
        for task in tasks:
            check_assignment(request.user, task, person)
        ids = services.unassign(tasks, person)
        return self.respond([str(task_id) for task_id in ids])


class SetPriorityView(KitsuView):
    """``PUT /actions/tasks/set-priority {"task_ids", "priority"}``: answers the tasks."""

    def put(self, request):
        body = self.body()
        tasks = tasks_from_body(body)
        if "priority" not in body:
            raise WrongParameter("The field priority is required.")
        priority = parse_int(body["priority"], "priority")
        for task in tasks:
            check_task_supervision(request.user, task)
        with transaction.atomic():
            Task.objects.filter(pk__in=[task.pk for task in tasks]).update(
                priority=priority, updated_at=services.utcnow()
            )
            for task in tasks:
                events.emit("task:update", {"task_id": task.pk}, project_id=task.project_id)
        return self.respond(services.task_rows(Task.objects.filter(pk__in=[t.pk for t in tasks])))


# --- task reads -----------------------------------------------------------------


class TaskFullView(KitsuView):
    def get(self, request, task_id):
        task = get_or_404(
            Task.objects.select_related("project", "task_type", "task_status", "assigner"),
            task_id,
        )
        check_task_read(request.user, task)
        return self.respond(services.task_full(task, request.user))


class ProjectTasksView(KitsuView):
    """Tasks of a project, optionally of one task type or episode (with ``assignees``)."""

    def get(self, request, project_id):
        project = load_project(project_id)
        check_project_access(request.user, project.pk)
        queryset = scope_tasks(request.user, Task.objects.filter(project=project))
        task_type_id = request.query_params.get("task_type_id")
        if task_type_id:
            queryset = queryset.filter(task_type_id=parse_uuid(task_type_id))
        episode_id = request.query_params.get("episode_id")
        if episode_id:
            episode_id = parse_uuid(episode_id)
            queryset = queryset.filter(
                Q(entity__parent__parent_id=episode_id)
                | Q(entity__parent_id=episode_id)
                | Q(entity__source_id=episode_id)
                | Q(entity_id=episode_id)
            )
        queryset = queryset.order_by("-updated_at", "id")
        return self.respond(paginated(queryset, request, services.task_rows))


class EntityTaskTypeTasksView(KitsuView):
    def get(self, request, entity_id, task_type_id):
        entity = get_or_404(Entity, entity_id)
        check_entity_read(request.user, entity)
        task_type_id = parse_uuid(task_type_id)
        queryset = scope_tasks(
            request.user, Task.objects.filter(entity=entity, task_type_id=task_type_id)
        )
        rows = services.task_rows(queryset.order_by("name"))
        return self.respond(strip_hidden_data(rows, request.user))


def reachable_open_project_ids(viewer):
    """Open projects the viewer may read (all open ones for admins)."""
    open_ids = services.open_project_ids()
    visible = visible_project_ids(viewer)
    return open_ids if visible is None else open_ids & visible


class PersonTasksView(KitsuView):
    """Open (``done=False``) or done tasks assigned to a person, on open projects."""

    done = False

    def get(self, request, person_id):
        person = load_person(person_id)
        viewer = request.user
        if person.is_bot:
            raise WrongParameter("Bots have no task list.")
        if roles.is_client(viewer) or (roles.is_vendor(viewer) and person.pk != viewer.pk):
            return self.respond([])
        project_ids = reachable_open_project_ids(viewer)
        return self.respond(services.person_tasks(person, project_ids, done=self.done))


class PersonDoneTasksView(PersonTasksView):
    done = True


class PersonRelatedTasksView(KitsuView):
    """Tasks of a type on the entities where a person has tasks.

    Zou shows them to any logged-in person; here the caller must be the
    person, an admin, or a manager or supervisor of a project shared with
    them, and rows are limited to those projects.
    """

    def get(self, request, person_id, task_type_id):
        person = load_person(person_id)
        task_type = get_or_404(TaskType, task_type_id)
        viewer = request.user
        open_ids = services.open_project_ids()
        if roles.is_admin(viewer):
            project_ids = open_ids
        else:
            theirs = set(project_roles(person))
            if person.pk == viewer.pk:
                mine = set(project_roles(viewer))
            else:
                mine = {
                    project_id
                    for project_id, role in project_roles(viewer).items()
                    if role in STUDIO_REVIEWERS
                }
            project_ids = open_ids & theirs & mine
            if not project_ids and person.pk != viewer.pk:
                raise Forbidden()
        return self.respond(services.related_tasks(person, task_type.pk, project_ids))


class PersonsTaskDatesView(KitsuView):
    """Earliest start and latest due date of each person's tasks (supervisors and up)."""

    def get(self, request):
        viewer = request.user
        roles.require_supervisor(viewer)
        project_id = request.query_params.get("project_id")
        if project_id:
            check_supervisor_access(viewer, parse_uuid(project_id))
            project_ids = {parse_uuid(project_id)}
        else:
            project_ids = reachable_open_project_ids(viewer)
        return self.respond(services.persons_task_dates(project_ids))


# --- open tasks -------------------------------------------------------------------


def open_tasks_queryset(request):
    """The pool of the task list page: open projects of the caller, filtered."""
    viewer = request.user
    params = request.query_params
    queryset = Task.objects.all()
    project_id = params.get("project_id")
    if project_id:
        project_id = parse_uuid(project_id)
        check_project_access(viewer, project_id)
        queryset = queryset.filter(project_id=project_id)
    else:
        queryset = queryset.filter(project_id__in=reachable_open_project_ids(viewer))
    queryset = scope_tasks(viewer, queryset)
    if not roles.is_admin(viewer):
        client_projects = [
            pid for pid, role in project_roles(viewer).items() if role == roles.CLIENT
        ]
        if client_projects:
            hidden = Project.objects.filter(
                pk__in=client_projects, is_client_task_list_visible=False
            ).values("pk")
            queryset = queryset.exclude(project_id__in=hidden)
    filters = {}
    for name in ("task_type_id", "task_status_id", "studio_id", "department_id"):
        if params.get(name):
            filters[name] = parse_uuid(params[name])
    person_id = params.get("person_id")
    if person_id == "unassigned":
        filters["person_ids"] = "unassigned"
    elif person_id:
        filters["person_ids"] = [parse_uuid(item) for item in person_id.split(",")]
    for name in ("start_date", "due_date"):
        if params.get(name):
            filters[name] = parse_date(params[name], name)
    if params.get("priority") not in (None, ""):
        filters["priority"] = parse_int(params["priority"], "priority")
    return services.filter_open_tasks(queryset, filters)


class OpenTasksView(KitsuView):
    def get(self, request):
        queryset = open_tasks_queryset(request)
        page = parse_int(request.query_params.get("page", 1) or 1, "page")
        limit = parse_int(request.query_params.get("limit", 200) or 200, "limit", minimum=1)
        return self.respond(services.open_tasks_page(queryset, max(page, 1), limit))


class OpenTasksStatsView(KitsuView):
    def get(self, request):
        return self.respond(services.open_tasks_stats(open_tasks_queryset(request)))


class OpenTasksBurndownView(KitsuView):
    def get(self, request):
        return self.respond(services.open_tasks_burndown(open_tasks_queryset(request)))


# --- comments ---------------------------------------------------------------------

PERSON_SUMMARY = ("first_name", "last_name", "has_avatar", "role", "id")
PREVIEW_SUMMARY = (
    "id",
    "task_id",
    "revision",
    "position",
    "extension",
    "width",
    "height",
    "duration",
    "status",
    "validation_status",
    "original_name",
)


def visible_comments(viewer, role, project, queryset):
    """Client-authored comments are for the studio staff and clients only.

    Clients see comments marked for them and comments of clients (only
    their own when the project isolates clients); artists and vendors do not
    see client-authored comments.
    """
    if role in STUDIO_REVIEWERS:
        return queryset
    if role == roles.CLIENT:
        if project.is_clients_isolated:
            return queryset.filter(Q(for_client=True) | Q(person_id=viewer.pk))
        return queryset.filter(Q(for_client=True) | Q(person__role=roles.CLIENT))
    return queryset.exclude(person__role=roles.CLIENT)


def comment_rows(queryset, viewer_role=None):
    """Comment rows with small ``person``/``task_status`` objects and relation lists.

    A fixed number of queries whatever the number of comments.
    """
    rows = serialize_rows(Comment, queryset.order_by("-created_at", "-id"))
    ids = [row["id"] for row in rows]
    people = {
        person["id"]: person
        for person in Person.objects.filter(pk__in={row["person_id"] for row in rows}).values(
            *PERSON_SUMMARY
        )
    }
    statuses = {
        status["id"]: status
        for status in TaskStatus.objects.filter(
            pk__in={row["task_status_id"] for row in rows}
        ).values("name", "short_name", "color", "id")
    }

    def grouped(model, field):
        result = {}
        for comment_id, value in model.objects.filter(comment_id__in=ids).values_list(
            "comment_id", field
        ):
            result.setdefault(comment_id, []).append(value)
        return result

    acknowledgements = grouped(CommentAcknowledgement, "person_id")
    mentions = grouped(CommentMention, "person_id")
    department_mentions = grouped(CommentDepartmentMention, "department_id")
    previews = {}
    for link in CommentPreviewLink.objects.filter(comment_id__in=ids).values(
        "comment_id", *[f"preview_file__{key}" for key in PREVIEW_SUMMARY]
    ):
        previews.setdefault(link["comment_id"], []).append(
            {key: link[f"preview_file__{key}"] for key in PREVIEW_SUMMARY}
        )
    attachments = {}
    for attachment in AttachmentFile.objects.filter(comment_id__in=ids).values(
        "id", "name", "extension", "size", "comment_id"
    ):
        comment_id = attachment.pop("comment_id")
        attachments.setdefault(comment_id, []).append(attachment)
    for row in rows:
        person = people.get(row["person_id"])
        if person is not None:
            person = {
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "full_name": f"{person['first_name']} {person['last_name'] or ''}".strip(),
                "has_avatar": person["has_avatar"],
                "role": person["role"],
                "id": person["id"],
            }
        row["person"] = person
        row["task_status"] = statuses.get(row["task_status_id"])
        row["acknowledgements"] = acknowledgements.get(row["id"], [])
        row["previews"] = previews.get(row["id"], [])
        row["mentions"] = mentions.get(row["id"], [])
        row["department_mentions"] = department_mentions.get(row["id"], [])
        row["attachment_files"] = attachments.get(row["id"], [])
        if (
            viewer_role == roles.CLIENT
            and row["previews"]
            and person is not None
            and person["role"] != roles.CLIENT
        ):
            # Studio work in progress shown to clients: the preview, not the talk.
            row["text"] = ""
            row["attachment_files"] = []
    return rows


class TaskCommentsView(KitsuView):
    def get(self, request, task_id):
        task = load_task(task_id)
        role = check_task_read(request.user, task)
        queryset = visible_comments(
            request.user, role, task.project, Comment.objects.filter(object_id=task.pk)
        )
        return self.respond(comment_rows(queryset, role))


class TaskCommentView(KitsuView):
    def load(self, request, task_id, comment_id):
        task = load_task(task_id)
        comment = get_or_404(Comment, comment_id)
        if comment.object_id != task.pk:
            raise NotFound()
        return task, comment

    def get(self, request, task_id, comment_id):
        task, comment = self.load(request, task_id, comment_id)
        role = check_task_read(request.user, task)
        queryset = visible_comments(
            request.user, role, task.project, Comment.objects.filter(pk=comment.pk)
        )
        rows = comment_rows(queryset, role)
        if not rows:
            raise Forbidden()
        return self.respond(rows[0])

    def delete(self, request, task_id, comment_id):
        task, comment = self.load(request, task_id, comment_id)
        role = check_task_read(request.user, task)
        if role not in MANAGING and comment.person_id != request.user.pk:
            raise Forbidden()
        with transaction.atomic():
            # The same deletion as DELETE /data/comments/<id>: feed entries,
            # previews and files go, and the task is reset from its history.
            comments.delete_comment(comment, request.user)
            events.emit("comment:delete", {"comment_id": comment.pk}, project_id=task.project_id)
        return self.respond(None, status=204)


# --- previews -----------------------------------------------------------------------


def preview_rows(queryset):
    return serialize_rows(PreviewFile, queryset)


class TaskPreviewsView(KitsuView):
    def get(self, request, task_id):
        task = load_task(task_id)
        check_task_read(request.user, task)
        queryset = PreviewFile.objects.filter(task=task).order_by("-revision", "position")
        return self.respond(preview_rows(queryset))


def load_task_comment(task_id, comment_id):
    task = load_task(task_id)
    comment = get_or_404(Comment, comment_id)
    if comment.object_id != task.pk:
        raise WrongParameter("This comment does not belong to this task.")
    return task, comment


def add_preview_to_comment(task, comment, person, revision=None):
    """Create a preview row (status "processing") for a comment's revision.

    The first preview of a comment opens the next revision of the task (or
    the one given); later ones join that revision at the next position,
    unless the project allows a single preview per revision.
    """
    with transaction.atomic():
        Task.objects.select_for_update().filter(pk=task.pk).first()
        linked = list(
            PreviewFile.objects.filter(
                pk__in=CommentPreviewLink.objects.filter(comment_id=comment.pk).values(
                    "preview_file_id"
                )
            ).values_list("revision", flat=True)
        )
        if linked:
            if task.project.is_single_preview_per_revision:
                raise WrongParameter("Only one preview is allowed per revision in this project.")
            revision = linked[0]
        elif not revision:
            last = PreviewFile.objects.filter(task=task).order_by("-revision").first()
            revision = (last.revision or 0) + 1 if last is not None else 1
        position = PreviewFile.objects.filter(task=task, revision=revision).count() + 1
        preview = PreviewFile(
            revision=revision,
            position=position,
            task=task,
            person_id=person.pk,
            status="processing",
            source="webgui",
        )
        preview.name = str(preview.pk)[:13]
        preview.save()
        CommentPreviewLink.objects.create(comment_id=comment.pk, preview_file_id=preview.pk)
        News.objects.filter(comment_id=comment.pk).update(preview_file_id=preview.pk)
        events.emit(
            "preview-file:new",
            {"preview_file_id": preview.pk, "comment_id": comment.pk},
            project_id=task.project_id,
        )
        events.emit("comment:update", {"comment_id": comment.pk}, project_id=task.project_id)
    return preview


class AddPreviewView(KitsuView):
    def post(self, request, task_id, comment_id):
        task, comment = load_task_comment(task_id, comment_id)
        check_task_action(request.user, task)
        revision = self.body().get("revision")
        revision = parse_int(revision, "revision", minimum=0) if revision not in (None, "") else 0
        preview = add_preview_to_comment(task, comment, request.user, revision)
        return self.respond(serialize_instance(preview, relations=False), status=201)


class ExtraPreviewView(KitsuView):
    def post(self, request, task_id, comment_id, preview_file_id):
        task, comment = load_task_comment(task_id, comment_id)
        check_task_action(request.user, task)
        related = get_or_404(PreviewFile, preview_file_id)
        if related.task_id != task.pk:
            raise WrongParameter("This preview does not belong to this task.")
        preview = add_preview_to_comment(task, comment, request.user, related.revision)
        return self.respond(serialize_instance(preview, relations=False), status=201)

    def delete(self, request, task_id, comment_id, preview_file_id):
        task, comment = load_task_comment(task_id, comment_id)
        check_task_action(request.user, task)
        preview = get_or_404(PreviewFile, preview_file_id)
        if preview.task_id != task.pk:
            raise WrongParameter("This preview does not belong to this task.")
        with transaction.atomic():
            events.emit(
                "preview-file:delete", {"preview_file_id": preview.pk}, project_id=task.project_id
            )
            services.delete_preview_files([preview.pk])
            events.emit("comment:update", {"comment_id": comment.pk}, project_id=task.project_id)
        return self.respond(None, status=204)


def set_main_preview(task):
    """Use the task's latest preview as its entity's thumbnail; return the entity or None."""
    preview = PreviewFile.objects.filter(task=task).order_by("-revision", "position").first()
    entity = Entity.objects.select_related("entity_type").get(pk=task.entity_id)
    if preview is None:
        return entity
    entity.preview_file_id = preview.pk
    entity.save(update_fields=["preview_file"])
    kind = kind_of(entity.entity_type.name).lower()
    events.emit(
        "preview-file:set-main",
        {"entity_id": entity.pk, "preview_file_id": preview.pk},
        project_id=task.project_id,
    )
    events.emit(f"{kind}:update", {f"{kind}_id": entity.pk}, project_id=task.project_id)
    return entity


class TaskSetMainPreviewView(KitsuView):
    def put(self, request, task_id):
        task = load_task(task_id)
        check_task_action(request.user, task)
        with transaction.atomic():
            entity = set_main_preview(task)
        return self.respond(serialize_entity(entity))


class TasksSetMainPreviewView(KitsuView):
    def put(self, request):
        tasks = list(
            Task.objects.select_related("project", "task_type", "entity").filter(
                pk__in=id_list(self.body().get("task_ids"), "task_ids")
            )
        )
        for task in tasks:
            check_task_action(request.user, task)
        with transaction.atomic():
            entities = [set_main_preview(task) for task in tasks]
        return self.respond(
            serialize_entities(Entity.objects.filter(pk__in=[entity.pk for entity in entities]))
        )


# --- time spents ----------------------------------------------------------------------


def check_time_log(viewer, task, person):
    """The assignee logs their own time; admins and managers log anyone's.

    Time is only logged for a person assigned to the task.
    """
    role = check_task_read(viewer, task)
    if role not in MANAGING and viewer.pk != person.pk:
        raise Forbidden()
    if not TaskAssignee.objects.filter(task_id=task.pk, person_id=person.pk).exists():
        raise Forbidden()
    return role


def parse_duration(body):
    value = body.get("duration")
    if value is None or isinstance(value, bool):
        raise WrongParameter("The field duration is required.")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise WrongParameter("duration must be a number of minutes.") from None


class TaskTimeSpentsView(KitsuView):
    def get(self, request, task_id, date=None):
        task = load_task(task_id)
        check_task_read(request.user, task)
        queryset = TimeSpent.objects.filter(task=task)
        if date is not None:
            queryset = queryset.filter(date=parse_date(date))
        return self.respond(services.time_spents_by_person(queryset))


class TimeSpentView(KitsuView):
    add = False

    def load(self, request, task_id, date, person_id):
        task = load_task(task_id)
        day = parse_date(date)
        person = load_person(person_id)
        check_time_log(request.user, task, person)
        return task, day, person

    def post(self, request, task_id, date, person_id):
        task, day, person = self.load(request, task_id, date, person_id)
        duration = parse_duration(self.body())
        if not self.add and duration <= 0:
            raise WrongParameter("The duration must be greater than zero.")
        entry = task_errors(services.set_time_spent, task, person, day, duration, add=self.add)
        if entry is None:
            return self.respond({}, status=201)
        return self.respond(serialize_instance(entry, relations=False), status=201)

    def delete(self, request, task_id, date, person_id):
        task, day, person = self.load(request, task_id, date, person_id)
        entry = TimeSpent.objects.filter(task=task, person=person, date=day).first()
        if entry is None:
            raise NotFound()
        services.delete_time_spent(entry, task)
        return self.respond(None, status=204)


class AddTimeSpentView(TimeSpentView):
    add = True


class ProjectTimeSpentsView(KitsuView):
    """Time spent entries of a production: everyone for managers, departments for
    supervisors, their own for other members. ``start_date``/``end_date`` narrow it."""

    def get(self, request, project_id):
        project = load_project(project_id)
        role = check_project_access(request.user, project.pk)
        queryset = TimeSpent.objects.filter(task__project=project)
        if role == roles.SUPERVISOR:
            mine = department_ids(request.user)
            if mine:
                queryset = queryset.filter(task__task_type__department_id__in=mine)
        elif role not in MANAGING:
            queryset = queryset.filter(person_id=request.user.pk)
        queryset = date_range(request, queryset)
        return self.respond(serialize_rows(TimeSpent, queryset.order_by("-date", "person_id")))


def date_range(request, queryset):
    start = request.query_params.get("start_date")
    end = request.query_params.get("end_date")
    if start:
        queryset = queryset.filter(date__gte=parse_date(start, "start_date"))
    if end:
        queryset = queryset.filter(date__lte=parse_date(end, "end_date"))
    return queryset


class ProjectTaskTypeTimeSpentsView(KitsuView):
    """``{person_id: [time spent rows]}`` for one task type of a production (managers)."""

    def get(self, request, project_id, task_type_id):
        project = load_project(project_id)
        check_manager_access(request.user, project.pk)
        task_type = get_or_404(TaskType, task_type_id)
        queryset = date_range(
            request, TimeSpent.objects.filter(task__project=project, task__task_type=task_type)
        )
        result = {}
        for row in serialize_rows(TimeSpent, queryset.order_by("-date")):
            result.setdefault(str(row["person_id"]), []).append(row)
        return self.respond(result)


class ProjectBudgetTimeSpentsView(KitsuView):
    """Minutes per department, person and month of a production (admins)."""

    def get(self, request, project_id):
        roles.require_admin(request.user)
        project = load_project(project_id)
        return self.respond(services.project_month_time_spents(project.pk))


# --- project listings (admins, for synchronisation) -------------------------------------


class ProjectAdminListView(KitsuView):
    """Rows of one kind attached to a project's tasks, for admins; ``page`` paginates."""

    def get(self, request, project_id):
        roles.require_admin(request.user)
        project = load_project(project_id)
        queryset = self.queryset(project).order_by("-created_at", "id")
        return self.respond(paginated(queryset, request, self.serialize))


class ProjectNotificationsView(ProjectAdminListView):
    def queryset(self, project):
        return Notification.objects.filter(task__project=project)

    def serialize(self, queryset):
        return serialize_rows(Notification, queryset)


class ProjectPreviewFilesView(ProjectAdminListView):
    def queryset(self, project):
        return PreviewFile.objects.filter(task__project=project)

    def serialize(self, queryset):
        return preview_rows(queryset)


class ProjectSubscriptionsView(ProjectAdminListView):
    def queryset(self, project):
        return Subscription.objects.filter(Q(task__project=project) | Q(entity__project=project))

    def serialize(self, queryset):
        return serialize_rows(Subscription, queryset)


class ProjectCommentsView(KitsuView):
    """Comments on the tasks of a project, as the caller may see them; ``page`` paginates."""

    def get(self, request, project_id):
        project = load_project(project_id)
        role = check_project_access(request.user, project.pk)
        tasks = scope_tasks(request.user, Task.objects.filter(project=project)).values("pk")
        queryset = visible_comments(
            request.user, role, project, Comment.objects.filter(object_id__in=tasks)
        ).order_by("-created_at", "id")
        return self.respond(paginated(queryset, request, lambda qs: comment_rows(qs, role)))


# --- entity routes --------------------------------------------------------------------------


def load_entity(request, entity_id):
    entity = get_or_404(Entity, entity_id)
    check_entity_read(request.user, entity)
    return entity


class EntityNewsView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        tasks = scope_tasks(request.user, Task.objects.filter(entity=entity)).values("pk")
        queryset = News.objects.filter(task_id__in=tasks).order_by("-created_at")
        visibility = activity.news_visibility(request.user)
        if visibility is not None:
            queryset = queryset.filter(visibility)
        # The same rows as the project feeds.
        return self.respond(activity.news_rows(queryset))


class EntityPreviewFilesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        tasks = scope_tasks(request.user, Task.objects.filter(entity=entity)).values("pk")
        queryset = PreviewFile.objects.filter(task_id__in=tasks).order_by(
            "-revision", "position", "-created_at"
        )
        return self.respond(preview_rows(queryset))


class EntityTimeSpentsView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        tasks = scope_tasks(request.user, Task.objects.filter(entity=entity)).values("pk")
        queryset = TimeSpent.objects.filter(task_id__in=tasks).order_by("-date")
        return self.respond(serialize_rows(TimeSpent, queryset))


class EntityLinkedWithTasksView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(request, entity_id)
        return self.respond(services.linked_entities_with_tasks(entity.pk))


# --- reorder actions ------------------------------------------------------------------------


def ordered_ids(body, name):
    ids = id_list(body.get(name), name)
    if not ids:
        raise WrongParameter(f"The field {name} is required.")
    return ids


class ReorderTaskTypesView(KitsuView):
    """Studio-wide order of task types: ``priority`` follows the list (admins)."""

    def post(self, request):
        roles.require_admin(request.user)
        ids = ordered_ids(self.body(), "task_type_ids")
        task_types = {task_type.pk: task_type for task_type in TaskType.objects.filter(pk__in=ids)}
        with transaction.atomic():
            for priority, task_type_id in enumerate(ids, start=1):
                task_type = task_types.get(task_type_id)
                if task_type is None:
                    continue
                task_type.priority = priority
                task_type.save(update_fields=["priority"])
                events.emit("task-type:update", {"task_type_id": task_type.pk})
        return self.respond(serialize_rows(TaskType, TaskType.objects.filter(pk__in=ids)))


class ReorderProjectLinksView(KitsuView):
    """Order of the task types or statuses of a project (managers of the project)."""

    model = None
    field = None
    event = None

    def post(self, request, project_id):
        project = load_project(project_id)
        check_manager_access(request.user, project.pk)
        ids = ordered_ids(self.body(), f"{self.field}_ids")
        links = {
            getattr(link, f"{self.field}_id"): link
            for link in self.model.objects.filter(project=project, **{f"{self.field}_id__in": ids})
        }
        with transaction.atomic():
            for priority, object_id in enumerate(ids, start=1):
                link = links.get(object_id)
                if link is None:
                    link = self.model(project=project, **{f"{self.field}_id": object_id})
                    if (
                        not self.model._meta.get_field(self.field)
                        .related_model.objects.filter(pk=object_id)
                        .exists()
                    ):
                        raise WrongParameter(f"Unknown {self.field.replace('_', ' ')} {object_id}.")
                    links[object_id] = link
                link.priority = priority
                link.save()
                events.emit(
                    f"{self.event}:update",
                    {f"{self.model._meta.db_table}_id": link.pk},
                    project_id=project.pk,
                )
        rows = serialize_rows(
            self.model,
            self.model.objects.filter(project=project, **{f"{self.field}_id__in": ids}).order_by(
                "priority"
            ),
        )
        return self.respond(rows)


class ReorderTaskTypeLinksView(ReorderProjectLinksView):
    model = ProjectTaskTypeLink
    field = "task_type"
    event = "project-task-type-link"


class ReorderTaskStatusLinksView(ReorderProjectLinksView):
    model = ProjectTaskStatusLink
    field = "task_status"
    event = "project-task-status-link"


# --- production schedule versions ----------------------------------------------------------


class ScheduleVersionActionView(KitsuView):
    def load(self, request, version_id):
        version = get_or_404(ProductionScheduleVersion, version_id)
        check_manager_access(request.user, version.project_id)
        return version


class ApplyScheduleVersionView(ScheduleVersionActionView):
    def post(self, request, production_schedule_version_id):
        version = self.load(request, production_schedule_version_id)
        return self.respond(services.apply_version_to_production(version))


class ScheduleVersionFromProductionView(ScheduleVersionActionView):
    def post(self, request, production_schedule_version_id):
        version = self.load(request, production_schedule_version_id)
        if version.locked:
            raise WrongParameter("This schedule version is locked.")
        return self.respond(services.set_task_links_from_production(version))


class ScheduleVersionFromVersionView(ScheduleVersionActionView):
    def post(self, request, production_schedule_version_id):
        version = self.load(request, production_schedule_version_id)
        if version.locked:
            raise WrongParameter("This schedule version is locked.")
        (other_id,) = self.required(self.body(), "production_schedule_version_id")
        other = get_or_404(ProductionScheduleVersion, other_id)
        return self.respond(task_errors(services.set_task_links_from_version, version, other))


CREATE = "actions/projects/{project_id}/task-types/{task_type_id}"
urlpatterns = [
    # tasks: creation and deletion
    route(f"{CREATE}/shots/create-tasks", CreateShotTasksView.as_view()),
    route(f"{CREATE}/assets/create-tasks", CreateAssetTasksView.as_view()),
    route(f"{CREATE}/edits/create-tasks", CreateEditTasksView.as_view()),
    route(f"{CREATE}/concepts/create-tasks", CreateConceptTasksView.as_view()),
    route(f"{CREATE}/create-tasks/{{entity_type}}", CreateEntityKindTasksView.as_view()),
    route(f"{CREATE}/delete-tasks", DeleteTaskTypeTasksView.as_view()),
    route("actions/projects/{project_id}/delete-tasks", DeleteTasksView.as_view()),
    route("actions/projects/{project_id}/delete-entities", DeleteEntitiesView.as_view()),
    # assignment and priority
    route("actions/tasks/clear-assignation", ClearAssignationView.as_view()),
    route("actions/tasks/set-priority", SetPriorityView.as_view()),
    route("actions/tasks/set-main-preview", TasksSetMainPreviewView.as_view()),
    route("actions/tasks/{task_id}/assign", TaskAssignView.as_view()),
    route("actions/persons/{person_id}/assign", PersonAssignView.as_view()),
    route("actions/tasks/{task_id}/set-main-preview", TaskSetMainPreviewView.as_view()),
    # previews
    route("actions/tasks/{task_id}/comments/{comment_id}/add-preview", AddPreviewView.as_view()),
    route(
        "actions/tasks/{task_id}/comments/{comment_id}/preview-files/{preview_file_id}",
        ExtraPreviewView.as_view(),
    ),
    # time spents
    route("actions/tasks/{task_id}/time-spents", TaskTimeSpentsView.as_view()),
    route("actions/tasks/{task_id}/time-spents/{date}", TaskTimeSpentsView.as_view()),
    route(
        "actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}",
        TimeSpentView.as_view(),
    ),
    route(
        "actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}/add",
        AddTimeSpentView.as_view(http_method_names=["post", "options"]),
    ),
    route("data/projects/{project_id}/time-spents", ProjectTimeSpentsView.as_view()),
    route(
        "data/projects/{project_id}/task-types/{task_type_id}/time-spents",
        ProjectTaskTypeTimeSpentsView.as_view(),
    ),
    route("data/projects/{project_id}/budgets/time-spents", ProjectBudgetTimeSpentsView.as_view()),
    # task reads
    route("data/tasks/open-tasks", OpenTasksView.as_view()),
    route("data/tasks/open-tasks/stats", OpenTasksStatsView.as_view()),
    route("data/tasks/open-tasks/burndown", OpenTasksBurndownView.as_view()),
    route("data/tasks/{task_id}/full", TaskFullView.as_view()),
    route("data/tasks/{task_id}/comments", TaskCommentsView.as_view()),
    route("data/tasks/{task_id}/comments/{comment_id}", TaskCommentView.as_view()),
    route("data/tasks/{task_id}/previews", TaskPreviewsView.as_view()),
    route("data/projects/{project_id}/tasks", ProjectTasksView.as_view()),
    route("data/projects/{project_id}/comments", ProjectCommentsView.as_view()),
    route("data/projects/{project_id}/notifications", ProjectNotificationsView.as_view()),
    route("data/projects/{project_id}/preview-files", ProjectPreviewFilesView.as_view()),
    route("data/projects/{project_id}/subscriptions", ProjectSubscriptionsView.as_view()),
    route("data/persons/task-dates", PersonsTaskDatesView.as_view()),
    route("data/persons/{person_id}/tasks", PersonTasksView.as_view()),
    route("data/persons/{person_id}/done-tasks", PersonDoneTasksView.as_view()),
    route(
        "data/persons/{person_id}/related-tasks/{task_type_id}",
        PersonRelatedTasksView.as_view(),
    ),
    route(
        "data/entities/{entity_id}/task-types/{task_type_id}/tasks",
        EntityTaskTypeTasksView.as_view(),
    ),
    # entities
    route("data/entities/{entity_id}/tasks", EntityTasksView.as_view()),
    route("data/entities/{entity_id}/news", EntityNewsView.as_view()),
    route("data/entities/{entity_id}/preview-files", EntityPreviewFilesView.as_view()),
    route("data/entities/{entity_id}/time-spents", EntityTimeSpentsView.as_view()),
    route(
        "data/entities/{entity_id}/entities-linked/with-tasks",
        EntityLinkedWithTasksView.as_view(),
    ),
    # reorder actions
    route("actions/task-types/reorder", ReorderTaskTypesView.as_view()),
    route(
        "actions/projects/{project_id}/task-type-links/reorder",
        ReorderTaskTypeLinksView.as_view(),
    ),
    route(
        "actions/projects/{project_id}/task-status-links/reorder",
        ReorderTaskStatusLinksView.as_view(),
    ),
    # schedule versions
    route(
        "actions/production-schedule-versions/{production_schedule_version_id}/apply-to-production",
        ApplyScheduleVersionView.as_view(),
    ),
    route(
        "actions/production-schedule-versions/{production_schedule_version_id}"
        "/set-task-links-from-production",
        ScheduleVersionFromProductionView.as_view(),
    ),
    route(
        "actions/production-schedule-versions/{production_schedule_version_id}"
        "/set-task-links-from-production-schedule-version",
        ScheduleVersionFromVersionView.as_view(),
    ),
]
