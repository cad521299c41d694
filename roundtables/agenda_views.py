"""The public agenda: pages by day and room and per round table, a session's page, the calendar
feeds (the whole forum, one round table, a person's own sessions through a private URL), the
printable programme, and the page where a person manages their private feed address.

The public sees published sessions only: a draft is a 404 to everyone but co-chair staff (with a
second factor) on every surface. Every list is read in a fixed number of queries, whatever the
number of sessions, roles and agenda items (``published_sessions``).
"""

import datetime
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import F, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from common.http import no_store
from common.templatetags.portal import content_lang
from roundtables import feeds, programme_pdf
from roundtables.agenda_blocks import Words, session_block
from roundtables.models import (
    AgendaItem,
    CalendarFeedToken,
    GuidingQuestion,
    Registration,
    RoundTable,
    Session,
    SessionChange,
    SessionRole,
)
from roundtables.programme.queries import forum_or_404
from stakeholders.permissions import can

logger = logging.getLogger(__name__)

# --- What the public sees -------------------------------------------------------------------------


def with_agenda(queryset):
    """Sessions with their forum and round table (one query); ``load_agenda`` adds the rest."""
    return queryset.select_related("forum", "round_table")


def load_agenda(sessions):
    """Attach to each session its people (``role_rows``), running order (``item_rows``) and public
    changelog (``public_changes``): 4 queries whatever the number of sessions, roles and steps.

    Rows are plain values, not model instances: a big agenda has thousands of them, and building
    model instances was most of its render time. People's rows hold their name and organisation
    only (never an email address)."""
    # A queryset (unsliced) is also the filter of the three queries below, as a subquery: a list of
    # hundreds of ids costs more to prepare, parameter by parameter, than the database spends on it.
    if isinstance(sessions, QuerySet) and not sessions.query.is_sliced:
        wanted = Q(session__in=sessions.values("pk"))
    else:
        wanted = None
    sessions = list(sessions)
    by_id = {session.pk: session for session in sessions}
    for session in sessions:
        session.role_rows, session.item_rows, session.public_changes = [], [], []
    if not sessions:
        return sessions
    if wanted is None:
        wanted = Q(session_id__in=by_id)
    roles = (
        SessionRole.objects.filter(wanted)
        .order_by("position", "id")
        .values_list(
            "session_id",
            "role",
            "guest_name",
            "guest_organisation",
            "person_id",
            "person__first_name",
            "person__last_name",
            "person__profile__organisation__name",
        )
    )
    # A session published between the first query and these has rows here and no entry in by_id.
    for session_id, *row in roles:
        if session_id in by_id:
            by_id[session_id].role_rows.append(row)
    items = list(
        AgendaItem.objects.filter(wanted)
        .order_by("position", "id")
        .values("session_id", "kind", "title", "minutes", "guiding_question_id")
    )
    questions = GuidingQuestion.objects.in_bulk({item["guiding_question_id"] for item in items} - {None})
    for item in items:
        item["question"] = questions.get(item["guiding_question_id"])
        if item["session_id"] in by_id:
            by_id[item["session_id"]].item_rows.append(item)
    changes = (
        SessionChange.objects.filter(wanted, after_publication=True)
        .only("session_id", "changed_at", "summary")
        .order_by("-changed_at", "-id")
    )
    for change in changes:
        if change.session_id in by_id:
            by_id[change.session_id].public_changes.append(change)
    return sessions


def published_sessions(forum, *, round_table=None):
    """The forum's published sessions, dated ones first in time order, then those without a date."""
    sessions = Session.objects.filter(forum=forum, status=Session.Status.PUBLISHED)
    if round_table is not None:
        sessions = sessions.filter(round_table=round_table)
    # NULLS LAST on every database: sessions with a date come first. Not joined to the forum and the
    # round table: ``decorated`` attaches the few of them (one forum's long texts, copied for each of
    # hundreds of rows, cost more than the query that reads them once).
    return sessions.order_by(F("start").asc(nulls_last=True), "room", "id")


