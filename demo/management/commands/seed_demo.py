from django.core.management.base import BaseCommand, CommandError

from demo.contributions import seed_contributions
from demo.practices import seed_practices
from demo.services import seed_demo
from roundtables.models import Forum


def _positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Load the 2017 forum, then synthetic demo data: SCALE organisations of each constituency, "
        "SCALE users with profiles, max(1, SCALE // 20) demo forums and SCALE * 5 good practices. "
        "Deterministic for a seed; idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=_positive, default=20, help="Size of the demo data (default 20).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")
        parser.add_argument(
            "--contributions",
            type=int,
            default=None,
            help="Contributions to the 2017 forum's round tables, with rapporteurs' reports (default SCALE * 50; "
            "0 for none).",
        )

    def handle(self, *args, scale, seed, contributions=None, **options):
        try:
            summary = seed_demo(scale=scale, seed=seed)
            practices = seed_practices(scale=scale, seed=seed)
            count = scale * 50 if contributions is None else contributions
            if count < 0:
                raise ValueError("--contributions must be 0 or more")
            forum_2017 = Forum.objects.filter(slug="gfmd-2017").first()
            contributed = seed_contributions(forum_2017, count=count, seed=seed) if forum_2017 and count else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(summary))
        self.stdout.write(str(practices))
        if contributed is not None:
            self.stdout.write(str(contributed))
