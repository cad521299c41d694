"""A cache of whole responses for anonymous visitors, invalidated by any content change.

Public pages and API reads are the same for every anonymous visitor in a language, so
they are served from the cache when the request carries no session. Every key embeds a
content version; saving or deleting a row of a content app bumps the version, so a change
shows at once everywhere (the cache is shared by all server processes: Redis or files).
"""

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.translation import get_language

VERSION_KEY = "pagecache:content-version"
# Apps whose rows appear on public pages; a change to any of them invalidates every page.
CONTENT_APPS = {"sdg_targets", "roundtables", "practices", "declarations"}
# Rows of content apps that no cached page shows: a rush of registrations must not empty the cache.
# Nor may a compile in progress (its progress is saved every second or two). Contributions show only
# once accepted: moderation invalidates the pages itself (changed_content()), not every submission.
NOT_SHOWN = {
    "roundtables.registration",
    "roundtables.seatquota",
    "roundtables.calendarfeedtoken",
    "roundtables.contribution",
    "roundtables.contribution_sdg_targets",
    "roundtables.contribution_compact_themes",
    "roundtables.rapporteurreport",
    "declarations.compilejob",
    "declarations.compilesection",
}
CACHED_PREFIXES = ("/en/", "/fr/", "/es/", "/api/v1/")
# X-Frame-Options is set by a middleware below this one, which a cache hit never reaches.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def invalidate():
    """Make every cached page stale (called when content changes)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def _shown_on_pages(model):
    return model._meta.app_label in CONTENT_APPS and model._meta.label_lower not in NOT_SHOWN


def _invalidate_now_and_on_commit():
    # Now, so that the change shows at once; and again once committed, so that a page rendered
    # by another request from the not-yet-committed state is not kept under the new version.
    invalidate()
    transaction.on_commit(invalidate)


def changed_content():
    """For a change that the signals do not see (a row of a NOT_SHOWN model that becomes shown)."""
    _invalidate_now_and_on_commit()


def _on_change(sender, **kwargs):
    if _shown_on_pages(sender):
        _invalidate_now_and_on_commit()


def connect_invalidation():
    for model in apps.get_models(include_auto_created=True):
        if _shown_on_pages(model):
            post_save.connect(_on_change, sender=model, dispatch_uid=f"pagecache-save-{model._meta.label}")
            post_delete.connect(_on_change, sender=model, dispatch_uid=f"pagecache-delete-{model._meta.label}")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="pagecache-m2m")


def _on_m2m_change(sender, instance, **kwargs):
    if kwargs.get("action", "").startswith("post_") and _shown_on_pages(type(instance)):
        _invalidate_now_and_on_commit()


def warm_urls():
    """The pages most visitors open first, in every language."""
    from django.apps import apps
    from django.urls import reverse
    from django.utils import translation

    RoundTable = apps.get_model("roundtables", "RoundTable")
    round_tables = list(
        RoundTable.objects.filter(forum__is_current=True).values_list("forum__slug", "code").order_by("position")
    )
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls += [
                reverse(name)
                for name in (
                    "roundtables:home",
                    "roundtables:current-programme",
                    "sdg_targets:target-list",
                    "sdg_targets:theme-list",
                )
            ]
            urls += [reverse("roundtables:detail", kwargs={"forum": f, "code": c}) for f, c in round_tables]
    return urls


def warm():
    """Fill the cache for ``warm_urls()``; returns how many pages were rendered."""
    from django.test import Client

    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host and not host.startswith(".")]
    client = Client(HTTP_HOST=hosts[0] if hosts else "localhost")
    rendered = 0
    for url in warm_urls():
        if client.get(url).get("X-Page-Cache") == "miss":
            rendered += 1
    return rendered


def _cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and request.path.startswith(CACHED_PREFIXES)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _page_key(request):
    # The version is stored inside the value, so that a hit costs one round trip (MGET of the
    # version and the page) and a stale page is simply overwritten.
    return f"pagecache:page:{get_language()}:{request.get_full_path()}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = _page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY) or content_version()
        stored = found.get(key)
        if stored is not None and stored[0] == version:
            _version, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not getattr(response, "page_cache_exempt", False)
        ):
            headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (version, response.status_code, headers, response.content), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
