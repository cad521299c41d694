"""Who may do what with the forum programme: registration, agendas, contributions, reports."""

from roundtables.models import Session, SessionRole
from stakeholders.permissions import acts_as_staff, has_verified_email


def _has_session_role(user, session, role):
    """``user`` holds ``role`` (e.g. a rapporteur) in ``session``."""
    return bool(
        session is not None and user.is_authenticated and session.roles.filter(person_id=user.pk, role=role).exists()
    )


RULES = {
    # Registration for sessions.
    "roundtables.register": lambda user, obj: user.is_authenticated and has_verified_email(user),
    "roundtables.manage_registrations": lambda user, obj: acts_as_staff(user),
    # The programme: co-chair staff create and edit forums, round tables and questions (programme/editor.py).
    "roundtables.edit_programme": lambda user, obj: acts_as_staff(user),
    # Agendas: staff curate sessions; the public sees published sessions only.
    "roundtables.curate_agenda": lambda user, obj: acts_as_staff(user),
    "roundtables.view_session": lambda user, obj: (
        obj is not None and (obj.status == Session.Status.PUBLISHED or acts_as_staff(user))
    ),
    # Contributions: participants with a verified email contribute; staff moderate; a session's
    # rapporteur (or staff) writes its report.
    "roundtables.contribute": lambda user, obj: user.is_authenticated and has_verified_email(user),
    "roundtables.moderate_contributions": lambda user, obj: acts_as_staff(user),
    "roundtables.write_report": lambda user, obj: (
        acts_as_staff(user) or (has_verified_email(user) and _has_session_role(user, obj, SessionRole.Role.RAPPORTEUR))
    ),
}
