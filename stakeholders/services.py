"""Actions that change who takes part and in which role. Views, admin and tasks call these."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import outbox
from stakeholders import audit
from stakeholders.models import Constituency, DelegateInvitation, DelegateRequest, Organisation, Profile
from stakeholders.permissions import can

INVITATION_SALT = "stakeholders.delegate-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds


def _profile_snapshot(profile):
    return {
        "organisation": profile.organisation_id,
        "constituency": profile.constituency,
        "delegate_status": profile.delegate_status,
    }


@transaction.atomic
def save_profile(
    *,
    user,
    given_name=None,
    family_name=None,
    badge_name=None,
    organisation=None,
    proposed_organisation="",
    constituency,
    country="",
    position="",
    preferred_language=None,
    gender="",
):
    """Create or update a person's profile. A proposed organisation is created as 'proposed'.

    The given and family names are the user's first and last name; a name given as None is left as it
    is (callers that do not ask for names). The delegate status is never changed here: only staff grant it.
    """
    names = {"first_name": given_name, "last_name": family_name}
    changed = [field for field, value in names.items() if value is not None and getattr(user, field) != value.strip()]
    for field in changed:
        setattr(user, field, names[field].strip())
    if changed:
        user.save(update_fields=changed)
    if proposed_organisation and not organisation:
        organisation, _created = Organisation.objects.get_or_create(
            name=proposed_organisation.strip(),
            country=country or "",
            defaults={"constituency": constituency, "status": Organisation.Status.PROPOSED},
        )
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.organisation = organisation
    profile.constituency = constituency
    profile.country = country or ""
    profile.position = position
    profile.preferred_language = preferred_language or settings.LANGUAGE_CODE
    profile.gender = gender or ""
    if badge_name is not None:
        profile.badge_name = badge_name.strip()
    profile.save()
    return profile


@transaction.atomic
def request_delegate_status(*, user, organisation, justification, note_verbale=None):
    """A participant asks to be recognised as a delegate of a government organisation."""
    if not can(user, "stakeholders.request_delegate_status"):
        raise PermissionDenied
    if organisation.constituency != Constituency.GOVERNMENT:
        raise ValidationError(_("Only a government organisation has delegates."))
    if DelegateRequest.objects.filter(user=user, status=DelegateRequest.Status.PENDING).exists():
        raise ValidationError(_("You already have a request waiting for a decision."))
    delegate_request = DelegateRequest.objects.create(
        user=user, organisation=organisation, justification=justification, note_verbale=note_verbale or ""
    )
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.delegate_status = Profile.DelegateStatus.REQUESTED
    profile.save(update_fields=["delegate_status"])
    return delegate_request


def _grant_delegate(*, user, organisation, actor, action, obj):
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = _profile_snapshot(profile)
    profile.delegate_status = Profile.DelegateStatus.VERIFIED
    profile.organisation = organisation
    profile.constituency = Constituency.GOVERNMENT
    profile.save(update_fields=["delegate_status", "organisation", "constituency"])
    audit.record(actor=actor, action=action, obj=obj, before=before, after=_profile_snapshot(profile))
    return profile


@transaction.atomic
def decide_delegate_request(*, delegate_request, staff, approve, reason=""):
    """Staff approve or reject a pending request; the person is emailed the decision."""
    if not can(staff, "stakeholders.review_delegate_requests"):
        raise PermissionDenied
    delegate_request = DelegateRequest.objects.select_for_update().get(pk=delegate_request.pk)
    if delegate_request.status != DelegateRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for the rejection; the person will read it."))
    delegate_request.status = DelegateRequest.Status.APPROVED if approve else DelegateRequest.Status.REJECTED
    delegate_request.decided_by = staff
    delegate_request.decided_at = timezone.now()
    delegate_request.reason = reason.strip()
    delegate_request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    if approve:
        _grant_delegate(
            user=delegate_request.user,
            organisation=delegate_request.organisation,
            actor=staff,
            action="stakeholders.delegate_request.approved",
            obj=delegate_request,
        )
    else:
        profile, _created = Profile.objects.get_or_create(user=delegate_request.user)
        before = _profile_snapshot(profile)
        if profile.delegate_status != Profile.DelegateStatus.VERIFIED:
            profile.delegate_status = Profile.DelegateStatus.REJECTED
            profile.save(update_fields=["delegate_status"])
        audit.record(
            actor=staff,
            action="stakeholders.delegate_request.rejected",
            obj=delegate_request,
            before=before,
            after={**_profile_snapshot(profile), "reason": delegate_request.reason},
        )
    outbox.enqueue("stakeholders.tasks.send_delegate_decision", request_id=delegate_request.pk)
    return delegate_request


def invitation_token(invitation):
    return signing.TimestampSigner(salt=INVITATION_SALT).sign(str(invitation.pk))


def invitation_from_token(token):
    """The invitation a token names, or a ValidationError saying why it cannot be used."""
    try:
        pk = signing.TimestampSigner(salt=INVITATION_SALT).unsign(token, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This invitation has expired. Ask the co-chairs' staff for a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This invitation link is not valid.")) from None
    invitation = DelegateInvitation.objects.select_related("organisation").filter(pk=pk).first()
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    return invitation


@transaction.atomic
def invite_delegate(*, staff, email, organisation, language):
    """Staff invite a person by email to be a verified delegate of a government."""
    if not can(staff, "stakeholders.invite_delegate"):
        raise PermissionDenied
    if organisation.constituency != Constituency.GOVERNMENT:
        raise ValidationError(_("Only a government organisation has delegates."))
    invitation = DelegateInvitation.objects.create(
        email=email.strip().lower(), organisation=organisation, language=language, invited_by=staff
    )
    audit.record(
        actor=staff,
        action="stakeholders.delegate_invitation.sent",
        obj=invitation,
        after={"email": invitation.email, "organisation": organisation.pk},
    )
    outbox.enqueue("stakeholders.tasks.send_delegate_invitation", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def accept_invitation(*, token, user):
    """The invited person, signed in with the invited and verified address, becomes a delegate."""
    invitation = invitation_from_token(token)
    invitation = DelegateInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."))
    if not user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists():
        raise ValidationError(
            _("This invitation was sent to another address. Sign in with the address it was sent to.")
        )
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_by", "accepted_at"])
    _grant_delegate(
        user=user,
        organisation=invitation.organisation,
        actor=invitation.invited_by,
        action="stakeholders.delegate_invitation.accepted",
        obj=invitation,
    )
    return invitation


@transaction.atomic
def make_staff(*, email, password=None):
    """Make ``email`` an active co-chair staff account with a verified primary address: create it, or
    promote the account that has the address. ``password`` (already validated) is set when given.

    Repeatable: run again, it changes nothing more. Returns (user, created). The staff pages still
    ask for a second factor, which the person sets up when they first sign in."""
    from allauth.account.adapter import get_adapter
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from stakeholders.permissions import STAFF_GROUP

    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    address = EmailAddress.objects.select_related("user").filter(email__iexact=email).first()
    user = address.user if address else User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        # Sign-in is by email; the username is the address, as for accounts made in the tests' personas.
        taken = User.objects.filter(username=email).exists()
        user = User(username=get_adapter().generate_unique_username([email]) if taken else email, email=email)
        user.set_unusable_password()
    if password:
        user.set_password(password)
    user.is_active = True
    user.save()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=email, verified=True, primary=False)
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    if not address.primary:
        address.set_as_primary()
    Profile.objects.get_or_create(user=user)
    group = Group.objects.get_or_create(name=STAFF_GROUP)[0]
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        audit.record(actor=None, action="stakeholders.user.made_staff", obj=user, after={"group": STAFF_GROUP})
    return user, created
