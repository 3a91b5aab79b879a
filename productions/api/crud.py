"""The /data/<model> resources of the productions app.

Zou's generic routes are admin-only unless a model relaxes them. Here the
projects are read by their team and updated by their managers, studio-wide
lists (project statuses, entity types, status automations, custom actions)
are read by everyone, and project-scoped rows (entities, milestones,
schedule items and versions, asset instances) follow the caller's role in
their project.
"""

import re
from contextlib import contextmanager

from django.db import transaction

from kitsu_backend.api import events
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import CrudError, Forbidden, WrongParameter
from kitsu_backend.api.permissions import (
    ADMIN,
    MANAGER,
    SUPERVISOR,
    is_vendor,
    require,
    require_admin,
    require_manager,
)
from kitsu_backend.api.serialization import serialize_instance
from kitsu_backend.api.views import parse_uuid
from productions import services
from productions.access import (
    check_manager_access,
    check_project_access,
    check_supervisor_access,
    scope_to_projects,
)
from productions.models import (
    RESERVED_ENTITY_TYPE_NAMES,
    AssetInstance,
    Budget,
    BudgetEntry,
    CustomAction,
    DepartmentMetadataDescriptorLink,
    Entity,
    EntityConceptLink,
    EntityLink,
    EntityType,
    MetadataDescriptor,
    Milestone,
    ProductionScheduleVersion,
    Project,
    ProjectStatus,
    ProjectTemplate,
    ScheduleItem,
    SearchFilter,
    SearchFilterGroup,
    StatusAutomation,
)
from productions.presentation import (
    entity_type_names,
    kind_of,
    serialize_entities,
    serialize_entity,
)


@contextmanager
def production_errors():
    """Report a refused change with Zou's 400 body."""
    try:
        yield
    except services.ProductionError as error:
        raise WrongParameter(str(error)) from None


class ReadableByAll(CrudResource):
    """Studio-wide rows every logged-in person reads and admins write."""

    def check_list(self, request):
        pass

    def check_read(self, request, instance):
        pass


class ProjectScoped(CrudResource):
    """Rows with a ``project_id``: listed within the caller's projects."""

    def scope_queryset(self, request, queryset):
        return scope_to_projects(request.user, queryset)


def _project_of(values, instance=None):
    return values.get("project_id", getattr(instance, "project_id", None))


# --- projects ------------------------------------------------------------------------


