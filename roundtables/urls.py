from django.urls import path

from roundtables import registration_views as registration
from roundtables import urls_agenda, urls_agenda_staff, urls_contributions
from roundtables.programme import urls as programme_urls

app_name = "roundtables"

urlpatterns = [
    *programme_urls.urlpatterns,
    # Registration for the current forum's sessions; the common space has a short address.
    path("common-space/", registration.SessionRegistrationPage.as_view(), name="common-space"),
    path("common-space/register/", registration.SessionRegister.as_view(), name="common-space-register"),
    path(
        "sessions/<slug:slug>/registration/",
        registration.SessionRegistrationPage.as_view(),
        name="session-registration",
    ),
    path(
        "sessions/<slug:slug>/registration/register/",
        registration.SessionRegister.as_view(),
        name="session-register",
    ),
    # A person's own registrations.
    path("accounts/registrations/", registration.MyRegistrations.as_view(), name="my-registrations"),
    path(
        "accounts/registrations/<int:pk>/cancel/",
        registration.RegistrationCancel.as_view(),
        name="registration-cancel",
    ),
    path(
        "accounts/registrations/<int:pk>/calendar.ics",
        registration.RegistrationCalendar.as_view(),
        name="registration-ics",
    ),
    path("accounts/registrations/<int:pk>/qr.svg", registration.RegistrationQr.as_view(), name="registration-qr"),
    # Co-chair staff (under /staff/: the second factor is required first).
    path(
        "staff/sessions/<slug:slug>/registration/",
        registration.StaffRegistrationPolicy.as_view(),
        name="staff-registration-policy",
    ),
    path(
        "staff/sessions/<slug:slug>/registrations/",
        registration.StaffRegistrations.as_view(),
        name="staff-registrations",
    ),
    path(
        "staff/sessions/<slug:slug>/registrations.csv",
        registration.StaffRegistrationsCsv.as_view(),
        name="staff-registrations-csv",
    ),
    path("staff/sessions/<slug:slug>/check-in/", registration.StaffCheckIn.as_view(), name="staff-check-in"),
]

# The agenda (public pages and feeds; staff curation) and contributions have modules of their own.
urlpatterns += urls_agenda.urlpatterns + urls_agenda_staff.urlpatterns + urls_contributions.urlpatterns
