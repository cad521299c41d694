"""Actions on registration for sessions (the common space first): register, cancel (and promote the
first person waiting), promote by hand, check in at the door, configure a session's policy.

Each one is a locked, repeatable transaction; emails go through the outbox after the commit.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common import outbox
from common.jobs import send_stalled_again
from common.sql import Prepared
from roundtables.models import OPEN_SEATS, Registration, RegistrationPolicy, SeatQuota, Session
from roundtables.registration import codes
from roundtables.registration.queries import (
    CLOSED,
    NOT_YET,
    CurrentForumSession,
    registration_state,
    seats_taken,
    waiting_list,
)
from stakeholders import audit
from stakeholders.permissions import can


class RegistrationRefused(ValidationError):
    """A registration that the rules do not allow; its message is shown to the person."""


def _pools_for(policy, constituency):
    """The seats a person may take, in the order they are tried: their constituency's quota, then open seats."""
    pools = [constituency] if constituency in policy.quotas() else []
    if policy.open_seats():
        pools.append(OPEN_SEATS)
    return pools


def _capacity(policy, pool):
    return policy.open_seats() if pool == OPEN_SEATS else policy.quotas().get(pool, 0)


def _confirmed_in(session, pool):
    return Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED, seat_pool=pool).count()


def _locked_policy(session):
    """Lock the session's registration policy: every count-then-write for its seats happens under it."""
    try:
        policy = RegistrationPolicy.objects.select_for_update().prefetch_related("seat_quotas").get(session=session)
    except RegistrationPolicy.DoesNotExist:
        raise RegistrationRefused(_("This session does not take registrations.")) from None
    policy.session = session
    return policy


# What registering reads of the policy (all of it) and of its session: few columns, one row.
_POLICY_FIELDS = tuple(field.attname for field in RegistrationPolicy._meta.concrete_fields)
# In the model's column order, as Model.from_db takes a subset of the columns.
_SESSION_FIELDS = tuple(
    field.attname
    for field in Session._meta.concrete_fields
    if field.attname in {"id", "forum_id", "slug", "status", "kind"}
)


def _policy_rows(**lookup):
    return (
        RegistrationPolicy.objects.select_for_update(of=("self",))
        .filter(**lookup)
        .order_by()
        .values_list(*_POLICY_FIELDS, *(f"session__{name}" for name in _SESSION_FIELDS))
    )


# Compiled once (common.sql.Prepared): the lock is the statement every registration queues for.
_LOCK_OF_SESSION = Prepared(
    "registration.lock", lambda session_id: _policy_rows(session_id=session_id), session_id=-7302001
)
_LOCK_OF_CURRENT_FORUM = Prepared(
    "registration.lock-current-forum",
    lambda slug: _policy_rows(**CurrentForumSession(slug).lookup(prefix="session__")),
    slug="\x00registration-slug",
)


def _locked_policy_row(session):
    """Lock the session's registration policy row, read with its session as it is now
    (``register`` reads the quotas with the seats). ``session``: a Session, or the page's
    ``CurrentForumSession``, which this statement looks up."""
    if isinstance(session, CurrentForumSession):
        rows = _LOCK_OF_CURRENT_FORUM.rows(slug=session.slug)
    else:
        rows = _LOCK_OF_SESSION.rows(session_id=session.pk)
    if not rows:
        raise RegistrationRefused(_("This session does not take registrations."))
    values = rows[0]
    policy = RegistrationPolicy.from_db(DEFAULT_DB_ALIAS, _POLICY_FIELDS, values[: len(_POLICY_FIELDS)])
    policy.session = Session.from_db(DEFAULT_DB_ALIAS, _SESSION_FIELDS, values[len(_POLICY_FIELDS) :])
    return policy


