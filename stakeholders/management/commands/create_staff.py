"""``manage.py create_staff EMAIL [--password-from-stdin]``: the first co-chair staff account.

Creates (or promotes) an active account with a verified primary address in the "Co-chair staff"
group, then says how to sign in and that the staff pages ask for a second factor. Without
``--password-from-stdin`` it prompts for a password (twice) when the account has none yet; an
existing account keeps its password unless one is given. Safe to run again.
"""

import getpass
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from common.http import site_url
from stakeholders import services


class Command(BaseCommand):
    help = "Create or promote a co-chair staff account (verified address, staff group) and say what to do next."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's email address: they sign in with it.")
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead of prompting.",
        )

    def handle(self, *args, email, password_from_stdin, **options):
        try:
            validate_email(email.strip())
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        password = self._password(email, password_from_stdin)
        user, created = services.make_staff(email=email, password=password)
        with translation.override(settings.LANGUAGE_CODE):
            login, two_factor = reverse("account_login"), reverse("mfa_index")
        self.stdout.write(
            self.style.SUCCESS(f"{'Created' if created else 'Updated'} {user.email}: co-chair staff, address verified.")
        )
        self.stdout.write(
            "Next:\n"
            f"  1. Sign in at {site_url(login)} with {user.email} and the password.\n"
            f"  2. Set up an authenticator app when asked ({site_url(two_factor)}): staff pages and the admin\n"
            "     open only after a second factor. Keep the recovery codes it shows.\n"
            "  3. Your staff pages are listed on My account; add other staff with this command."
        )

    def _password(self, email, from_stdin):
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
        elif _has_password(email):
            return None  # an existing account keeps its password
        elif not sys.stdin.isatty():
            raise CommandError("No terminal to ask for a password: give it with --password-from-stdin.")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        return password


def _has_password(email):
    """Whether the account with this address (as its email, or one of its allauth addresses) has a password."""
    email = email.strip()
    user = get_user_model().objects.filter(Q(email__iexact=email) | Q(emailaddress__email__iexact=email)).first()
    return bool(user and user.has_usable_password())
