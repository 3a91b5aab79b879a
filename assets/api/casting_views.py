"""Breakdown routes: casting reads and updates, entity links and asset instances.

Vendors are kept out of the breakdown (403), as in Zou; every other team
member reads it and managers change it.
"""

import math

from django.conf import settings

from assets import casting, services
from assets.models import Asset
from kitsu_backend.api import permissions as roles
from kitsu_backend.api.exceptions import Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_rows
from kitsu_backend.api.views import KitsuView, get_or_404, parse_int, parse_uuid
from productions import access
from productions.models import EPISODE, SCENE, SEQUENCE, SHOT, AssetInstance, Entity, EntityLink
from productions.presentation import serialize_entity


def check_breakdown_read(person, project_id):
    role = access.check_project_access(person, project_id)
    if role == roles.VENDOR:
        raise Forbidden()
    return role


def load_kind(kind, entity_id, project_id=None):
    """An entity of one reserved kind (404 when unknown or of another kind or project)."""
    entity = get_or_404(Entity.objects.filter(entity_type__name=kind), entity_id)
    if project_id is not None and entity.project_id != project_id:
        raise NotFound()
    return entity


def load_project_entity(project_id, entity_id):
    project = services.load_project(project_id)
    entity = get_or_404(Entity.objects.select_related("entity_type"), entity_id)
    if entity.project_id != project.pk:
        raise NotFound()
    return project, entity


class EntityCastingView(KitsuView):
    """``GET`` / ``PUT /data/projects/{project_id}/entities/{entity_id}/casting``."""

    def get(self, request, project_id, entity_id):
        _project, entity = load_project_entity(project_id, entity_id)
        check_breakdown_read(request.user, entity.project_id)
        return self.respond(casting.entity_casting(entity.pk))

    def put(self, request, project_id, entity_id):
        _project, entity = load_project_entity(project_id, entity_id)
        access.check_manager_access(request.user, entity.project_id)
        new_casting = casting.parse_casting(request.data)
        return self.respond(casting.update_casting(entity, new_casting))


class AssetCastingView(KitsuView):
    """``GET`` / ``PUT /data/assets/{asset_id}/casting``: the assets an asset uses."""

    def get(self, request, asset_id):
        asset = services.load_asset(asset_id)
        check_breakdown_read(request.user, asset.project_id)
        return self.respond(casting.entity_casting(asset.pk))

    def put(self, request, asset_id):
        asset = services.load_asset(asset_id)
        access.check_manager_access(request.user, asset.project_id)
        new_casting = casting.parse_casting(request.data)
        return self.respond(casting.update_casting(asset, new_casting))


class EntitiesCastingView(KitsuView):
    """``PUT /data/projects/{project_id}/entities/casting``: ``{entity_id: [casting]}``."""

    def put(self, request, project_id):
        project = services.load_project(project_id)
        access.check_manager_access(request.user, project.pk)
        body = self.body()
        castings = {parse_uuid(key): casting.parse_casting(value) for key, value in body.items()}
        entities = {
            entity.pk: entity
            for entity in Entity.objects.select_related("entity_type").filter(
                id__in=list(castings), project_id=project.pk
            )
        }
        missing = [str(key) for key in castings if key not in entities]
        if missing:
            raise WrongParameter(
                "Some entities do not belong to this project.", data={"entity_ids": missing}
            )
        result = {}
        for entity_id, new_casting in castings.items():
            result[str(entity_id)] = casting.update_casting(entities[entity_id], new_casting)
        return self.respond(result)


class CastAssetView(KitsuView):
    """``PUT .../entities/casting/assets/{asset_id}``: cast one asset in several entities.

    Body ``{entity_ids, nb_occurences?, label?}``. The rest of each casting is
    kept; a missing ``nb_occurences`` or ``label`` keeps the current value
    (one occurence on a new link); ``nb_occurences`` 0 removes the asset.
    """

    def put(self, request, project_id, asset_id):
        project = services.load_project(project_id)
        asset = services.load_asset(asset_id)
        access.check_manager_access(request.user, project.pk)
        body = self.body()
        entity_ids = body.get("entity_ids")
        if not isinstance(entity_ids, list) or not entity_ids:
            raise WrongParameter("entity_ids must be a non-empty list.")
        entity_ids = [parse_uuid(value) for value in entity_ids]
        nb_occurences = body.get("nb_occurences")
        if nb_occurences is not None:
            nb_occurences = parse_int(nb_occurences, "nb_occurences", minimum=0)
        label = body.get("label")
        if label is not None and not isinstance(label, str):
            raise WrongParameter("label must be a string.")
        entities = list(
            Entity.objects.select_related("entity_type").filter(
                id__in=entity_ids, project_id=project.pk
            )
        )
        if len(entities) != len(set(entity_ids)):
            raise WrongParameter("Some entities do not belong to this project.")
        current = {}
        for entity_in, entity_out, count, current_label in EntityLink.objects.filter(
            entity_in_id__in=entity_ids
        ).values_list("entity_in_id", "entity_out_id", "nb_occurences", "label"):
            current.setdefault(entity_in, {})[entity_out] = {
                "nb_occurences": count,
                "label": current_label or "",
            }
        result = {}
        for entity in entities:
            entity_casting = current.get(entity.pk, {})
            previous = entity_casting.get(asset.pk, {"nb_occurences": 1, "label": ""})
            if nb_occurences == 0:
                entity_casting.pop(asset.pk, None)
            else:
                entity_casting[asset.pk] = {
                    "nb_occurences": nb_occurences or previous["nb_occurences"],
                    "label": label if label is not None else previous["label"],
                }
            result[str(entity.pk)] = casting.update_casting(entity, entity_casting)
        return self.respond(result)


