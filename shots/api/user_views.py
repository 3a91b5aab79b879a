"""Routes under /data/user served by the shots app: the episodes, sequences,
shots and scenes the caller has tasks on.
"""

from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView
from productions.models import SEQUENCE
from productions.presentation import serialize_entities
from shots.models import Episode, Scene, Sequence, Shot
from tasks.user_context import load_entity_of_kind, load_project_for, worked_entity_ids


def _rows(queryset, viewer):
    return serialize_entities(queryset.order_by("name", "id"), viewer=viewer)


class ProjectSequencesView(KitsuView):
    """Sequences of a project holding a shot the caller has a task on."""

    def get(self, request, project_id):
        project_id = load_project_for(request.user, project_id)
        shots = Shot.objects.filter(project_id=project_id, id__in=worked_entity_ids(request.user))
        return self.respond(
            _rows(Sequence.objects.filter(id__in=shots.values("parent_id")), request.user)
        )


class ProjectEpisodesView(KitsuView):
    """Episodes of a project holding a shot the caller has a task on."""

    def get(self, request, project_id):
        project_id = load_project_for(request.user, project_id)
        shots = Shot.objects.filter(project_id=project_id, id__in=worked_entity_ids(request.user))
        sequences = Sequence.objects.filter(id__in=shots.values("parent_id"))
        return self.respond(
            _rows(Episode.objects.filter(id__in=sequences.values("parent_id")), request.user)
        )


class SequenceChildrenView(KitsuView):
    """Shots (or scenes) of a sequence that the caller has a task on."""

    model = None

    def get(self, request, sequence_id):
        sequence = load_entity_of_kind(request.user, sequence_id, SEQUENCE)
        queryset = self.model.objects.filter(
            parent_id=sequence["id"], id__in=worked_entity_ids(request.user)
        )
        return self.respond(_rows(queryset, request.user))


urlpatterns = [
    route("data/user/projects/{project_id}/sequences", ProjectSequencesView.as_view()),
    route("data/user/projects/{project_id}/episodes", ProjectEpisodesView.as_view()),
    route("data/user/sequences/{sequence_id}/shots", SequenceChildrenView.as_view(model=Shot)),
    route("data/user/sequences/{sequence_id}/scenes", SequenceChildrenView.as_view(model=Scene)),
]
