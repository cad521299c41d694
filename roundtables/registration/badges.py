"""Badges for a session's confirmed participants: a PDF of cards laid out by WeasyPrint.

A card holds the name the person chose for their badge, their organisation, their constituency (a
coloured band that also names it: the colour is a help, not the only sign), their country and the
check-in QR code with the code in groups under it. Each card is written in its holder's language.
Two layouts: A4 sheets of four A6 cards (cut along the lines) and one A6 card per page (card printers).

A large set takes WeasyPrint a while (roughly 15–25 cards a second here), so the staff page makes
up to ``WORKER_THRESHOLD`` badges at once and gives a larger set to a worker (a ``BadgeJob``).
"""

import logging
from dataclasses import dataclass

from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import translation

from roundtables.agenda.pdf import PdfUnavailable, load_weasyprint, refuse_fetching
from roundtables.models import BadgeJob, Registration
from roundtables.registration import codes
from roundtables.registration.tickets import qr_svg
from stakeholders.emails import language_of
from stakeholders.models import Constituency, badge_name, constituency_label

__all__ = ["WORKER_THRESHOLD", "PdfUnavailable", "cards", "confirmed_for_badges", "render"]

# WeasyPrint logs every step and page it lays out at INFO level.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "roundtables/registration/badges_pdf.html"
# More badges than this are made by a worker, with a progress bar.
WORKER_THRESHOLD = 50
# Cards laid out between two progress updates.
CHUNK = 20

# One colour per constituency, dark enough for white text (contrast ≥ 7:1).
COLOURS = {
    Constituency.GOVERNMENT: "#1b3a6b",
    Constituency.CIVIL_SOCIETY: "#1e5e23",
    Constituency.PRIVATE_SECTOR: "#7a3b00",
    Constituency.INTERNATIONAL_ORGANISATION: "#4a1466",
    Constituency.ACADEMIA: "#7a1420",
    Constituency.LOCAL_AUTHORITY: "#00514a",
}
OTHER_COLOUR = "#3d3d3d"


@dataclass(slots=True)
class Card:
    """What one badge shows, already in its holder's language."""

    language: str
    forum: str
    session: str
    name: str
    organisation: str
    constituency: str
    constituency_label: str
    colour: str
    country: str
    code: str
    qr: str


def confirmed_for_badges(*, session, constituency="", registration_id=None):
    """The confirmed registrations whose badges are asked for, in the order of a delegation list
    (family name, given name): all, those of one constituency, or one."""
    queryset = Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
    if registration_id:
        queryset = queryset.filter(pk=registration_id)
    if constituency:
        queryset = queryset.filter(constituency=constituency)
    return queryset.select_related("person__profile__organisation", "session__forum").order_by(
        Lower("person__last_name"), Lower("person__first_name"), "id"
    )


def card(registration):
    """The card of one confirmed registration, in its holder's language."""
    person = registration.person
    profile = getattr(person, "profile", None)
    organisation = profile.organisation if profile is not None else None
    country = (profile.country if profile is not None and profile.country else None) or (
        organisation.country if organisation is not None and organisation.country else None
    )
    session = registration.session
    language = language_of(person)
    with translation.override(language):
        return Card(
            language=language,
            forum=str(session.forum.title),
            session=str(session.title),
            name=badge_name(person),
            organisation=organisation.name if organisation is not None else "",
            constituency=registration.constituency,
            constituency_label=constituency_label(registration.constituency, missing=""),
            colour=COLOURS.get(registration.constituency, OTHER_COLOUR),
            country=str(country.name) if country else "",
            code=codes.display(registration.checkin_code),
            # Many codes in one document: the SVG's own id would be defined once per card.
            qr=qr_svg(registration.checkin_code).replace(' id="qr-path"', ""),
        )


def cards(registrations):
    """Cards of ``registrations``, streamed (a large set is not held twice in memory)."""
    for registration in registrations.iterator(chunk_size=200):
        yield card(registration)


def html(batch, *, layout):
    return render_to_string(TEMPLATE, {"cards": batch, "layout": layout, "sheet": layout == BadgeJob.Layout.SHEET})


def render(registrations, *, layout, progress=None):
    """The PDF (bytes) of the badges of ``registrations``. The cards are laid out ``CHUNK`` at a time
    (on sheets, a multiple of four: a sheet is never shared by two chunks) and ``progress(done)`` is
    called after each chunk; the pages are then written as one document."""
    weasyprint = load_weasyprint()
    pages, first, batch, done = [], None, [], 0

    def lay_out(batch):
        document = weasyprint.HTML(string=html(batch, layout=layout), url_fetcher=refuse_fetching).render()
        pages.extend(document.pages)
        return document

    for item in cards(registrations):
        batch.append(item)
        if len(batch) == CHUNK:
            document = lay_out(batch)
            first = first or document
            done += len(batch)
            batch = []
            if progress:
                progress(done)
    if batch or first is None:
        document = lay_out(batch)
        first = first or document
        done += len(batch)
        if progress:
            progress(done)
    return first.copy(pages).write_pdf()
