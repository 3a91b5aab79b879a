"""Routes under /data/user served by the tasks app: the bootstrap context,
the caller's to-do lists and the caller's tasks on one entity.
"""

from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, parse_datetime, parse_int, parse_uuid
from productions.models import SCENE, SEQUENCE, SHOT
from tasks import user_context
from tasks.user_context import ASSET

TO_CHECK_ORDERS = ("priority", "due_date", "estimation", "entity_name")


class ContextView(KitsuView):
    """Everything Kitsu loads once after login (projects, people, settings…)."""

    def get(self, request):
        return self.respond(user_context.build_context(request.user))


class TodosView(KitsuView):
    def get(self, request):
        return self.respond(user_context.todo_tasks(request.user))


class DoneTasksView(KitsuView):
    def get(self, request):
        return self.respond(user_context.done_tasks(request.user))


def _optional_uuid(params, name):
    value = params.get(name)
    return parse_uuid(value) if value else None


class TasksToCheckView(KitsuView):
    """Tasks waiting for feedback in the caller's productions and departments.

    Without ``page`` the answer is a plain list; with it, the
    ``{data, stats, page, limit, is_more}`` envelope. People who review
    nothing (artists, clients, vendors) get an empty list.
    """

    def get(self, request):
        params = request.query_params
        person_ids = params.get("person_id")
        if person_ids and person_ids != "unassigned":
            person_ids = [parse_uuid(value) for value in person_ids.split(",") if value]
        filters = {
            "project_id": _optional_uuid(params, "project_id"),
            "task_type_id": _optional_uuid(params, "task_type_id"),
            "task_status_id": _optional_uuid(params, "task_status_id"),
            "episode_id": _optional_uuid(params, "episode_id"),
            "person_ids": person_ids,
        }
        for name in ("due_date_since", "due_date_until"):
            if params.get(name):
                filters[name] = parse_datetime(params[name], name)
        order_by = params.get("order_by") or None
        if order_by not in (None, *TO_CHECK_ORDERS):
            order_by = None
        page = parse_int(params["page"], "page", minimum=1) if params.get("page") else None
        limit = parse_int(params.get("limit", 100), "limit", minimum=1, maximum=10000)
        result = user_context.tasks_to_check(
            request.user, filters, order_by=order_by, page=page, limit=limit
        )
        return self.respond(result)


class TasksToCheckFilterValuesView(KitsuView):
    def get(self, request):
        return self.respond(user_context.tasks_to_check_filter_values(request.user))


class EntityTasksView(KitsuView):
    """The caller's tasks on one entity of ``kind`` (in open projects)."""

    kind = None
    parameter = None

    def get(self, request, **kwargs):
        entity = user_context.load_entity_of_kind(request.user, kwargs[self.parameter], self.kind)
        return self.respond(user_context.entity_tasks_for(request.user, entity["id"]))


class EntityTaskTypesView(EntityTasksView):
    """The task types of the caller's tasks on one entity of ``kind``."""

    def get(self, request, **kwargs):
        entity = user_context.load_entity_of_kind(request.user, kwargs[self.parameter], self.kind)
        return self.respond(user_context.entity_task_types_for(request.user, entity["id"]))


def _entity_routes(prefix, parameter, kind):
    return [
        route(
            f"data/user/{prefix}/{{{parameter}}}/tasks",
            EntityTasksView.as_view(kind=kind, parameter=parameter),
        ),
        route(
            f"data/user/{prefix}/{{{parameter}}}/task-types",
            EntityTaskTypesView.as_view(kind=kind, parameter=parameter),
        ),
    ]


urlpatterns = [
    route("data/user/context", ContextView.as_view()),
    route("data/user/tasks", TodosView.as_view()),
    route("data/user/done-tasks", DoneTasksView.as_view()),
    route("data/user/tasks-to-check", TasksToCheckView.as_view()),
    route("data/user/tasks-to-check/filter-values", TasksToCheckFilterValuesView.as_view()),
    *_entity_routes("assets", "asset_id", ASSET),
    *_entity_routes("shots", "shot_id", SHOT),
    *_entity_routes("scenes", "scene_id", SCENE),
    *_entity_routes("sequences", "sequence_id", SEQUENCE),
]
