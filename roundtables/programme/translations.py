"""The state of each text of the programme in each language: missing, written, out of date.

A forum's texts are written first in its source language (``Forum.source_language``); the two
other languages are translations. Each row remembers, per field and language, a hash of the
source text its translation was made from (``translated_from``). When the source text changes
afterwards, the hash no longer matches and the translation is out of date until someone edits it.
Texts loaded from a data file have no hash yet: they count as written until their source changes.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator

from roundtables.models import Forum, GuidingQuestion, RoundTable, SubTheme

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


@dataclass(frozen=True)
class Gap:
    """A text missing or out of date in one language: where it is and how to get there."""

    what: str  # e.g. "Round table 1.1"
    field_label: str
    language: str
    state: str
    url: str

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def _editor_url(obj, forum):
    if isinstance(obj, Forum):
        return reverse("roundtables:staff-programme-forum", kwargs={"forum": forum.slug})
    if isinstance(obj, SubTheme):
        return reverse("roundtables:staff-programme-forum", kwargs={"forum": forum.slug}) + f"#sub-theme-{obj.pk}"
    round_table_pk = obj.pk if isinstance(obj, RoundTable) else obj.round_table_id
    url = reverse("roundtables:staff-programme-round-table", kwargs={"forum": forum.slug, "pk": round_table_pk})
    return url + (f"#question-{obj.pk}" if isinstance(obj, GuidingQuestion) else "")


def _what(obj):
    if isinstance(obj, Forum):
        return str(_("Forum"))
    if isinstance(obj, SubTheme):
        return str(_("Sub-theme %(number)s")) % {"number": obj.number}
    if isinstance(obj, RoundTable):
        return str(_("Round table %(code)s")) % {"code": obj.code}
    return str(_("Round table %(code)s, question %(number)s")) % {
        "code": obj.round_table.code,
        "number": obj.position,
    }


def overview(forum):
    """Every text of ``forum`` that is missing or out of date in a language, in the editor's order
    (four queries whatever the forum's size)."""
    rows = [forum]
    rows += list(forum.sub_themes.order_by("number"))
    for round_table in forum.round_tables.order_by("position", "code").prefetch_related("guiding_questions"):
        rows.append(round_table)
        rows += sorted(round_table.guiding_questions.all(), key=lambda question: question.position)
    gaps = []
    for obj in rows:
        for field in translated_fields(type(obj)):
            for language in LANGUAGES:
                found = state(obj, field, language, forum.source_language)
                if found in (MISSING, OUT_OF_DATE):
                    anchor = f"{field}_{language}" if not isinstance(obj, (SubTheme, GuidingQuestion)) else ""
                    url = _editor_url(obj, forum)
                    gaps.append(
                        Gap(
                            what=_what(obj),
                            field_label=str(obj._meta.get_field(field).verbose_name),
                            language=language,
                            state=found,
                            url=f"{url}#id_{anchor}" if anchor else url,
                        )
                    )
    return gaps
