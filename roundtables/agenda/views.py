"""The public agenda: pages by day and room and per round table, a session's page, the calendar
feeds (the whole forum, one round table, a person's own sessions through a private URL), the
printable programme, and the page where a person manages their private feed address.

The public sees published sessions only: a draft is a 404 to everyone but co-chair staff (with a
second factor) on every surface. What they show is read by ``agenda.queries``.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from common.http import no_store
from roundtables.agenda import feeds, pdf, services
from roundtables.agenda.blocks import Words, session_blocks
from roundtables.agenda.queries import (
    absolute_url,
    active_token,
    agenda_of,
    agenda_session,
    agenda_sessions,
    published_sessions,
    sessions_of,
    with_agenda,
)
from roundtables.models import CalendarFeedToken, RoundTable, Session
from roundtables.programme.queries import forum_or_404
from stakeholders.permissions import can

logger = logging.getLogger(__name__)

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
        agenda = agenda_of(forum, round_table=round_table, round_tables=round_tables)
        # The whole forum's agenda names guiding questions by number (their texts on the round
        # table's agenda and the session's page): hundreds of sessions repeat the same texts.
        options = {"words": Words(), "short_steps": round_table is None}
        # Each room's sessions printed in Python (agenda/blocks.py): the template places them.
        days = [
            {
                "date": day.date,
                "rooms": [
                    {"room": room.room, "blocks": session_blocks(room.sessions, level=4, **options)}
                    for room in day.rooms
                ],
            }
            for day in agenda.days
        ]
        return super().get_context_data(
            forum=forum,
            round_table=round_table,
            days=days,
            undated=agenda.undated,
            undated_blocks=session_blocks(agenda.undated, level=3, undated_section=True, **options),
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
        return super().get_context_data(
            forum=forum,
            session=session,
            agenda_session=agenda_session(session, forum),
            time_zone=forum.time_zone,
            **kwargs,
        )


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
        entries = agenda_sessions(published_sessions(forum, round_table=round_table), forum)
        if round_table is None:
            name = str(forum.title)
            filename = f"{forum.slug}.ics"
        else:
            name = f"{forum.title} – " + _("Round table %(code)s") % {"code": round_table.code}
            filename = f"{forum.slug}-{round_table.code}.ics"
        absolute = absolute_url(request)
        body = feeds.calendar(
            entries,
            name=name,
            time_zone=forum.time_zone,
            url_for=lambda entry: absolute(entry.page_url),
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
        entries = agenda_sessions(sessions_of(token.person))
        absolute = absolute_url(request)
        body = feeds.calendar(
            entries,
            name=_("My GFMD sessions"),
            time_zone=entries[0].session.forum.time_zone if entries else settings.TIME_ZONE,
            url_for=lambda entry: absolute(entry.page_url),
        )
        response = _calendar_response(body, "my-sessions.ics")
        response.page_cache_exempt = True
        return no_store(response)


# --- The printable programme ----------------------------------------------------------------------


class ProgrammePdf(View):
    """The published agenda as a PDF, in the language of the URL (/en/ or /fr/; /es/ shows English texts)."""

    def get(self, request, forum):
        forum = forum_or_404(forum)
        agenda = agenda_of(forum)
        try:
            body = pdf.render(forum=forum, agenda=agenda, generated=timezone.now())
        except pdf.PdfUnavailable as error:
            logger.error("programme PDF unavailable: %s", error)
            response = render(request, "roundtables/agenda/pdf_unavailable.html", {"forum": forum}, status=503)
            response["Retry-After"] = "3600"
            return response
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{forum.slug}-programme-{get_language()}.pdf"'
        return response


# --- A person's private feed address --------------------------------------------------------------


class MyCalendarFeed(LoginRequiredMixin, View):
    """Shows the person's private feed address; POST creates, replaces or revokes it."""

    template_name = "roundtables/agenda/my_feed.html"

    def get(self, request):
        token = active_token(request.user)
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
            services.issue_token(person=request.user)
            if action == "create":
                messages.success(request, _("Your private calendar address is ready."))
            else:
                messages.success(request, _("You have a new calendar address; the old one no longer works."))
        elif action == "revoke":
            if services.revoke_tokens(person=request.user):
                messages.success(request, _("Your calendar address is revoked; calendars using it get nothing more."))
            else:
                messages.info(request, _("You had no calendar address to revoke."))
        else:
            messages.error(request, _("Unknown action; nothing was changed."))
        return redirect("roundtables:my-calendar-feed")
