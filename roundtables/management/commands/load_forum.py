from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from roundtables.programme import services
from stakeholders import services as stakeholders


class Command(BaseCommand):
    help = (
        "Load a forum's programme (by default the 2017 concept note), the reference frameworks, and the "
        "governments and international organisations shipped with the portal. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=services.FORUM_2017_FILE, help="A forum data file (YAML).")
        parser.add_argument("--not-current", action="store_true", help="Do not mark this forum as the current one.")

    def handle(self, *args, file, not_current=False, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            forum, tally = services.load_forum(path=file, make_current=not not_current)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        self.stdout.write(f"{forum.slug}: {tally}")
        created = stakeholders.load_organisations()
        self.stdout.write(f"organisations: {created} created")
