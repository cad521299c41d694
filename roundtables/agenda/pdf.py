"""The printable programme: the published agenda rendered to PDF by WeasyPrint.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz0b and a font such as
fonts-dejavu-core). Without it, importing WeasyPrint fails; ``render`` then raises
``PdfUnavailable`` and the page answers 503 with that reason instead of crashing.
"""

from django.template.loader import render_to_string
from django.utils.translation import get_language

TEMPLATE = "roundtables/agenda/programme_pdf.html"


class PdfUnavailable(Exception):
    """The PDF cannot be made on this machine (WeasyPrint or its system libraries are missing)."""


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: a shared library (Pango) is missing
        raise PdfUnavailable(f"WeasyPrint cannot run here: {error}") from error
    return weasyprint


def _no_fetching(url, *args, **kwargs):
    # Texts come from the database; whatever they say, the renderer fetches nothing.
    raise ValueError(f"The programme PDF loads no external resource ({url[:80]})")


def load_weasyprint():
    """WeasyPrint, or ``PdfUnavailable`` saying why not (the badges use it too)."""
    return _weasyprint()


def refuse_fetching(url, *args, **kwargs):
    """A WeasyPrint ``url_fetcher`` that fetches nothing (texts come from the database)."""
    return _no_fetching(url, *args, **kwargs)


def html(*, forum, agenda, generated):
    """The HTML that WeasyPrint lays out: ``agenda`` (an ``agenda.queries.Agenda``) as of ``generated``."""
    context = {
        "forum": forum,
        "days": agenda.days,
        "undated": agenda.undated,
        "generated": generated,
        "LANGUAGE_CODE": get_language(),
    }
    return render_to_string(TEMPLATE, context)


def document(*, forum, agenda, generated):
    """The laid-out WeasyPrint document (its pages' text can be read back, see the tests)."""
    weasyprint = _weasyprint()
    # No external resource: the stylesheet is in the template, the fonts are the system's.
    source = html(forum=forum, agenda=agenda, generated=generated)
    return weasyprint.HTML(string=source, url_fetcher=_no_fetching).render()


def render(*, forum, agenda, generated):
    """The PDF bytes of the programme, in the active language."""
    return document(forum=forum, agenda=agenda, generated=generated).write_pdf()
