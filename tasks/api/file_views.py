"""Routes of the ``files`` domain: working files of tasks, output files of
entities and asset instances, the paths the project's file tree gives them,
and the generic /data resources of those tables.

Team members who may read a task or an entity read its files; writing
them (new revisions, comments, uploads) takes the rights of comment-like
actions on the task, and is never open to clients. Path and revision rules
live in ``tasks.files``.
"""

from django.http import FileResponse

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView, get_or_404, parse_int, parse_uuid
from people.models import Person, Software
from productions.access import check_manager_access, check_project_access, scope_to_projects
from productions.models import AssetInstance, Entity, Project
from tasks import files
from tasks.api.crud import ReadableByAll
from tasks.api.views import check_entity_read, check_task_action, check_task_read, scope_tasks
from tasks.models import FileStatus, OutputFile, OutputType, Task, TaskType, WorkingFile

SEPARATORS = ("/", "\\")


# --- access and parsing --------------------------------------------------------------


def load_task(task_id):
    return get_or_404(
        Task.objects.select_related(
            "project", "task_type", "entity__entity_type", "entity__parent__parent"
        ),
        task_id,
    )


def load_entity(entity_id):
    return get_or_404(
        Entity.objects.select_related("entity_type", "project", "parent__parent"), entity_id
    )


def check_file_write(person, task):
    """Comment-like rights on the task, clients excepted."""
    role = check_task_action(person, task)
    if role == roles.CLIENT:
        raise Forbidden()
    return role


def check_entity_file_write(person, entity):
    role = check_entity_read(person, entity)
    if role == roles.CLIENT:
        raise Forbidden()
    return role


def check_working_file_read(person, working_file):
    if working_file.task_id:
        return check_task_read(person, working_file.task)
    if working_file.entity_id:
        return check_entity_read(person, working_file.entity)
    # A file attached to nothing is studio bookkeeping.
    roles.require_admin(person)
    return roles.ADMIN


def check_working_file_write(person, working_file):
    if working_file.task_id:
        return check_file_write(person, working_file.task)
    if working_file.entity_id:
        return check_entity_file_write(person, working_file.entity)
    roles.require_admin(person)
    return roles.ADMIN


def output_file_project_id(output_file):
    owner = output_file.temporal_entity or output_file.entity
    if owner is None and output_file.asset_instance_id:
        owner = output_file.asset_instance.asset
    return owner.project_id if owner is not None else None


def check_output_file_read(person, output_file):
    project_id = output_file_project_id(output_file)
    if project_id is None:
        roles.require_admin(person)
        return roles.ADMIN
    if output_file.entity_id and not output_file.asset_instance_id:
        return check_entity_read(person, output_file.entity)
    return check_project_access(person, project_id)


def load_working_file(working_file_id):
    return get_or_404(
        WorkingFile.objects.select_related("task__task_type", "task__entity", "entity"),
        working_file_id,
    )


def body_object(body, name, model, required=False):
    """The row whose id is ``body[name]`` (400 when missing or unknown)."""
    value = body.get(name)
    if value in (None, ""):
        if required:
            raise WrongParameter(f"The field {name} is required.")
        return None
    instance = model.objects.filter(pk=parse_uuid(value)).first()
    if instance is None:
        raise WrongParameter(f"No {model.__name__} matches {name}.")
    return instance


def body_text(body, name, default=""):
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise WrongParameter(f"{name} must be a text.")
    return value


def body_int(body, name, default=0, minimum=0):
    value = body.get(name, default)
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise WrongParameter(f"{name} must be a whole number.")
    return parse_int(value, name, minimum=minimum)


def body_separator(body, name="separator"):
    sep = body.get(name) or body.get("sep") or "/"
    if sep not in SEPARATORS:
        raise WrongParameter(f"{name} must be / or \\.")
    return sep


