"""The published good practices in the JSON API: a search with the public page's filters."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from common.api import LanguageMixin, LanguageQuery
from practices import search
from practices.models import Practice
from practices.services import visible_practices
from roundtables.models import RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.regions import REGIONS, regions_of

# The API shows what an anonymous visitor sees: published practices, whoever asks.
PUBLIC = AnonymousUser()


class FilterValues(serializers.ListField):
    """A repeatable query parameter (``?country=DE&country=FR``), each value checked like the page does."""

    def __init__(self, name, **kwargs):
        self.filter_name = name
        super().__init__(child=serializers.CharField(), required=False, max_length=search.MAX_VALUES, **kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        cleaned = []
        for value in values:
            clean = search.clean_value(self.filter_name, value)
            if clean is None:
                raise serializers.ValidationError(f"Not a valid value: {value!r}.")
            if clean not in cleaned:
                cleaned.append(clean)
        return cleaned


class PracticeQuery(LanguageQuery):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=search.MAX_QUERY_LENGTH,
        help_text="Words to look for, in English, French or Spanish, accents optional; "
        '"a phrase", -excluded and or work as in web search engines.',
    )
    country = FilterValues("country", help_text="ISO 3166 alpha-2 code of an implementing country, e.g. MA.")
    region = FilterValues("region", help_text="UN M49 region: " + ", ".join(REGIONS) + ".")
    sdg_target = FilterValues("sdg_target", help_text="An SDG target's code, e.g. 10.7.")
    compact_theme = FilterValues("compact_theme", help_text="A Global Compact theme's code, e.g. A.c.")
    round_table = FilterValues("round_table", help_text="A round table's code in the current forum, e.g. 1.1.")
    constituency = FilterValues("constituency", help_text="A constituency involved, e.g. civil_society.")
    gender_responsive = FilterValues("gender_responsive", help_text="yes or no.")
    year = FilterValues("year", help_text="The year the practice started, e.g. 2016.")
    sort = serializers.ChoiceField(
        choices=list(search.SORTS),
        required=False,
        help_text=f"relevance (the default with q: the {search.RANK_CAP} most recently published matches, "
        "ranked), newest (the default without q) or title.",
    )


class PracticePagination(PageNumberPagination):
    page_size = search.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100


class PracticeSerializer(serializers.ModelSerializer):
    page = serializers.SerializerMethodField(help_text="The practice's page on the portal.")
    submitting_government = serializers.CharField(source="organisation.name", read_only=True)
    countries = serializers.SerializerMethodField()
    regions = serializers.SerializerMethodField()
    sdg_targets = serializers.SerializerMethodField()
    compact_themes = serializers.SerializerMethodField()
    round_tables = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()

    class Meta:
        model = Practice
        fields = [
            "id",
            "page",
            "title",
            "summary",
            "description",
            "submitting_government",
            "countries",
            "regions",
            "implementing_organisations",
            "partners",
            "constituencies",
            "start_date",
            "end_date",
            "ongoing",
            "sdg_targets",
            "compact_themes",
            "round_tables",
            "gender_responsive",
            "gender_explanation",
            "results",
            "evidence",
            "replicability",
            "contact_name",
            "links",
            "language",
            "published_at",
        ]

    def get_page(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url

    def get_countries(self, obj) -> list[str]:
        return [str(code) for code in obj.countries]

    def get_regions(self, obj) -> list[str]:
        return regions_of(obj.countries)

    def get_sdg_targets(self, obj) -> list[str]:
        return [target.code for target in obj.sdg_targets.all()]

    def get_compact_themes(self, obj) -> list[str]:
        return [theme.code for theme in obj.compact_themes.all()]

    def get_round_tables(self, obj) -> list[dict[str, str]]:
        return [{"forum": rt.forum.slug, "code": rt.code} for rt in obj.round_tables.all()]

    def get_links(self, obj) -> list[str]:
        return [line.strip() for line in obj.links.splitlines() if line.strip()]


@extend_schema_view(
    list=extend_schema(parameters=[PracticeQuery]),
    retrieve=extend_schema(parameters=[LanguageQuery]),
)
class PracticeViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Published good practices of the Platform for Partnerships, searchable and filterable like the
    portal's page; filters may be repeated (values of one filter are OR-ed, filters AND-ed)."""

    serializer_class = PracticeSerializer
    pagination_class = PracticePagination
    lookup_value_regex = r"[0-9]+"

    query_serializer_class = LanguageQuery
    query_serializer_classes = {"list": PracticeQuery}

    def get_queryset(self):
        if self.action == "list":
            filters = {name: tuple(self.query[name]) for name in search.FILTERS if self.query.get(name)}
            queryset = search.search_queryset(
                user=PUBLIC, q=self.query.get("q", ""), filters=filters, sort=self.query.get("sort", ""), capped=True
            )
        else:
            queryset = visible_practices(PUBLIC)
        return queryset.select_related("organisation").prefetch_related(
            Prefetch("sdg_targets", queryset=Target.objects.only("id", "code")),
            Prefetch("compact_themes", queryset=CompactTheme.objects.only("id", "code")),
            Prefetch(
                "round_tables", queryset=RoundTable.objects.select_related("forum").only("id", "code", "forum__slug")
            ),
        )
