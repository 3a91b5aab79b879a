from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kitsu_backend.api"
    label = "api"
    verbose_name = "API plumbing"

    def ready(self):
        from kitsu_backend.api import lookups  # noqa: F401  (registers the ilike lookup)
