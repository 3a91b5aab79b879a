"""Routes of the shots app: episodes, sequences, shots, scenes and edits.

Views parse and check the request, ask ``productions.access`` whether the
caller may act, call ``shots.services`` (or ``shots.with_tasks`` for the
main tables), and render. Reads need project membership (vendors only reach
what they work on); writes need a production manager of the project.
"""

from types import SimpleNamespace

from kitsu_backend.api.crud import CrudResource
from kitsu_backend.api.exceptions import NotFound, WrongParameter
from kitsu_backend.api.permissions import CLIENT, VENDOR, require
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.tables import table_response
from kitsu_backend.api.views import KitsuView, get_or_404, parse_uuid, query_flag
from productions.access import check_manager_access, check_project_access
from productions.models import (
    EDIT,
    EPISODE,
    SCENE,
    SEQUENCE,
    SHOT,
    Entity,
    EntityLink,
    Project,
)
from productions.presentation import strip_hidden_data
from shots import services, with_tasks
from shots.services import BreakdownError, MissingParent
from tasks.models import Task, TaskType


class EntityFilters(CrudResource):
    """Zou's query-string filters on entity columns, reused from the generic /data routes."""

    model = Entity


ENTITY_FILTERS = EntityFilters()
ENTITY_PATH_IDS = ("shot_id", "sequence_id", "episode_id", "scene_id", "edit_id")


def filter_entities(queryset, params):
    """Apply column filters of ``params`` (a dict) to an entity queryset."""
    return ENTITY_FILTERS.filter_queryset(SimpleNamespace(query_params=params), queryset)


def breakdown_errors(function):
    """Answer refused breakdown changes with 400 (404 for an unknown parent)."""

    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except MissingParent as error:
            raise NotFound() from error
        except BreakdownError as error:
            raise WrongParameter(str(error)) from None

    return wrapper


class BreakdownView(KitsuView):
    """Shared loading and access checks of the breakdown routes.

    Paths name their first id as the reference does (``{shot_id}``,
    ``{sequence_id}``...); handlers receive it as ``entity_id``.
    """

    def dispatch(self, request, *args, **kwargs):
        for name in list(kwargs):
            if name in ENTITY_PATH_IDS:
                kwargs["entity_id"] = kwargs.pop(name)
                break
        return super().dispatch(request, *args, **kwargs)

    def load(self, kind, entity_id):
        queryset = services.of_kind(kind).select_related(
            "project", "entity_type", "parent", "parent__parent"
        )
        return get_or_404(queryset, entity_id)

    def readable(self, kind, entity_id):
        """The entity, once the caller is known to reach it (403 otherwise)."""
        entity = self.load(kind, entity_id)
        check_project_access(self.request.user, entity.project_id)
        require(services.may_see_entity(self.request.user, entity))
        return entity

    def role(self, project_id):
        return check_project_access(self.request.user, project_id)

    def params(self):
        """The query string as a plain dict of single values."""
        return {key: value for key, value in self.request.query_params.items()}

    def optional_uuid(self, name):
        value = self.request.query_params.get(name)
        if value in (None, "", "all"):
            return None
        return parse_uuid(value)

    def scoped(self, queryset, project_id=None):
        return services.visible_entities(self.request.user, queryset, project_id)


# --- with-tasks tables ----------------------------------------------------------


class BoardView(BreakdownView):
    """Base of the with-tasks tables: JSON, compact JSON or NDJSON, with an ETag."""

    def get(self, request):
        project_id = self.optional_uuid("project_id")
        if project_id is not None:
            self.role(project_id)
        episode_id = self.optional_uuid("episode_id")
        board = self.build(project_id, episode_id)
        return table_response(request, board.rows, board.header, lambda _: board.compact_rows())

    def build(self, project_id, episode_id):
        raise NotImplementedError


class ShotsWithTasksView(BoardView):
    def build(self, project_id, episode_id):
        shot_id = self.optional_uuid("id")
        return with_tasks.shots_board(self.request.user, project_id, episode_id, shot_id)


