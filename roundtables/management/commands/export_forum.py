from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from roundtables.models import Forum
from roundtables.programme.exporter import export_forum


class Command(BaseCommand):
    help = "Write a forum's programme and sessions as the data file load_forum reads (YAML)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The forum's slug, e.g. gfmd-2017.")
        parser.add_argument("--output", type=Path, help="Write to this file instead of the standard output.")

    def handle(self, *args, slug, output=None, **options):
        forum = Forum.objects.filter(slug=slug).first()
        if forum is None:
            known = ", ".join(Forum.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No forum {slug!r} (known: {known})")
        text = export_forum(forum=forum)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"{forum.slug}: written to {output}")
