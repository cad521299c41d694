"""The public agenda: pages by day, room and round table, calendar feeds, the printable programme.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables import agenda_views as agenda

urlpatterns = [
    # The agenda of the current forum, of a given forum, of one round table; a session's page.
    path("agenda/", agenda.AgendaPage.as_view(), name="agenda"),
    path("agenda/<slug:forum>/", agenda.AgendaPage.as_view(), name="agenda-forum"),
    path("agenda/<slug:forum>/round-tables/<str:code>/", agenda.AgendaPage.as_view(), name="agenda-round-table"),
    path("agenda/<slug:forum>/sessions/<slug:slug>/", agenda.SessionPage.as_view(), name="agenda-session"),
    # Calendar feeds: public ones, and a person's own through a secret, revocable key.
    path("agenda/<slug:forum>/calendar.ics", agenda.ForumFeed.as_view(), name="agenda-ics"),
    path(
        "agenda/<slug:forum>/round-tables/<str:code>/calendar.ics",
        agenda.ForumFeed.as_view(),
        name="agenda-round-table-ics",
    ),
    path("agenda/feeds/my/<slug:key>.ics", agenda.MyFeed.as_view(), name="agenda-my-ics"),
    # The printable programme, in the language of the address.
    path("agenda/<slug:forum>/programme.pdf", agenda.ProgrammePdf.as_view(), name="agenda-pdf"),
    # The person's private feed address: shown, replaced or revoked.
    path("accounts/calendar/", agenda.MyCalendarFeed.as_view(), name="my-calendar-feed"),
]
