from django.apps import AppConfig


class ShotsConfig(AppConfig):
    name = "shots"
