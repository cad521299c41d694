from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from common.api import LanguageMixin, LanguageQuery
from sdg_targets.models import CompactTheme, Target
from sdg_targets.views import round_table_links


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class RoundTableCodes(serializers.Field):
    """The codes of the round tables that reference the object, e.g. ["1.2", "3.1"]."""

    def __init__(self, **kwargs):
        super().__init__(source="round_table_links.all", read_only=True, **kwargs)

    def to_representation(self, links):
        return [link.round_table.code for link in links]


class ForumQuery(LanguageQuery):
    forum = serializers.SlugField(
        required=False,
        trim_whitespace=False,
        max_length=50,  # roundtables.Forum.slug's (a floor above: not imported)
        help_text="List the round tables of this forum (slug), none for an unknown one; the current forum by default.",
    )


class ForumLinksMixin(LanguageMixin):
    query_serializer_class = ForumQuery
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        slug = self.query.get("forum")
        links = {"round_table__forum__slug": slug} if slug else {"round_table__forum__is_current": True}
        return self.model.objects.prefetch_related(round_table_links(self.model, forum_filter=links))


class TargetSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal.number", read_only=True)
    round_tables = RoundTableCodes()

    class Meta:
        model = Target
        fields = ["code", "goal", "text", "relevance", "round_tables"]


class CompactThemeSerializer(serializers.ModelSerializer):
    round_tables = RoundTableCodes()

    class Meta:
        model = CompactTheme
        fields = ["code", "cluster", "title", "round_tables"]


class TargetViewSet(ForumLinksMixin, viewsets.ReadOnlyModelViewSet):
    """Migration-related SDG targets with their official text."""

    model = Target
    serializer_class = TargetSerializer
    lookup_value_regex = r"[0-9]+\.[0-9a-z]+"

    def get_queryset(self):
        return super().get_queryset().select_related("goal")


class CompactThemeViewSet(ForumLinksMixin, viewsets.ReadOnlyModelViewSet):
    """Global Compact themes (A.a … C.f)."""

    model = CompactTheme
    serializer_class = CompactThemeSerializer
    lookup_value_regex = r"[A-Z]\.[a-z]"
