"""Writing demo rows in bulk, and a random generator per row.

``sync_rows`` makes the rows of a model that ``existing_rows`` found hold what the generators
drew: rows are matched on their natural keys, missing ones created in bulk, differing ones updated
in bulk and, when asked, the ones no longer drawn deleted. ``row_rng`` gives every drawn row a
generator of its own, so that the same seed draws the same row whatever the scale.
"""

import random

from modeltranslation.translator import NotRegistered, translator

from sdg_targets.services import Tally

BATCH_SIZE = 500
# IN (...) lookups are split so that SQLite's limit on query parameters is never reached.
LOOKUP_CHUNK = 900


def row_rng(seed, *parts):
    """A generator of its own for each row: the same row whatever the scale."""
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def normalise(value):
    """Comparable form of a field value (django-countries returns Country objects)."""
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    code = getattr(value, "code", None)
    if code is not None and not isinstance(value, str):
        return code
    return value


def _translated_base_fields(model):
    """{"title_en": "title", …} for a model registered with modeltranslation."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return {}
    return {tf.name: base for base, fields in options.all_fields.items() for tf in fields}


def _chunks(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _key(obj, key_fields):
    return tuple(normalise(getattr(obj, name)) for name in key_fields)


def sync_rows(tally, model, key_fields, wanted, existing, *, delete_others=False):
    """Make ``existing`` (rows of ``model``) hold ``wanted`` ({key: {field: value}}).

    Missing rows are created with bulk_create, differing ones updated with bulk_update;
    with ``delete_others`` the existing rows whose key is not wanted are deleted.
    Returns {key: row} for the wanted keys.
    """
    rows = {_key(obj, key_fields): obj for obj in existing}
    base_of = _translated_base_fields(model)
    to_create, to_update, update_fields = [], [], set()
    for key, values in wanted.items():
        obj = rows.get(key)
        if obj is None:
            obj = model(**dict(zip(key_fields, key, strict=True)), **values)
            to_create.append(obj)
            rows[key] = obj
            continue
        changed = [name for name, value in values.items() if normalise(getattr(obj, name)) != normalise(value)]
        if not changed:
            tally.unchanged += 1
            continue
        for name in changed:
            setattr(obj, name, values[name])
            update_fields.add(name)
            if name in base_of:  # keep the original column (default language) in step
                update_fields.add(base_of[name])
        to_update.append(obj)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        tally.created += len(to_create)
        if any(obj.pk is None for obj in to_create):  # a backend that returns no ids
            fresh = model.objects.filter(**{f"{key_fields[0]}__in": {getattr(o, key_fields[0]) for o in to_create}})
            by_key = {_key(obj, key_fields): obj for obj in fresh}
            for obj in to_create:
                obj.pk = by_key[_key(obj, key_fields)].pk
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields), batch_size=BATCH_SIZE)
        tally.updated += len(to_update)
    if delete_others:
        extra = [obj.pk for key, obj in rows.items() if key not in wanted]
        for chunk in _chunks(extra):
            tally.deleted += model.objects.filter(pk__in=chunk).delete()[1].get(model._meta.label, 0)
    return {key: rows[key] for key in wanted}


def existing_rows(queryset, lookup, values):
    """Rows of ``queryset`` whose ``lookup`` is among ``values``, fetched in chunks."""
    rows = []
    for chunk in _chunks(values):
        rows.extend(queryset.filter(**{f"{lookup}__in": chunk}).order_by())
    return rows


class Tallies:
    """What seed_demo's summaries share: a ``tallies`` field (label -> Tally) and these two methods."""

    def tally(self, label):
        return self.tallies.setdefault(label, Tally())

    @property
    def changed(self):
        return any(t.created or t.updated or t.deleted for t in self.tallies.values())
