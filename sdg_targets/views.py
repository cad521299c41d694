from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, ListView

from common import pagecache
from sdg_targets.models import CompactTheme, Goal, Target
from sdg_targets.queries import published_practices


def round_table_links(model, *, forum_filter=None):
    """Prefetch the round tables (with their forums) that reference a target or theme.

    Reached through the reverse relation ``round_table_links``, so this floor imports
    nothing from the programme above it. ``forum_filter`` narrows the links, e.g.
    ``{"round_table__forum__slug": "gfmd-2017"}``.
    """
    link_model = model.round_table_links.rel.related_model
    owner = model.round_table_links.field.name  # "target" or "theme"
    return Prefetch(
        "round_table_links",
        queryset=link_model.objects.filter(**(forum_filter or {}))
        .select_related("round_table__forum")
        # Only what a link shows: round tables and forums carry long texts in three languages.
        .only(
            owner,
            "source",
            "round_table",
            "round_table__forum",
            "round_table__code",
            "round_table__position",
            *(f"round_table__title_{code}" for code in ("en", "fr", "es")),
            "round_table__forum__slug",
            "round_table__forum__year",
            *(f"round_table__forum__title_{code}" for code in ("en", "fr", "es")),
        )
        .order_by("-round_table__forum__year", "round_table__position", "round_table__code"),
    )


class TargetList(ListView):
    template_name = "sdg_targets/target_list.html"
    context_object_name = "goals"

    def get_queryset(self):
        return Goal.objects.prefetch_related(
            Prefetch("targets", queryset=Target.objects.prefetch_related(round_table_links(Target)))
        )

    def get_context_data(self, **kwargs):
        # The list is a cached fragment, the same for everyone in a language until any content
        # changes (as the anonymous page cache); the goals are read only when it is rendered.
        return super().get_context_data(
            fragment_key=pagecache.content_version(), fragment_seconds=settings.PAGE_CACHE_SECONDS, **kwargs
        )


class TargetDetail(DetailView):
    template_name = "sdg_targets/target_detail.html"
    context_object_name = "target"

    def get_object(self, queryset=None):
        return get_object_or_404(Target.objects.select_related("goal"), code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        # The page's content is a cached fragment, the same for everyone in a language until any
        # content changes; the round tables and practices are read only when it is rendered.
        target = self.object
        return super().get_context_data(
            linked=SimpleLazyObject(lambda: _linked(target)),
            fragment_key=f"{pagecache.content_version()}:{target.pk}",
            fragment_seconds=settings.PAGE_CACHE_SECONDS,
            **kwargs,
        )


def _linked(target):
    """The round tables that reference ``target`` and its latest published practices: a query each."""
    prefetch_related_objects([target], round_table_links(Target), published_practices(Target))
    return {"round_table_links": target.round_table_links.all(), "practices": target.published_practices}


class ThemeList(ListView):
    template_name = "sdg_targets/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return CompactTheme.objects.prefetch_related(round_table_links(CompactTheme))


class ThemeDetail(DetailView):
    template_name = "sdg_targets/theme_detail.html"
    context_object_name = "theme"

    def get_object(self, queryset=None):
        return get_object_or_404(
            CompactTheme.objects.prefetch_related(round_table_links(CompactTheme), published_practices(CompactTheme)),
            code=self.kwargs["code"],
        )
