"""Admin of projects, their settings, the entity table, schedules and budgets."""

from django.contrib import admin

from .models import (
    RESERVED_ENTITY_TYPE_NAMES,
    AssetInstance,
    AssetInstanceLink,
    Budget,
    BudgetEntry,
    CustomAction,
    DataImportError,
    DepartmentMetadataDescriptorLink,
    Entity,
    EntityConceptLink,
    EntityLink,
    EntityType,
    EntityVersion,
    MetadataDescriptor,
    Milestone,
    Plugin,
    PreviewBackgroundFile,
    ProductionScheduleVersion,
    Project,
    ProjectAssetTypeLink,
    ProjectPersonLink,
    ProjectPreviewBackgroundFileLink,
    ProjectStatus,
    ProjectStatusAutomationLink,
    ProjectTaskStatusLink,
    ProjectTaskTypeLink,
    ProjectTaskTypeSoftwareLink,
    ProjectTemplate,
    ProjectTemplateAssetTypeLink,
    ProjectTemplatePreviewBackgroundFileLink,
    ProjectTemplateStatusAutomationLink,
    ProjectTemplateTaskStatusLink,
    ProjectTemplateTaskTypeLink,
    ScheduleItem,
    SearchFilter,
    SearchFilterGroup,
    StatusAutomation,
)

ASSET_KIND = "Asset"
PERSON_SEARCH = ("person__first_name", "person__last_name", "person__email")


class EntityKindFilter(admin.SimpleListFilter):
    """Filter entities by kind: assets (any asset type) or one reserved kind."""

    title = "kind"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(ASSET_KIND, ASSET_KIND)] + [(name, name) for name in RESERVED_ENTITY_TYPE_NAMES]

    def queryset(self, request, queryset):
        kind = self.value()
        if kind == ASSET_KIND:
            return queryset.exclude(entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES)
        if kind in RESERVED_ENTITY_TYPE_NAMES:
            return queryset.filter(entity_type__name=kind)
        return queryset


# --- projects -------------------------------------------------------------


class ProjectPersonLinkInline(admin.TabularInline):
    model = ProjectPersonLink
    extra = 0
    raw_id_fields = ("person",)
    fields = ("person", "role", "shotgun_id")
    verbose_name = "team member"
    verbose_name_plural = "team"


class ProjectTaskTypeLinkInline(admin.TabularInline):
    model = ProjectTaskTypeLink
    extra = 0
    fields = (
        "task_type",
        "priority",
        "is_client_visible",
        "hd_bitrate_compression",
        "ld_bitrate_compression",
    )


class ProjectTaskStatusLinkInline(admin.TabularInline):
    model = ProjectTaskStatusLink
    extra = 0
    fields = ("task_status", "priority", "roles_for_board", "is_client_allowed")


class ProjectAssetTypeLinkInline(admin.TabularInline):
    model = ProjectAssetTypeLink
    extra = 0
    verbose_name = "asset type"
    verbose_name_plural = "asset types"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "asset_type":
            kwargs["queryset"] = EntityType.objects.exclude(name__in=RESERVED_ENTITY_TYPE_NAMES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ProjectStatus)
class ProjectStatusAdmin(admin.ModelAdmin):
    list_display = ("name", "color")
    search_fields = ("name",)


@admin.register(PreviewBackgroundFile)
class PreviewBackgroundFileAdmin(admin.ModelAdmin):
    list_display = ("name", "original_name", "extension", "file_size", "is_default", "archived")
    list_filter = ("is_default", "archived")
    search_fields = ("name", "original_name")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "project_status",
        "production_type",
        "production_style",
        "start_date",
        "end_date",
    )
    list_filter = ("project_status", "production_type", "production_style")
    list_select_related = ("project_status",)
    search_fields = ("name", "code")
    raw_id_fields = ("default_preview_background_file", "from_schedule_version")
    inlines = (
        ProjectPersonLinkInline,
        ProjectTaskTypeLinkInline,
        ProjectTaskStatusLinkInline,
        ProjectAssetTypeLinkInline,
    )
    readonly_fields = ("created_at", "updated_at")