class EditsWithTasksView(BoardView):
    def build(self, project_id, episode_id):
        edit_id = self.optional_uuid("id")
        return with_tasks.edits_board(self.request.user, project_id, episode_id, edit_id)


class EntitiesWithTasksView(BoardView):
    kind = None

    def build(self, project_id, episode_id):
        return with_tasks.entities_board(self.request.user, self.kind, project_id, episode_id)


# --- listings -------------------------------------------------------------------


class KindListView(BreakdownView):
    """``/data/shots``, ``/data/sequences``...: entities of a kind with Zou's query filters.

    Without ``project_id`` the list covers the caller's projects. A
    ``sequence_id`` / ``episode_id`` parameter narrows to a parent.
    """

    kind = None
    names = {}

    def get(self, request):
        params = self.params()
        project_id = None
        if params.get("project_id"):
            project_id = parse_uuid(params["project_id"])
            self.role(project_id)
        queryset = self.scoped(services.of_kind(self.kind), project_id)
        queryset = self.parent_filters(params, queryset)
        queryset = filter_entities(queryset, params)
        rows = services.entity_rows(queryset, self.kind, viewer=request.user)
        if self.names:
            services.with_names(rows, queryset, **self.names)
        return self.respond(rows)

    def parent_filters(self, params, queryset):
        for name, kind, lookup in self.parent_params:
            value = params.pop(name, None)
            if value in (None, ""):
                continue
            parent = self.readable(kind, value)
            queryset = queryset.filter(**{lookup: parent.pk})
        return queryset

    parent_params = ()


class ShotListView(KindListView):
    kind = SHOT
    names = {"project_name": "project__name", "sequence_name": "parent__name"}
    parent_params = (
        ("sequence_id", SEQUENCE, "parent_id"),
        ("episode_id", EPISODE, "parent__parent_id"),
    )


class SequenceListView(KindListView):
    kind = SEQUENCE
    parent_params = (("episode_id", EPISODE, "parent_id"),)


class EpisodeListView(KindListView):
    kind = EPISODE


class SceneListView(KindListView):
    kind = SCENE
    names = {"project_name": "project__name", "sequence_name": "parent__name"}
    parent_params = (("sequence_id", SEQUENCE, "parent_id"),)


class EditListView(KindListView):
    kind = EDIT
    names = {"project_name": "project__name"}
    parent_params = (("episode_id", EPISODE, "parent_id"),)


class ProjectKindView(BreakdownView):
    """``/data/projects/{project_id}/<kind>``: list (members) and create (managers)."""

    kind = None

    def get(self, request, project_id):
        project = get_or_404(Project, project_id)
        self.role(project.pk)
        queryset = self.scoped(services.of_kind(self.kind), project.pk)
        rows = services.entity_rows(
            queryset.filter(project=project), self.kind, viewer=request.user
        )
        return self.respond(rows)

    def post(self, request, project_id):
        project = get_or_404(Project, project_id)
        check_manager_access(request.user, project.pk)
        body = self.body()
        entity, _created = breakdown_errors(self.create)(project, body)
        row = serialize_instance(entity, relations=False)
        row["type"] = entity.entity_type.name
        return self.respond(row, status=201)

    def create(self, project, body):
        raise NotImplementedError

    def body_uuid(self, body, name):
        value = body.get(name)
        if value in (None, ""):
            return None
        return parse_uuid(value)


class ProjectShotsView(ProjectKindView):
    kind = SHOT

    def create(self, project, body):
        return services.create_shot(
            project,
            body.get("name"),
            sequence_id=self.body_uuid(body, "sequence_id"),
            nb_frames=body.get("nb_frames"),
            data=body.get("data"),
            description=body.get("description"),
            created_by=self.request.user.pk,
        )


class ProjectSequencesView(ProjectKindView):
    kind = SEQUENCE

    def create(self, project, body):
        return services.create_sequence(
            project,
            body.get("name"),
            episode_id=self.body_uuid(body, "episode_id"),
            description=body.get("description") or "",
            data=body.get("data"),
            created_by=self.request.user.pk,
        )


