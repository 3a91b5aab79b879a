"""The Celery application: settings under ``CELERY_``, tasks found in each app's tasks.py.

Without ``CELERY_BROKER_URL`` every job runs eagerly in the calling process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitsu_backend.settings")

app = Celery("kitsu_backend")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
