"""Routes of the assets app: assets, asset types and shared assets.

The breakdown (casting, asset instances) and concept routes live in
``casting_views`` and ``concept_views``; their patterns are listed here too.
"""

from assets import services
from assets.api import casting_views, concept_views
from assets.models import Asset, AssetType
from assets.with_tasks import rows_response, task_visibility
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource
from kitsu_backend.api.exceptions import Forbidden, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, get_or_404, parse_uuid, query_flag
from productions import access
from productions.models import SHOT, Entity
from productions.presentation import serialize_entity


class EntityFilters(CrudResource):
    """Zou's query-string filters (column equality, ILIKE on name, JSON lists) on entities."""

    model = Entity


ENTITY_FILTERS = EntityFilters()


def optional_uuid(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    return parse_uuid(value)


def episode_param(request):
    """``episode_id``: an id, or the ``main``/``all`` keywords Kitsu sends."""
    value = request.query_params.get("episode_id")
    if value in (None, "", "all", "main"):
        return value or None
    return parse_uuid(value)


def project_role(request, project_id):
    """The caller's role in the project given in the query string (403 outside its team)."""
    if project_id is None:
        return None
    services.load_project(project_id)
    return access.check_project_access(request.user, project_id)


class AssetListView(KitsuView):
    """``GET /data/assets`` and ``/data/assets/all``: assets with Zou's column filters."""

    def get(self, request):
        project_id = optional_uuid(request, "project_id")
        role = project_role(request, project_id)
        assets = services.scope_assets(request.user, Asset.objects.all(), role)
        assets = ENTITY_FILTERS.filter_queryset(request, assets)
        assets = services.filter_by_episode(assets, episode_param(request))
        return self.respond(services.asset_rows(assets, viewer=request.user))


class AssetsWithTasksView(KitsuView):
    """``GET /data/assets/with-tasks``: the main asset table of Kitsu."""

    def get(self, request):
        project_id = optional_uuid(request, "project_id")
        role = project_role(request, project_id) or request.user.role
        visibility = task_visibility(request.user, role, project_id)
        rows = services.assets_with_tasks(
            request.user,
            project_id=project_id,
            episode_id=episode_param(request),
            asset_type_id=optional_uuid(request, "asset_type_id"),
            visibility=visibility,
        )
        return rows_response(
            request,
            rows,
            "asset_fields",
            services.ASSET_FIELDS,
            services.ASSET_TASK_FIELDS,
        )


class AssetView(KitsuView):
    """``GET`` and ``DELETE /data/assets/{asset_id}``."""

    def get(self, request, asset_id):
        asset = services.load_asset(asset_id)
        role = services.check_entity_read(request.user, asset)
        visibility = task_visibility(request.user, role, asset.project_id)
        return self.respond(services.full_asset(request.user, asset, visibility))

    def delete(self, request, asset_id):
        asset = services.load_asset(asset_id)
        services.check_entity_delete(request.user, asset)
        services.remove_entity(asset, "asset", force=query_flag(request, "force"))
        return self.respond(None, status=204)


class AssetReadView(KitsuView):
    """Base of the read routes under ``/data/assets/{asset_id}/...``."""

    def load(self, request, asset_id):
        asset = services.load_asset(asset_id)
        role = services.check_entity_read(request.user, asset)
        return asset, role


class AssetTasksView(AssetReadView):
    def get(self, request, asset_id):
        asset, role = self.load(request, asset_id)
        visibility = task_visibility(request.user, role, asset.project_id)
        return self.respond(services.asset_tasks(asset.pk, visibility))


class AssetTaskTypesView(AssetReadView):
    def get(self, request, asset_id):
        asset, role = self.load(request, asset_id)
        visibility = task_visibility(request.user, role, asset.project_id)
        return self.respond(services.asset_task_types(asset.pk, visibility))


class AssetTypeFilters(CrudResource):
    model = AssetType


ASSET_TYPE_FILTERS = AssetTypeFilters()


class AssetTypeListView(KitsuView):
    def get(self, request):
        asset_types = ASSET_TYPE_FILTERS.filter_queryset(request, AssetType.objects.all())
        return self.respond(services.asset_types_rows(asset_types, relations=True))


class AssetTypeView(KitsuView):
    def get(self, request, asset_type_id):
        asset_type = services.load_asset_type(asset_type_id)
        return self.respond(services.asset_type_row(asset_type))


class ProjectAssetTypesView(KitsuView):
    def get(self, request, project_id):
        project = services.load_project(project_id)
        access.check_project_access(request.user, project.pk)
        return self.respond(services.project_asset_types(project.pk))


class ShotAssetTypesView(KitsuView):
    def get(self, request, shot_id):
        shot = get_or_404(Entity.objects.filter(entity_type__name=SHOT), shot_id)
        role = services.check_entity_read(request.user, shot)
        if role == roles.VENDOR:
            raise Forbidden()
        return self.respond(services.shot_asset_types(shot.pk))


class ProjectAssetsView(KitsuView):
    """``GET /data/projects/{project_id}/assets``."""

    def get(self, request, project_id, asset_type_id=None):
        project = services.load_project(project_id)
        role = access.check_project_access(request.user, project.pk)
        assets = services.scope_assets(request.user, Asset.objects.filter(project=project), role)
        if asset_type_id is not None:
            asset_type = services.load_asset_type(asset_type_id)
            assets = assets.filter(entity_type=asset_type)
        assets = ENTITY_FILTERS.filter_queryset(request, assets)
        assets = services.filter_by_episode(assets, episode_param(request))
        return self.respond(services.asset_rows(assets, viewer=request.user))


class NewAssetView(KitsuView):
    """``POST /data/projects/{project_id}/asset-types/{asset_type_id}/assets/new``."""

    def post(self, request, project_id, asset_type_id):
        project = services.load_project(project_id)
        asset_type = services.load_asset_type(asset_type_id)
        access.check_manager_access(request.user, project.pk)
        body = self.body()
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise WrongParameter("The asset name is required.")
        data = body.get("data")
        if data is not None and not isinstance(data, dict):
            raise WrongParameter("data must be an object.")
        description = body.get("description")
        if description is not None and not isinstance(description, str):
            raise WrongParameter("description must be a string.")
        episode_id = body.get("episode_id") or body.get("source_id")
        if episode_id:
            episode_id = parse_uuid(episode_id)
        asset = services.create_asset(
            project,
            asset_type,
            name.strip(),
            created_by=request.user.pk,
            description=description,
            data=data,
            episode_id=episode_id,
            is_shared=bool(body.get("is_shared", False)),
        )
        return self.respond(serialize_entity(asset, relations=False), status=201)


class SharedAssetsUsedView(KitsuView):
    def get(self, request, project_id, episode_id=None):
        project = services.load_project(project_id)
        access.check_project_access(request.user, project.pk)
        if episode_id is not None:
            episode_id = parse_uuid(episode_id)
        return self.respond(services.shared_assets_used(project.pk, episode_id))


def parse_share_body(view):
    body = view.body()
    is_shared = body.get("is_shared", True)
    if not isinstance(is_shared, bool):
        raise WrongParameter("is_shared must be a boolean.")
    asset_ids = body.get("asset_ids")
    if asset_ids is not None:
        if not isinstance(asset_ids, list):
            raise WrongParameter("asset_ids must be a list of ids.")
        asset_ids = [parse_uuid(value) for value in asset_ids]
    return is_shared, asset_ids


class ShareAssetsView(KitsuView):
    """``POST /actions/assets/share``: flag the listed assets (manager of each project)."""

    def post(self, request):
        is_shared, asset_ids = parse_share_body(self)
        if not asset_ids:
            raise WrongParameter("asset_ids is required.")
        assets = Asset.objects.filter(id__in=asset_ids)
        found = dict(assets.values_list("id", "project_id"))
        missing = [str(asset_id) for asset_id in asset_ids if asset_id not in found]
        if missing:
            raise WrongParameter("Unknown assets.", data={"asset_ids": missing})
        for project_id in set(found.values()):
            access.check_manager_access(request.user, project_id)
        return self.respond(services.set_shared(assets, is_shared))


class ShareProjectAssetsView(KitsuView):
    """Share every asset of a project, of one of its asset types, or the listed ones."""

    def post(self, request, project_id, asset_type_id=None):
        project = services.load_project(project_id)
        assets = Asset.objects.filter(project=project)
        if asset_type_id is not None:
            assets = assets.filter(entity_type=services.load_asset_type(asset_type_id))
        access.check_manager_access(request.user, project.pk)
        is_shared, asset_ids = parse_share_body(self)
        if asset_ids is not None:
            assets = assets.filter(id__in=asset_ids)
        return self.respond(services.set_shared(assets, is_shared))


urlpatterns = [
    route("data/assets/with-tasks", AssetsWithTasksView.as_view()),
    route("data/assets/all", AssetListView.as_view()),
    route("data/assets", AssetListView.as_view()),
    route("data/assets/{asset_id}", AssetView.as_view()),
    route("data/assets/{asset_id}/tasks", AssetTasksView.as_view()),
    route("data/assets/{asset_id}/task-types", AssetTaskTypesView.as_view()),
    route("data/asset-types", AssetTypeListView.as_view()),
    route("data/asset-types/{asset_type_id}", AssetTypeView.as_view()),
    route("data/projects/{project_id}/asset-types", ProjectAssetTypesView.as_view()),
    route("data/shots/{shot_id}/asset-types", ShotAssetTypesView.as_view()),
    route("data/projects/{project_id}/assets", ProjectAssetsView.as_view()),
    route(
        "data/projects/{project_id}/asset-types/{asset_type_id}/assets",
        ProjectAssetsView.as_view(),
    ),
    route(
        "data/projects/{project_id}/asset-types/{asset_type_id}/assets/new",
        NewAssetView.as_view(),
    ),
    route("data/projects/{project_id}/assets/shared-used", SharedAssetsUsedView.as_view()),
    route(
        "data/projects/{project_id}/episodes/{episode_id}/assets/shared-used",
        SharedAssetsUsedView.as_view(),
    ),
    route("actions/assets/share", ShareAssetsView.as_view()),
    route("actions/projects/{project_id}/assets/share", ShareProjectAssetsView.as_view()),
    route(
        "actions/projects/{project_id}/asset-types/{asset_type_id}/assets/share",
        ShareProjectAssetsView.as_view(),
    ),
    *casting_views.urlpatterns,
    *concept_views.urlpatterns,
]
