"""Argument checks shared by the people management commands."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email

from people import services


def checked_email(value):
    """The e-mail address stripped, or a ``CommandError`` naming the bad value."""
    email = (value or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise CommandError(f"{value!r} is not a valid e-mail address.") from None
    return email


def existing_person(email):
    """The (non-bot) person with this e-mail address, or a ``CommandError``."""
    person = services.find_person_by_email(checked_email(email))
    if person is None:
        raise CommandError(f"No person has the e-mail address {email}.")
    return person