@admin.register(ProjectPersonLink)
class ProjectPersonLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "person", "role")
    list_filter = ("role", "project")
    list_select_related = ("project", "person")
    search_fields = ("project__name", *PERSON_SEARCH)
    raw_id_fields = ("project", "person")


@admin.register(ProjectTaskTypeLink)
class ProjectTaskTypeLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "task_type", "priority", "is_client_visible")
    list_filter = ("project", "is_client_visible")
    list_select_related = ("project", "task_type")
    search_fields = ("project__name", "task_type__name")
    raw_id_fields = ("project",)


@admin.register(ProjectTaskStatusLink)
class ProjectTaskStatusLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "task_status", "priority", "is_client_allowed")
    list_filter = ("project",)
    list_select_related = ("project", "task_status")
    search_fields = ("project__name", "task_status__name", "task_status__short_name")
    raw_id_fields = ("project",)


@admin.register(ProjectAssetTypeLink)
class ProjectAssetTypeLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "asset_type")
    list_filter = ("project",)
    list_select_related = ("project", "asset_type")
    search_fields = ("project__name", "asset_type__name")
    raw_id_fields = ("project",)


@admin.register(ProjectStatusAutomationLink)
class ProjectStatusAutomationLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "status_automation")
    list_filter = ("project",)
    list_select_related = ("project", "status_automation")
    search_fields = ("project__name",)
    raw_id_fields = ("project", "status_automation")


@admin.register(ProjectPreviewBackgroundFileLink)
class ProjectPreviewBackgroundFileLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "preview_background_file")
    list_filter = ("project",)
    list_select_related = ("project", "preview_background_file")
    search_fields = ("project__name", "preview_background_file__name")
    raw_id_fields = ("project", "preview_background_file")


@admin.register(ProjectTaskTypeSoftwareLink)
class ProjectTaskTypeSoftwareLinkAdmin(admin.ModelAdmin):
    list_display = ("project", "task_type", "software")
    list_filter = ("project", "software")
    list_select_related = ("project", "task_type", "software")
    search_fields = ("project__name", "task_type__name", "software__name")
    raw_id_fields = ("project",)


# --- project templates ----------------------------------------------------


class ProjectTemplateTaskTypeLinkInline(admin.TabularInline):
    model = ProjectTemplateTaskTypeLink
    extra = 0


class ProjectTemplateTaskStatusLinkInline(admin.TabularInline):
    model = ProjectTemplateTaskStatusLink
    extra = 0


@admin.register(ProjectTemplate)
class ProjectTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "production_type", "production_style", "fps", "resolution")
    list_filter = ("production_type", "production_style")
    search_fields = ("name", "description")
    raw_id_fields = ("default_preview_background_file",)
    inlines = (ProjectTemplateTaskTypeLinkInline, ProjectTemplateTaskStatusLinkInline)


@admin.register(ProjectTemplateTaskTypeLink)
class ProjectTemplateTaskTypeLinkAdmin(admin.ModelAdmin):
    list_display = ("project_template", "task_type", "priority", "is_client_visible")
    list_filter = ("project_template",)
    list_select_related = ("project_template", "task_type")


@admin.register(ProjectTemplateTaskStatusLink)
class ProjectTemplateTaskStatusLinkAdmin(admin.ModelAdmin):
    list_display = ("project_template", "task_status", "priority", "is_client_allowed")
    list_filter = ("project_template",)
    list_select_related = ("project_template", "task_status")


@admin.register(ProjectTemplateAssetTypeLink)
class ProjectTemplateAssetTypeLinkAdmin(admin.ModelAdmin):
    list_display = ("project_template", "asset_type")
    list_filter = ("project_template",)
    list_select_related = ("project_template", "asset_type")


@admin.register(ProjectTemplateStatusAutomationLink)
class ProjectTemplateStatusAutomationLinkAdmin(admin.ModelAdmin):
    list_display = ("project_template", "status_automation")
    list_filter = ("project_template",)
    list_select_related = ("project_template", "status_automation")
    raw_id_fields = ("status_automation",)


