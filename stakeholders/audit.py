"""The audit trail of staff actions. Services call ``record()``; signals never do."""

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


def entries_for(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor")
