"""The breakdown: one ``entity`` table for every asset, shot, sequence, episode…

Zou tells the kinds apart only by ``entity_type_id``. Entity types named
after a reserved kind (``RESERVED_ENTITY_TYPE_NAMES``) are the temporal and
special kinds; every other entity type is an asset type. The ``assets`` and
``shots`` apps put proxy models with filtering managers on top of ``Entity``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from kitsu_backend.api.models import BaseModel

EPISODE = "Episode"
SEQUENCE = "Sequence"
SHOT = "Shot"
SCENE = "Scene"
EDIT = "Edit"
CONCEPT = "Concept"
CONCEPT_FOLDER = "ConceptFolder"
# Entity type names that are not asset types. They are created on first use.
RESERVED_ENTITY_TYPE_NAMES = (EPISODE, SEQUENCE, SHOT, SCENE, EDIT, CONCEPT, CONCEPT_FOLDER)

ENTITY_STATUSES = [
    ("standby", "Stand-by"),
    ("running", "Running"),
    ("complete", "Complete"),
    ("canceled", "Canceled"),
]


def get_or_create_entity_type(name):
    """The entity type called ``name``, created on first use.

    Safe under concurrency: ``name`` is unique, and ``get_or_create`` reads the
    row again when a parallel request inserted it first.
    """
    entity_type, _created = EntityType.objects.get_or_create(name=name)
    return entity_type


class EntityKindManager(models.Manager):
    """Entities of one reserved kind: those whose type is named ``model.entity_kind``."""

    def get_queryset(self):
        return super().get_queryset().filter(entity_type__name=self.model.entity_kind)


class AssetManager(models.Manager):
    """Entities whose type is an asset type, that is, not a reserved kind."""

    def get_queryset(self):
        return super().get_queryset().exclude(entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES)


class AssetTypeManager(models.Manager):
    """Entity types that are asset types (Characters, Props…)."""

    def get_queryset(self):
        return super().get_queryset().exclude(name__in=RESERVED_ENTITY_TYPE_NAMES)


class EntityType(BaseModel):
    """A kind of breakdown item: a reserved kind (Shot, Sequence…) or an asset type."""

    name = models.CharField(max_length=30, unique=True)
    short_name = models.CharField(max_length=20, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    # Which task types are created for assets of this type (empty means all
    # the asset task types of the project).
    task_types = models.ManyToManyField(
        "tasks.TaskType",
        through="tasks.TaskTypeAssetTypeLink",
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "entity_type"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_asset_type(self):
        return self.name not in RESERVED_ENTITY_TYPE_NAMES


class Entity(BaseModel):
    """A breakdown item of a production: asset, episode, sequence, shot, scene, edit or concept.

    ``parent`` builds the hierarchy (shot -> sequence -> episode, scene ->
    sequence, edit -> episode, concept -> concept folder). ``source`` points
    an asset to its episode, or a shot to the scene it was made from. ``data``
    holds the custom column values (and a shot's frame range and fps).
    ``ready_for`` is the task type up to which an asset is ready.
    """

    name = models.CharField(max_length=160)
    code = models.CharField(max_length=160, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    shotgun_id = models.IntegerField(null=True, blank=True)
    canceled = models.BooleanField(default=False)
    nb_frames = models.IntegerField(null=True, blank=True)
    nb_entities_out = models.IntegerField(default=0, null=True, blank=True)
    is_casting_standby = models.BooleanField(default=False)
    is_shared = models.BooleanField(default=False)
    status = models.CharField(
        max_length=255, choices=ENTITY_STATUSES, default="running", db_index=True
    )
    project = models.ForeignKey(
        "productions.Project", on_delete=models.PROTECT, related_name="entities"
    )
    entity_type = models.ForeignKey(EntityType, on_delete=models.PROTECT, related_name="entities")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # An optional pointer (asset -> episode, shot -> scene): losing the source
    # must not block its deletion.
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preview_file = models.ForeignKey(
        "tasks.PreviewFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(null=True, blank=True)
    # Zou names these two columns without the ``_id`` suffix and clients read
    # them as ``ready_for`` and ``created_by``; a ForeignKey would expose
    # ``ready_for_id``, so they are plain UUID columns (no database constraint).
    ready_for = models.UUIDField(null=True, blank=True)
    created_by = models.UUIDField(null=True, blank=True, db_index=True)
    # Casting: this entity (a shot, sequence, episode or asset) uses the
    # assets in ``entities_out``; ``entities_in`` is the same link read the
    # other way (who uses this asset). Both go through ``entity_link``.
    entities_out = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="EntityLink",
        through_fields=("entity_in", "entity_out"),
        related_name="+",
        blank=True,
    )
    entity_concept_links = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="EntityConceptLink",
        through_fields=("entity_in", "entity_out"),
        related_name="+",
        blank=True,
    )
    instance_casting = models.ManyToManyField(
        "AssetInstance",
        through="AssetInstanceLink",
        through_fields=("entity", "asset_instance"),
        related_name="+",
        blank=True,
    )
    entities_in = models.ManyToManyField(
        "self",
        symmetrical=False,
        through="EntityLink",
        through_fields=("entity_out", "entity_in"),
        related_name="+",
        blank=True,
    )

    # The reserved entity type name of a proxy kind (Shot, Sequence…); None
    # on Entity itself and on Asset, whose entity type is an asset type.
    entity_kind = None

    class Meta:
        db_table = "entity"
        constraints = [
            models.UniqueConstraint(
                fields=["name", "project", "entity_type", "parent"], name="entity_uc"
            )
        ]
        indexes = [
            # Children of a parent by kind (shots of a sequence).
            models.Index(fields=["entity_type", "parent"], name="entity_type_parent_idx"),
            # Entities of a kind in a project (all shots of a project).
            models.Index(fields=["entity_type", "project"], name="entity_type_project_idx"),
            # The same listing restricted to a status.
            models.Index(
                fields=["project", "entity_type", "status"], name="entity_project_type_status_idx"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.entity_type_id is None and self.entity_kind:
            self.entity_type = get_or_create_entity_type(self.entity_kind)
        super().save(*args, **kwargs)


class EntityLink(BaseModel):
    """A casting link: ``entity_in`` (a shot, sequence, episode or asset) uses ``entity_out``.

    ``nb_occurences`` (Zou's spelling) counts how many times the asset
    appears; ``label`` is a free tag such as "fixed".
    """

    entity_in = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="outgoing_links")
    entity_out = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="incoming_links")
    data = models.JSONField(null=True, blank=True)
    nb_occurences = models.IntegerField(default=1, null=True, blank=True)
    label = models.CharField(max_length=80, default="", null=True, blank=True)

    class Meta:
        db_table = "entity_link"
        constraints = [
            models.UniqueConstraint(fields=["entity_in", "entity_out"], name="entity_link_uc")
        ]

    def __str__(self):
        return f"{self.entity_in} uses {self.entity_out} x{self.nb_occurences}"


class EntityConceptLink(BaseModel):
    """Links a concept to an entity it illustrates."""

    entity_in = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    entity_out = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "entity_concept_link"
        # Zou's primary key is the pair (plus id); the constraint keeps the
        # pair unique as that key does.
        constraints = [
            models.UniqueConstraint(
                fields=["entity_in", "entity_out"], name="entity_concept_link_uc"
            )
        ]

    def __str__(self):
        return f"{self.entity_in} -> {self.entity_out}"


class EntityVersion(BaseModel):
    """A snapshot of an entity's data at a point in time (frame range history…)."""

    name = models.CharField(max_length=160)
    data = models.JSONField(null=True, blank=True)
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.CASCADE, related_name="versions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        db_table = "entity_version"

    def __str__(self):
        return f"{self.name} ({self.created_at:%Y-%m-%d %H:%M})"


class AssetInstance(BaseModel):
    """One placement of an asset in a scene, a shot or another asset (set dressing).

    Instances are numbered per asset and target. ``entity`` and
    ``entity_type`` are legacy columns kept for compatibility.
    """

    asset = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="instances")
    name = models.CharField(max_length=80, null=True, blank=True)
    number = models.IntegerField(null=True, blank=True)
    description = models.CharField(max_length=200, null=True, blank=True)
    active = models.BooleanField(default=True)
    data = models.JSONField(null=True, blank=True)
    scene = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_asset = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entity_type = models.ForeignKey(
        EntityType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The shots that use this instance (``asset_instance_link`` read from
    # the instance side, as Zou exposes it).
    shots = models.ManyToManyField(
        Entity,
        through="AssetInstanceLink",
        through_fields=("asset_instance", "entity"),
        related_name="+",
        blank=True,
    )

    class Meta:
        db_table = "asset_instance"
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "target_asset", "scene", "number"], name="asset_instance_uc"
            )
        ]

    def __str__(self):
        return self.name or f"{self.asset} #{self.number}"


class AssetInstanceLink(models.Model):
    """Which shots use which asset instances."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    asset_instance = models.ForeignKey(AssetInstance, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "asset_instance_link"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "asset_instance"], name="asset_instance_link_uc"
            )
        ]

    def __str__(self):
        return f"{self.entity} uses {self.asset_instance}"


def validate_asset_type(entity_type):
    """Refuse a reserved kind where an asset type is expected."""
    if entity_type is not None and not entity_type.is_asset_type:
        raise ValidationError(f"{entity_type.name} is not an asset type.")
