"""Public routes of the ``index`` domain: version, instance settings, health."""

import os
import shutil
import time

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import NOT_FOUND_MESSAGE
from kitsu_backend.api.routing import route
from kitsu_backend.api.views import KitsuView

APP_NAME = "Zou"


class IndexView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response({"api": APP_NAME, "version": settings.KITSU_API_VERSION})


class ConfigView(KitsuView):
    """Instance flags the Kitsu web UI reads before anyone logs in."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        config = {
            "is_self_hosted": settings.IS_SELF_HOSTED,
            "crisp_token": settings.CRISP_TOKEN,
            "dark_theme_by_default": settings.DARK_THEME_BY_DEFAULT,
            # Search runs on the database itself: no external indexer needed.
            "indexer_configured": False,
            "saml_enabled": False,
            "saml_idp_name": "",
            "oidc_enabled": False,
            "oidc_idp_name": "",
            "default_locale": settings.DEFAULT_LOCALE,
            "default_timezone": settings.DEFAULT_TIMEZONE,
            "enforce_2fa": settings.ENFORCE_2FA,
            "movie_highdef_bitrate": settings.MOVIE_HIGHDEF_BITRATE,
            "movie_lowdef_bitrate": settings.MOVIE_LOWDEF_BITRATE,
            "preview_accounts_enabled": settings.PREVIEW_ACCOUNTS_ENABLED,
        }
        return Response(config)


# Counted by GET /stats: (key, app label, model name). Apps that are not
# installed yet simply count nothing.
STATS_MODELS = (
    ("projects", "productions", "Project"),
    ("persons", "people", "Person"),
    ("tasks", "tasks", "Task"),
    ("entities", "productions", "Entity"),
    ("comments", "tasks", "Comment"),
    ("preview_files", "tasks", "PreviewFile"),
)


class StatsView(KitsuView):
    def get(self, request):
        counts = {}
        for key, app_label, model_name in STATS_MODELS:
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                counts[key] = 0
                continue
            counts[key] = model._default_manager.count()
        return Response(counts)


def _database_up():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _redis_up():
    if not settings.REDIS_URL:
        return True  # not configured: the database fallback is in use
    try:
        import redis

        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping())
    except Exception:
        return False


def _job_queue_up():
    if not settings.CELERY_BROKER_URL:
        return True  # jobs run in-process
    try:
        from kitsu_backend.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
        return True
    except Exception:
        return False


def health():
    return {
        "name": "Kitsu",
        "version": settings.KITSU_API_VERSION,
        "database-up": _database_up(),
        "key-value-store-up": _redis_up(),
        "event-stream-up": _redis_up(),
        "job-queue-up": _job_queue_up(),
        # Search is served by the database.
        "indexer-up": True,
    }


class StatusView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        return Response(health())


class StatusTextView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        status = health()
        lines = [f"{key}: {'up' if value is True else value}" for key, value in status.items()]
        lines = [line.replace(": False", ": down") for line in lines]
        return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


class StatusInfluxView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        status = health()
        return Response(
            {key: int(value) for key, value in status.items() if isinstance(value, bool)}
        )


class StatusResourcesView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        load = os.getloadavg()
        disk = shutil.disk_usage(settings.MEDIA_ROOT if settings.MEDIA_ROOT.exists() else "/")
        memory = _memory()
        return Response(
            {
                "date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                "cpu": {"1": load[0], "5": load[1], "10": load[2]},
                "memory": memory,
                "disk": {"total": disk.total, "used": disk.used, "free": disk.free},
                "jobs": 0,
            }
        )


def _memory():
    """Total and available memory from /proc/meminfo (zeros where unavailable)."""
    values = {}
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                name, _, rest = line.partition(":")
                values[name] = int(rest.split()[0]) * 1024
    except OSError:
        pass
    total, available = values.get("MemTotal", 0), values.get("MemAvailable", 0)
    percent = round(100 * (total - available) / total, 1) if total else 0
    return {"total": total, "available": available, "percent": percent}


class TestEventView(KitsuView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        events.emit("main:test", {}, persist=False)
        return Response({"success": True})


def not_found(request, exception=None):
    """JSON 404 for unknown API paths (Django's page elsewhere)."""
    if request.path.startswith("/api"):
        return JsonResponse({"error": True, "message": NOT_FOUND_MESSAGE}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api"):
        return JsonResponse({"error": True, "message": "Internal server error."}, status=500)
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)


urlpatterns = [
    route("", IndexView.as_view()),
    route("config", ConfigView.as_view()),
    route("stats", StatsView.as_view()),
    route("status", StatusView.as_view()),
    route("status.txt", StatusTextView.as_view()),
    route("status/influx", StatusInfluxView.as_view()),
    route("status/resources", StatusResourcesView.as_view()),
    route("status/test-event", TestEventView.as_view()),
]
