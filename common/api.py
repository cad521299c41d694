"""Shared pieces of the JSON API: the query parameters, their validation, and what the OpenAPI schema
says of both.

Each viewset declares its query parameters once, as a serializer per action
(``query_serializer_for(action)``); that serializer validates the query string, documents the
parameters in the schema (``ApiSchema``) and names the parameters the page cache keys answers on
(``page_cache_params_for``). The schema lists every status an operation answers: 200, 400 (a
malformed parameter, with the JSON error the API returns) and 404 (an unknown object, forum or page).
"""

import re

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# A non-empty text without what the edge (common.middleware.RefuseControlCharactersMiddleware)
# refuses in any query value before the API sees it, as a JSON Schema pattern. (Non-empty: for a
# field that allows blanks, drf-spectacular adds the empty string as a oneOf alternative.)
NO_CONTROL_CHARACTERS = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff]+$"
ONCE = "Give this parameter once only."


class Natural(serializers.IntegerField):
    """A whole number written plainly (``12``; not ``+12``, ``012``, ``12.0`` or `` 12``), checked
    against ``min_value`` and ``max_value`` (give both: the schema states them)."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(r"0|[1-9][0-9]{0,17}", data):
            self.fail("invalid")
        return int(data)


@extend_schema_field({"type": "string", "pattern": NO_CONTROL_CHARACTERS})
class Text(serializers.CharField):
    """Free text, possibly empty, taken as given (not trimmed); a control character never reaches
    the API (the edge refuses the request), so the schema's pattern leaves them out."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return data


class LanguageQuery(serializers.Serializer):
    # What makes an answer a 404 besides an unknown object (the schema's description of the 404).
    not_found = ()

    lang = serializers.ChoiceField(
        choices=LANGUAGE_CODES,
        required=False,
        help_text="Language of the texts; without it, the Accept-Language header decides.",
    )


def query_data(query_serializer, query_params):
    """The query string as data for ``query_serializer``, and the errors of repeated parameters.

    A repeatable parameter (a ListField) is a list; any other is its one value, so that an empty
    value (``?lang=``) is checked as given, not taken for an absent parameter (DRF's reading of an
    HTML form), and a repetition (``?lang=fr&lang=en``) is an error. Unknown parameters are ignored.
    """
    data, errors = {}, {}
    for name, field in query_serializer.fields.items():
        values = query_params.getlist(name)
        if not values:
            continue
        if isinstance(field, serializers.ListField):
            data[name] = values
        elif len(values) > 1:
            errors[name] = [ONCE]
        else:
            data[name] = values[0]
    return data, errors


class NotFound(serializers.Serializer):
    detail = serializers.CharField(help_text="What was not found.")


def _error_schema(query_serializer):
    names = list(query_serializer.fields)
    return {
        "type": "object",
        "description": "The malformed parameters, each with its errors.",
        "properties": {name: {"type": "array", "items": {"type": "string"}, "minItems": 1} for name in names},
        "additionalProperties": False,
        "minProperties": 1,
        "example": {"lang": ['"xx" is not a valid choice.']},
    }


# Refused before the API (common.middleware.RefuseControlCharactersMiddleware): a control character.
_REFUSED_PATH = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": False,
}


class ApiSchema(AutoSchema):
    """The schema of an API operation: its parameters come from the viewset's query serializer for
    the action, and its responses include the 400 and 404 the API answers."""

    def _query_serializer(self):
        return self.view.query_serializer_for(getattr(self.view, "action", None))()

    def get_override_parameters(self):
        return [self._query_serializer(), *super().get_override_parameters()]

    def _misses(self, query):
        """Why the operation may answer 404, or nothing when it never does."""
        misses = [f"nothing published has this `{name}`" for name in re.findall(r"{(\w+)}", self.path)]
        return misses + list(query.not_found)

    def get_response_serializers(self):
        query = self._query_serializer()
        responses = {
            200: super().get_response_serializers(),
            (400, "application/json"): OpenApiResponse(
                {"oneOf": [_error_schema(query), _REFUSED_PATH]},
                description="A malformed query parameter (a value the parameter's schema does not allow, or a "
                "parameter given twice): a JSON object naming each with its errors. A control character anywhere "
                "in the address (refused before the API): a JSON object with a `detail`.",
            ),
        }
        misses = self._misses(query)
        if misses:
            responses[404, "application/json"] = OpenApiResponse(
                NotFound, description="Not found: " + "; ".join(misses) + "."
            )
        return responses


class LanguageMixin:
    """Validates the query string with ``query_serializer_for(action)`` (a 400 with a JSON error
    when it is malformed) and activates ``?lang=`` for the response."""

    schema = ApiSchema()
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
        self.query = {}
        if getattr(self, request.method.lower(), None) is None:
            return  # not a method of this view: dispatch answers 405, whatever the parameters
        query_serializer = self.query_serializer_for(getattr(self, "action", None))
        data, errors = query_data(query_serializer(), request.query_params)
        query = query_serializer(data=data)
        if not query.is_valid():
            errors = {**query.errors, **errors}
        if errors:
            raise serializers.ValidationError(errors)
        self.query = query.validated_data
        if "lang" in self.query:
            translation.activate(self.query["lang"])
            request.LANGUAGE_CODE = self.query["lang"]


def not_found(request, *args, **kwargs):
    """A JSON 404 for an address under /api/ that no route matches (e.g. a code of the wrong form)."""
    return JsonResponse({"detail": "Not found."}, status=404)
