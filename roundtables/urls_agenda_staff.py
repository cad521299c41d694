"""Agenda curation for co-chair staff (under /staff/: the second factor is required first).

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables import agenda_staff_views as views

urlpatterns = [
    # The current forum's sessions, and a new one.
    path("staff/agenda/", views.AgendaOverview.as_view(), name="staff-agenda"),
    path("staff/agenda/new/", views.SessionCreate.as_view(), name="staff-agenda-create"),
    # One session: its editor (details), publication.
    path("staff/agenda/<slug:slug>/", views.SessionEditor.as_view(), name="staff-agenda-session"),
    path("staff/agenda/<slug:slug>/publish/", views.SessionPublish.as_view(), name="staff-agenda-publish"),
    # Its people with roles.
    path("staff/agenda/<slug:slug>/roles/", views.RoleAdd.as_view(), name="staff-agenda-role-add"),
    path("staff/agenda/<slug:slug>/roles/<int:pk>/", views.RoleChange.as_view(), name="staff-agenda-role-change"),
    path(
        "staff/agenda/<slug:slug>/roles/<int:pk>/remove/",
        views.RoleRemove.as_view(),
        name="staff-agenda-role-remove",
    ),
    # Its running order.
    path("staff/agenda/<slug:slug>/items/", views.ItemAdd.as_view(), name="staff-agenda-item-add"),
    path("staff/agenda/<slug:slug>/items/order/", views.ItemsReorder.as_view(), name="staff-agenda-items-reorder"),
    path("staff/agenda/<slug:slug>/items/default/", views.ItemsDefault.as_view(), name="staff-agenda-items-default"),
    path("staff/agenda/<slug:slug>/items/<int:pk>/", views.ItemChange.as_view(), name="staff-agenda-item-change"),
    path("staff/agenda/<slug:slug>/items/<int:pk>/move/", views.ItemMove.as_view(), name="staff-agenda-item-move"),
    path(
        "staff/agenda/<slug:slug>/items/<int:pk>/remove/",
        views.ItemRemove.as_view(),
        name="staff-agenda-item-remove",
    ),
]