class SequenceCastingView(KitsuView):
    def get(self, request, project_id, sequence_id):
        project = services.load_project(project_id)
        sequence = load_kind(SEQUENCE, sequence_id, project.pk)
        check_breakdown_read(request.user, project.pk)
        return self.respond(casting.shots_casting(project.pk, sequence_id=sequence.pk))


class AllShotsCastingView(KitsuView):
    def get(self, request, project_id, episode_id=None):
        project = services.load_project(project_id)
        if episode_id is not None and episode_id not in ("main", "all"):
            episode_id = load_kind(EPISODE, episode_id, project.pk).pk
        check_breakdown_read(request.user, project.pk)
        return self.respond(casting.shots_casting(project.pk, episode_id=episode_id))


class EpisodesCastingView(KitsuView):
    def get(self, request, project_id):
        project = services.load_project(project_id)
        check_breakdown_read(request.user, project.pk)
        return self.respond(casting.episodes_casting(project.pk))


class AssetTypeCastingView(KitsuView):
    def get(self, request, project_id, asset_type_id):
        project = services.load_project(project_id)
        asset_type = services.load_asset_type(asset_type_id)
        check_breakdown_read(request.user, project.pk)
        return self.respond(casting.asset_type_casting(project.pk, asset_type.pk))


class AssetBreakdownReadView(KitsuView):
    """Base of breakdown reads on one asset."""

    def load(self, request, asset_id):
        asset = services.load_asset(asset_id)
        check_breakdown_read(request.user, asset.project_id)
        return asset


class LinkedAssetsView(AssetBreakdownReadView):
    def get(self, request, asset_id):
        return self.respond(casting.linked_assets(self.load(request, asset_id).pk))


class CastInView(AssetBreakdownReadView):
    def get(self, request, asset_id):
        return self.respond(casting.cast_in(self.load(request, asset_id).pk))


class ShotInstancesOfAssetView(AssetBreakdownReadView):
    def get(self, request, asset_id):
        return self.respond(casting.shot_instances_of_asset(self.load(request, asset_id).pk))


class SceneInstancesOfAssetView(AssetBreakdownReadView):
    def get(self, request, asset_id):
        return self.respond(casting.scene_instances_of_asset(self.load(request, asset_id).pk))


class AssetAssetInstancesView(AssetBreakdownReadView):
    def get(self, request, asset_id):
        return self.respond(casting.asset_instances_in_asset(self.load(request, asset_id).pk))

    def post(self, request, asset_id):
        target = self.load(request, asset_id)
        body = self.body()
        (instantiated_id,) = self.required(body, "asset_to_instantiate_id")
        instantiated = get_or_404(Asset.objects.all(), instantiated_id)
        instance = casting.create_instance(
            instantiated,
            target.project_id,
            description=body.get("description") or "",
            target_asset=target,
        )
        return self.respond(casting.instance_row(instance), status=201)


class SceneInstancesView(KitsuView):
    def get(self, request, scene_id):
        scene = load_kind(SCENE, scene_id)
        check_breakdown_read(request.user, scene.project_id)
        return self.respond(casting.scene_instances(scene.pk))

    def post(self, request, scene_id):
        scene = load_kind(SCENE, scene_id)
        check_breakdown_read(request.user, scene.project_id)
        body = self.body()
        (asset_id,) = self.required(body, "asset_id")
        asset = get_or_404(Asset.objects.all(), asset_id)
        instance = casting.create_instance(
            asset, scene.project_id, description=body.get("description") or "", scene=scene
        )
        return self.respond(casting.instance_row(instance), status=201)


class CameraInstancesView(KitsuView):
    def get(self, request, scene_id):
        scene = load_kind(SCENE, scene_id)
        check_breakdown_read(request.user, scene.project_id)
        return self.respond(casting.camera_instances(scene.pk))


