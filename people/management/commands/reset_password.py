"""Set a new password for a person and lift a login lockout."""

from django.core.management.base import BaseCommand, CommandError

from people import services
from people.management.commands._common import existing_person


class Command(BaseCommand):
    help = "Set a new password for the person with this e-mail address and clear failed logins."

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the person.")
        parser.add_argument(
            "--password",
            help="Password to set; a strong one is generated and printed when omitted.",
        )

    def handle(self, *args, **options):
        person = existing_person(options["email"])
        given = options["password"]
        try:
            password = services.reset_password(person, given)
        except services.PeopleError as error:
            raise CommandError(str(error)) from None
        if given is None:
            # Shown once: it is stored hashed and cannot be read back.
            self.stdout.write(f"Password: {password}")
        self.stdout.write(self.style.SUCCESS(f"Password reset for {person.email}."))
