"""Synthetic demo data: organisations, people and extra forums on top of the 2017 forum.

``seed_demo(scale=N, seed=S)`` is deterministic: every row is drawn from a random.Random
seeded with ``S`` and the row's own number, so the same scale and seed always give the same
rows, and a larger scale gives a superset of a smaller one. It is idempotent: rows are
matched on their natural keys (organisation name and country, username, forum slug,
sub-theme number, round-table code, question position, link ends), missing ones are
created in bulk, differing ones updated in bulk, and the questions and links of a demo
forum that the seed no longer draws are removed. Nothing outside the demo forums is deleted.

The people are drawn by ``demo.people``, the forums by ``demo.programme``; the good practices
(``demo.practices``) and the contributions (``demo.contributions``) are seeded after them by the
``seed_demo`` command.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import translation

from common import outbox, pagecache
from demo.people import seed_people
from demo.programme import seed_forums
from demo.rows import Tallies
from roundtables.programme.services import load_forum


@dataclass
class DemoSummary(Tallies):
    scale: int
    seed: int
    forum_2017: str = ""
    tallies: dict = field(default_factory=dict)  # label -> Tally
    totals: dict = field(default_factory=dict)  # label -> rows of the demo data now in the database

    def lines(self):
        yield f"seed_demo scale={self.scale} seed={self.seed}"
        yield f"  gfmd-2017 (load_forum): {self.forum_2017}"
        width = max(len(label) for label in self.tallies)
        for label, tally in self.tallies.items():
            yield f"  {label:<{width}}  rows={self.totals.get(label, 0):<6} {tally}"

    def __str__(self):
        return "\n".join(self.lines())


@transaction.atomic
def seed_demo(*, scale, seed):
    """Load the 2017 forum, then ``scale`` organisations of each constituency, ``scale`` users
    with profiles and max(1, scale // 20) demo forums, all drawn from ``seed``. Idempotent."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    summary = DemoSummary(scale=scale, seed=seed)
    _forum, tally = load_forum()
    summary.forum_2017 = str(tally)
    # The original column of a translated field follows the default language.
    with translation.override("en"):
        seed_people(summary, scale, seed)
        seed_forums(summary, scale, seed)
    if summary.changed:
        # bulk_create/bulk_update send no post_save signal: tell the page cache ourselves,
        # then have the main pages rendered again, as load_forum does.
        transaction.on_commit(pagecache.invalidate)
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return summary
