"""A cache of whole responses for anonymous visitors, invalidated by any content change.

Public pages and API reads are the same for every anonymous visitor in a language, so
they are served from the cache when the request carries no session. Every key embeds a
content version; saving or deleting a row of a content app bumps the version, so a change
shows at once everywhere (the cache is shared by all server processes: Redis or files).
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.http import urlencode
from django.utils.translation import get_language

from common.cache import after_outage

VERSION_KEY = "pagecache:content-version"
CACHED_PREFIXES = ("/en/", "/fr/", "/es/", "/api/v1/")
# X-Frame-Options is set by a middleware below this one, which a cache hit never reaches.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "X-Frame-Options")


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


@after_outage
def invalidate():
    """Make every cached page stale (called when content changes, and when the cache answers
    again after an outage: a change made meanwhile could not bump the version)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


# Labels of the models whose rows appear on cached pages; each app declares its own in its
# AppConfig.ready() with shown_on_pages(). A model that is not declared (registrations, a compile's
# progress, contributions until moderation) never empties the cache.
_SHOWN = set()
# Functions, one per app, that return the URLs of its pages most visitors open first.
_WARM_URLS = []


def shown_on_pages(*models):
    """Declare that rows of ``models`` (and of their automatic many-to-many tables) appear on
    cached pages: saving, deleting or relinking one makes every cached page stale."""
    for model in models:
        through = [field.remote_field.through for field in model._meta.local_many_to_many]
        for each in (model, *(t for t in through if t._meta.auto_created)):
            _SHOWN.add(each._meta.label_lower)
            post_save.connect(_on_change, sender=each, dispatch_uid=f"pagecache-save-{each._meta.label}")
            post_delete.connect(_on_change, sender=each, dispatch_uid=f"pagecache-delete-{each._meta.label}")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="pagecache-m2m")


def warm_urls_from(function):
    """Register ``function()``, which returns an app's most visited URLs in the active language."""
    if function not in _WARM_URLS:
        _WARM_URLS.append(function)
    return function


def _shown_on_pages(model):
    return model._meta.label_lower in _SHOWN


def _invalidate_now_and_on_commit():
    # Now, so that the change shows at once; and again once committed, so that a page rendered
    # by another request from the not-yet-committed state is not kept under the new version.
    invalidate()
    transaction.on_commit(invalidate)


def changed_content():
    """For a change that the signals do not see (a row of an undeclared model that becomes shown)."""
    _invalidate_now_and_on_commit()


def _on_change(sender, **kwargs):
    _invalidate_now_and_on_commit()


def _on_m2m_change(sender, instance, **kwargs):
    if kwargs.get("action", "").startswith("post_") and _shown_on_pages(type(instance)):
        _invalidate_now_and_on_commit()


def warm_urls():
    """The pages most visitors open first (as the apps declared them), in every language."""
    from django.utils import translation

    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for function in _WARM_URLS:
                urls += function()
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


def reads_params(*names):
    """Decorate a function view with the query parameters that change what it shows (a class-based
    view sets ``page_cache_params`` instead)."""

    def decorate(view):
        view.page_cache_params = frozenset(names)
        return view

    return decorate


def params_read_by(match):
    """The query parameters the view of ``match`` reads, as it declares them.

    A view says which parameters change what it shows with a ``page_cache_params`` attribute (on
    the function, the class-based view or the API viewset); an API viewset may instead give a
    ``page_cache_params_for(action)`` class method. A view that declares nothing reads none.
    """
    function = match.func
    owner = getattr(function, "view_class", None) or getattr(function, "cls", None) or function
    by_action = getattr(owner, "page_cache_params_for", None)
    if by_action is not None:
        actions = getattr(function, "actions", None) or {}
        return frozenset(by_action(actions.get("get", "")))
    return frozenset(getattr(owner, "page_cache_params", ()))


def _page_key(request):
    """(key, complete): the cache key of the page, and whether the request carries nothing else.

    The key holds the path and only the parameters the view reads, by name in a fixed order, so
    that the same page asked with other parameters (``?utm_source=…``) or in another order is one
    entry, and unknown parameters cannot fill the cache. A request with unknown parameters may be
    answered from that entry, but its own rendering is not stored (its page may link to them).
    """
    # The version is stored inside the value, so that a hit costs one round trip (MGET of the
    # version and the page) and a stale page is simply overwritten.
    prefix = f"pagecache:page:{get_language()}:"
    if not request.GET:
        return prefix + request.get_full_path(), True
    try:
        read = params_read_by(resolve(request.path_info))
    except Resolver404:
        return None, False
    names = sorted(name for name in request.GET if name in read)
    query = urlencode([(name, value) for name in names for value in request.GET.getlist(name)])
    path = request.get_full_path().split("?", 1)[0]
    return prefix + (f"{path}?{query}" if query else path), len(names) == len(request.GET)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key, complete = _page_key(request)
        if key is None:
            return self.get_response(request)
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
            complete
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not getattr(response, "page_cache_exempt", False)
        ):
            headers = [(name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)]
            cache.set(key, (version, response.status_code, headers, response.content), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response
