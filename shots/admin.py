"""Admin of episodes, sequences, shots, scenes and edits, each listing only its own kind."""

from django.contrib import admin

from productions.admin import KindEntityAdmin

from .models import Edit, Episode, Scene, Sequence, Shot


@admin.register(Episode)
class EpisodeAdmin(KindEntityAdmin):
    list_display = ("name", "project", "status", "canceled")


@admin.register(Sequence)
class SequenceAdmin(KindEntityAdmin):
    list_display = ("name", "parent", "project", "status", "canceled")


@admin.register(Shot)
class ShotAdmin(KindEntityAdmin):
    list_display = ("name", "parent", "project", "nb_frames", "status", "canceled")


@admin.register(Scene)
class SceneAdmin(KindEntityAdmin):
    list_display = ("name", "parent", "project", "status", "canceled")


@admin.register(Edit)
class EditAdmin(KindEntityAdmin):
    list_display = ("name", "parent", "project", "status", "canceled")
