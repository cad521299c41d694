"""The public programme: the home page, a forum's sub-themes and round tables, a round table's page."""

from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject
from django.views.generic import DetailView, TemplateView

from common import pagecache
from roundtables.contributions.queries import accepted_prefetch, round_table_page_context
from roundtables.models import Forum, GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme, Session
from roundtables.programme.queries import forum_or_404, programme_sub_themes
from sdg_targets.queries import published_practices

CHANGES_SHOWN = 20


class Home(TemplateView):
    template_name = "roundtables/home.html"

    def get_context_data(self, **kwargs):
        forum = forum_or_404()
        return super().get_context_data(
            forum=forum,
            sub_themes=programme_sub_themes(forum),
            # The common space is linked once staff have opened its registration (asked by the
            # template: the page's content is a cached fragment, which does not ask when found).
            common_space_open=forum.sessions.filter(
                slug="common-space", status=Session.Status.PUBLISHED, registration_policy__isnull=False
            ).exists,
            **_fragment(forum),
            **kwargs,
        )


def _fragment(forum, *more):
    """The key and lifetime of a forum's page content kept as a cached fragment: the same for
    everyone in a language (nothing personal in it), until any content changes (as the anonymous
    page cache). The querysets it lists are read only when the fragment is rendered."""
    return {
        "fragment_key": ":".join(str(part) for part in (pagecache.content_version(), forum.pk, *more)),
        "fragment_seconds": settings.PAGE_CACHE_SECONDS,
    }


class Programme(TemplateView):
    """A forum's sub-themes and round tables; without a slug, the current forum's."""

    template_name = "roundtables/programme.html"

    def get_context_data(self, **kwargs):
        forum = forum_or_404(kwargs.pop("forum", None))
        other_forums = (
            Forum.objects.published()
            .exclude(pk=forum.pk)
            .only("slug", "title", "title_en", "title_fr", "title_es", "year")
        )
        return super().get_context_data(
            forum=forum,
            sub_themes=programme_sub_themes(forum),
            other_forums=other_forums,
            compact_theme_links=forum.theme_links.select_related("theme"),
            # What staff changed in the programme editor since it was published (as sessions list theirs).
            changes=forum.changes.filter(after_publication=True)[:CHANGES_SHOWN],
            **_fragment(forum),
            **kwargs,
        )


class RoundTableDetail(DetailView):
    template_name = "roundtables/roundtable_detail.html"
    context_object_name = "round_table"

    def get_object(self, queryset=None):
        return get_object_or_404(
            RoundTable.objects.select_related("forum", "sub_theme").prefetch_related(
                Prefetch("guiding_questions", queryset=GuidingQuestion.objects.order_by("position")),
                accepted_prefetch(),
            ),
            forum__slug=self.kwargs["forum"],
            forum__status=Forum.Status.PUBLISHED,
            code=self.kwargs["code"],
        )

    def get_context_data(self, **kwargs):
        round_table = self.object
        siblings = (
            RoundTable.objects.filter(forum_id=round_table.forum_id)
            .only("code", "forum_id", "position")
            .order_by("position", "code")
        )
        codes = [rt.code for rt in siblings]
        index = codes.index(round_table.code)
        return super().get_context_data(
            previous_code=codes[index - 1] if index > 0 else None,
            next_code=codes[index + 1] if index + 1 < len(codes) else None,
            **round_table_page_context(round_table, user=self.request.user),
            # Its texts, linked frameworks and practices are cached fragments (the contributions'
            # section between them, which staff see with a link of their own, is not): these are
            # read only when the fragments are rendered.
            frameworks=SimpleLazyObject(lambda: _frameworks(round_table)),
            **_fragment(round_table.forum, round_table.pk),
            **kwargs,
        )


def _frameworks(round_table):
    """A round table's linked targets and themes and its latest published practices: one query each."""
    prefetch_related_objects(
        [round_table],
        Prefetch("target_links", queryset=RoundTableTarget.objects.select_related("target__goal")),
        Prefetch("theme_links", queryset=RoundTableTheme.objects.select_related("theme")),
        published_practices(RoundTable),
    )
    return {
        "target_links": round_table.target_links.all(),
        "theme_links": round_table.theme_links.all(),
        "practices": round_table.published_practices,
    }


class ForumArchive(TemplateView):
    """GET /<lang>/forums/: every published forum, the current one first; past ones stay readable."""

    template_name = "roundtables/forum_archive.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(forums=list(Forum.objects.published().current_first()), **kwargs)
