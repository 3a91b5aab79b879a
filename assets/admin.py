"""Admin of asset types, assets and concepts, each listing only its own kind of entity."""

from django.contrib import admin

from productions.admin import BaseEntityAdmin, EntityTypeAdmin, KindEntityAdmin

from .models import Asset, AssetType, Concept, ConceptFolder


@admin.register(AssetType)
class AssetTypeAdmin(EntityTypeAdmin):
    list_display = ("name", "short_name", "description", "archived")


@admin.register(Asset)
class AssetAdmin(BaseEntityAdmin):
    list_display = ("name", "entity_type", "project", "source", "ready_for", "status", "canceled")
    list_filter = (
        ("entity_type", admin.RelatedOnlyFieldListFilter),
        *BaseEntityAdmin.list_filter,
    )
    list_select_related = ("entity_type", "project", "source")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An asset's entity type must be an asset type, not a reserved kind.
        if db_field.name == "entity_type":
            kwargs["queryset"] = AssetType.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ConceptFolder)
class ConceptFolderAdmin(KindEntityAdmin):
    list_display = ("name", "project", "status", "canceled")
    inlines = ()


@admin.register(Concept)
class ConceptAdmin(KindEntityAdmin):
    list_display = ("name", "project", "parent", "status", "canceled", "created_at")
    inlines = ()
