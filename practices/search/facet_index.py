"""The facet counts of the practice search, from an index held in each server process.

Counting facets in SQL means visiting every matching practice for every facet: for the corpus's
most frequent word (13,863 of 20,000 published practices) that was 60-90 ms of a 100 ms budget,
whatever the plan. Here each process keeps, per facet value, the positions of the practices that
have it (as numpy arrays), and a search costs: the ids of the text matches from PostgreSQL's GIN
index (only with a query), then a few vector operations over masks of one bit per practice
(well under a millisecond for 25,000 practices).

Positions are the practices in "newest" order (``published_at`` descending, then ``id``, as the
database orders them), so that a page of the newest results is the first set positions of a mask;
``title_rank`` gives the order by title as the database sorts it.

Freshness: the index is built for one value of ``SearchGeneration.token``, which every change to
a practice or to its links replaces in the same transaction (``bump``: post_save and post_delete of
a practice, practices.links.refresh for its links). Each search reads the token first (one small
query) and rebuilds the index when it differs (one query, about 100 ms at 25,000 practices).
The token is read before the data, so an index is never labelled newer than what it holds. What a
visitor may see is decided per search from ``services.visibility`` (never cached here), and the page
of results is read again through ``visible_practices``.
"""

import threading
import uuid
from dataclasses import dataclass

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast, Lower

from practices.models import Practice, SearchGeneration
from stakeholders.regions import REGION_OF

_lock = threading.Lock()
_current = None


def bump():
    """A new token: every process's index is rebuilt at its next search. Call inside the change's
    transaction (the token and the change are then seen together)."""
    token = uuid.uuid4().hex
    if not SearchGeneration.objects.filter(pk=1).update(token=token):
        SearchGeneration.objects.update_or_create(pk=1, defaults={"token": token})


def _token():
    return SearchGeneration.objects.filter(pk=1).values_list("token", flat=True).first() or ""


def _split(text):
    return [part for part in (text or "").split(",") if part]


@dataclass
class FacetIndex:
    token: str
    ids: np.ndarray  # practice ids, by position (newest first)
    sorted_ids: np.ndarray  # the same ids, ascending
    sorted_positions: np.ndarray  # position of each of sorted_ids
    published: np.ndarray  # bool per position
    organisation: np.ndarray  # organisation id per position
    values: dict  # facet name -> {value: positions (int array)}
    _title_rank: np.ndarray | None = None

    @property
    def size(self):
        return len(self.ids)

    def title_rank(self):
        """The rank of each position in the database's title order (one query, the first time)."""
        if self._title_rank is None:
            ordered = Practice.objects.order_by(Lower("title"), "id").values_list("id", flat=True)
            rank = np.full(self.size, self.size, dtype=np.int64)  # practices created since: last
            positions = self.positions_of(ordered)
            rank[positions] = np.arange(len(positions))
            self._title_rank = rank
        return self._title_rank

    def positions_of(self, practice_ids):
        """Positions of the given ids; ids unknown to the index (created since) are left out."""
        found = np.asarray(list(practice_ids), dtype=np.int64)
        if not len(found) or not self.size:
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(self.sorted_ids, found)
        at[at >= self.size] = 0
        known = self.sorted_ids[at] == found
        return self.sorted_positions[at[known]]

    def mask(self, positions=None):
        mask = np.zeros(self.size, dtype=bool)
        if positions is not None:
            mask[positions] = True
        return mask

    def visible(self, rule):
        """The mask of what ``rule`` (services.visibility) lets its person see."""
        if rule.everything:
            return np.ones(self.size, dtype=bool)
        mask = self.published.copy()
        if rule.organisation_id is not None:
            mask |= self.organisation == rule.organisation_id
        return mask

    def matching(self, name, values):
        """The mask of the practices having any of ``values`` of filter ``name``."""
        mask = self.mask()
        table = self.values[name]
        for value in values:
            positions = table.get(str(value))
            if positions is not None:
                mask[positions] = True
        return mask


def build(token):
    """The index of every practice (all statuses: visibility is applied per search)."""
    rows = list(
        # The constituencies as their JSON text: decoding 25,000 lists took a third of the build.
        Practice.objects.annotate(constituency_text=Cast("constituencies", TextField()))
        .order_by("-published_at", "-id")
        .values_list(
            "id",
            "status",
            "organisation_id",
            "countries",
            "constituency_text",
            "target_ids",
            "theme_ids",
            "round_table_ids",
            "gender_responsive",
            "start_date",
        )
    )
    size = len(rows)
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=size)
    lists = {name: {} for name in ("country", "region", "constituency", "sdg_target", "compact_theme")}
    lists.update({"round_table": {}, "gender_responsive": {}, "year": {}})
    for position, row in enumerate(rows):
        countries, constituencies, targets, themes, round_tables, gender, start = row[3:10]
        codes = _split(str(countries) if not isinstance(countries, list) else ",".join(map(str, countries)))
        for code in codes:
            lists["country"].setdefault(code, []).append(position)
        for region in {REGION_OF[code] for code in codes if code in REGION_OF}:
            lists["region"].setdefault(region, []).append(position)
        # '["government", "academia"]': fixed slugs, without quotes or commas of their own.
        for value in set(constituencies.strip("[] ").replace('"', "").split(", ")) if constituencies else ():
            if value:
                lists["constituency"].setdefault(value, []).append(position)
        for name, text in (("sdg_target", targets), ("compact_theme", themes), ("round_table", round_tables)):
            for ref in _split(text):
                lists[name].setdefault(ref, []).append(position)
        if gender is not None:
            lists["gender_responsive"].setdefault("yes" if gender else "no", []).append(position)
        if start is not None:
            lists["year"].setdefault(str(start.year), []).append(position)
    order = np.argsort(ids, kind="stable")
    return FacetIndex(
        token=token,
        ids=ids,
        sorted_ids=ids[order],
        sorted_positions=order.astype(np.int64),
        published=np.fromiter((row[1] == Practice.Status.PUBLISHED for row in rows), dtype=bool, count=size),
        organisation=np.fromiter((row[2] or 0 for row in rows), dtype=np.int64, count=size),
        values={
            name: {value: np.asarray(positions, dtype=np.int64) for value, positions in table.items()}
            for name, table in lists.items()
        },
    )


def current():
    """The index for the current token: this process's, or a new one (one build at a time)."""
    global _current
    token = _token()
    index = _current
    if index is not None and index.token == token:
        return index
    with _lock:
        if _current is not None and _current.token == token:
            return _current
        _current = build(token)
        return _current


def forget():
    """Drop this process's index (tests whose transactions are rolled back start from none)."""
    global _current
    _current = None