def tree_errors(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except files.FileTreeError as error:
        raise WrongParameter(str(error)) from None


def output_filters(request):
    params = request.query_params
    filters = {}
    for key in ("output_type_id", "task_type_id", "file_status_id", "temporal_entity_id"):
        if params.get(key):
            filters[key] = parse_uuid(params[key])
    for key in ("name", "representation"):
        if key in params:
            filters[key] = params[key]
    return filters


def load_asset_instance_pair(request, asset_instance_id, temporal_entity_id):
    """The asset instance and the shot or scene it is used in, checked for reading."""
    asset_instance = get_or_404(
        AssetInstance.objects.select_related(
            "asset__entity_type", "asset__project", "asset__parent"
        ),
        asset_instance_id,
    )
    temporal_entity = load_entity(temporal_entity_id)
    check_entity_read(request.user, temporal_entity)
    return asset_instance, temporal_entity


# --- working files ------------------------------------------------------------------


class TaskWorkingFilesView(KitsuView):
    def get(self, request, task_id):
        task = load_task(task_id)
        check_task_read(request.user, task)
        return self.respond(files.working_file_rows(WorkingFile.objects.filter(task_id=task.pk)))


class TaskLastWorkingFilesView(KitsuView):
    def get(self, request, task_id):
        task = load_task(task_id)
        check_task_read(request.user, task)
        return self.respond(files.last_working_revisions(task))


class NewWorkingFileView(KitsuView):
    """``POST /data/tasks/{task_id}/working-files/new``: register the next revision.

    ``revision`` 0 (the default) takes the next free one.
    """

    def post(self, request, task_id):
        task = load_task(task_id)
        check_file_write(request.user, task)
        body = self.body()
        person = body_object(body, "person_id", Person) or request.user
        working_file = tree_errors(
            files.create_working_file,
            task,
            person,
            name=body_text(body, "name", "main") or "main",
            mode=body_text(body, "mode", "working") or "working",
            software=body_object(body, "software_id", Software),
            comment=body_text(body, "comment"),
            revision=body_int(body, "revision"),
            sep=body_separator(body, "sep"),
            description=body.get("description"),
        )
        return self.respond(files.serialize_file(working_file), status=201)


class WorkingFilePathView(KitsuView):
    """``{"path": folder, "name": file name}`` of a working file of the task.

    ``revision`` 0 renders the task's next revision of that name.
    """

    def post(self, request, task_id):
        task = load_task(task_id)
        check_task_read(request.user, task)
        body = self.body()
        name = body_text(body, "name", "main") or "main"
        revision = body_int(body, "revision", default=1) or files.next_working_revision(task, name)
        folder, file_name = tree_errors(
            files.working_file_path,
            task,
            mode=body_text(body, "mode", "working") or "working",
            software=body_object(body, "software_id", Software),
            name=name,
            revision=revision,
            sep=body_separator(body),
        )
        return self.respond({"path": folder, "name": file_name})


class EntityWorkingFilesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        queryset = WorkingFile.objects.filter(entity_id=entity.pk)
        params = request.query_params
        if params.get("task_id"):
            queryset = queryset.filter(task_id=parse_uuid(params["task_id"]))
        if "name" in params:
            queryset = queryset.filter(name=params["name"])
        return self.respond(files.working_file_rows(queryset))


class WorkingFileCommentView(KitsuView):
    def put(self, request, working_file_id):
        working_file = load_working_file(working_file_id)
        check_working_file_write(request.user, working_file)
        body = self.body()
        if "comment" not in body:
            raise WrongParameter("The field comment is required.")
        working_file = files.update_working_file(
            working_file,
            working_file.task.project_id if working_file.task_id else None,
            comment=body_text(body, "comment"),
        )
        return self.respond(files.serialize_file(working_file))


class WorkingFileModifiedView(KitsuView):
    def put(self, request, working_file_id):
        working_file = load_working_file(working_file_id)
        check_working_file_write(request.user, working_file)
        working_file = files.update_working_file(
            working_file, working_file.task.project_id if working_file.task_id else None
        )
        return self.respond(files.serialize_file(working_file))


class WorkingFileContentView(KitsuView):
    """The stored binary of a working file (multipart field ``file`` to upload)."""

    def perform_content_negotiation(self, request, force=False):
        # Downloads answer whatever the client accepts.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, working_file_id):
        working_file = load_working_file(working_file_id)
        check_working_file_read(request.user, working_file)
        if not files.has_stored_file(working_file):
            raise NotFound()
        name = (working_file.path or working_file.name or str(working_file.pk)).replace("\\", "/")
        return FileResponse(
            files.open_working_file(working_file),
            content_type="application/octet-stream",
            as_attachment=True,
            filename=name.rsplit("/", 1)[-1],
        )

    def post(self, request, working_file_id):
        working_file = load_working_file(working_file_id)
        check_working_file_write(request.user, working_file)
        upload = request.FILES.get("file")
        if upload is None:
            raise WrongParameter("The file field is required.")
        working_file = files.store_working_file(
            working_file,
            upload,
            working_file.task.project_id if working_file.task_id else None,
        )
        return self.respond(files.serialize_file(working_file), status=201)


class FileView(KitsuView):
    """``GET /data/files/{file_id}``: a working file, or else an output file."""

    def get(self, request, file_id):
        file_id = parse_uuid(file_id)
        working_file = (
            WorkingFile.objects.select_related("task", "entity").filter(pk=file_id).first()
        )
        if working_file is not None:
            check_working_file_read(request.user, working_file)
            return self.respond(files.serialize_file(working_file))
        output_file = get_or_404(
            OutputFile.objects.select_related("entity", "temporal_entity", "asset_instance__asset"),
            file_id,
        )
        check_output_file_read(request.user, output_file)
        return self.respond(files.serialize_file(output_file))


# --- output files of entities ----------------------------------------------------------


class OutputFileBodyMixin:
    def output_arguments(self, body):
        return {
            "output_type": body_object(body, "output_type_id", OutputType, required=True),
            "task_type": body_object(body, "task_type_id", TaskType, required=True),
            "name": body_text(body, "name", "main") or "main",
        }


class EntityOutputFilesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        queryset = OutputFile.objects.filter(entity_id=entity.pk)
        return self.respond(
            files.output_file_rows(files.filter_output_files(queryset, output_filters(request)))
        )


class EntityLastOutputFilesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        queryset = files.filter_output_files(
            OutputFile.objects.filter(entity_id=entity.pk), output_filters(request)
        )
        return self.respond(files.last_output_revisions(queryset))


class EntityOutputTypesView(KitsuView):
    def get(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        return self.respond(files.output_types_of(OutputFile.objects.filter(entity_id=entity.pk)))


class EntityOutputTypeFilesView(KitsuView):
    def get(self, request, entity_id, output_type_id):
        entity = load_entity(entity_id)
        output_type = get_or_404(OutputType, output_type_id)
        check_entity_read(request.user, entity)
        queryset = OutputFile.objects.filter(entity_id=entity.pk, output_type_id=output_type.pk)
        filters = output_filters(request)
        filters.pop("output_type_id", None)
        return self.respond(files.output_file_rows(files.filter_output_files(queryset, filters)))


class EntityNextOutputRevisionView(OutputFileBodyMixin, KitsuView):
    def post(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        body = self.body()
        arguments = self.output_arguments(body)
        revision = files.next_output_revision(
            arguments["output_type"],
            arguments["task_type"],
            arguments["name"],
            body.get("representation"),
            entity=entity,
        )
        return self.respond({"next_revision": revision})


class EntityOutputFilePathView(OutputFileBodyMixin, KitsuView):
    """``{"folder_path", "file_name"}`` of an output file of the entity.

    ``revision`` 0 (Gazu's default) renders the next free revision.
    """

    def post(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_read(request.user, entity)
        body = self.body()
        arguments = self.output_arguments(body)
        representation = body_text(body, "representation")
        revision = body_int(body, "revision") or files.next_output_revision(
            arguments["output_type"],
            arguments["task_type"],
            arguments["name"],
            representation,
            entity=entity,
        )
        folder, file_name = tree_errors(
            files.output_file_path,
            entity,
            arguments["output_type"],
            arguments["task_type"],
            mode=body_text(body, "mode", "output") or "output",
            name=arguments["name"],
            representation=representation,
            revision=revision,
            sep=body_separator(body),
        )
        return self.respond({"folder_path": folder, "file_name": file_name})


class NewOutputFileMixin(OutputFileBodyMixin):
    def create(self, request, body, entity=None, asset_instance=None, temporal_entity=None):
        arguments = self.output_arguments(body)
        output_file = tree_errors(
            files.create_output_file,
            arguments["output_type"],
            arguments["task_type"],
            body_object(body, "person_id", Person) or request.user,
            entity=entity,
            asset_instance=asset_instance,
            temporal_entity=temporal_entity,
            name=arguments["name"],
            mode=body_text(body, "mode", "output") or "output",
            representation=body_text(body, "representation"),
            revision=body_int(body, "revision"),
            nb_elements=body_int(body, "nb_elements", default=1, minimum=1),
            comment=body_text(body, "comment"),
            sep=body_separator(body, "sep"),
            working_file=body_object(body, "working_file_id", WorkingFile),
            file_status=body_object(body, "file_status_id", FileStatus),
            extension=body_text(body, "extension", None),
        )
        return self.respond(files.serialize_file(output_file), status=201)


class NewEntityOutputFileView(NewOutputFileMixin, KitsuView):
    def post(self, request, entity_id):
        entity = load_entity(entity_id)
        check_entity_file_write(request.user, entity)
        return self.create(request, self.body(), entity=entity)


class ProjectOutputFilesView(KitsuView):
    def get(self, request, project_id):
        project = get_or_404(Project, project_id)
        check_manager_access(request.user, project.pk)
        queryset = OutputFile.objects.filter(
            entity__project_id=project.pk
        ) | OutputFile.objects.filter(temporal_entity__project_id=project.pk)
        return self.respond(
            files.output_file_rows(files.filter_output_files(queryset, output_filters(request)))
        )


# --- output files of asset instances --------------------------------------------------------


class AssetInstanceOutputFilesView(KitsuView):
    """Every output file of an asset instance, in the shots the caller may read."""

    def get(self, request, asset_instance_id):
        asset_instance = get_or_404(
            AssetInstance.objects.select_related("asset"), asset_instance_id
        )
        check_entity_read(request.user, asset_instance.asset)
        queryset = OutputFile.objects.filter(asset_instance_id=asset_instance.pk)
        queryset = scope_to_projects(request.user, queryset, field="temporal_entity__project_id")
        return self.respond(
            files.output_file_rows(files.filter_output_files(queryset, output_filters(request)))
        )


class AssetInstanceLastOutputFilesView(KitsuView):
    def get(self, request, asset_instance_id, temporal_entity_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        queryset = OutputFile.objects.filter(
            asset_instance_id=asset_instance.pk, temporal_entity_id=temporal_entity.pk
        )
        queryset = files.filter_output_files(queryset, output_filters(request))
        return self.respond(files.last_output_revisions(queryset))


class AssetInstanceOutputTypesView(KitsuView):
    def get(self, request, asset_instance_id, temporal_entity_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        return self.respond(
            files.output_types_of(
                OutputFile.objects.filter(
                    asset_instance_id=asset_instance.pk, temporal_entity_id=temporal_entity.pk
                )
            )
        )


class AssetInstanceOutputTypeFilesView(KitsuView):
    def get(self, request, asset_instance_id, temporal_entity_id, output_type_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        output_type = get_or_404(OutputType, output_type_id)
        queryset = OutputFile.objects.filter(
            asset_instance_id=asset_instance.pk,
            temporal_entity_id=temporal_entity.pk,
            output_type_id=output_type.pk,
        )
        return self.respond(files.output_file_rows(queryset))


class AssetInstanceNextOutputRevisionView(OutputFileBodyMixin, KitsuView):
    def post(self, request, asset_instance_id, temporal_entity_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        body = self.body()
        arguments = self.output_arguments(body)
        revision = files.next_output_revision(
            arguments["output_type"],
            arguments["task_type"],
            arguments["name"],
            body.get("representation"),
            asset_instance=asset_instance,
            temporal_entity=temporal_entity,
        )
        return self.respond({"next_revision": revision})


class AssetInstanceOutputFilePathView(OutputFileBodyMixin, KitsuView):
    def post(self, request, asset_instance_id, temporal_entity_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        body = self.body()
        arguments = self.output_arguments(body)
        representation = body_text(body, "representation")
        revision = body_int(body, "revision") or files.next_output_revision(
            arguments["output_type"],
            arguments["task_type"],
            arguments["name"],
            representation,
            asset_instance=asset_instance,
            temporal_entity=temporal_entity,
        )
        folder, file_name = tree_errors(
            files.output_file_path,
            None,
            arguments["output_type"],
            arguments["task_type"],
            mode=body_text(body, "mode", "output") or "output",
            name=arguments["name"],
            representation=representation,
            revision=revision,
            sep=body_separator(body),
            asset_instance=asset_instance,
            temporal_entity=temporal_entity,
        )
        return self.respond({"folder_path": folder, "file_name": file_name})


class NewAssetInstanceOutputFileView(NewOutputFileMixin, KitsuView):
    def post(self, request, asset_instance_id, temporal_entity_id):
        asset_instance, temporal_entity = load_asset_instance_pair(
            request, asset_instance_id, temporal_entity_id
        )
        check_entity_file_write(request.user, temporal_entity)
        return self.create(
            request, self.body(), asset_instance=asset_instance, temporal_entity=temporal_entity
        )


# --- guessing from a path ----------------------------------------------------------------------


class GuessFromPathView(KitsuView):
    """``POST /data/entities/guess-from-path`` ``{project_id, file_path, sep?}``."""

    def post(self, request):
        body = self.body()
        project_id, file_path = self.required(body, "project_id", "file_path")
        if not isinstance(file_path, str):
            raise WrongParameter("file_path must be a text.")
        project = get_or_404(Project, project_id)
        check_project_access(request.user, project.pk)
        matches = tree_errors(
            files.guess_from_path,
            project,
            file_path,
            body_separator(body, "sep"),
            body_text(body, "mode", "working") or "working",
        )
        return self.respond({"matches": matches})


# --- generic /data resources -----------------------------------------------------------------


@register
class OutputTypeResource(ReadableByAll):
    model = OutputType
    slug = "output-types"


@register
class FileStatusResource(ReadableByAll):
    model = FileStatus
    slug = "file-status"


@register
class WorkingFileResource(CrudResource):
    """Listed within the tasks the caller may read; read and updated by the
    people who may work on the task; created and deleted by admins."""

    model = WorkingFile
    slug = "working-files"
    protected_fields = frozenset({"task", "task_id", "entity", "entity_id"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        if roles.is_admin(request.user):
            return queryset
        tasks = scope_tasks(request.user, Task.objects.all()).values("pk")
        return queryset.filter(task_id__in=tasks)

    def check_read(self, request, instance):
        check_working_file_read(request.user, instance)

    def check_update(self, request, instance, values):
        check_working_file_write(request.user, instance)

    def project_id(self, instance):
        return instance.task.project_id if instance.task_id else None


@register
class OutputFileResource(CrudResource):
    """Listed within the caller's projects; read by team members, updated by
    team members other than clients; created and deleted by admins."""

    model = OutputFile
    slug = "output-files"

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        if roles.is_admin(request.user):
            return queryset
        by_entity = scope_to_projects(request.user, queryset, field="entity__project_id")
        by_shot = scope_to_projects(request.user, queryset, field="temporal_entity__project_id")
        return queryset.filter(pk__in=by_entity.values("pk")) | queryset.filter(
            pk__in=by_shot.values("pk")
        )

    def check_read(self, request, instance):
        check_output_file_read(request.user, instance)

    def check_update(self, request, instance, values):
        if check_output_file_read(request.user, instance) == roles.CLIENT:
            raise Forbidden()

    def project_id(self, instance):
        return output_file_project_id(instance)


urlpatterns = [
    route("data/tasks/{task_id}/working-files", TaskWorkingFilesView.as_view()),
    route("data/tasks/{task_id}/working-files/last-revisions", TaskLastWorkingFilesView.as_view()),
    route("data/tasks/{task_id}/working-files/new", NewWorkingFileView.as_view()),
    route("data/tasks/{task_id}/working-file-path", WorkingFilePathView.as_view()),
    route("data/entities/{entity_id}/working-files", EntityWorkingFilesView.as_view()),
    route("actions/working-files/{working_file_id}/comment", WorkingFileCommentView.as_view()),
    route("actions/working-files/{working_file_id}/modified", WorkingFileModifiedView.as_view()),
    route("data/working-files/{working_file_id}/file", WorkingFileContentView.as_view()),
    route("data/files/{file_id}", FileView.as_view()),
    route("data/entities/guess-from-path", GuessFromPathView.as_view()),
    route("data/entities/guess_from_path", GuessFromPathView.as_view()),
    route("data/entities/{entity_id}/output-files", EntityOutputFilesView.as_view()),
    route(
        "data/entities/{entity_id}/output-files/last-revisions",
        EntityLastOutputFilesView.as_view(),
    ),
    route("data/entities/{entity_id}/output-files/new", NewEntityOutputFileView.as_view()),
    route(
        "data/entities/{entity_id}/output-files/next-revision",
        EntityNextOutputRevisionView.as_view(),
    ),
    route("data/entities/{entity_id}/output-file-path", EntityOutputFilePathView.as_view()),
    route("data/entities/{entity_id}/output-types", EntityOutputTypesView.as_view()),
    route(
        "data/entities/{entity_id}/output-types/{output_type_id}/output-files",
        EntityOutputTypeFilesView.as_view(),
    ),
    route("data/projects/{project_id}/output-files", ProjectOutputFilesView.as_view()),
    route(
        "data/asset-instances/{asset_instance_id}/output-files",
        AssetInstanceOutputFilesView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}"
        "/output-files/last-revisions",
        AssetInstanceLastOutputFilesView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-files/new",
        NewAssetInstanceOutputFileView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}"
        "/output-files/next-revision",
        AssetInstanceNextOutputRevisionView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-file-path",
        AssetInstanceOutputFilePathView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-types",
        AssetInstanceOutputTypesView.as_view(),
    ),
    route(
        "data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}"
        "/output-types/{output_type_id}/output-files",
        AssetInstanceOutputTypeFilesView.as_view(),
    ),
]