def check_eligibility(*, policy, person, now=None):
    """Raise RegistrationRefused with the reason when ``person`` may not register now."""
    from stakeholders.permissions import has_verified_email, profile_of

    if not has_verified_email(person):
        raise RegistrationRefused(_("Verify your email address before registering."))
    if policy.session.status != Session.Status.PUBLISHED:
        raise RegistrationRefused(_("This session does not take registrations."))
    state = registration_state(policy, now)
    if state == NOT_YET:
        raise RegistrationRefused(
            _("Registration opens on %(date)s.")
            % {"date": date_format(timezone.localtime(policy.opens_at), "DATETIME_FORMAT")}
        )
    if state == CLOSED:
        raise RegistrationRefused(_("Registration is closed."))
    profile = profile_of(person)
    constituency = profile.constituency if profile else ""
    if not constituency:
        raise RegistrationRefused(_("Say in your profile which constituency you belong to, then register."))
    if policy.eligible_constituencies and constituency not in policy.eligible_constituencies:
        raise RegistrationRefused(_("This session is not open to your constituency."))
    return constituency


def _notify(registration, event):
    outbox.enqueue("roundtables.tasks.send_registration_email", registration_id=registration.pk, event=event)


@transaction.atomic
def register(*, session, person, accessibility_needs="", visa_letter_needed=None, dietary_needs=""):
    """Register ``person``: confirmed if a seat they may take is free, else waitlisted.

    Returns (registration, created). A person's live registration is returned as it is when
    they register again (a double click, a retried request): never a second one. A waitlisted
    registration carries its ``position`` on the waiting list.

    ``session``: the session, or a ``CurrentForumSession`` (the page's session by its slug, looked
    up by the statement that locks the policy).

    When many people register at once they queue for the policy's lock, so the work under it is
    kept to the lock, one read of the quotas, the seats taken and the person's own registration
    (``seats_taken``), and the two inserts: the registration and its outbox row.
    """
    policy = _locked_policy_row(session)
    session = policy.session
    seats = seats_taken(policy=policy, person=person)
    if seats.own_id:  # a double click, or a retry, that waited for the lock finds the first registration
        return Registration.objects.get(pk=seats.own_id), False
    # Read under the lock: the dates and the session as they are now. The person's profile and
    # email were read with the user (stakeholders.backends).
    constituency = check_eligibility(policy=policy, person=person)
    status, pool = Registration.Status.WAITLISTED, ""
    for candidate in _pools_for_seats(seats, policy.total_seats, constituency):
        if seats.confirmed.get(candidate, 0) < seats.capacity(policy.total_seats, candidate):
            status, pool = Registration.Status.CONFIRMED, candidate
            break
    registration = Registration.objects.create(
        session=session,
        person=person,
        constituency=constituency,
        status=status,
        seat_pool=pool,
        accessibility_needs=accessibility_needs if policy.ask_accessibility else "",
        visa_letter_needed=visa_letter_needed if policy.ask_visa_letter else None,
        dietary_needs=dietary_needs if policy.ask_dietary else "",
        checkin_code=codes.new_code(),
    )
    # Registrations of this session are made one at a time under the lock, in id order: this
    # one is the last of the waiting list.
    registration.position = seats.waitlisted + 1 if status == Registration.Status.WAITLISTED else None
    _notify(registration, status)
    return registration, True


def _pools_for_seats(seats, total_seats, constituency):
    """``_pools_for`` from what ``seats_taken`` read: the constituency's quota, then open seats."""
    pools = [constituency] if constituency in seats.quotas else []
    if seats.capacity(total_seats, OPEN_SEATS):
        pools.append(OPEN_SEATS)
    return pools


def _promote_next(policy, pool):
    """Give a freed seat of ``pool`` to the first person waiting who may take it."""
    if not pool or _confirmed_in(policy.session, pool) >= _capacity(policy, pool):
        return None
    waiting = waiting_list(policy.session_id)
    if pool != OPEN_SEATS:
        waiting = waiting.filter(constituency=pool)
    promoted = waiting.first()
    if promoted is None:
        return None
    promoted.status = Registration.Status.CONFIRMED
    promoted.seat_pool = pool
    promoted.save(update_fields=["status", "seat_pool"])
    _notify(promoted, "promoted")
    return promoted


