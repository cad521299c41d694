from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from gfmd_portal.api import LanguageMixin, LanguageQuery
from roundtables.models import Forum, GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme


class ForumQuery(LanguageQuery):
    forum = serializers.SlugField(required=False, help_text="A forum's slug; the current forum by default.")

    def validate_forum(self, value):
        if not Forum.objects.filter(slug=value).exists():
            raise serializers.ValidationError("Unknown forum.")
        return value


class RoundTableSerializer(serializers.ModelSerializer):
    forum = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sub_theme = serializers.SerializerMethodField()
    guiding_questions = serializers.SerializerMethodField()
    sdg_targets = serializers.SerializerMethodField()
    compact_themes = serializers.SerializerMethodField()

    class Meta:
        model = RoundTable
        fields = [
            "forum",
            "code",
            "title",
            "sub_theme",
            "expected_outcomes",
            "background",
            "guiding_questions",
            "sdg_targets",
            "compact_themes",
        ]

    def get_sub_theme(self, obj) -> str:
        return obj.sub_theme.title

    def get_guiding_questions(self, obj) -> list[str]:
        return [question.text for question in obj.guiding_questions.all()]

    def get_sdg_targets(self, obj) -> list[str]:
        return [link.target.code for link in obj.target_links.all()]

    def get_compact_themes(self, obj) -> list[str]:
        return [link.theme.code for link in obj.theme_links.all()]


@extend_schema_view(
    list=extend_schema(parameters=[ForumQuery]),
    retrieve=extend_schema(parameters=[ForumQuery]),
)
class RoundTableViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """The round tables of a forum (the current one unless ``?forum=`` names another)."""

    serializer_class = RoundTableSerializer
    query_serializer_class = ForumQuery
    lookup_field = "code"
    lookup_value_regex = r"[0-9A-Za-z.\-]+"
    pagination_class = None

    def get_forum(self):
        slug = self.query.get("forum")
        if slug:
            return Forum.objects.get(slug=slug)
        return get_object_or_404(Forum.objects.order_by("-is_current", "-year", "-edition")[:1])

    def get_queryset(self):
        return (
            RoundTable.objects.filter(forum=self.get_forum())
            .select_related("forum", "sub_theme")
            .prefetch_related(
                Prefetch("guiding_questions", queryset=GuidingQuestion.objects.order_by("position")),
                Prefetch("target_links", queryset=RoundTableTarget.objects.select_related("target__goal")),
                Prefetch("theme_links", queryset=RoundTableTheme.objects.select_related("theme")),
            )
            .order_by("position", "code")
        )
