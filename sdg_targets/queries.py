"""Reads that several floors share."""

from django.db.models import Prefetch

PUBLISHED_PRACTICES_SHOWN = 10


def published_practices(model):
    """Prefetch (to ``published_practices``) the most recent published good practices linked to a
    target, a theme or a round table (``model``): one query, whatever their number. Reached through
    the reverse relation, so that neither this floor nor the programme's imports the database of
    practices above them; published practices are what every visitor may see
    (practices.services.visible_practices)."""
    practice_model = model.practices.rel.related_model
    return Prefetch(
        "practices",
        queryset=practice_model.objects.filter(status="published")
        .only("id", "title", "language", "published_at")
        .order_by("-published_at", "-id")[:PUBLISHED_PRACTICES_SHOWN],
        to_attr="published_practices",
    )
