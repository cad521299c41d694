"""Who may do what: the one place that states the portal's roles and permissions.

Views, the API and admin actions ask ``can(user, permission, obj)``; nothing else looks at
groups or flags. Nobody gains a role by claiming it: a self-registered account is a
participant, "verified delegate" is granted by co-chair staff, "co-chair staff" is a group
that only administrators assign.
"""

from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q

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


def with_person(users):
    """``users`` (a User queryset) with what most pages and actions ask about a person, in the same
    query: their profile (with its organisation), whether one of their email addresses is verified,
    and whether they belong to the co-chair staff group. The sign-in backends load the signed-in
    user this way (stakeholders.backends), so these cost no query of their own."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    return users.select_related("profile__organisation").annotate(
        gfmd_verified_email=Exists(EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)),
        gfmd_staff_group=Exists(Group.objects.filter(user=OuterRef("pk"), name=STAFF_GROUP)),
    )


def _person(user):
    """{"profile", "verified_email", "staff"} of a signed-in user: read with the user when it was
    loaded ``with_person``, else in one query, once per user object."""

    def load():
        from django.contrib.auth import get_user_model

        row = user if hasattr(user, "gfmd_verified_email") else None
        if row is None:
            row = with_person(get_user_model()._default_manager.filter(pk=user.pk)).first()
        if row is None:
            return {"profile": None, "verified_email": False, "staff": False}
        try:
            profile = row.profile
        except ObjectDoesNotExist:
            profile = None
        return {"profile": profile, "verified_email": row.gfmd_verified_email, "staff": row.gfmd_staff_group}

    return _cached(user, "person", load)


def is_staff_member(user):
    """Co-chair staff (administrators count as staff)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_administrator(user) or _person(user)["staff"]


def has_verified_email(user):
    if not user.is_authenticated:
        return False
    return _person(user)["verified_email"]


def profile_of(user):
    if not user.is_authenticated:
        return None
    return _person(user)["profile"]


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


def focal_point_government(user):
    """The id of the government this user is the focal point of, or None. Appointed by staff, it
    counts only while the person is a verified delegate of that very government."""
    profile = profile_of(user)
    if not (is_verified_delegate(user) and profile.focal_point_for_id):
        return None
    return profile.focal_point_for_id if profile.focal_point_for_id == profile.organisation_id else None


def needs_second_factor(user):
    """Staff, administrators and focal points must have a second factor before any staff page."""
    return (is_staff_member(user) or focal_point_government(user) is not None) and not has_second_factor(user)


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


def acts_as_focal_point_of(user, organisation_id):
    """A focal point of this government, with a second factor (as staff need one)."""
    government = focal_point_government(user)
    return government is not None and government == organisation_id and has_second_factor(user)


def acts_as_focal_point(user):
    """A focal point of some government, with a second factor."""
    government = focal_point_government(user)
    return government is not None and has_second_factor(user)


def is_delegate_of(user, organisation_id):
    """A verified delegate of this (government) organisation."""
    profile = profile_of(user)
    return bool(is_verified_delegate(user) and profile.organisation_id == organisation_id)


# permission name -> predicate(user, obj). Each app writes its own rules in its rules.py and adds
# them from its AppConfig.ready() with add_rules(); this module spells no app's statuses.
RULES = {}


def add_rules(rules):
    """Add an app's ``{"app.action": predicate(user, obj)}``; a name given twice is a mistake."""
    for name, predicate in rules.items():
        if RULES.get(name, predicate) is not predicate:
            raise ImproperlyConfigured(f"The permission {name!r} is defined twice")
        RULES[name] = predicate


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
