"""The published good practices in the JSON API: a search with the public page's filters."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch
from django_countries import countries
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from common.api import LanguageMixin, LanguageQuery, Natural, Text
from practices import search
from practices.models import Practice
from practices.services import visible_practices
from roundtables.models import RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency
from stakeholders.regions import REGIONS, regions_of

# The API shows what an anonymous visitor sees: published practices, whoever asks.
PUBLIC = AnonymousUser()
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


class FilterValues(serializers.ListField):
    """A repeatable query parameter (``?country=DE&country=FR``), at most MAX_VALUES times: each value
    exactly as the schema says (``child``: a choice or a pattern, no surrounding spaces, not empty),
    then as the page reads it (``practices.search``). Errors are messages naming the value."""

    def __init__(self, name, child, **kwargs):
        self.filter_name = name
        super().__init__(child=child, required=False, max_length=search.MAX_VALUES, **kwargs)

    def to_internal_value(self, data):
        if len(data) > search.MAX_VALUES:  # before repeated values are merged
            self.fail("max_length", max_length=search.MAX_VALUES)
        cleaned, errors = [], []
        for value in data:
            try:
                self.child.run_validation(value)
            except serializers.ValidationError as error:
                errors += [f"{value!r}: {message}" for message in error.detail]
                continue
            clean = search.clean_value(self.filter_name, value)
            if clean is None:
                errors.append(f"Not a valid value: {value!r}.")
            elif clean not in cleaned:
                cleaned.append(clean)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned


def _pattern(regex):
    # \A and \Z (not ^ and $, which let a final line feed through); the schema shows ^ and $.
    return serializers.RegexField(rf"\A{regex}\Z", trim_whitespace=False)


def _choice(choices):
    return serializers.ChoiceField(choices=choices)


class PracticeQuery(LanguageQuery):
    not_found = ("`page` is past the last page",)

    q = Text(
        required=False,
        max_length=search.MAX_QUERY_LENGTH,
        help_text="Words to look for, in English, French or Spanish, accents optional; "
        '"a phrase", -excluded and or work as in web search engines. May be empty (no search).',
    )
    country = FilterValues(
        "country",
        _choice([(code, name) for code, name in countries]),
        help_text="ISO 3166 alpha-2 code of an implementing country, in capitals, e.g. MA.",
    )
    region = FilterValues("region", _choice(list(REGIONS)), help_text="UN M49 region.")
    sdg_target = FilterValues(
        "sdg_target", _pattern(r"[0-9]{1,2}\.[0-9a-z]{1,2}"), help_text="An SDG target's code, e.g. 10.7."
    )
    compact_theme = FilterValues(
        "compact_theme", _pattern(r"[A-Z]\.[a-z]"), help_text="A Global Compact theme's code, e.g. A.c."
    )
    round_table = FilterValues(
        "round_table",
        _pattern(r"[0-9A-Za-z.\-]{1,8}"),
        help_text="A round table's code in the current forum, e.g. 1.1.",
    )
    constituency = FilterValues("constituency", _choice(Constituency.choices), help_text="A constituency involved.")
    gender_responsive = FilterValues("gender_responsive", _choice(["yes", "no"]), help_text="Gender-responsive.")
    year = FilterValues(
        "year", Natural(min_value=1900, max_value=2100), help_text="The year the practice started, e.g. 2016."
    )
    sort = serializers.ChoiceField(
        choices=list(search.SORTS),
        required=False,
        help_text=f"relevance (the default with q: the {search.RANK_CAP} most recently published matches, "
        "ranked), newest (the default without q) or title.",
    )
    page = Natural(
        required=False, min_value=1, max_value=MAX_PAGE, help_text="The page, from 1; past the last page is a 404."
    )
    page_size = Natural(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Practices per page, {search.PAGE_SIZE} by default.",
    )


class PracticePagination(PageNumberPagination):
    """Pages as PracticeQuery checked them (a page that is not a whole number from 1 is a 400)."""

    page_size = search.PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()


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

    # The view prefetches these into lists (``to_attr``): no queryset made per practice and relation.
    def get_sdg_targets(self, obj) -> list[str]:
        return [target.code for target in obj.api_sdg_targets]

    def get_compact_themes(self, obj) -> list[str]:
        return [theme.code for theme in obj.api_compact_themes]

    def get_round_tables(self, obj) -> list[dict[str, str]]:
        return [{"forum": rt.forum.slug, "code": rt.code} for rt in obj.api_round_tables]

    def get_links(self, obj) -> list[str]:
        return [line.strip() for line in obj.links.splitlines() if line.strip()]


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
            Prefetch("sdg_targets", queryset=Target.objects.only("id", "code"), to_attr="api_sdg_targets"),
            Prefetch("compact_themes", queryset=CompactTheme.objects.only("id", "code"), to_attr="api_compact_themes"),
            Prefetch(
                "round_tables",
                queryset=RoundTable.objects.select_related("forum").only("id", "code", "forum__slug"),
                to_attr="api_round_tables",
            ),
        )
