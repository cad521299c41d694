"""Who may do what with delegate requests, invitations, organisations, focal points, profiles and
the audit trail."""

from stakeholders.permissions import (
    acts_as_focal_point,
    acts_as_focal_point_of,
    acts_as_staff,
    has_verified_email,
    is_verified_delegate,
)


def _owns_request(user, delegate_request):
    return delegate_request is not None and delegate_request.user_id == user.pk


def _focal_point_for_request(user, delegate_request):
    # A focal point reviews the requests of their own government only, never their own request.
    return (
        delegate_request is not None
        and delegate_request.user_id != user.pk
        and acts_as_focal_point_of(user, delegate_request.organisation_id)
    )


def _may_decide(user, delegate_request):
    """Staff decide any request; a focal point their government's. (Which decided request may be
    decided again, by whom, is the service's to say: staff may change a focal point's decision.)"""
    if acts_as_staff(user):
        return True
    if delegate_request is None:
        return acts_as_focal_point(user)
    return _focal_point_for_request(user, delegate_request)


RULES = {
    # Participants with a verified email may ask to be recognised as a government delegate.
    "stakeholders.request_delegate_status": lambda user, obj: (
        user.is_authenticated and has_verified_email(user) and not is_verified_delegate(user)
    ),
    "stakeholders.view_delegate_request": lambda user, obj: (
        acts_as_staff(user) or _owns_request(user, obj) or _focal_point_for_request(user, obj)
    ),
    "stakeholders.view_all_delegate_requests": lambda user, obj: acts_as_staff(user),
    # The queue (obj None) and the decision on one request (obj).
    "stakeholders.review_delegate_requests": _may_decide,
    "stakeholders.invite_delegate": lambda user, obj: acts_as_staff(user),
    "stakeholders.view_audit_trail": lambda user, obj: acts_as_staff(user),
    "stakeholders.view_staff_home": lambda user, obj: acts_as_staff(user),
    "stakeholders.edit_profile": lambda user, obj: user.is_authenticated,
    # Proposed organisations: approve, merge, reject.
    "stakeholders.review_organisations": lambda user, obj: acts_as_staff(user),
    "stakeholders.appoint_focal_points": lambda user, obj: acts_as_staff(user),
}
