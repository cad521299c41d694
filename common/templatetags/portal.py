from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


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


@register.simple_tag
def content_lang(obj, field):
    """` lang="xx"` when the shown text of a translated field falls back to another language.

    Spanish pages show English (or French) content where no Spanish text exists; screen
    readers need to know that the text is in another language than the page.
    """
    from django.conf import settings
    from django.utils.translation import get_language

    active = get_language()
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    order = [active, *fallbacks.get(active, fallbacks["default"])]
    for code in order:
        if getattr(obj, f"{field}_{code}", None):
            return "" if code == active else mark_safe(f' lang="{code}"')  # noqa: S308 - a language code
    return ""
