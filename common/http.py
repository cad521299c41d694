"""Small helpers for views that several apps share."""

from django.conf import settings
from django.utils.cache import patch_cache_control


def is_htmx(request):
    """Whether htmx sent the request (it then takes a part of the page, not the whole)."""
    return request.headers.get("HX-Request") == "true"


def no_store(response):
    """Mark a personal or staff page as never to be stored by a browser or proxy."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def error_text(error):
    """The messages of a ValidationError as one line for a flash message or a form error."""
    return " ".join(error.messages)


def site_url(path):
    """The absolute address of a path of this site, for links in emails (SITE_URL)."""
    return f"{settings.SITE_URL}{path}"
