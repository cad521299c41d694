"""Shared pieces of the JSON API: the language parameter and query validation."""

from django.conf import settings
from django.utils import translation
from rest_framework import serializers

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class LanguageQuery(serializers.Serializer):
    lang = serializers.ChoiceField(
        choices=LANGUAGE_CODES,
        required=False,
        help_text="Language of the texts; without it, the Accept-Language header decides.",
    )


class LanguageMixin:
    """Validates the query string with ``query_serializer_class`` (a 400 with a JSON error
    when it is malformed) and activates ``?lang=`` for the response."""

    query_serializer_class = LanguageQuery
    # Another query serializer for some actions, e.g. {"list": PracticeQuery}.
    query_serializer_classes = {}

    @classmethod
    def query_serializer_for(cls, action):
        return cls.query_serializer_classes.get(action, cls.query_serializer_class)

    @classmethod
    def page_cache_params_for(cls, action):
        """The query parameters an action reads (common.pagecache keys cached answers on them)."""
        names = set(cls.query_serializer_for(action)().fields)
        paginator = getattr(cls, "pagination_class", None)
        if paginator is not None:
            names |= {paginator.page_query_param, getattr(paginator, "page_size_query_param", None)} - {None}
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        query = self.query_serializer_for(getattr(self, "action", None))(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data
        if "lang" in self.query:
            translation.activate(self.query["lang"])
            request.LANGUAGE_CODE = self.query["lang"]