@admin.register(ProjectTemplatePreviewBackgroundFileLink)
class ProjectTemplatePreviewBackgroundFileLinkAdmin(admin.ModelAdmin):
    list_display = ("project_template", "preview_background_file")
    list_filter = ("project_template",)
    list_select_related = ("project_template", "preview_background_file")
    raw_id_fields = ("preview_background_file",)


# --- entities -------------------------------------------------------------


@admin.register(EntityType)
class EntityTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "is_asset_type", "archived")
    list_filter = ("archived",)
    search_fields = ("name", "short_name")

    @admin.display(boolean=True, description="asset type")
    def is_asset_type(self, entity_type):
        return entity_type.is_asset_type


class CastingInline(admin.TabularInline):
    """The assets an entity uses (its ``entity_link`` rows as ``entity_in``)."""

    model = EntityLink
    fk_name = "entity_in"
    extra = 0
    raw_id_fields = ("entity_out",)
    fields = ("entity_out", "nb_occurences", "label")
    verbose_name = "cast asset"
    verbose_name_plural = "casting"


class BaseEntityAdmin(admin.ModelAdmin):
    """Common admin of the entity table and of its per-kind proxies."""

    list_display = ("name", "entity_type", "project", "parent", "status", "canceled")
    list_filter = ("project", "status", "canceled", "is_shared")
    list_select_related = ("entity_type", "project", "parent")
    search_fields = ("name", "code", "description")
    raw_id_fields = ("project", "parent", "source", "preview_file")
    readonly_fields = ("created_at", "updated_at")
    inlines = (CastingInline,)


class KindEntityAdmin(BaseEntityAdmin):
    """Admin of one reserved kind (a proxy): the proxy sets the entity type on save."""

    exclude = ("entity_type",)


@admin.register(Entity)
class EntityAdmin(BaseEntityAdmin):
    list_filter = (EntityKindFilter, "entity_type", *BaseEntityAdmin.list_filter)


@admin.register(EntityLink)
class EntityLinkAdmin(admin.ModelAdmin):
    list_display = ("entity_in", "entity_out", "nb_occurences", "label")
    list_select_related = ("entity_in", "entity_out")
    search_fields = ("entity_in__name", "entity_out__name", "label")
    raw_id_fields = ("entity_in", "entity_out")


@admin.register(EntityConceptLink)
class EntityConceptLinkAdmin(admin.ModelAdmin):
    list_display = ("entity_in", "entity_out")
    list_select_related = ("entity_in", "entity_out")
    search_fields = ("entity_in__name", "entity_out__name")
    raw_id_fields = ("entity_in", "entity_out")


@admin.register(EntityVersion)
class EntityVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "entity", "person", "created_at")
    list_select_related = ("entity", "person")
    search_fields = ("name", "entity__name")
    raw_id_fields = ("entity", "person")


@admin.register(AssetInstance)
class AssetInstanceAdmin(admin.ModelAdmin):
    list_display = ("__str__", "asset", "number", "scene", "target_asset", "active")
    list_filter = ("active",)
    list_select_related = ("asset", "scene", "target_asset")
    search_fields = ("name", "asset__name", "description")
    raw_id_fields = ("asset", "scene", "target_asset", "entity", "entity_type")


@admin.register(AssetInstanceLink)
class AssetInstanceLinkAdmin(admin.ModelAdmin):
    list_display = ("entity", "asset_instance")
    list_select_related = ("entity", "asset_instance")
    search_fields = ("entity__name", "asset_instance__name")
    raw_id_fields = ("entity", "asset_instance")


# --- schedules and budgets ------------------------------------------------


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("name", "date", "project", "task_type")
    list_filter = ("project", "task_type")
    list_select_related = ("project", "task_type")
    search_fields = ("name",)
    raw_id_fields = ("project",)
    date_hierarchy = "date"