class ProjectEpisodesView(ProjectKindView):
    kind = EPISODE

    def create(self, project, body):
        return services.create_episode(
            project,
            body.get("name"),
            description=body.get("description") or "",
            data=body.get("data"),
            status=body.get("status") or "running",
            created_by=self.request.user.pk,
        )


class ProjectScenesView(ProjectKindView):
    kind = SCENE

    def create(self, project, body):
        return services.create_scene(
            project,
            body.get("name"),
            sequence_id=self.body_uuid(body, "sequence_id"),
            created_by=self.request.user.pk,
        )


class ProjectEditsView(ProjectKindView):
    kind = EDIT

    def create(self, project, body):
        # Kitsu sends the episode as ``parent_id``; Gazu as ``episode_id``.
        episode_key = "episode_id" if body.get("episode_id") else "parent_id"
        return services.create_edit(
            project,
            body.get("name"),
            episode_id=self.body_uuid(body, episode_key),
            description=body.get("description") or "",
            data=body.get("data"),
            created_by=self.request.user.pk,
        )


# --- one entity -------------------------------------------------------------------


class EntityDetailView(BreakdownView):
    """GET one entity of a kind, DELETE it (soft unless ``force=true``)."""

    kind = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        return self.respond(self.present(entity))

    def present(self, entity):
        return services.serialize_entity_row(entity, viewer=self.request.user)

    def delete(self, request, entity_id):
        entity = self.load(self.kind, entity_id)
        require(services.may_delete(request.user, entity))
        force = query_flag(request, "force")
        breakdown_errors(services.delete_entity)(entity, self.kind, force=force)
        return self.respond(None, status=204)


class ShotDetailView(EntityDetailView):
    kind = SHOT

    def present(self, shot):
        board = with_tasks.shots_board(self.request.user, shot_id=shot.pk)
        row = board.rows[0] if board.rows else {}
        full = services.serialize_entity_row(shot, viewer=self.request.user)
        return {**row, **{key: value for key, value in full.items() if key not in row}}

    def put(self, request, entity_id):
        shot = self.load(SHOT, entity_id)
        check_manager_access(request.user, shot.project_id)
        body = self.body()
        shot = breakdown_errors(services.update_shot)(shot, body, person=request.user)
        return self.respond(services.serialize_entity_row(shot, relations=False))


class SequenceDetailView(EntityDetailView):
    kind = SEQUENCE

    def present(self, sequence):
        return services.full_sequence(sequence, viewer=self.request.user)


class EpisodeDetailView(EntityDetailView):
    kind = EPISODE

    def present(self, episode):
        return services.full_episode(episode, viewer=self.request.user)


class SceneDetailView(EntityDetailView):
    kind = SCENE

    def present(self, scene):
        return services.full_scene(scene, viewer=self.request.user)


class EditDetailView(EntityDetailView):
    kind = EDIT

    def present(self, edit):
        board = with_tasks.edits_board(self.request.user, edit_id=edit.pk)
        if board.rows:
            return board.rows[0]
        return services.serialize_entity_row(edit, viewer=self.request.user)


# --- children -------------------------------------------------------------------


class ChildrenView(BreakdownView):
    """Entities of ``child_kind`` under one parent (``lookup`` relates them)."""

    parent_kind = None
    child_kind = None
    lookup = "parent_id"
    names = {}
    query_filters = False

    def get(self, request, entity_id):
        parent = self.readable(self.parent_kind, entity_id)
        queryset = services.of_kind(self.child_kind).filter(**{self.lookup: parent.pk})
        queryset = self.scoped(queryset, parent.project_id)
        if self.query_filters:
            queryset = filter_entities(queryset, self.params())
        rows = services.entity_rows(
            queryset,
            self.child_kind,
            relations=query_flag(request, "relations"),
            viewer=request.user,
        )
        if self.names:
            services.with_names(rows, queryset, **self.names)
        return self.respond(rows)