@transaction.atomic
def cancel(*, registration, actor, reason=""):
    """Cancel a registration; a freed seat goes to the first person waiting for it, in the same transaction.

    Returns the promoted registration, if any. Staff cancelling someone else's registration is audited.
    """
    policy = _locked_policy(registration.session)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return None
    before = {"status": registration.status, "seat_pool": registration.seat_pool}
    freed = registration.seat_pool if registration.status == Registration.Status.CONFIRMED else ""
    registration.status = Registration.Status.CANCELLED
    registration.seat_pool = ""
    registration.cancelled_at = timezone.now()
    registration.save(update_fields=["status", "seat_pool", "cancelled_at"])
    if actor.pk != registration.person_id:
        audit.record(
            actor=actor,
            action="roundtables.registration.cancelled",
            obj=registration,
            before=before,
            after={"status": "cancelled", "reason": reason},
        )
    _notify(registration, "cancelled")
    return _promote_next(policy, freed)


@transaction.atomic
def promote(*, registration, staff, reason):
    """Staff confirm a waiting person by hand, into a free seat they may take; audited."""
    if not can(staff, "roundtables.manage_registrations"):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason for promoting this person by hand."))
    policy = _locked_policy(registration.session)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.WAITLISTED:
        raise ValidationError(_("Only a person on the waiting list can be promoted."))
    for pool in _pools_for(policy, registration.constituency):
        if _confirmed_in(registration.session, pool) < _capacity(policy, pool):
            break
    else:
        raise ValidationError(_("No seat that this person may take is free. Cancel a registration first."))
    registration.status = Registration.Status.CONFIRMED
    registration.seat_pool = pool
    registration.save(update_fields=["status", "seat_pool"])
    audit.record(
        actor=staff,
        action="roundtables.registration.promoted",
        obj=registration,
        before={"status": "waitlisted"},
        after={"status": "confirmed", "seat_pool": pool, "reason": reason.strip()},
    )
    _notify(registration, "promoted")
    return registration


@transaction.atomic
def check_in(*, session, code, staff):
    """Mark attendance at the door. Returns (registration or None, outcome): outcome is
    'checked_in', 'already' (a second check-in: the first time is kept), 'unknown' (no such code
    for this session) or 'not_confirmed' (cancelled or still waiting).

    ``code`` is read as typed first (older codes are case-sensitive), then as Crockford's base32
    (any case, spaces and hyphens, O for 0, I and L for 1; see ``codes``)."""
    if not can(staff, "roundtables.manage_registrations"):
        raise PermissionDenied
    candidates = codes.candidates(code)
    found = {
        registration.checkin_code: registration
        for registration in Registration.objects.select_for_update(of=("self",))
        .select_related("person__profile__organisation")
        .filter(session=session, checkin_code__in=candidates)
    }
    registration = next((found[candidate] for candidate in candidates if candidate in found), None)
    if registration is None:
        return None, "unknown"
    if registration.status != Registration.Status.CONFIRMED:
        return registration, "not_confirmed"
    if registration.checked_in_at:
        return registration, "already"
    registration.checked_in_at = timezone.now()
    registration.save(update_fields=["checked_in_at"])
    return registration, "checked_in"


