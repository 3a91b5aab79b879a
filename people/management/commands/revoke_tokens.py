"""Revoke every token of a person, e.g. after a laptop is lost."""

from django.core.management.base import BaseCommand

from people import services
from people.management.commands._common import existing_person


class Command(BaseCommand):
    help = (
        "Refuse every token issued so far to the person with this e-mail address "
        "(web sessions, scripts and, for bots, the API key) and purge expired revocations."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the person.")

    def handle(self, *args, **options):
        person = existing_person(options["email"])
        purged = services.revoke_all_tokens(person)
        self.stdout.write(
            self.style.SUCCESS(
                f"Revoked every token of {person.email}; purged {purged} expired revocation(s)."
            )
        )
