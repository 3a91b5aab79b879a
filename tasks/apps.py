from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        # Connects the receivers of productions' metadata column signals.
        from tasks import receivers  # noqa: F401
