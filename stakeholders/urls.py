from django.urls import path

from stakeholders import views

app_name = "stakeholders"

urlpatterns = [
    # A person's own account: profile, delegate verification.
    path("accounts/", views.AccountHome.as_view(), name="account"),
    path("accounts/profile/", views.ProfileEdit.as_view(), name="profile"),
    path("accounts/delegate/", views.DelegateRequestCreate.as_view(), name="delegate-request"),
    path("accounts/delegate/<int:pk>/", views.DelegateRequestDetail.as_view(), name="delegate-request-detail"),
    path("accounts/delegate/<int:pk>/note/", views.DelegateRequestNote.as_view(), name="delegate-request-note"),
    path("delegates/invitation/<str:token>/", views.AcceptInvitation.as_view(), name="accept-invitation"),
    # Co-chair staff (and, for the delegate requests of their government, focal points): what
    # waits for them, then each queue.
    path("staff/", views.StaffHome.as_view(), name="staff-home"),
    path("staff/delegate-requests/", views.StaffDelegateQueue.as_view(), name="staff-delegate-queue"),
    path("staff/delegate-requests/<int:pk>/decide/", views.StaffDelegateDecide.as_view(), name="staff-delegate-decide"),
    path("staff/invitations/", views.StaffInvitations.as_view(), name="staff-invitations"),
    path("staff/audit/", views.AuditTrail.as_view(), name="staff-audit"),
    path("staff/organisations/", views.StaffOrganisationQueue.as_view(), name="staff-organisations"),
    path("staff/organisations/<int:pk>/", views.StaffOrganisationReview.as_view(), name="staff-organisation-review"),
    path("staff/focal-points/", views.StaffFocalPoints.as_view(), name="staff-focal-points"),
    path("staff/focal-points/<int:pk>/remove/", views.StaffFocalPointRemove.as_view(), name="staff-focal-point-remove"),
]
