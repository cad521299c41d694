"""Input that no page accepts, refused or cleaned at the edge, for every route at once."""

import json
import re

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from common.http import no_store

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the Unicode
# noncharacters. No page shows them (they make HTML invalid and PDFs draw boxes) and no form needs them.
FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
# Bidirectional embeddings, overrides and isolates: they can make stored text read differently from
# what it is ("Trojan source"); they are removed from submitted form fields.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _forbidden_in(values):
    return any(FORBIDDEN.search(value) for value in values if isinstance(value, str))


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _query_values(query):
    for key, values in query.lists():
        yield key
        yield from values


class RefuseControlCharactersMiddleware:
    """A 400 page for a request whose path, query string, form fields, upload names or JSON body
    hold a control character; bidirectional overrides are taken out of form fields.

    It sits before the page cache and every view: a view never sees such input, so none can fail on
    it, store it or start streaming an export that would break on it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._refused(request):
            reason = _("The address or the form holds a control character (such as U+0000), which no page accepts.")
            if request.path_info.startswith("/api/"):
                # An API client reads JSON, as its schema says (common.api: a "detail").
                response = JsonResponse({"detail": str(reason)}, status=400)
            else:
                response = TemplateResponse(request, "400.html", {"reason": reason}, status=400).render()
            response.page_cache_exempt = True
            return response
        return self.get_response(request)

    def _refused(self, request):
        try:
            query = list(_query_values(request.GET))
        except UnicodeError:
            query = []  # not from a WSGI server (which hands over Latin-1 text): the test client's raw strings
        if FORBIDDEN.search(request.path) or _forbidden_in(query):
            return True
        if request.method != "POST":
            return False
        content_type = request.content_type or ""
        if content_type == "application/json":
            try:
                body = json.loads(request.body or b"null")
            except ValueError:
                return False  # not JSON: the API says so itself
            return _forbidden_in(_json_strings(body))
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if _forbidden_in(_query_values(request.POST)):
                return True
            if _forbidden_in(upload.name for upload in request.FILES.values()):
                return True
            self._remove_bidi_controls(request)
        return False

    @staticmethod
    def _remove_bidi_controls(request):
        if not any(BIDI_CONTROLS.search(value) for value in _query_values(request.POST)):
            return
        cleaned = QueryDict(mutable=True)
        for key, values in request.POST.lists():
            cleaned.setlist(BIDI_CONTROLS.sub("", key), [BIDI_CONTROLS.sub("", value) for value in values])
        cleaned._mutable = False
        request._post = cleaned


class NoStoreForPrivatePagesMiddleware:
    """Staff and account pages (``settings.PRIVATE_PAGES``: path prefixes after the language) are
    never kept by a browser or a proxy: a shared computer's back button must not show them."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.PRIVATE_PAGES)

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        language, _slash, rest = path.lstrip("/").partition("/")
        if path.startswith("/admin/") or (len(language) == 2 and rest.startswith(self.prefixes)):
            no_store(response)
        return response
