"""Reads of the programme that every feature shares: which forum a URL means, and its sub-themes."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from roundtables.models import Forum, RoundTable


def forum_or_404(slug=None):
    """The published forum called ``slug``; without a slug, the current forum (the one marked current,
    else the latest published). A 404 when there is none (a draft forum is a 404 too)."""
    if slug is None:
        forum = Forum.objects.current()
        if forum is None:
            raise Http404("No forum is loaded yet.")
        return forum
    return get_object_or_404(Forum.objects.published(), slug=slug)


def programme_sub_themes(forum):
    """The forum's sub-themes with their round tables, in two queries whatever the size."""
    return forum.sub_themes.prefetch_related(
        Prefetch("round_tables", queryset=RoundTable.objects.order_by("position", "code"))
    )