def sessions_of(person):
    """The published sessions of every forum where ``person`` holds a role or a live registration."""
    live = [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ids = Session.objects.filter(
        Q(roles__person=person) | Q(registrations__person=person, registrations__status__in=live),
        status=Session.Status.PUBLISHED,
    ).values("id")
    return with_agenda(Session.objects.filter(id__in=ids).order_by(F("start").asc(nulls_last=True), "id"))


def role_person(row):
    """(name, organisation) shown for a role row of ``load_agenda``: a guest's as typed; a person's
    name and organisation. Never an email address: a person who gave no name is shown by their
    organisation only."""
    _role, guest_name, guest_organisation, person_id, first_name, last_name, organisation = row
    if person_id is None:
        return guest_name, guest_organisation
    return f"{first_name} {last_name}".strip(), organisation or ""


class Labels:
    """The translated labels of the agenda's choices, looked up once per request (not once per row)."""

    def __init__(self):
        self.kind = {value: str(label) for value, label in Session.Kind.choices}
        self.role = {value: str(label) for value, label in SessionRole.Role.choices}
        self.item = {value: str(label) for value, label in AgendaItem.Kind.choices}
        self.round_table = _("Round table %(code)s")
        self.minutes = _("%(minutes)s min")
        self.question = _("Guiding question %(number)s")
        self.round_table_urls = {}  # (forum id, code) -> the round table's page


def _hhmm(value):
    return f"{value.hour:02d}:{value.minute:02d}"


def running_order(session, zone, labels=None):
    """The session's agenda items, each with its text and, when the session has a start, its time."""
    labels = labels or Labels()
    clock = session.start.astimezone(zone) if session.start else None
    items = []
    for item in session.item_rows:
        lang, question = "", item["question"]
        if item["kind"] == AgendaItem.Kind.GUIDING_QUESTION and question is not None and not item["title"]:
            text = question.text
            lang = content_lang(question, "text")
            short = labels.question % {"number": question.position}
        else:
            text = short = item["title"] or labels.item.get(item["kind"], item["kind"])
        items.append(
            {
                "kind": item["kind"],
                "question": question,
                "text": text,
                "short": short,
                "lang": lang,
                "at": clock,
                "at_text": _hhmm(clock) if clock else "",
                "minutes": item["minutes"],
                "minutes_text": labels.minutes % {"minutes": item["minutes"]},
            }
        )
        if clock is not None:
            clock += datetime.timedelta(minutes=item["minutes"])
    return items


def decorate(session, zone, labels=None, page_prefix=None):
    """Attach what the templates, feeds, PDF and API show, computed once per session, so that the
    templates only print (a big agenda's render time is in the template engine otherwise)."""
    labels = labels or Labels()
    session.local_start = session.start.astimezone(zone) if session.start else None
    session.local_end = session.end.astimezone(zone) if session.end else None
    session.time_text = ""
    if session.local_start:
        session.time_text = _hhmm(session.local_start)
        if session.local_end:
            session.time_text += "–" + _hhmm(session.local_end)
    session.kind_label = labels.kind.get(session.kind, session.kind)
    session.place = ", ".join(part for part in (session.room, session.venue) if part)
    session.title_lang = content_lang(session, "title")
    session.page_url = f"{page_prefix}{session.slug}/" if page_prefix else session_url(session)
    if session.round_table_id:
        round_table = session.round_table
        session.round_table_label = labels.round_table % {"code": round_table.code}
        session.round_table_title_lang = content_lang(round_table, "title")
        key = (session.forum_id, round_table.code)
        if key not in labels.round_table_urls:
            labels.round_table_urls[key] = reverse(
                "roundtables:detail", kwargs={"forum": session.forum.slug, "code": round_table.code}
            )
        session.round_table_url = labels.round_table_urls[key]
    session.people = [
        {"role": row[0], "label": labels.role.get(row[0], row[0]), "name": name, "organisation": organisation}
        for row in session.role_rows
        for name, organisation in [role_person(row)]
    ]
    session.running_order = running_order(session, zone, labels)
    session.changes_shown = [
        {"change": change, "at": change.changed_at.astimezone(zone)} for change in session.public_changes
    ]
    return session


def agenda_days(sessions):
    """([{"date", "rooms": [{"room", "sessions"}]}], undated sessions); rooms in order of first start."""
    days, undated = {}, []
    for session in sessions:
        if session.local_start is None:
            undated.append(session)
            continue
        days.setdefault(session.local_start.date(), {}).setdefault(session.room, []).append(session)
    result = []
    for day in sorted(days):
        rooms = sorted(days[day].items(), key=lambda pair: (pair[0] == "", pair[1][0].local_start, pair[0]))
        result.append({"date": day, "rooms": [{"room": room, "sessions": items} for room, items in rooms]})
    return result, undated


def decorated(sessions, forum, round_tables=None):
    """The sessions of ``forum`` (a queryset or list) with their agenda loaded and decorated, in a list.

    ``round_tables``: the forum's round tables when the caller has them already (else one query)."""
    zone, labels = forum.zone(), Labels()
    prefix = session_url_prefix(forum)
    sessions = load_agenda(sessions)
    missing = [s for s in sessions if s.round_table_id and not Session.round_table.is_cached(s)]
    if missing:
        if round_tables is None:
            round_tables = RoundTable.objects.filter(forum=forum)
        by_id = {round_table.pk: round_table for round_table in round_tables}
        for session in missing:
            session.round_table = by_id.get(session.round_table_id)
    for session in sessions:
        if session.forum_id == forum.pk:
            session.forum = forum
    return [decorate(session, zone, labels, prefix) for session in sessions]


def session_url_prefix(forum):
    """The address of the forum's sessions' pages up to the session's slug."""
    return reverse("roundtables:agenda-session", kwargs={"forum": forum.slug, "slug": "x"}).removesuffix("x/")


def session_url(session):
    return reverse("roundtables:agenda-session", kwargs={"forum": session.forum.slug, "slug": session.slug})


# --- Pages ------------------------------------------------------------------------------------------


class AgendaPage(TemplateView):
    """A forum's published agenda by day, then room (the current forum without a slug); or one round table's."""

    template_name = "roundtables/agenda/agenda.html"

    def get_context_data(self, **kwargs):
        forum = forum_or_404(kwargs.pop("forum", None))
        round_tables = list(RoundTable.objects.filter(forum=forum).order_by("position", "code"))
        round_table = None
        if "code" in kwargs:
            code = kwargs.pop("code")
            round_table = next((rt for rt in round_tables if rt.code == code), None)
            if round_table is None:
                raise Http404("No such round table.")
        sessions = decorated(published_sessions(forum, round_table=round_table), forum, round_tables)
        days, undated = agenda_days(sessions)
        # The whole forum's agenda names guiding questions by number (their texts on the round
        # table's agenda and the session's page): hundreds of sessions repeat the same texts.
        short_steps, words = round_table is None, Words()
        for day in days:
            for room in day["rooms"]:
                for session in room["sessions"]:
                    session.block = session_block(session, words=words, level=4, short_steps=short_steps)
        for session in undated:
            session.block = session_block(session, words=words, level=3, short_steps=short_steps, undated_section=True)
        return super().get_context_data(
            forum=forum,
            round_table=round_table,
            sessions=sessions,
            days=days,
            undated=undated,
            round_tables=round_tables,
            feeds=self.feeds(forum, round_tables, round_table),
            time_zone=forum.time_zone,
            **kwargs,
        )

    def feeds(self, forum, round_tables, current):
        """Every public calendar feed of the forum, as absolute addresses to copy into a calendar."""
        build = self.request.build_absolute_uri
        listed = [
            {
                "label": _("The whole forum"),
                "url": build(reverse("roundtables:agenda-ics", kwargs={"forum": forum.slug})),
                "current": current is None,
            }
        ]
        for rt in round_tables:
            listed.append(
                {
                    "label": _("Round table %(code)s") % {"code": rt.code},
                    "url": build(
                        reverse("roundtables:agenda-round-table-ics", kwargs={"forum": forum.slug, "code": rt.code})
                    ),
                    "current": current is not None and current.pk == rt.pk,
                }
            )
        return listed


class SessionPage(TemplateView):
    """One session: a draft is a 404 to everyone but staff."""

    template_name = "roundtables/agenda/session.html"

    def get_context_data(self, **kwargs):
        forum = forum_or_404(kwargs.pop("forum"))
        session = with_agenda(Session.objects.filter(forum=forum, slug=kwargs.pop("slug"))).first()
        if session is None or not can(self.request.user, "roundtables.view_session", session):
            raise Http404("No such session.")
        [session] = decorated([session], forum)
        return super().get_context_data(forum=forum, session=session, time_zone=forum.time_zone, **kwargs)


# --- Calendar feeds -------------------------------------------------------------------------------


def _calendar_response(body, filename):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class ForumFeed(View):
    """The whole forum's published, dated sessions (public; the anonymous page cache may keep it)."""

    def get(self, request, forum, code=None):
        forum = forum_or_404(forum)
        round_table = get_object_or_404(RoundTable, forum=forum, code=code) if code else None
        sessions = decorated(published_sessions(forum, round_table=round_table), forum)
        if round_table is None:
            name = str(forum.title)
            filename = f"{forum.slug}.ics"
        else:
            name = f"{forum.title} – " + _("Round table %(code)s") % {"code": round_table.code}
            filename = f"{forum.slug}-{round_table.code}.ics"
        body = feeds.calendar(
            sessions, name=name, time_zone=forum.time_zone, url_for=lambda s: request.build_absolute_uri(s.page_url)
        )
        return _calendar_response(body, filename)


class MyFeed(View):
    """A person's own sessions, through the secret key of their feed address; revoked or unknown: 404.

    Calendar applications fetch it without a session cookie, so the anonymous page cache would
    take it: it is marked exempt (never stored), and answered ``no-store``.
    """

    def get(self, request, key):
        token = (
            CalendarFeedToken.objects.select_related("person")
            .filter(key=key, revoked_at__isnull=True, person__is_active=True)
            .first()
        )
        if token is None:
            raise Http404("No such calendar feed.")
        labels = Labels()
        sessions = [
            decorate(session, session.forum.zone(), labels) for session in load_agenda(sessions_of(token.person))
        ]
        body = feeds.calendar(
            sessions,
            name=_("My GFMD sessions"),
            time_zone=sessions[0].forum.time_zone if sessions else settings.TIME_ZONE,
            url_for=lambda s: request.build_absolute_uri(s.page_url),
        )
        response = _calendar_response(body, "my-sessions.ics")
        response.page_cache_exempt = True
        return no_store(response)


# --- The printable programme ----------------------------------------------------------------------


class ProgrammePdf(View):
    """The published agenda as a PDF, in the language of the URL (/en/ or /fr/; /es/ shows English texts)."""

    def get(self, request, forum):
        forum = forum_or_404(forum)
        sessions = decorated(published_sessions(forum), forum)
        days, undated = agenda_days(sessions)
        try:
            pdf = programme_pdf.render(forum=forum, days=days, undated=undated, generated=timezone.now())
        except programme_pdf.PdfUnavailable as error:
            logger.error("programme PDF unavailable: %s", error)
            response = render(request, "roundtables/agenda/pdf_unavailable.html", {"forum": forum}, status=503)
            response["Retry-After"] = "3600"
            return response
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{forum.slug}-programme-{get_language()}.pdf"'
        return response


# --- A person's private feed address --------------------------------------------------------------


class MyCalendarFeed(LoginRequiredMixin, View):
    """Shows the person's private feed address; POST creates, replaces or revokes it."""

    template_name = "roundtables/agenda/my_feed.html"

    def get(self, request):
        token = feeds.active_token(request.user)
        url = (
            request.build_absolute_uri(reverse("roundtables:agenda-my-ics", kwargs={"key": token.key}))
            if token
            else None
        )
        return no_store(
            render(
                request,
                self.template_name,
                {"token": token, "feed_url": url, "session_count": sessions_of(request.user).count()},
            )
        )

    def post(self, request):
        action = request.POST.get("action")
        if action in ("create", "regenerate"):
            feeds.issue_token(person=request.user)
            if action == "create":
                messages.success(request, _("Your private calendar address is ready."))
            else:
                messages.success(request, _("You have a new calendar address; the old one no longer works."))
        elif action == "revoke":
            if feeds.revoke_tokens(person=request.user):
                messages.success(request, _("Your calendar address is revoked; calendars using it get nothing more."))
            else:
                messages.info(request, _("You had no calendar address to revoke."))
        else:
            messages.error(request, _("Unknown action; nothing was changed."))
        return redirect("roundtables:my-calendar-feed")
