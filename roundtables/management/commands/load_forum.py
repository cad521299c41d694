from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from roundtables.programme import services
from stakeholders import services as stakeholders


class Command(BaseCommand):
    help = (
        "Load a forum's programme from its data file (by default the 2017 concept note), the reference "
        "frameworks, and the governments and international organisations shipped with the portal. "
        "Idempotent; never overwrites what staff changed in the browser, and lists what it skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="A forum data file (YAML), e.g. one export_forum wrote.")
        parser.add_argument("--file", type=Path, help="The same as the positional FILE.")
        parser.add_argument("--not-current", action="store_true", help="Do not mark this forum as the current one.")

    def handle(self, *args, path=None, file=None, not_current=False, **options):
        if path and file and path != file:
            raise CommandError("Give the file once: FILE or --file.")
        file = path or file or services.FORUM_2017_FILE
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            forum, tally = services.load_forum(path=file, make_current=not not_current)
        except (KeyError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        for line in tally.skipped:
            self.stdout.write(f"skipped {line}")
        self.stdout.write(f"{forum.slug}: {tally}")
        created = stakeholders.load_organisations()
        self.stdout.write(f"organisations: {created} created")