class SequenceShotsView(ChildrenView):
    parent_kind = SEQUENCE
    child_kind = SHOT
    names = {"project_name": "project__name", "sequence_name": "parent__name"}
    query_filters = True


class EpisodeSequencesView(ChildrenView):
    parent_kind = EPISODE
    child_kind = SEQUENCE
    query_filters = True


class EpisodeShotsView(ChildrenView):
    parent_kind = EPISODE
    child_kind = SHOT
    lookup = "parent__parent_id"


class EpisodeEditsView(ChildrenView):
    parent_kind = EPISODE
    child_kind = EDIT


class SequenceScenesView(ChildrenView):
    parent_kind = SEQUENCE
    child_kind = SCENE


class SceneShotsView(ChildrenView):
    """Shots made from a scene (their ``source``); managers link more."""

    parent_kind = SCENE
    child_kind = SHOT
    lookup = "source_id"
    names = {"project_name": "project__name", "sequence_name": "parent__name"}

    def post(self, request, entity_id):
        scene = self.load(SCENE, entity_id)
        check_manager_access(request.user, scene.project_id)
        (shot_id,) = self.required(self.body(), "shot_id")
        shot = self.load(SHOT, shot_id)
        shot = breakdown_errors(services.link_shot_to_scene)(scene, shot)
        return self.respond(services.serialize_entity_row(shot, relations=False), status=201)


class SceneShotView(BreakdownView):
    def delete(self, request, entity_id, shot_id):
        scene = self.load(SCENE, entity_id)
        check_manager_access(request.user, scene.project_id)
        shot = self.load(SHOT, shot_id)
        services.unlink_shot_from_scene(scene, shot)
        return self.respond(None, status=204)


# --- tasks, task types, versions, previews, casting ---------------------------------


class EntityTasksView(BreakdownView):
    """Tasks attached to the entity itself, with the names Kitsu shows."""

    kind = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        tasks = services.visible_tasks(
            request.user, Task.objects.filter(entity_id=entity.pk), entity.project_id
        )
        rows = services.task_rows(tasks, relations=query_flag(request, "relations"))
        return self.respond(strip_hidden_data(rows, request.user))


class ChildTasksView(BreakdownView):
    """Tasks of the entities under one parent (shots of a sequence...); not for vendors."""

    kind = None
    lookup = None
    child_filter = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        require(self.role(entity.project_id) != VENDOR)
        children = self.children(entity)
        tasks = services.visible_tasks(
            request.user,
            Task.objects.filter(entity_id__in=children.values("id")),
            entity.project_id,
        )
        rows = services.task_rows(tasks, relations=query_flag(request, "relations"), named=False)
        return self.respond(strip_hidden_data(rows, request.user))

    def children(self, entity):
        raise NotImplementedError


class SequenceShotTasksView(ChildTasksView):
    kind = SEQUENCE

    def children(self, sequence):
        return services.of_kind(SHOT).filter(parent_id=sequence.pk)


class EpisodeShotTasksView(ChildTasksView):
    kind = EPISODE

    def children(self, episode):
        return services.of_kind(SHOT).filter(parent__parent_id=episode.pk)


class EpisodeEditTasksView(ChildTasksView):
    kind = EPISODE

    def children(self, episode):
        return services.of_kind(EDIT).filter(parent_id=episode.pk)


class EpisodeAssetTasksView(ChildTasksView):
    kind = EPISODE

    def children(self, episode):
        # Assets belong to an episode through ``source``.
        return Entity.objects.filter(source_id=episode.pk, project_id=episode.project_id).exclude(
            entity_type__name__in=(SHOT, SEQUENCE, EPISODE, SCENE, EDIT)
        )


class EntityTaskTypesView(BreakdownView):
    kind = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        tasks = services.visible_tasks(
            request.user, Task.objects.filter(entity_id=entity.pk), entity.project_id
        )
        used = tasks.values("task_type_id")
        return self.respond(serialize_rows(TaskType, TaskType.objects.filter(id__in=used)))


