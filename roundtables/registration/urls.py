"""Registration for sessions: the participant's pages, their own registrations, the staff's pages.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables.registration import staff_views, views

urlpatterns = [
    # Registration for the current forum's sessions; the common space has a short address.
    path("common-space/", views.SessionRegistrationPage.as_view(), name="common-space"),
    path("common-space/register/", views.SessionRegister.as_view(), name="common-space-register"),
    path(
        "sessions/<slug:slug>/registration/",
        views.SessionRegistrationPage.as_view(),
        name="session-registration",
    ),
    path(
        "sessions/<slug:slug>/registration/register/",
        views.SessionRegister.as_view(),
        name="session-register",
    ),
    # A person's own registrations.
    path("accounts/registrations/", views.MyRegistrations.as_view(), name="my-registrations"),
    path(
        "accounts/registrations/<int:pk>/cancel/",
        views.RegistrationCancel.as_view(),
        name="registration-cancel",
    ),
    path(
        "accounts/registrations/<int:pk>/calendar.ics",
        views.RegistrationCalendar.as_view(),
        name="registration-ics",
    ),
    path("accounts/registrations/<int:pk>/qr.svg", views.RegistrationQr.as_view(), name="registration-qr"),
    # Co-chair staff (under /staff/: the second factor is required first).
    path(
        "staff/sessions/<slug:slug>/registration/",
        staff_views.StaffRegistrationPolicy.as_view(),
        name="staff-registration-policy",
    ),
    path(
        "staff/sessions/<slug:slug>/registrations/",
        staff_views.StaffRegistrations.as_view(),
        name="staff-registrations",
    ),
    path(
        "staff/sessions/<slug:slug>/registrations.csv",
        staff_views.StaffRegistrationsCsv.as_view(),
        name="staff-registrations-csv",
    ),
    path("staff/sessions/<slug:slug>/check-in/", staff_views.StaffCheckIn.as_view(), name="staff-check-in"),
    path("staff/sessions/<slug:slug>/badges/", staff_views.StaffBadges.as_view(), name="staff-badges"),
    path("staff/badges/<int:pk>/", staff_views.StaffBadgeJob.as_view(), name="staff-badge-job"),
    path("staff/badges/<int:pk>/badges.pdf", staff_views.StaffBadgeJobPdf.as_view(), name="staff-badge-job-pdf"),
]