@admin.register(ScheduleItem)
class ScheduleItemAdmin(admin.ModelAdmin):
    list_display = ("project", "task_type", "object_id", "start_date", "end_date", "man_days")
    search_fields = ("object_id__exact",)
    list_filter = ("project", "task_type")
    list_select_related = ("project", "task_type")
    raw_id_fields = ("project",)


@admin.register(ProductionScheduleVersion)
class ProductionScheduleVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "locked", "canceled", "created_at")
    list_filter = ("project", "locked", "canceled")
    list_select_related = ("project",)
    search_fields = ("name",)
    raw_id_fields = ("project",)


class BudgetEntryInline(admin.TabularInline):
    model = BudgetEntry
    extra = 0
    raw_id_fields = ("person",)


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "revision", "currency")
    list_filter = ("project", "currency")
    list_select_related = ("project",)
    search_fields = ("name",)
    raw_id_fields = ("project",)
    inlines = (BudgetEntryInline,)


@admin.register(BudgetEntry)
class BudgetEntryAdmin(admin.ModelAdmin):
    list_display = (
        "budget",
        "department",
        "person",
        "position",
        "seniority",
        "start_date",
        "months_duration",
        "daily_salary",
    )
    list_filter = ("department", "position", "seniority")
    list_select_related = ("budget", "department", "person")
    search_fields = ("budget__name", *PERSON_SEARCH)
    raw_id_fields = ("budget", "person")


# --- configuration --------------------------------------------------------


class DepartmentMetadataDescriptorLinkInline(admin.TabularInline):
    model = DepartmentMetadataDescriptorLink
    extra = 0
    verbose_name = "department"
    verbose_name_plural = "departments"


@admin.register(MetadataDescriptor)
class MetadataDescriptorAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "field_name",
        "entity_type",
        "data_type",
        "project",
        "task_type",
        "for_client",
        "position",
    )
    list_filter = ("entity_type", "data_type", "for_client", "project")
    list_select_related = ("project", "task_type")
    search_fields = ("name", "field_name")
    raw_id_fields = ("project",)
    inlines = (DepartmentMetadataDescriptorLinkInline,)


@admin.register(DepartmentMetadataDescriptorLink)
class DepartmentMetadataDescriptorLinkAdmin(admin.ModelAdmin):
    list_display = ("metadata_descriptor", "department")
    list_filter = ("department",)
    list_select_related = ("metadata_descriptor", "department")
    raw_id_fields = ("metadata_descriptor",)


@admin.register(StatusAutomation)
class StatusAutomationAdmin(admin.ModelAdmin):
    list_display = (
        "entity_type",
        "in_task_type",
        "in_task_status",
        "out_field_type",
        "out_task_type",
        "out_task_status",
        "import_last_revision",
        "archived",
    )
    list_filter = ("entity_type", "out_field_type", "archived")
    list_select_related = ("in_task_type", "in_task_status", "out_task_type", "out_task_status")


@admin.register(CustomAction)
class CustomActionAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "entity_type", "is_ajax")
    list_filter = ("entity_type", "is_ajax")
    search_fields = ("name", "url")


@admin.register(SearchFilterGroup)
class SearchFilterGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "list_type", "entity_type", "color", "person", "project", "is_shared")
    list_filter = ("list_type", "is_shared", "project")
    list_select_related = ("person", "project")
    search_fields = ("name", *PERSON_SEARCH)
    raw_id_fields = ("person", "project")


@admin.register(SearchFilter)
class SearchFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "list_type", "search_query", "person", "project", "is_shared")
    list_filter = ("list_type", "is_shared", "project")
    list_select_related = ("person", "project")
    search_fields = ("name", "search_query", *PERSON_SEARCH)
    raw_id_fields = ("person", "project", "search_filter_group")


@admin.register(Plugin)
class PluginAdmin(admin.ModelAdmin):
    list_display = ("name", "plugin_id", "version", "maintainer_name", "license")
    list_filter = ("frontend_project_enabled", "frontend_studio_enabled")
    search_fields = ("name", "plugin_id", "maintainer_name")


@admin.register(DataImportError)
class DataImportErrorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "source", "created_at")
    list_filter = ("source",)
    readonly_fields = ("created_at", "updated_at")