@register
class ProjectResource(CrudResource):
    """Productions: listed to their team, read by members, updated by their managers.

    A new project is open unless told otherwise, a TV show gets its first
    episode, and ``project_template_id`` applies a template on creation.
    """

    model = Project
    slug = "projects"
    protected_fields = frozenset({"team"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        return scope_to_projects(request.user, queryset, field="id")

    def check_read(self, request, instance):
        request.kitsu_project_role = check_project_access(request.user, instance.pk)

    def check_create(self, request, values):
        require_admin(request.user)
        with production_errors():
            services.validate_project_values(values)

    def check_update(self, request, instance, values):
        check_manager_access(request.user, instance.pk)
        with production_errors():
            services.validate_project_values(values, serialize_instance(instance, False))

    def check_delete(self, request, instance):
        require_admin(request.user)

    def parse_body(self, body, updating=False):
        body = dict(body)
        template_id = body.pop("project_template_id", None)
        values, relations = super().parse_body(body, updating)
        if template_id and not updating:
            template = ProjectTemplate.objects.filter(pk=_uuid_or_400(template_id)).first()
            if template is None:
                raise WrongParameter("Project template not found")
            values["_template"] = template
        return values, relations

    def create(self, request, values, relations):
        template = values.pop("_template", None)
        if values.get("project_status_id") is None:
            values["project_status_id"] = services.get_or_create_project_status(services.OPEN).pk
        project = super().create(request, values, relations)
        if template is not None:
            overrides = {key: value for key, value in values.items() if value is not None}
            services.apply_template(project, template, overrides)
            project.refresh_from_db()
        if project.production_type == "tvshow":
            services.ensure_first_episode(project, request.user)
        services.copy_project_descriptors(project)
        return project

    def update(self, request, instance, values, relations):
        project = super().update(request, instance, values, relations)
        if project.production_type == "tvshow":
            services.ensure_first_episode(project, request.user)
        return project

    def delete(self, request, instance):
        with production_errors():
            services.delete_project(instance)

    def serialize(self, request, instance):
        if request.method == "GET":
            role = getattr(request, "kitsu_project_role", None)
            return services.project_detail(request.user, instance, role)
        row = serialize_instance(instance, relations=True)
        if instance.production_type == "tvshow":
            first = services._first_episodes([instance.pk]).get(instance.pk)
            if first is not None:
                row["first_episode_id"] = first
        return row


def _uuid_or_400(value):
    return parse_uuid(value)


@register
class ProjectStatusResource(ReadableByAll):
    model = ProjectStatus
    slug = "project-status"


@register
class ProjectTemplateResource(CrudResource):
    """Templates are read by production managers and written by admins."""

    model = ProjectTemplate
    slug = "project-templates"

    def check_list(self, request):
        require_manager(request.user)

    def check_read(self, request, instance):
        require_manager(request.user)


# --- configuration -------------------------------------------------------------------


@register
class MetadataDescriptorResource(ProjectScoped):
    """Custom columns: everyone lists those of their projects; admins write here,
    managers and supervisors through the project routes."""

    model = MetadataDescriptor
    slug = "metadata-descriptors"

    def check_list(self, request):
        pass


@register
class StatusAutomationResource(ReadableByAll):
    model = StatusAutomation
    slug = "status-automations"

    def check_read(self, request, instance):
        require_admin(request.user)


@register
class CustomActionResource(ReadableByAll):
    model = CustomAction
    slug = "custom-actions"

    def check_read(self, request, instance):
        require_admin(request.user)


@register
class SearchFilterResource(CrudResource):
    model = SearchFilter
    slug = "search-filters"


@register
class SearchFilterGroupResource(CrudResource):
    model = SearchFilterGroup
    slug = "search-filter-groups"


# --- planning ------------------------------------------------------------------------


class ManagedByProjectManagers(CrudResource):
    """Rows managers of their project create, change and delete."""

    def check_read(self, request, instance):
        check_project_access(request.user, instance.project_id)

    def check_create(self, request, values):
        check_manager_access(request.user, _project_of(values))

    def check_update(self, request, instance, values):
        check_manager_access(request.user, instance.project_id)
        if "project_id" in values and values["project_id"] != instance.project_id:
            check_manager_access(request.user, values["project_id"])

    def check_delete(self, request, instance):
        check_manager_access(request.user, instance.project_id)


@register
class MilestoneResource(ManagedByProjectManagers):
    model = Milestone
    slug = "milestones"


@register
class ScheduleItemResource(ManagedByProjectManagers):
    """Gantt bars: supervisors of the project may move them, as in Zou."""

    model = ScheduleItem
    slug = "schedule-items"

    def check_read(self, request, instance):
        require_admin(request.user)

    def check_update(self, request, instance, values):
        check_supervisor_access(request.user, instance.project_id)


@register
class ProductionScheduleVersionResource(ManagedByProjectManagers):
    """What-if schedules; hidden from clients and vendors."""

    model = ProductionScheduleVersion
    slug = "production-schedule-versions"

    def check_list(self, request):
        project_id = request.query_params.get("project_id")
        if project_id:
            role = check_project_access(request.user, _uuid_or_400(project_id))
            require(role not in ("client", "vendor"))
        else:
            require_admin(request.user)

    def check_read(self, request, instance):
        role = check_project_access(request.user, instance.project_id)
        require(role not in ("client", "vendor"))

    def emit(self, action, instance):
        if action == "update":
            # Zou names this one event with underscores.
            events.emit(
                "production_schedule_version:update",
                {"production_schedule_version_id": instance.pk},
                project_id=instance.project_id,
            )
            return
        super().emit(action, instance)

    def delete(self, request, instance):
        ProductionScheduleVersion.objects.filter(production_schedule_from=instance.pk).update(
            production_schedule_from=None
        )
        super().delete(request, instance)


@register
class BudgetResource(CrudResource):
    model = Budget
    slug = "budgets"


@register
class BudgetEntryResource(CrudResource):
    model = BudgetEntry
    slug = "budget-entries"

    def project_id(self, instance):
        return instance.budget.project_id


# --- breakdown -----------------------------------------------------------------------


@register
class EntityTypeResource(ReadableByAll):
    model = EntityType
    slug = "entity-types"


@register
class EntityLinkResource(CrudResource):
    model = EntityLink
    slug = "entity-links"

    def project_id(self, instance):
        return instance.entity_in.project_id


@register
class AssetInstanceResource(CrudResource):
    """Placements of assets: admins list and create, the team reads and edits."""

    model = AssetInstance
    slug = "asset-instances"

    def check_read(self, request, instance):
        check_project_access(request.user, instance.asset.project_id)

    def check_update(self, request, instance, values):
        check_project_access(request.user, instance.asset.project_id)

    def project_id(self, instance):
        return instance.asset.project_id


def _event_words(kind):
    """``ConceptFolder`` -> ``["concept", "folder"]``, for event names and keys."""
    return [word.lower() for word in re.findall(r"[A-Z][a-z]*", kind)]


@register
class EntityResource(CrudResource):
    """Any breakdown item through its one table, typed by kind.

    Listing is limited to the caller's projects (vendors: the entities they
    have a task on). Managers of the project write; a supervisor may change
    only the ``data`` keys of the columns of their departments; the creator
    of an entity may delete it.
    """

    model = Entity
    slug = "entities"
    protected_fields = frozenset(
        {
            "instance_casting",
            "project",
            "project_id",
            "entities_in",
            "entities_out",
            "shotgun_id",
            "created_by",
        }
    )

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        person = request.user
        queryset = scope_to_projects(person, queryset)
        if is_vendor(person):
            assigned = Entity.objects.filter(tasks__assignees=person).values("pk")
            queryset = queryset.filter(pk__in=assigned)
        return queryset

    def check_read(self, request, instance):
        role = check_project_access(request.user, instance.project_id)
        if role == "vendor" and not instance.tasks.filter(assignees=request.user).exists():
            raise Forbidden()

    def check_create(self, request, values):
        check_manager_access(request.user, values.get("project_id"))

    def check_update(self, request, instance, values):
        role = check_project_access(request.user, instance.project_id)
        if role in (ADMIN, MANAGER):
            return
        require(role == SUPERVISOR and set(values) <= {"data"})
        changed = _changed_data_keys(instance.data, values.get("data"))
        require(changed <= _supervisor_fields(request.user, instance))

    def check_delete(self, request, instance):
        if instance.created_by is not None and instance.created_by == request.user.pk:
            return
        check_manager_access(request.user, instance.project_id)

    def serialize_queryset(self, request, queryset, relations=False):
        return serialize_entities(queryset, relations=relations, viewer=request.user)

    def serialize(self, request, instance):
        return serialize_entity(instance, viewer=request.user)

    def create(self, request, values, relations):
        values["created_by"] = request.user.pk
        return super().create(request, values, relations)

    def update(self, request, instance, values, relations):
        if "data" in values:
            given = values["data"]
            if given is not None and not isinstance(given, dict):
                raise CrudError("data must be an object.")
            # Zou merges the keys sent into the stored ones.
            values["data"] = {**(instance.data or {}), **(given or {})}
        return super().update(request, instance, values, relations)

    def delete(self, request, instance):
        with transaction.atomic():
            EntityLink.objects.filter(entity_in=instance).delete()
            EntityLink.objects.filter(entity_out=instance).delete()
            EntityConceptLink.objects.filter(entity_in=instance).delete()
            EntityConceptLink.objects.filter(entity_out=instance).delete()
            instance.delete()

    def emit(self, action, instance):
        kind = kind_of(entity_type_names().get(instance.entity_type_id))
        words = _event_words(kind)
        events.emit(
            f"{'-'.join(words)}:{action}",
            {f"{'_'.join(words)}_id": instance.pk},
            project_id=instance.project_id,
        )


def _changed_data_keys(current, given):
    current = current or {}
    return {key for key, value in (given or {}).items() if current.get(key) != value}


def _supervisor_fields(person, entity):
    """Field names of the entity's columns a supervisor may edit."""
    type_name = entity.entity_type.name
    kind = type_name if type_name in RESERVED_ENTITY_TYPE_NAMES else "Asset"
    descriptors = MetadataDescriptor.objects.filter(project_id=entity.project_id, entity_type=kind)
    mine = set(person.departments.values_list("pk", flat=True))
    if mine:
        allowed = DepartmentMetadataDescriptorLink.objects.filter(department_id__in=mine).values(
            "metadata_descriptor_id"
        )
        descriptors = descriptors.filter(pk__in=allowed)
    return set(descriptors.values_list("field_name", flat=True))
