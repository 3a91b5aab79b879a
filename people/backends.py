"""Django authentication backend for the admin: e-mail or desktop login, plus password."""

from django.contrib.auth.backends import BaseBackend
from django.db.models import Q

from people.models import Person


class PersonBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = username or kwargs.get("email")
        if not login or not password:
            return None
        person = find_person_by_login(login)
        if person is None:
            # Spend the same time as a real check, so e-mails cannot be probed.
            Person().set_password(password)
            return None
        if person.active and person.check_password(password):
            return person
        return None

    def get_user(self, user_id):
        return Person.objects.filter(pk=user_id, active=True).first()

    def has_perm(self, user_obj, perm, obj=None):
        return user_obj.is_active and user_obj.is_superuser


def find_person_by_login(login):
    """The non-bot person whose e-mail (any case) or desktop login is ``login``."""
    return (
        Person.objects.filter(is_bot=False)
        .filter(Q(email__iexact=login) | Q(desktop_login=login))
        .order_by("-active", "created_at")
        .first()
    )
