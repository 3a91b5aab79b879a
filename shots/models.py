"""Models of the shots app."""

from django.db import models  # noqa: F401
