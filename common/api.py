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

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        query = self.query_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data
        if "lang" in self.query:
            translation.activate(self.query["lang"])
            request.LANGUAGE_CODE = self.query["lang"]
