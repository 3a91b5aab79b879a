"""Routes under /data/user served by the assets app: the asset types and
assets of a production the caller has tasks on.
"""

from assets.models import AssetType
from kitsu_backend.api.exceptions import NotFound
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_rows
from kitsu_backend.api.views import KitsuView, parse_uuid
from productions.models import Entity, EntityType
from productions.presentation import serialize_entities
from tasks.user_context import load_project_for, worked_entity_ids


class ProjectAssetTypesView(KitsuView):
    """Asset types of the assets the caller has a task on in a project."""

    def get(self, request, project_id):
        project_id = load_project_for(request.user, project_id)
        entities = Entity.objects.filter(
            project_id=project_id, id__in=worked_entity_ids(request.user)
        )
        queryset = AssetType.objects.filter(id__in=entities.values("entity_type_id"))
        return self.respond(
            serialize_rows(EntityType, queryset.order_by("name"), kitsu_type="AssetType")
        )


class AssetTypeAssetsView(KitsuView):
    """Assets of one type in a project that the caller has a task on."""

    def get(self, request, project_id, asset_type_id):
        project_id = load_project_for(request.user, project_id)
        asset_type_id = parse_uuid(asset_type_id)
        if not AssetType.objects.filter(pk=asset_type_id).exists():
            raise NotFound()
        queryset = Entity.objects.filter(
            project_id=project_id,
            entity_type_id=asset_type_id,
            id__in=worked_entity_ids(request.user),
        ).order_by("name")
        return self.respond(serialize_entities(queryset, viewer=request.user))


urlpatterns = [
    route("data/user/projects/{project_id}/asset-types", ProjectAssetTypesView.as_view()),
    route(
        "data/user/projects/{project_id}/asset-types/{asset_type_id}/assets",
        AssetTypeAssetsView.as_view(),
    ),
]
