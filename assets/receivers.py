"""Reactions of the assets app to changes made lower down."""

from assets.casting import refresh_shot_casting_stats
from productions.models import SHOT, EntityLink


def refresh_casting_readiness(sender, asset_id, project_id, **kwargs):
    """An asset's ``ready_for`` changed (status automation): recount the shots that cast it.

    The shots may belong to other productions when the asset is shared; each
    production's pipeline order decides readiness, so they are refreshed per
    production.
    """
    shots_by_project = {}
    for shot_id, shot_project_id in EntityLink.objects.filter(
        entity_out_id=asset_id, entity_in__entity_type__name=SHOT
    ).values_list("entity_in_id", "entity_in__project_id"):
        shots_by_project.setdefault(shot_project_id, []).append(shot_id)
    for shot_project_id, shot_ids in shots_by_project.items():
        refresh_shot_casting_stats(shot_ids, shot_project_id)
