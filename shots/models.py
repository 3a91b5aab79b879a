"""Episodes, sequences, shots, scenes and edits: views of the entity table of ``productions``.

No table of their own: each kind is the set of entities whose entity type
has the reserved name of the kind, created on first use. Creating one
through its proxy sets that entity type.
"""

from productions.models import EDIT, EPISODE, SCENE, SEQUENCE, SHOT, Entity, EntityKindManager


class Episode(Entity):
    """An episode of a TV show; sequences and edits hang under it."""

    kitsu_type = "Episode"
    entity_kind = EPISODE

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Sequence(Entity):
    """A sequence of shots; its ``parent`` is its episode in TV shows."""

    kitsu_type = "Sequence"
    entity_kind = SEQUENCE

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Shot(Entity):
    """A shot of a sequence (``parent``).

    ``nb_frames`` is its length; ``data`` holds ``frame_in``, ``frame_out``
    and ``fps``; ``source`` is the scene it was made from, if any;
    ``entities_out`` is its casting.
    """

    kitsu_type = "Shot"
    entity_kind = SHOT

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Scene(Entity):
    """A layout scene of a sequence, from which shots can be generated."""

    kitsu_type = "Scene"
    entity_kind = SCENE

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name


class Edit(Entity):
    """An edit (a cut of the film), optionally under an episode."""

    kitsu_type = "Edit"
    entity_kind = EDIT

    objects = EntityKindManager()

    class Meta:
        proxy = True

    def __str__(self):
        return self.name
