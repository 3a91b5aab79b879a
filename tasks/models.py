"""Models of the tasks app."""

from django.db import models  # noqa: F401
