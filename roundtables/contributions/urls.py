"""Contributions to round tables, their moderation, and rapporteurs' reports.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables.contributions import staff_views, views

urlpatterns = [
    # Participants contribute to a round table of the current forum; everyone reads accepted contributions.
    path("roundtables/<slug:forum>/<str:code>/contribute/", views.Contribute.as_view(), name="contribute"),
    path(
        "roundtables/<slug:forum>/<str:code>/contributions/",
        views.RoundTableContributions.as_view(),
        name="round-table-contributions",
    ),
    path("contributions/<int:pk>/", views.ContributionDetail.as_view(), name="contribution-detail"),
    # A person's own contributions (any status, with the reason of a rejection).
    path("accounts/contributions/", views.MyContributions.as_view(), name="my-contributions"),
    # Co-chair staff moderate (under /staff/: the second factor is required first).
    path("staff/contributions/", staff_views.ContributionQueue.as_view(), name="staff-contributions"),
    # A session's rapporteurs (and staff) write its report, one text per language.
    path("sessions/<slug:slug>/report/", views.SessionReport.as_view(), name="session-report"),
]
