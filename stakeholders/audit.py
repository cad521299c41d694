"""The audit trail of staff actions. Services call ``record()``; signals never do."""

import datetime

from django.contrib.contenttypes.models import ContentType

from stakeholders.models import AuditEntry


def record(*, actor, action, obj, before=None, after=None):
    """Write who did ``action`` (dotted, e.g. ``stakeholders.delegate_request.approved``) to ``obj``."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
    )


def _audited_value(obj, name):
    """The value of field ``name`` as the trail keeps it: a related row by its key, a time in ISO form."""
    value = getattr(obj, obj._meta.get_field(name).attname)
    return value.isoformat() if isinstance(value, datetime.date) else value


def save_change(obj, *, actor, action, also=(), **values):
    """Set ``values`` (field name: new value) on ``obj``, save those fields (and the fields named in
    ``also``, e.g. an ``updated`` stamp) and record ``action`` with each field's value before and after.

    The one way a service changes a field or two of a row it has locked and audits the change; the
    row is saved with ``update_fields``, so nothing else on it is written."""
    before = {name: _audited_value(obj, name) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*values, *also])
    return record(
        actor=actor,
        action=action,
        obj=obj,
        before=before,
        after={name: _audited_value(obj, name) for name in values},
    )


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
