"""Who may do what with good practices (the Platform for Partnerships)."""

from practices.models import Practice
from stakeholders.permissions import acts_as_staff, has_verified_email, is_delegate_of, is_verified_delegate

EDITABLE = (Practice.Status.DRAFT, Practice.Status.CHANGES_REQUESTED)


def _editable(user, practice):
    """A draft or a practice sent back for changes, by a delegate of its government."""
    return practice is not None and practice.status in EDITABLE and is_delegate_of(user, practice.organisation_id)


def _visible(user, practice):
    return practice is not None and (
        practice.status == Practice.Status.PUBLISHED
        or acts_as_staff(user)
        or is_delegate_of(user, practice.organisation_id)
    )


RULES = {
    "practices.submit": lambda user, obj: is_verified_delegate(user) and has_verified_email(user),
    "practices.view": _visible,
    "practices.edit": _editable,
    "practices.submit_for_review": _editable,
    "practices.withdraw": lambda user, obj: (
        obj is not None and obj.status == Practice.Status.PUBLISHED and is_delegate_of(user, obj.organisation_id)
    ),
    "practices.review": lambda user, obj: acts_as_staff(user),
    "practices.export_all_statuses": lambda user, obj: acts_as_staff(user),
}
