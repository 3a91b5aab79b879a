"""Models of the productions app."""

from django.db import models  # noqa: F401
