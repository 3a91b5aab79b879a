"""Create a studio admin, or give an existing person admin rights and a new password."""

from django.core.management.base import BaseCommand, CommandError

from people import services
from people.management.commands._common import checked_email


class Command(BaseCommand):
    help = (
        "Create an admin account with this e-mail address, or make the existing "
        "person an active admin with a new password."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address the admin signs in with.")
        parser.add_argument(
            "--password",
            help="Password to set; a strong one is generated and printed when omitted.",
        )
        parser.add_argument("--first-name", help="First name (the e-mail's local part by default).")
        parser.add_argument("--last-name", help="Last name.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Change nothing when an admin with this e-mail address already exists.",
        )
        parser.add_argument(
            "--print-password",
            action="store_true",
            help="Print the password even when it was given with --password.",
        )

    def handle(self, *args, **options):
        email = checked_email(options["email"])
        given = options["password"]
        try:
            person, action, password = services.ensure_admin(
                email,
                password=given,
                first_name=options["first_name"],
                last_name=options["last_name"],
                if_missing=options["if_missing"],
            )
        except services.PeopleError as error:
            raise CommandError(str(error)) from None
        if action == "kept":
            self.stdout.write(f"Kept the existing admin account {person.email}; nothing changed.")
            return
        if password is not None and (given is None or options["print_password"]):
            # Shown once: it is stored hashed and cannot be read back.
            self.stdout.write(f"Password: {password}")
        verb = "Created" if action == "created" else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} admin account {person.email}."))
