"""Models of the assets app."""

from django.db import models  # noqa: F401
