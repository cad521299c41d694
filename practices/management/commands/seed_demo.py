from django.core.management.base import BaseCommand, CommandError

from practices.demo import seed_practices
from roundtables.demo import seed_demo


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

    def handle(self, *args, scale, seed, **options):
        try:
            summary = seed_demo(scale=scale, seed=seed)
            practices = seed_practices(scale=scale, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(summary))
        self.stdout.write(str(practices))
