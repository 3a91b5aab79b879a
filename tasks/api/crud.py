"""The /data/<model> resources of the tasks app.

Task types and statuses are studio settings: everyone reads them, admins
write them. Tasks are read within the caller's projects (vendors: their own
tasks), created and deleted by the project's managers and updated by
managers, or by supervisors for planning fields of their departments' task
types. The project link tables only take upserts from the project's
managers; schedule version task links follow their version's project.
"""

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import CrudError, Forbidden
from productions.access import check_manager_access, check_project_access, scope_to_projects
from productions.models import Entity, ProductionScheduleVersion, ProjectTaskStatusLink
from productions.models import ProjectTaskTypeLink as TaskTypeLink
from productions.presentation import kind_of, strip_hidden_data
from tasks import services
from tasks.api.views import check_task_read, scope_tasks
from tasks.models import ProductionScheduleVersionTaskLink, Task, TaskStatus, TaskType

# What a supervisor may change on a task of their departments (planning fields).
SUPERVISOR_TASK_FIELDS = frozenset(
    {"priority", "start_date", "due_date", "estimation", "difficulty", "data", "nb_drawings"}
)


class ReadableByAll(CrudResource):
    """Studio-wide settings every logged-in person reads and admins write."""

    def check_list(self, request):
        pass

    def check_read(self, request, instance):
        pass


@register
class TaskTypeResource(ReadableByAll):
    model = TaskType
    slug = "task-types"


@register
class TaskStatusResource(ReadableByAll):
    model = TaskStatus
    slug = "task-status"
    # Gazu takes the first ``is_default`` status as the default of new
    # tasks: the task statuses (Todo) must come before the concept ones
    # (Neutral), as they do in Zou's table order.
    ordering = ("for_concept", "priority", "name")


def _required_id(values, name):
    value = values.get(name)
    if value is None:
        raise CrudError(f"{name} is required.")
    return value


class ProjectLinkResource(CrudResource):
    """``POST`` only: create the project link, or update it when it exists (201 either way)."""

    target = None  # "task_type" or "task_status"
    list_methods = ("post",)
    detail_methods = ()

    def check_create(self, request, values):
        check_manager_access(request.user, _required_id(values, "project_id"))

    def create(self, request, values, relations):
        target_id = _required_id(values, f"{self.target}_id")
        instance = self.model.objects.filter(
            project_id=values["project_id"], **{f"{self.target}_id": target_id}
        ).first()
        if instance is None:
            instance = self.model(**values)
            instance._kitsu_existed = False
        else:
            for name, value in values.items():
                setattr(instance, name, value)
            instance._kitsu_existed = True
        self.validate(instance)
        instance.save()
        return instance

    def emit(self, action, instance):
        if action == "new" and getattr(instance, "_kitsu_existed", False):
            action = "update"
        super().emit(action, instance)


@register
class TaskTypeLinkResource(ProjectLinkResource):
    model = TaskTypeLink
    slug = "task-type-links"
    target = "task_type"


@register
class TaskStatusLinkResource(ProjectLinkResource):
    model = ProjectTaskStatusLink
    slug = "task-status-links"
    target = "task_status"


@register
class TaskResource(CrudResource):
    model = Task
    slug = "tasks"
    protected_fields = frozenset({"project", "project_id"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        return scope_tasks(request.user, queryset)

    def serialize_queryset(self, request, queryset, relations=False):
        rows = super().serialize_queryset(request, queryset, relations)
        return strip_hidden_data(rows, request.user)

    def serialize(self, request, instance):
        return strip_hidden_data([super().serialize(request, instance)], request.user)[0]

    def check_read(self, request, instance):
        check_task_read(request.user, instance)

    def check_create(self, request, values):
        # Zou lets anyone create a task here; the same rights as the
        # create-tasks actions are required instead.
        project_id = _required_id(values, "project_id")
        check_manager_access(request.user, project_id)
        entity = Entity.objects.select_related("entity_type").filter(
            pk=_required_id(values, "entity_id")
        )
        entity = entity.first()
        task_type = TaskType.objects.filter(pk=_required_id(values, "task_type_id")).first()
        if entity is None or task_type is None:
            raise CrudError("The entity or the task type does not exist.")
        if entity.project_id != project_id:
            raise CrudError("The entity does not belong to this project.")
        if kind_of(entity.entity_type.name) != (task_type.for_entity or "Asset"):
            raise CrudError(
                f"Task type {task_type.name} is made for {task_type.for_entity} entities."
            )
        if not TaskTypeLink.objects.filter(
            project_id=project_id, task_type_id=task_type.pk
        ).exists():
            raise CrudError(f"Task type {task_type.name} is not enabled on this project.")

    def create(self, request, values, relations):
        if values.get("task_status_id") is None:
            task_type = TaskType.objects.get(pk=values["task_type_id"])
            values["task_status_id"] = services.default_task_status(
                for_concept=task_type.for_entity == "Concept"
            ).pk
        values.setdefault("assigner_id", request.user.pk)
        return super().create(request, values, relations)

    def check_update(self, request, instance, values):
        role = check_project_access(request.user, instance.project_id)
        if role in (roles.ADMIN, roles.MANAGER):
            return
        if role != roles.SUPERVISOR:
            raise Forbidden()
        if not services.supervises_task_type(request.user, instance.task_type.department_id):
            raise Forbidden()
        # Clients send whole rows back: only the values that change count.
        changed = {name for name, value in values.items() if getattr(instance, name) != value}
        if "assignees" in request.data and set(
            str(person_id) for person_id in request.data.get("assignees") or []
        ) != {str(person_id) for person_id in instance.assignees.values_list("pk", flat=True)}:
            changed.add("assignees")
        allowed = SUPERVISOR_TASK_FIELDS | {f"{name}_id" for name in SUPERVISOR_TASK_FIELDS}
        if changed - allowed:
            raise Forbidden()

    def check_delete(self, request, instance):
        check_manager_access(request.user, instance.project_id)

    def delete(self, request, instance):
        services.delete_tasks([instance])

    def emit(self, action, instance):
        # ``delete_tasks`` emits its own ``task:delete``.
        if action != "delete":
            super().emit(action, instance)


@register
class ScheduleVersionTaskLinkResource(CrudResource):
    model = ProductionScheduleVersionTaskLink
    slug = "production-schedule-version-task-links"
    protected_fields = frozenset({"production_schedule_version", "production_schedule_version_id"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        return scope_to_projects(
            request.user, queryset, field="production_schedule_version__project_id"
        )

    def project_id(self, instance):
        return instance.production_schedule_version.project_id

    def check_read(self, request, instance):
        check_project_access(request.user, self.project_id(instance))

    def check_create(self, request, values):
        version = ProductionScheduleVersion.objects.filter(
            pk=_required_id(values, "production_schedule_version_id")
        ).first()
        if version is None:
            raise CrudError("The production schedule version does not exist.")
        check_manager_access(request.user, version.project_id)
        task = Task.objects.filter(pk=_required_id(values, "task_id")).first()
        if task is None or task.project_id != version.project_id:
            raise CrudError("The task does not belong to the project of this schedule version.")

    def check_update(self, request, instance, values):
        check_manager_access(request.user, self.project_id(instance))
        if "task_id" in values and values["task_id"] != instance.task_id:
            raise CrudError("The task of a schedule version task link cannot change.")

    def check_delete(self, request, instance):
        check_manager_access(request.user, self.project_id(instance))
