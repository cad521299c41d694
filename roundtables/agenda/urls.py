"""The agenda: the public pages by day, room and round table, calendar feeds, the printable
programme; then the staff's curation.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables.agenda import staff_views as staff
from roundtables.agenda import views as agenda

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
    # Co-chair staff curate the agenda (under /staff/: the second factor is required first).
    # The current forum's sessions, and a new one.
    path("staff/agenda/", staff.AgendaOverview.as_view(), name="staff-agenda"),
    path("staff/agenda/new/", staff.SessionCreate.as_view(), name="staff-agenda-create"),
    # One session: its editor (details), publication.
    path("staff/agenda/<slug:slug>/", staff.SessionEditor.as_view(), name="staff-agenda-session"),
    path("staff/agenda/<slug:slug>/publish/", staff.SessionPublish.as_view(), name="staff-agenda-publish"),
    # Its people with roles.
    path("staff/agenda/<slug:slug>/roles/", staff.RoleAdd.as_view(), name="staff-agenda-role-add"),
    path("staff/agenda/<slug:slug>/roles/<int:pk>/", staff.RoleChange.as_view(), name="staff-agenda-role-change"),
    path(
        "staff/agenda/<slug:slug>/roles/<int:pk>/remove/",
        staff.RoleRemove.as_view(),
        name="staff-agenda-role-remove",
    ),
    # Its running order.
    path("staff/agenda/<slug:slug>/items/", staff.ItemAdd.as_view(), name="staff-agenda-item-add"),
    path("staff/agenda/<slug:slug>/items/order/", staff.ItemsReorder.as_view(), name="staff-agenda-items-reorder"),
    path("staff/agenda/<slug:slug>/items/default/", staff.ItemsDefault.as_view(), name="staff-agenda-items-default"),
    path("staff/agenda/<slug:slug>/items/<int:pk>/", staff.ItemChange.as_view(), name="staff-agenda-item-change"),
    path("staff/agenda/<slug:slug>/items/<int:pk>/move/", staff.ItemMove.as_view(), name="staff-agenda-item-move"),
    path(
        "staff/agenda/<slug:slug>/items/<int:pk>/remove/",
        staff.ItemRemove.as_view(),
        name="staff-agenda-item-remove",
    ),
]