class EntityVersionsView(BreakdownView):
    kind = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        return self.respond(services.versions_for(entity, self.kind))


class EntityPreviewFilesView(BreakdownView):
    kind = None

    def get(self, request, entity_id):
        entity = self.readable(self.kind, entity_id)
        return self.respond(services.preview_files_for(entity.pk))


class ShotAssetsView(BreakdownView):
    """Assets cast in a shot, sorted by asset type then name; canceled assets left out."""

    def get(self, request, entity_id):
        shot = self.readable(SHOT, entity_id)
        links = (
            EntityLink.objects.filter(entity_in_id=shot.pk, entity_out__canceled=False)
            .order_by("entity_out__entity_type__name", "entity_out__name")
            .values(
                "entity_out_id",
                "entity_out__name",
                "entity_out__entity_type__name",
                "entity_out__ready_for",
                "entity_out__source_id",
                "entity_out__preview_file_id",
                "nb_occurences",
                "label",
                "entity_out__is_shared",
                "entity_out__project_id",
            )
        )
        return self.respond(
            [
                {
                    "asset_id": link["entity_out_id"],
                    "asset_name": link["entity_out__name"],
                    "asset_type_name": link["entity_out__entity_type__name"],
                    "ready_for": link["entity_out__ready_for"],
                    "episode_id": link["entity_out__source_id"],
                    "preview_file_id": link["entity_out__preview_file_id"],
                    "nb_occurences": link["nb_occurences"],
                    "label": link["label"],
                    "is_shared": link["entity_out__is_shared"],
                    "project_id": link["entity_out__project_id"],
                }
                for link in links
            ]
        )


# --- project statistics and actions ---------------------------------------------------


class EpisodeStatsView(BreakdownView):
    """Per-episode task counts; clients only when the project shows them its statistics."""

    compute = staticmethod(services.episode_stats)

    def get(self, request, project_id):
        project = get_or_404(Project, project_id)
        role = self.role(project.pk)
        require(role != CLIENT or project.is_client_stats_visible)
        return self.respond(self.compute(project.pk, request.user))


class EpisodeRetakeStatsView(EpisodeStatsView):
    compute = staticmethod(services.episode_retake_stats)


class SetShotNbFramesView(BreakdownView):
    def post(self, request, project_id, task_type_id):
        project = get_or_404(Project, project_id)
        task_type = get_or_404(TaskType, task_type_id)
        check_manager_access(request.user, project.pk)
        episode_id = None
        if request.data and isinstance(request.data, dict) and request.data.get("episode_id"):
            episode_id = parse_uuid(request.data["episode_id"])
        elif request.query_params.get("episode_id"):
            episode_id = self.optional_uuid("episode_id")
        updates = services.set_shot_nb_frames(project, task_type.pk, episode_id)
        return self.respond(updates)


def _kind_views(base, **attributes):
    return {
        kind: type(f"{kind}{base.__name__}", (base,), {"kind": kind, **attributes})
        for kind in (SHOT, SEQUENCE, EPISODE, SCENE, EDIT)
    }


TASKS = _kind_views(EntityTasksView)
TASK_TYPES = _kind_views(EntityTaskTypesView)
VERSIONS = _kind_views(EntityVersionsView)
PREVIEWS = _kind_views(EntityPreviewFilesView)
BOARDS = {
    kind: type(f"{kind}WithTasksView", (EntitiesWithTasksView,), {"kind": kind})
    for kind in (SEQUENCE, EPISODE, SCENE)
}


