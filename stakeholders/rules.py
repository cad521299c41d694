"""Who may do what with delegate requests, invitations, profiles and the audit trail."""

from stakeholders.permissions import acts_as_staff, has_verified_email, is_verified_delegate


def _owns_request(user, delegate_request):
    return delegate_request is not None and delegate_request.user_id == user.pk


RULES = {
    # Participants with a verified email may ask to be recognised as a government delegate.
    "stakeholders.request_delegate_status": lambda user, obj: (
        user.is_authenticated and has_verified_email(user) and not is_verified_delegate(user)
    ),
    "stakeholders.view_delegate_request": lambda user, obj: acts_as_staff(user) or _owns_request(user, obj),
    "stakeholders.view_all_delegate_requests": lambda user, obj: acts_as_staff(user),
    "stakeholders.review_delegate_requests": lambda user, obj: acts_as_staff(user),
    "stakeholders.invite_delegate": lambda user, obj: acts_as_staff(user),
    "stakeholders.view_audit_trail": lambda user, obj: acts_as_staff(user),
    "stakeholders.view_staff_home": lambda user, obj: acts_as_staff(user),
    "stakeholders.edit_profile": lambda user, obj: user.is_authenticated,
}