@transaction.atomic
def configure_registration(
    *,
    session,
    staff,
    total_seats,
    quotas,
    eligible_constituencies,
    opens_at=None,
    closes_at=None,
    ask_accessibility=True,
    ask_visa_letter=True,
    ask_dietary=True,
):
    """Open (or change) registration for a session. ``quotas``: {constituency: seats}."""
    if not can(staff, "roundtables.manage_registrations"):
        raise PermissionDenied
    quotas = {constituency: seats for constituency, seats in quotas.items() if seats}
    if sum(quotas.values()) > total_seats:
        raise ValidationError(_("The seats per constituency add up to more than the total seats."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError(_("Registration must close after it opens."))
    policy = RegistrationPolicy.objects.select_for_update().filter(session=session).first()
    before = None
    if policy is None:
        policy = RegistrationPolicy(session=session)
    else:
        before = {"total_seats": policy.total_seats, "quotas": policy.quotas()}
    policy.total_seats = total_seats
    policy.eligible_constituencies = list(eligible_constituencies)
    policy.opens_at, policy.closes_at = opens_at, closes_at
    policy.ask_accessibility, policy.ask_visa_letter, policy.ask_dietary = (
        ask_accessibility,
        ask_visa_letter,
        ask_dietary,
    )
    policy.save()
    policy.seat_quotas.exclude(constituency__in=quotas).delete()
    for constituency, seats in quotas.items():
        SeatQuota.objects.update_or_create(policy=policy, constituency=constituency, defaults={"seats": seats})
    audit.record(
        actor=staff,
        action="roundtables.registration_policy.saved",
        obj=session,
        before=before,
        after={"total_seats": total_seats, "quotas": quotas, "eligible": list(eligible_constituencies)},
    )
    return policy


# --- Badges ---------------------------------------------------------------------------------------


@transaction.atomic
def request_badges(*, session, staff, layout, constituency="", registration=None):
    """Staff ask a worker for the badges of a session's confirmed participants (all, one constituency's,
    or one person's); the page shows the job's progress. The worker starts once this is committed."""
    from roundtables.models import BadgeJob
    from roundtables.registration.badges import confirmed_for_badges

    if not can(staff, "roundtables.manage_registrations"):
        raise PermissionDenied
    if layout not in BadgeJob.Layout.values:
        raise ValidationError(_("Choose a layout."))
    registration_id = registration.pk if registration is not None else None
    total = confirmed_for_badges(session=session, constituency=constituency, registration_id=registration_id).count()
    job = BadgeJob.objects.create(
        session=session,
        layout=layout,
        constituency=constituency,
        registration_id=registration_id,
        total=total,
        requested_by=staff,
    )
    audit.record(
        actor=staff,
        action="roundtables.badge_job.requested",
        obj=job,
        after={"layout": layout, "constituency": constituency, "registration": registration_id, "total": total},
    )
    outbox.enqueue("roundtables.tasks.make_badges", job_id=job.pk)
    return job


def make_badges(*, job_id):
    """The worker's part: lay the job's badges out, saying how far it is, and keep the PDF in the row.

    Safe to run twice: a finished job is left as it is; a job whose worker was lost starts again from
    the beginning (a PDF is made whole or not at all). The progress is written outside any transaction,
    so that the page sees it while the work goes on."""
    from roundtables.models import BadgeJob
    from roundtables.registration import badges

    job = BadgeJob.objects.select_related("session").filter(pk=job_id).first()
    if job is None or job.status == BadgeJob.Status.DONE:
        return job
    rows = BadgeJob.objects.filter(pk=job.pk)
    registrations = badges.confirmed_for_badges(
        session=job.session, constituency=job.constituency, registration_id=job.registration_id
    )
    total = registrations.count()
    rows.update(status=BadgeJob.Status.RUNNING, progress=0, total=total, error="", heartbeat_at=timezone.now())
    try:
        pdf = badges.render(
            registrations,
            layout=job.layout,
            progress=lambda done: rows.update(progress=min(done, total), heartbeat_at=timezone.now()),
        )
    except badges.PdfUnavailable as error:
        # Expected on a machine without Pango: said on the page, not raised as a crash.
        rows.update(status=BadgeJob.Status.FAILED, error=str(error), finished_at=timezone.now())
        return rows.first()
    rows.update(status=BadgeJob.Status.DONE, pdf=pdf, progress=total, finished_at=timezone.now())
    return rows.first()


def revive_stalled_badge_jobs(*, job_ids=None):
    """Send ``make_badges`` again for the unfinished jobs (of ``job_ids``, or all) that gave no sign
    of life for BADGE_JOB_STALL_SECONDS (their worker was lost). Returns the ids sent again.

    The job's progress page calls this on each poll, so the staff member waiting for the badges is
    who notices."""
    from roundtables.models import BadgeJob

    return send_stalled_again(
        BadgeJob.objects.filter(status__in=[BadgeJob.Status.QUEUED, BadgeJob.Status.RUNNING]),
        seconds=settings.BADGE_JOB_STALL_SECONDS,
        task_name="roundtables.tasks.make_badges",
        label="Badge job",
        job_ids=job_ids,
    )
