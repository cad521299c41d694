"""Searchable selects: a long list (countries, governments, organisations) one can type into.

A select marked ``data-searchable`` is turned by the browser into a searchable one
(static/js/searchable-select.js, with Tom Select vendored under static/vendor/tom-select/); without
JavaScript it stays the plain select, and the form posts the same values either way.

Use the widgets in a form's declaration, or ``make_searchable(field)`` for a field made elsewhere
(a model field's form field, django-countries' field).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

SEARCHABLE = "data-searchable"
# The help text to show once the select is searchable (the plain one's may say "hold Ctrl").
SEARCHABLE_HELP = "data-searchable-help"
# That help text for a select of several.
TYPE_MANY = _("Type a name to find it, then choose it; choose as many as apply.")


def _marked(attrs, help_text):
    attrs = {**(attrs or {}), SEARCHABLE: ""}
    if help_text:
        attrs[SEARCHABLE_HELP] = help_text
    return attrs


class SearchableSelect(forms.Select):
    def __init__(self, attrs=None, choices=(), *, help_text=None):
        super().__init__(_marked(attrs, help_text), choices)


class SearchableSelectMultiple(forms.SelectMultiple):
    def __init__(self, attrs=None, choices=(), *, help_text=None):
        super().__init__(_marked(attrs, help_text), choices)


def make_searchable(field, *, help_text=None):
    """Mark ``field``'s select as searchable (its widget keeps its class and choices); returns it."""
    field.widget.attrs.update(_marked({}, help_text))
    return field
