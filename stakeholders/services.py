"""Actions that change who takes part and in which role. Views, admin and tasks call these."""

import csv
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import outbox
from stakeholders import audit
from stakeholders.models import Constituency, DelegateInvitation, DelegateRequest, Organisation, Profile
from stakeholders.permissions import acts_as_staff, can

INVITATION_SALT = "stakeholders.delegate-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600  # seconds
ORGANISATIONS_FILE = Path(__file__).resolve().parent / "data" / "organisations.csv"


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
    is (callers that do not ask for names). The delegate status is never changed here: only staff grant
    it. Nor is a verified delegate's government and constituency: they were verified (a focal point's
    powers follow them).
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
            defaults={
                "constituency": constituency,
                "status": Organisation.Status.PROPOSED,
                "proposed_by": user,
                "proposed_at": timezone.now(),
            },
        )
    profile, _created = Profile.objects.get_or_create(user=user)
    if profile.delegate_status != Profile.DelegateStatus.VERIFIED:
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


def _grant_delegate(*, user, organisation, actor, action, obj, extra=None):
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    before = _profile_snapshot(profile)
    if profile.organisation_id != organisation.pk:
        profile.focal_point_for = None  # a focal point of another government no longer is one
    profile.delegate_status = Profile.DelegateStatus.VERIFIED
    profile.organisation = organisation
    profile.constituency = Constituency.GOVERNMENT
    profile.save(update_fields=["delegate_status", "organisation", "constituency", "focal_point_for"])
    audit.record(
        actor=actor, action=action, obj=obj, before=before, after={**_profile_snapshot(profile), **(extra or {})}
    )
    return profile