urlpatterns = [
    # Main tables, before the "/{id}" routes of the same prefix.
    route("data/shots/with-tasks", ShotsWithTasksView.as_view()),
    route("data/sequences/with-tasks", BOARDS[SEQUENCE].as_view()),
    route("data/episodes/with-tasks", BOARDS[EPISODE].as_view()),
    route("data/scenes/with-tasks", BOARDS[SCENE].as_view()),
    route("data/edits/with-tasks", EditsWithTasksView.as_view()),
    # Listings by kind.
    route("data/shots", ShotListView.as_view()),
    route("data/shots/all", ShotListView.as_view()),
    route("data/sequences", SequenceListView.as_view()),
    route("data/episodes", EpisodeListView.as_view()),
    route("data/scenes/all", SceneListView.as_view()),
    route("data/edits", EditListView.as_view()),
    route("data/edits/all", EditListView.as_view()),
    # Per project.
    route("data/projects/{project_id}/shots", ProjectShotsView.as_view()),
    route("data/projects/{project_id}/sequences", ProjectSequencesView.as_view()),
    route("data/projects/{project_id}/episodes", ProjectEpisodesView.as_view()),
    route("data/projects/{project_id}/scenes", ProjectScenesView.as_view()),
    route("data/projects/{project_id}/edits", ProjectEditsView.as_view()),
    route("data/projects/{project_id}/episodes/stats", EpisodeStatsView.as_view()),
    route("data/projects/{project_id}/episodes/retake-stats", EpisodeRetakeStatsView.as_view()),
    route(
        "actions/projects/{project_id}/task-types/{task_type_id}/set-shot-nb-frames",
        SetShotNbFramesView.as_view(),
    ),
    # One entity.
    route("data/shots/{shot_id}", ShotDetailView.as_view()),
    route("data/sequences/{sequence_id}", SequenceDetailView.as_view()),
    route("data/episodes/{episode_id}", EpisodeDetailView.as_view()),
    route("data/scenes/{scene_id}", SceneDetailView.as_view()),
    route("data/edits/{edit_id}", EditDetailView.as_view()),
    # Children.
    route("data/sequences/{sequence_id}/shots", SequenceShotsView.as_view()),
    route("data/sequences/{sequence_id}/scenes", SequenceScenesView.as_view()),
    route("data/episodes/{episode_id}/sequences", EpisodeSequencesView.as_view()),
    route("data/episodes/{episode_id}/shots", EpisodeShotsView.as_view()),
    route("data/episodes/{episode_id}/edits", EpisodeEditsView.as_view()),
    route("data/scenes/{scene_id}/shots", SceneShotsView.as_view()),
    route("data/scenes/{scene_id}/shots/{shot_id}", SceneShotView.as_view()),
    # Tasks of children.
    route("data/sequences/{sequence_id}/shot-tasks", SequenceShotTasksView.as_view()),
    route("data/episodes/{episode_id}/shot-tasks", EpisodeShotTasksView.as_view()),
    route("data/episodes/{episode_id}/asset-tasks", EpisodeAssetTasksView.as_view()),
    route("data/episodes/{episode_id}/edit-tasks", EpisodeEditTasksView.as_view()),
    # Casting of a shot.
    route("data/shots/{shot_id}/assets", ShotAssetsView.as_view()),
    # Tasks, task types, versions and previews of one entity.
    *(
        route(f"data/{prefix}/{{{kind.lower()}_id}}/tasks", TASKS[kind].as_view())
        for prefix, kind in (
            ("shots", SHOT),
            ("sequences", SEQUENCE),
            ("episodes", EPISODE),
            ("scenes", SCENE),
            ("edits", EDIT),
        )
    ),
    *(
        route(f"data/{prefix}/{{{kind.lower()}_id}}/task-types", TASK_TYPES[kind].as_view())
        for prefix, kind in (
            ("shots", SHOT),
            ("sequences", SEQUENCE),
            ("episodes", EPISODE),
            ("scenes", SCENE),
            ("edits", EDIT),
        )
    ),
    route("data/shots/{shot_id}/versions", VERSIONS[SHOT].as_view()),
    route("data/edits/{edit_id}/versions", VERSIONS[EDIT].as_view()),
    route("data/shots/{shot_id}/preview-files", PREVIEWS[SHOT].as_view()),
    route("data/edits/{edit_id}/preview-files", PREVIEWS[EDIT].as_view()),
]
