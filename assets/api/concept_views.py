"""Concept routes: concepts, their tasks and previews, and concept folders."""

from assets import concepts, services
from assets.models import Concept, ConceptFolder
from assets.with_tasks import task_visibility
from kitsu_backend.api.crud import CrudResource
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, get_or_404, parse_uuid, query_flag
from productions import access
from productions.models import Entity
from productions.presentation import serialize_entity


class EntityFilters(CrudResource):
    model = Entity


ENTITY_FILTERS = EntityFilters()


def load_concept(request, concept_id):
    concept = get_or_404(Concept.objects.all(), concept_id)
    role = services.check_entity_read(request.user, concept)
    return concept, role


def listing_role(request):
    """The caller's role in the ``project_id`` of the query string, if any."""
    value = request.query_params.get("project_id")
    if value in (None, ""):
        return None, None
    project = services.load_project(parse_uuid(value))
    return project.pk, access.check_project_access(request.user, project.pk)


class ConceptListView(KitsuView):
    def get(self, request):
        _project_id, role = listing_role(request)
        queryset = concepts.scope_concepts(request.user, Concept.objects.all(), role)
        queryset = ENTITY_FILTERS.filter_queryset(request, queryset)
        return self.respond(concepts.concept_rows(queryset, viewer=request.user))


class ConceptsWithTasksView(KitsuView):
    def get(self, request):
        project_id, role = listing_role(request)
        role = role or request.user.role
        queryset = access.scope_to_projects(request.user, Concept.objects.all())
        if project_id is not None:
            queryset = queryset.filter(project_id=project_id)
        visibility = task_visibility(request.user, role, project_id)
        return self.respond(concepts.concepts_with_tasks(request.user, queryset, visibility))


class ConceptView(KitsuView):
    def get(self, request, concept_id):
        concept, role = load_concept(request, concept_id)
        visibility = task_visibility(request.user, role, concept.project_id)
        return self.respond(concepts.full_concept(request.user, concept, visibility))

    def delete(self, request, concept_id):
        concept = get_or_404(Concept.objects.all(), concept_id)
        services.check_entity_delete(request.user, concept)
        concepts.remove_concept(concept, force=query_flag(request, "force"))
        return self.respond(None, status=204)


class ConceptTasksView(KitsuView):
    def get(self, request, concept_id):
        concept, role = load_concept(request, concept_id)
        visibility = task_visibility(request.user, role, concept.project_id)
        return self.respond(services.asset_tasks(concept.pk, visibility))


class ConceptTaskTypesView(KitsuView):
    def get(self, request, concept_id):
        concept, role = load_concept(request, concept_id)
        visibility = task_visibility(request.user, role, concept.project_id)
        return self.respond(services.asset_task_types(concept.pk, visibility))


class ConceptPreviewFilesView(KitsuView):
    def get(self, request, concept_id):
        concept, _role = load_concept(request, concept_id)
        return self.respond(concepts.concept_preview_files(concept.pk))


class ProjectConceptsView(KitsuView):
    """``GET`` / ``POST /data/projects/{project_id}/concepts`` (any team member creates)."""

    def get(self, request, project_id):
        project = services.load_project(project_id)
        role = access.check_project_access(request.user, project.pk)
        queryset = concepts.scope_concepts(
            request.user, Concept.objects.filter(project=project), role
        )
        queryset = ENTITY_FILTERS.filter_queryset(request, queryset)
        return self.respond(concepts.concept_rows(queryset, viewer=request.user))

    def post(self, request, project_id):
        project = services.load_project(project_id)
        access.check_project_access(request.user, project.pk)
        concept, created = concepts.create_concept(project, request.user, self.body())
        return self.respond(serialize_entity(concept, relations=False), status=201)


class ProjectConceptFoldersView(KitsuView):
    def get(self, request, project_id):
        project = services.load_project(project_id)
        access.check_project_access(request.user, project.pk)
        return self.respond(concepts.folder_rows(project.pk))

    def post(self, request, project_id):
        project = services.load_project(project_id)
        access.check_supervisor_access(request.user, project.pk)
        folder = concepts.create_folder(project, request.user, self.body())
        return self.respond(serialize_entity(folder, relations=False), status=201)


class ConceptFolderView(KitsuView):
    def put(self, request, concept_folder_id):
        folder = get_or_404(ConceptFolder.objects.all(), concept_folder_id)
        access.check_supervisor_access(request.user, folder.project_id)
        folder = concepts.update_folder(folder, self.body())
        return self.respond(serialize_entity(folder, relations=False))

    def delete(self, request, concept_folder_id):
        folder = get_or_404(ConceptFolder.objects.all(), concept_folder_id)
        access.check_supervisor_access(request.user, folder.project_id)
        concepts.delete_folder(folder)
        return self.respond(None, status=204)


class MoveConceptsView(KitsuView):
    def post(self, request, project_id):
        project = services.load_project(project_id)
        access.check_supervisor_access(request.user, project.pk)
        return self.respond(concepts.move_concepts(project, self.body()))


urlpatterns = [
    route("data/concepts/with-tasks", ConceptsWithTasksView.as_view()),
    route("data/concepts", ConceptListView.as_view()),
    route("data/concepts/{concept_id}", ConceptView.as_view()),
    route("data/concepts/{concept_id}/tasks", ConceptTasksView.as_view()),
    route("data/concepts/{concept_id}/task-types", ConceptTaskTypesView.as_view()),
    route("data/concepts/{concept_id}/preview-files", ConceptPreviewFilesView.as_view()),
    route("data/projects/{project_id}/concepts", ProjectConceptsView.as_view()),
    route("data/projects/{project_id}/concept-folders", ProjectConceptFoldersView.as_view()),
    route("data/concept-folders/{concept_folder_id}", ConceptFolderView.as_view()),
    route("actions/projects/{project_id}/move-concepts", MoveConceptsView.as_view()),
]