class ShotInstancesView(KitsuView):
    def get(self, request, shot_id):
        shot = load_kind(SHOT, shot_id)
        check_breakdown_read(request.user, shot.project_id)
        return self.respond(casting.shot_instances(shot.pk))

    def post(self, request, shot_id):
        shot = load_kind(SHOT, shot_id)
        check_breakdown_read(request.user, shot.project_id)
        body = self.body()
        (instance_id,) = self.required(body, "asset_instance_id")
        instance = get_or_404(AssetInstance.objects.all(), instance_id)
        instance_project = Entity.objects.filter(pk=instance.asset_id).values_list(
            "project_id", "is_shared"
        )
        project_id, is_shared = instance_project.get()
        if project_id != shot.project_id and not is_shared:
            raise WrongParameter("The asset instance belongs to another production.")
        casting.add_instance_to_shot(shot, instance)
        return self.respond(serialize_entity(shot, relations=True), status=201)


class ShotInstanceView(KitsuView):
    def delete(self, request, shot_id, asset_instance_id):
        shot = load_kind(SHOT, shot_id)
        check_breakdown_read(request.user, shot.project_id)
        instance = get_or_404(AssetInstance.objects.all(), asset_instance_id)
        casting.remove_instance_from_shot(shot, instance)
        return self.respond(None, status=204)


class ProjectEntityLinksView(KitsuView):
    """``GET /data/projects/{project_id}/entity-links``: every casting row of a project.

    Without ``page`` the answer is the full list; with it, the generic
    pagination object ``{data, total, nb_pages, limit, offset, page}``.
    """

    def get(self, request, project_id):
        project = services.load_project(project_id)
        access.check_manager_access(request.user, project.pk)
        links = EntityLink.objects.filter(entity_in__project_id=project.pk).order_by(
            "created_at", "id"
        )
        page = parse_int(request.query_params.get("page", -1), "page")
        if page < 1:
            return self.respond(serialize_rows(EntityLink, links))
        limit = parse_int(
            request.query_params.get("limit", settings.NB_RECORDS_PER_PAGE), "limit", minimum=1
        )
        total = links.count()
        offset = (page - 1) * limit
        return self.respond(
            {
                "data": serialize_rows(EntityLink, links[offset : offset + limit]),
                "total": total,
                "nb_pages": math.ceil(total / limit),
                "limit": limit,
                "offset": offset,
                "page": page,
            }
        )


class ProjectEntityLinkView(KitsuView):
    def delete(self, request, project_id, entity_link_id):
        project = services.load_project(project_id)
        link = get_or_404(EntityLink.objects.all(), entity_link_id)
        access.check_manager_access(request.user, project.pk)
        if not Entity.objects.filter(pk=link.entity_in_id, project_id=project.pk).exists():
            raise NotFound()
        casting.delete_entity_link(link)
        return self.respond(None, status=204)


urlpatterns = [
    route("data/projects/{project_id}/entities/casting", EntitiesCastingView.as_view()),
    route(
        "data/projects/{project_id}/entities/casting/assets/{asset_id}",
        CastAssetView.as_view(),
    ),
    route("data/projects/{project_id}/entities/{entity_id}/casting", EntityCastingView.as_view()),
    route("data/assets/{asset_id}/casting", AssetCastingView.as_view()),
    route("data/assets/{asset_id}/assets", LinkedAssetsView.as_view()),
    route("data/assets/{asset_id}/cast-in", CastInView.as_view()),
    route("data/assets/{asset_id}/shot-asset-instances", ShotInstancesOfAssetView.as_view()),
    route("data/assets/{asset_id}/scene-asset-instances", SceneInstancesOfAssetView.as_view()),
    route("data/assets/{asset_id}/asset-asset-instances", AssetAssetInstancesView.as_view()),
    route("data/projects/{project_id}/sequences/all/casting", AllShotsCastingView.as_view()),
    route(
        "data/projects/{project_id}/episodes/{episode_id}/sequences/all/casting",
        AllShotsCastingView.as_view(),
    ),
    route(
        "data/projects/{project_id}/sequences/{sequence_id}/casting",
        SequenceCastingView.as_view(),
    ),
    route("data/projects/{project_id}/episodes/casting", EpisodesCastingView.as_view()),
    route(
        "data/projects/{project_id}/asset-types/{asset_type_id}/casting",
        AssetTypeCastingView.as_view(),
    ),
    route("data/scenes/{scene_id}/asset-instances", SceneInstancesView.as_view()),
    route("data/scenes/{scene_id}/camera-instances", CameraInstancesView.as_view()),
    route("data/shots/{shot_id}/asset-instances", ShotInstancesView.as_view()),
    route("data/shots/{shot_id}/asset-instances/{asset_instance_id}", ShotInstanceView.as_view()),
    route("data/projects/{project_id}/entity-links", ProjectEntityLinksView.as_view()),
    route(
        "data/projects/{project_id}/entity-links/{entity_link_id}",
        ProjectEntityLinkView.as_view(),
    ),
]
