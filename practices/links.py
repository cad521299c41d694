"""The ids of a practice's SDG targets, Global Compact themes and round tables, copied onto its row.

The search's facet index (practices.search.facet_index) reads them with the rest of the row, in one
query. The copies are written here and only here:

- whenever a link changes through the ORM, from either side (``m2m_changed``: add, remove, set,
  clear; see practices.apps), in the same transaction;
- by ``services.update_search_vector``, which every path that writes links in bulk (the demo data,
  the benchmark) calls afterwards.

A target, theme or round table deleted outright leaves its id in the copies until the practice is
next saved; the counts show only the ids found in its table, so a deleted one is never shown.
"""

from django.db import transaction

from practices.models import Practice
from practices.search import facet_index

# (column on the practice, link table, the link table's column pointing at the linked object)
LINKS = (
    ("target_ids", Practice.sdg_targets.through, "target_id"),
    ("theme_ids", Practice.compact_themes.through, "compacttheme_id"),
    ("round_table_ids", Practice.round_tables.through, "roundtable_id"),
)
COLUMNS = [column for column, _through, _field in LINKS]
BATCH = 1000


def joined(ids):
    """The stored form: the ids in increasing order, comma-separated ("" for none)."""
    return ",".join(str(pk) for pk in sorted(set(ids)))


@transaction.atomic
def refresh(practice_ids):
    """Write the copies of the given practices from their link tables (4 queries per 1,000)."""
    wanted = sorted(set(practice_ids))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        found = {pk: {column: [] for column in COLUMNS} for pk in chunk}
        for column, through, field_name in LINKS:
            rows = through.objects.filter(practice_id__in=chunk).values_list("practice_id", field_name)
            for practice_id, ref in rows:
                found[practice_id][column].append(ref)
        practices = [
            Practice(pk=pk, **{column: joined(refs) for column, refs in columns.items()})
            for pk, columns in found.items()
        ]
        Practice.objects.bulk_update(practices, COLUMNS, batch_size=BATCH)
    if wanted:
        facet_index.bump()


def _field_of(sender):
    for _column, through, field_name in LINKS:
        if through is sender:
            return field_name
    return None


def links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """``m2m_changed`` receiver: refresh the practices whose links changed."""
    field_name = _field_of(sender)
    if field_name is None:
        return
    if not reverse:  # practice.sdg_targets.add(…)
        if action in ("post_add", "post_remove", "post_clear"):
            refresh([instance.pk])
        return
    # target.practices.add(…): pk_set holds practices; a clear names none, so they are read first.
    if action == "pre_clear":
        instance._practices_before_clear = list(
            sender.objects.filter(**{field_name: instance.pk}).values_list("practice_id", flat=True)
        )
    elif action == "post_clear":
        refresh(instance.__dict__.pop("_practices_before_clear", []))
    elif action in ("post_add", "post_remove"):
        refresh(pk_set or [])
