import datetime

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


def datetime_attribute(value):
    """``value`` for a ``<time datetime>`` attribute: ISO 8601 with at most millisecond precision.

    HTML allows one to three digits of a second's fraction; ``isoformat()`` prints six. Whole
    seconds print as ``isoformat()`` does ("2017-06-29T09:00:00+02:00"), anything finer is cut
    to milliseconds ("…:18.268+01:00"). A date prints as "2017-06-29"; anything else as "".
    """
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return ""


@register.filter(expects_localtime=True)
def html_datetime(value):
    """The ``datetime`` attribute of a ``<time>`` (see ``datetime_attribute``), in the current
    time zone like Django's ``date`` filter: ``<time datetime="{{ at|html_datetime }}">``."""
    return datetime_attribute(value)


@register.filter
def form_blocks(form):
    """The form as ``form.as_p`` prints it, each field in a ``<div>`` rather than a ``<p>``.

    Help texts can hold lists (the password rules), which a ``<p>`` cannot contain; the field's
    help text is a ``<div class="helptext">`` here, in the same place as as_p's ``<span>``.
    """
    return form.render("common/forms/blocks.html")


@register.filter
def paragraphs(text):
    """Render plain text: blank-line separated paragraphs, lines starting with "- " as a list."""
    if not text:
        return ""
    blocks = []
    for block in text.strip().split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append(f"<p>{escape(' '.join(lines))}</p>")
    return mark_safe("\n".join(blocks))  # noqa: S308 - every piece of text is escaped above


def content_languages():
    """The languages in which a translated field's shown text is looked for, in order: the active
    language, then its fallbacks (MODELTRANSLATION_FALLBACK_LANGUAGES)."""
    active = get_language()
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    return [active, *fallbacks.get(active, fallbacks["default"])]


@register.simple_tag
def content_lang(obj, field, languages=None):
    """` lang="xx"` when the shown text of a translated field falls back to another language.

    Spanish pages show English (or French) content where no Spanish text exists; screen
    readers need to know that the text is in another language than the page. ``languages``:
    ``content_languages()``, when the caller looks up many objects in one request.
    """
    languages = languages or content_languages()
    for code in languages:
        if getattr(obj, f"{field}_{code}", None):
            return "" if code == languages[0] else mark_safe(f' lang="{code}"')  # noqa: S308 - a language code
    return ""
