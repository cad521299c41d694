"""The state of each text of the programme in each language: missing, written, out of date.

A forum's texts are written first in its source language (``Forum.source_language``); the two
other languages are translations. Each row remembers, per field and language, a hash of the
source text its translation was made from (``translated_from``). When the source text changes
afterwards, the hash no longer matches and the translation is out of date until someone edits it.
Texts loaded from a data file have no hash yet: they count as written until their source changes.
"""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)

EMPTY = "empty"
SOURCE = "source"
MISSING = "missing"
WRITTEN = "written"
OUT_OF_DATE = "out_of_date"
STATE_LABELS = {
    EMPTY: _("Empty"),
    SOURCE: _("Source text"),
    MISSING: _("Missing"),
    WRITTEN: _("Written"),
    OUT_OF_DATE: _("Out of date"),
}


def translated_fields(model):
    """The names of ``model``'s texts kept in three languages (roundtables/translation.py)."""
    names = translator.get_options_for_model(model).fields
    return tuple(field.name for field in model._meta.fields if field.name in names)  # in the model's order


def text_hash(text):
    return hashlib.sha256((text or "").strip().encode()).hexdigest()[:16]


def state(obj, field, language, source_language):
    """The state of ``obj.<field>_<language>`` against the source language's text."""
    value = (getattr(obj, f"{field}_{language}") or "").strip()
    source = (getattr(obj, f"{field}_{source_language}") or "").strip()
    if not any((getattr(obj, f"{field}_{code}") or "").strip() for code in LANGUAGES):
        return EMPTY  # an optional text nobody wrote: nothing to translate
    if language == source_language:
        return SOURCE if value else MISSING
    if not value:
        return MISSING
    made_from = (obj.translated_from or {}).get(field, {}).get(language)
    if made_from is not None and made_from != text_hash(source):
        return OUT_OF_DATE
    return WRITTEN


def note_translations(obj, field, before, source_language):
    """After ``obj``'s texts of ``field`` changed from ``before`` ({language: text}): remember which
    source text each translation was made from. A translation edited now is made from the current
    source; one left alone while its source changed was made from the source as it was before."""
    marks = dict((obj.translated_from or {}).get(field, {}))
    source_before = before.get(source_language) or ""
    source_now = getattr(obj, f"{field}_{source_language}") or ""
    for language in LANGUAGES:
        if language == source_language:
            continue
        now = (getattr(obj, f"{field}_{language}") or "").strip()
        if not now:
            marks.pop(language, None)
        elif now != (before.get(language) or "").strip():
            marks[language] = text_hash(source_now)
        elif source_now.strip() != source_before.strip() and language not in marks:
            marks[language] = text_hash(source_before)
    translated_from = dict(obj.translated_from or {})
    if marks:
        translated_from[field] = marks
    else:
        translated_from.pop(field, None)
    obj.translated_from = translated_from


def texts_of(obj, field):
    return {language: getattr(obj, f"{field}_{language}") or "" for language in LANGUAGES}