@transaction.atomic
def decide_delegate_request(*, delegate_request, reviewer, approve, reason=""):
    """Staff, or the focal point of the request's government, approve or reject a pending request;
    the person is emailed the decision. Staff may change a focal point's decision (never the other
    way round): the last word is theirs, and a request they decided stays decided."""
    delegate_request = DelegateRequest.objects.select_for_update().get(pk=delegate_request.pk)
    if not can(reviewer, "stakeholders.review_delegate_requests", delegate_request):
        raise PermissionDenied
    new_status = DelegateRequest.Status.APPROVED if approve else DelegateRequest.Status.REJECTED
    previous = delegate_request.status
    overriding = previous != DelegateRequest.Status.PENDING
    # A decided request is reopened only by staff changing a focal point's decision (a second click
    # of the same decision, or a decision staff made, is refused).
    if overriding and not (
        delegate_request.decided_by_focal_point and new_status != previous and acts_as_staff(reviewer)
    ):
        raise ValidationError(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError(_("Give the reason for the rejection; the person will read it."))
    by_focal_point = not acts_as_staff(reviewer)
    delegate_request.status = new_status
    delegate_request.decided_by = reviewer
    delegate_request.decided_at = timezone.now()
    delegate_request.decided_by_focal_point = by_focal_point
    delegate_request.reason = reason.strip()
    delegate_request.save(update_fields=["status", "decided_by", "decided_at", "decided_by_focal_point", "reason"])
    extra = {"by_focal_point": by_focal_point, **({"overrides": previous} if overriding else {})}
    if approve:
        profile = _grant_delegate(
            user=delegate_request.user,
            organisation=delegate_request.organisation,
            actor=reviewer,
            action="stakeholders.delegate_request.approved",
            obj=delegate_request,
            extra=extra,
        )
    else:
        profile, _created = Profile.objects.select_for_update().get_or_create(user=delegate_request.user)
        before = _profile_snapshot(profile)
        revoked = overriding and profile.organisation_id == delegate_request.organisation_id
        if profile.delegate_status != Profile.DelegateStatus.VERIFIED or revoked:
            # Staff overturning a focal point's approval take back what it granted.
            profile.delegate_status = Profile.DelegateStatus.REJECTED
            profile.focal_point_for = None
            profile.save(update_fields=["delegate_status", "focal_point_for"])
        audit.record(
            actor=reviewer,
            action="stakeholders.delegate_request.rejected",
            obj=delegate_request,
            before=before,
            after={**_profile_snapshot(profile), "reason": delegate_request.reason, **extra},
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


# --- Organisations: the shipped list, and the review of those participants propose ---------------


def shipped_organisations(path=ORGANISATIONS_FILE):
    """The rows of the organisations file: dicts with key, constituency, country, name."""
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


@transaction.atomic
def load_organisations(*, path=ORGANISATIONS_FILE):
    """Create the organisations of the shipped file (governments, international organisations) that
    the database lacks; returns how many were created.

    Idempotent and respectful of staff: a row whose key is already in the database is left as it
    is (a name or status staff changed stays changed); an organisation of the same name and country
    without a key (made by hand before) is given the key and otherwise left alone."""
    rows = shipped_organisations(path)
    known = set(
        Organisation.objects.filter(reference__in=[row["key"] for row in rows]).values_list("reference", flat=True)
    )
    wanted = [row for row in rows if row["key"] not in known]
    if not wanted:
        return 0
    unkeyed = {
        (organisation.name, str(organisation.country)): organisation
        for organisation in Organisation.objects.filter(reference=None, name__in=[row["name"] for row in wanted])
    }
    claimed, created = [], []
    for row in wanted:
        existing = unkeyed.get((row["name"], row["country"]))
        if existing is not None:
            existing.reference = row["key"]
            claimed.append(existing)
        else:
            created.append(
                Organisation(
                    name=row["name"],
                    country=row["country"],
                    constituency=row["constituency"],
                    status=Organisation.Status.APPROVED,
                    reference=row["key"],
                )
            )
    Organisation.objects.bulk_update(claimed, ["reference"])
    # Two loads at once (two `migrate`s) must not fail on the unique key: the second one skips.
    Organisation.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)


def proposer_of(organisation):
    """Who proposed it: the recorded proposer, else (a proposal older than that record) its first member."""
    if organisation.proposed_by_id:
        return organisation.proposed_by
    profile = Profile.objects.filter(organisation=organisation).select_related("user").order_by("pk").first()
    return profile.user if profile else None


def _organisation_snapshot(organisation):
    return {
        "name": organisation.name,
        "constituency": organisation.constituency,
        "country": str(organisation.country),
        "status": organisation.status,
    }


def _tell_proposer(organisation, decision, *, into=None):
    proposer = proposer_of(organisation)
    if proposer is None or not proposer.email:
        return
    outbox.enqueue(
        "stakeholders.tasks.send_organisation_decision",
        user_id=proposer.pk,
        decision=decision,
        organisation_id=(into or organisation).pk,
        # A merged organisation is gone: the email names it from here.
        proposed_name=organisation.name,
    )


def _locked_proposal(organisation):
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status != Organisation.Status.PROPOSED:
        raise ValidationError(_("This organisation has already been reviewed."))
    return organisation


@transaction.atomic
def approve_organisation(*, organisation, staff):
    """Staff accept a proposed organisation as it is: it becomes selectable by everyone."""
    if not can(staff, "stakeholders.review_organisations", organisation):
        raise PermissionDenied
    organisation = _locked_proposal(organisation)
    before = _organisation_snapshot(organisation)
    organisation.status = Organisation.Status.APPROVED
    organisation.save(update_fields=["status"])
    audit.record(
        actor=staff,
        action="stakeholders.organisation.approved",
        obj=organisation,
        before=before,
        after=_organisation_snapshot(organisation),
    )
    _tell_proposer(organisation, "approved")
    return organisation


@transaction.atomic
def reject_organisation(*, organisation, staff, reason):
    """Staff refuse a proposed organisation, saying why; it stays recorded (as rejected) for the
    contributions and profiles that name it, and is never offered to anyone."""
    if not can(staff, "stakeholders.review_organisations", organisation):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason for the rejection; the person will read it."))
    organisation = _locked_proposal(organisation)
    before = _organisation_snapshot(organisation)
    organisation.status = Organisation.Status.REJECTED
    organisation.rejection_reason = reason.strip()
    organisation.save(update_fields=["status", "rejection_reason"])
    audit.record(
        actor=staff,
        action="stakeholders.organisation.rejected",
        obj=organisation,
        before=before,
        after={**_organisation_snapshot(organisation), "reason": organisation.rejection_reason},
    )
    _tell_proposer(organisation, "rejected")
    return organisation


@transaction.atomic
def merge_organisation(*, organisation, into, staff):
    """Staff find that a proposed organisation is one already known: everything that points at the
    proposal (profiles, requests, contributions, practices…) is moved to ``into``, then the
    proposal is removed. Returns ``into``."""
    if not can(staff, "stakeholders.review_organisations", organisation):
        raise PermissionDenied
    organisation = _locked_proposal(organisation)
    into = Organisation.objects.select_for_update().get(pk=into.pk)
    if into.pk == organisation.pk or into.status != Organisation.Status.APPROVED:
        raise ValidationError(_("Choose an approved organisation to merge into."))
    _tell_proposer(organisation, "merged", into=into)  # before its members move to ``into``
    moved = {}
    # Every relation to organisations, in every app, found through the model: stakeholders need
    # not know the apps above them.
    for relation in Organisation._meta.related_objects:
        if relation.many_to_many:  # none exists today; moving one needs its own care (duplicates)
            raise NotImplementedError(f"Merging organisations does not move {relation.name} yet")
        count = relation.related_model._base_manager.filter(**{relation.field.name: organisation}).update(
            **{relation.field.name: into}
        )
        if count:
            moved[relation.related_model._meta.label_lower + "." + relation.field.name] = count
    audit.record(
        actor=staff,
        action="stakeholders.organisation.merged",
        obj=into,
        before={"merged": {"id": organisation.pk, **_organisation_snapshot(organisation)}},
        after={"moved": moved},
    )
    organisation.delete()
    return into


# --- Focal points ---------------------------------------------------------------------------------


@transaction.atomic
def appoint_focal_point(*, user, staff):
    """Staff make a verified delegate the focal point of their government: from then on the person
    decides that government's delegate requests (staff keep the last word)."""
    if not can(staff, "stakeholders.appoint_focal_points"):
        raise PermissionDenied
    profile = Profile.objects.select_for_update(of=("self",)).select_related("organisation").get(user=user)
    if profile.delegate_status != Profile.DelegateStatus.VERIFIED or profile.organisation is None:
        raise ValidationError(_("Only a verified delegate can be the focal point of their government."))
    if profile.focal_point_for_id == profile.organisation_id:
        raise ValidationError(_("This person is already the focal point of their government."))
    audit.save_change(
        profile, actor=staff, action="stakeholders.focal_point.appointed", focal_point_for=profile.organisation
    )
    return profile


@transaction.atomic
def remove_focal_point(*, user, staff):
    """Staff end a person's role as focal point (they stay a verified delegate)."""
    if not can(staff, "stakeholders.appoint_focal_points"):
        raise PermissionDenied
    profile = Profile.objects.select_for_update().get(user=user)
    if profile.focal_point_for_id is None:
        raise ValidationError(_("This person is not a focal point."))
    audit.save_change(profile, actor=staff, action="stakeholders.focal_point.removed", focal_point_for=None)
    return profile
