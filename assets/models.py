"""Asset types, assets and concepts: views of the entity table of ``productions``.

No table of their own. Assets are the entities whose entity type is not a
reserved kind; concepts and concept folders are the entities of the
``Concept`` and ``ConceptFolder`` kinds. Each proxy's manager filters on
that, and its ``type`` in JSON is the kind.
"""

from productions.models import (
    CONCEPT,
    CONCEPT_FOLDER,
    AssetManager,
    AssetTypeManager,
    Entity,
    EntityKindManager,
    EntityType,
    validate_asset_type,
)


class AssetType(EntityType):
    """An asset type (Characters, Props…): any entity type that is not a reserved kind."""

    kitsu_type = "AssetType"

    objects = AssetTypeManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Asset(Entity):
    """A thing built once and used in shots: a character, a prop, an environment…

    Its entity type is its asset type; ``source`` points to the episode it
    belongs to in TV shows, and ``ready_for`` is the task type up to which it
    is ready for the shots that cast it.
    """

    kitsu_type = "Asset"

    objects = AssetManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.entity_type_id is not None:
            validate_asset_type(self.entity_type)


class ConceptFolder(Entity):
    """A folder grouping concepts of a production."""

    kitsu_type = "ConceptFolder"
    entity_kind = CONCEPT_FOLDER

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Concept(Entity):
    """A piece of concept art under review, optionally filed in a concept folder.

    ``entity_concept_links`` lists the entities (mostly assets) it illustrates.
    """

    kitsu_type = "Concept"
    entity_kind = CONCEPT

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name
