"""Small helpers for views that several apps share."""

from django.utils.cache import patch_cache_control


def no_store(response):
    """Mark a personal or staff page as never to be stored by a browser or proxy."""
    patch_cache_control(response, private=True, no_store=True)
    return response


def error_text(error):
    """The messages of a ValidationError as one line for a flash message or a form error."""
    return " ".join(error.messages)
