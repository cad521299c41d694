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
