from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"

    def ready(self):
        # Receivers: productions' metadata column signals, and day offs that
        # wipe the time logged on their dates. Connected here so that the API,
        # the admin, commands and Celery workers all run them.
        from tasks import receivers, time_tracking  # noqa: F401
