"""Who may do what: the one place that states the portal's roles and permissions.

Views, the API and admin actions ask ``can(user, permission, obj)``; nothing else looks at
groups or flags. Nobody gains a role by claiming it: a self-registered account is a
participant, "verified delegate" is granted by co-chair staff, "co-chair staff" is a group
that only administrators assign.
"""

from enum import StrEnum

from django.conf import settings
from django.db.models import Q

STAFF_GROUP = "Co-chair staff"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    PARTICIPANT = "participant"
    DELEGATE = "delegate"
    STAFF = "staff"
    ADMINISTRATOR = "administrator"


def _cached(user, name, compute):
    # Roles are asked several times per request; compute each once per user object.
    cache = user.__dict__.setdefault("_gfmd_roles", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def is_administrator(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def is_staff_member(user):
    """Co-chair staff (administrators count as staff)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_administrator(user) or _cached(user, "staff", lambda: user.groups.filter(name=STAFF_GROUP).exists())


def has_verified_email(user):
    if not user.is_authenticated:
        return False
    return _cached(user, "verified_email", lambda: user.emailaddress_set.filter(verified=True).exists())


def profile_of(user):
    from stakeholders.models import Profile

    if not user.is_authenticated:
        return None
    return _cached(user, "profile", lambda: Profile.objects.filter(user=user).select_related("organisation").first())


def is_verified_delegate(user):
    profile = profile_of(user)
    return bool(profile and profile.delegate_status == profile.DelegateStatus.VERIFIED)


def roles_of(user):
    """Every role the user holds, e.g. {PARTICIPANT, DELEGATE}."""
    if not (user.is_authenticated and user.is_active):
        return {Role.ANONYMOUS}
    roles = {Role.PARTICIPANT}
    if is_verified_delegate(user):
        roles.add(Role.DELEGATE)
    if is_staff_member(user):
        roles.add(Role.STAFF)
    if is_administrator(user):
        roles.add(Role.ADMINISTRATOR)
    return roles


def needs_second_factor(user):
    """Staff and administrators must have a second factor before any staff page."""
    return is_staff_member(user) and not has_second_factor(user)


def has_second_factor(user):
    from allauth.mfa.models import Authenticator

    return _cached(
        user,
        "mfa",
        lambda: (
            Authenticator.objects.filter(user=user)
            .filter(Q(type=Authenticator.Type.TOTP) | Q(type=Authenticator.Type.WEBAUTHN))
            .exists()
        ),
    )


def acts_as_staff(user):
    """Staff powers need the second factor too, on every surface (not only under /staff/)."""
    return is_staff_member(user) and not needs_second_factor(user)


def _owns_request(user, delegate_request):
    return delegate_request is not None and delegate_request.user_id == user.pk


def is_delegate_of(user, organisation_id):
    """A verified delegate of this (government) organisation."""
    profile = profile_of(user)
    return bool(is_verified_delegate(user) and profile.organisation_id == organisation_id)


def _practice_editable(user, practice):
    return (
        practice is not None
        and practice.status in ("draft", "changes_requested")
        and is_delegate_of(user, practice.organisation_id)
    )


def _practice_visible(user, practice):
    return practice is not None and (
        practice.status == "published" or acts_as_staff(user) or is_delegate_of(user, practice.organisation_id)
    )


def _has_session_role(user, session, role):
    """``user`` holds ``role`` (e.g. "rapporteur") in ``session`` (a roundtables Session)."""
    return bool(
        session is not None and user.is_authenticated and session.roles.filter(person_id=user.pk, role=role).exists()
    )


# permission name -> predicate(user, obj)
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
    "stakeholders.edit_profile": lambda user, obj: user.is_authenticated,
    # The forum programme (roundtables): registration for sessions.
    "roundtables.register": lambda user, obj: user.is_authenticated and has_verified_email(user),
    "roundtables.manage_registrations": lambda user, obj: acts_as_staff(user),
    # Agendas: staff curate sessions; the public sees published sessions only.
    "roundtables.curate_agenda": lambda user, obj: acts_as_staff(user),
    "roundtables.view_session": lambda user, obj: (
        obj is not None and (obj.status == "published" or acts_as_staff(user))
    ),
    # Contributions: participants with a verified email contribute; staff moderate; a session's
    # rapporteur (or staff) writes its report.
    "roundtables.contribute": lambda user, obj: user.is_authenticated and has_verified_email(user),
    "roundtables.moderate_contributions": lambda user, obj: acts_as_staff(user),
    "roundtables.write_report": lambda user, obj: (
        acts_as_staff(user) or (has_verified_email(user) and _has_session_role(user, obj, "rapporteur"))
    ),
    # The Platform for Partnerships (practices).
    "practices.submit": lambda user, obj: is_verified_delegate(user) and has_verified_email(user),
    "practices.view": _practice_visible,
    "practices.edit": _practice_editable,
    "practices.submit_for_review": _practice_editable,
    "practices.withdraw": lambda user, obj: (
        obj is not None and obj.status == "published" and is_delegate_of(user, obj.organisation_id)
    ),
    "practices.review": lambda user, obj: acts_as_staff(user),
    "practices.export_all_statuses": lambda user, obj: acts_as_staff(user),
    # The presidential declaration: staff compile, edit, see drafts and publish; everyone reads
    # the published declaration.
    "declarations.compile": lambda user, obj: acts_as_staff(user),
    "declarations.edit": lambda user, obj: acts_as_staff(user),
    "declarations.view_drafts": lambda user, obj: acts_as_staff(user),
    "declarations.publish": lambda user, obj: acts_as_staff(user),
}


def can(user, permission, obj=None):
    """True when ``user`` may do ``permission`` (on ``obj``). Unknown permissions are refused."""
    rule = RULES.get(permission)
    if rule is None:
        if settings.DEBUG:
            raise KeyError(f"Unknown permission {permission!r}")
        return False
    return bool(rule(user, obj))


class PermissionRequiredMixin:
    """Views state what they need: ``permission = "app.action"``.

    Anonymous visitors are sent to sign in; a signed-in person without the permission gets
    a 403 for a page that exists for everyone to know about. Object views scope their
    querysets so that an object someone may not see is a 404 instead.
    """

    permission = None

    def get_permission_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied

        if not can(request.user, self.permission, self.get_permission_object()):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
