"""Actions that change the forum programme."""

import datetime
import secrets
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common import outbox
from roundtables.models import (
    OPEN_SEATS,
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    Registration,
    RegistrationPolicy,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SeatQuota,
    Session,
    SubTheme,
)
from sdg_targets.models import CompactTheme, Target
from sdg_targets.services import load_frameworks, translated
from stakeholders import audit
from stakeholders.permissions import can

FORUM_2017_FILE = Path(__file__).resolve().parent / "data" / "forum_2017.yaml"


def _date(value):
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _sync_links(tally, link_model, owner_field, owner, other_field, others_by_code, items):
    """Make the owner's links exactly those of ``items`` ([{code, source}])."""
    wanted = {}
    for item in items or []:
        code = str(item["code"])
        if code not in others_by_code:
            raise ValueError(f"{owner}: unknown {other_field} {code!r}")
        wanted[others_by_code[code].pk] = item.get("source", "note")
    existing = {getattr(link, f"{other_field}_id"): link for link in link_model.objects.filter(**{owner_field: owner})}
    for other_id, link in existing.items():
        if other_id not in wanted:
            link.delete()
            tally.deleted += 1
    for other_id, source in wanted.items():
        tally.upsert(link_model, {owner_field: owner, f"{other_field}_id": other_id}, {"source": source})


def _untouched_by_staff(session):
    """Staff have not edited the session: each of their saves bumps its version and records a change."""
    return session.version == 1 and not session.changes.exists()


def _load_session(tally, forum, round_tables, spec):
    """Create a session the note names if it is missing; afterwards the file's title, description and
    publication follow only while staff have not edited it (a session staff unpublished stays so)."""
    session = Session.objects.filter(forum=forum, slug=spec["slug"]).first()
    status = spec.get("status", Session.Status.DRAFT)
    texts = {**translated("title", spec["title"]), **translated("description", spec.get("description", {}))}
    if session is None:
        code = spec.get("round_table")
        if code and str(code) not in round_tables:
            raise ValueError(f"session {spec['slug']}: unknown round table {code!r}")
        Session.objects.create(
            forum=forum,
            slug=spec["slug"],
            kind=spec["kind"],
            round_table=round_tables.get(str(code)) if code else None,
            venue=spec.get("venue", ""),
            status=status,
            published_at=timezone.now() if status == Session.Status.PUBLISHED else None,
            **texts,
        )
        tally.created += 1
        return
    if not _untouched_by_staff(session):
        tally.unchanged += 1
        return
    if status == Session.Status.PUBLISHED and session.status == Session.Status.DRAFT and session.published_at is None:
        # Loaded as a draft by an earlier version of the file, never published since: publish it now.
        texts.update(status=Session.Status.PUBLISHED, published_at=timezone.now())
    tally.upsert(Session, {"pk": session.pk}, texts)


@transaction.atomic
def load_forum(*, path=FORUM_2017_FILE, make_current=True):
    """Load a forum's programme from its data file, with the reference frameworks.

    Idempotent: a second run changes no row; a text edited in the file is updated in place;
    questions and links that the file no longer has are removed.
    """
    tally = load_frameworks()
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    targets = {target.code: target for target in Target.objects.all()}
    themes = {theme.code: theme for theme in CompactTheme.objects.all()}

    spec = data["forum"]
    forum_values = {
        "edition": spec["edition"],
        "year": spec["year"],
        "city": spec.get("city", ""),
        "host_countries": spec.get("host_countries", []),
        "start_date": _date(spec.get("start_date")),
        "end_date": _date(spec.get("end_date")),
        "concept_note_date": _date(spec.get("concept_note_date")),
    }
    for field in ("title", "theme", "theme_description", "introduction", "thematic_workshop", "impact"):
        forum_values.update(translated(field, spec.get(field, {})))
    if make_current:
        Forum.objects.filter(is_current=True).exclude(slug=spec["slug"]).update(is_current=False)
        forum_values["is_current"] = True
    forum = tally.upsert(Forum, {"slug": spec["slug"]}, forum_values)
    _sync_links(tally, ForumCompactTheme, "forum", forum, "theme", themes, spec.get("compact_themes"))

    position = 0
    for sub_spec in data["sub_themes"]:
        sub_theme = tally.upsert(
            SubTheme, {"forum": forum, "number": sub_spec["number"]}, translated("title", sub_spec["title"])
        )
        for rt_spec in sub_spec["round_tables"]:
            position += 1
            round_table = tally.upsert(
                RoundTable,
                {"forum": forum, "code": str(rt_spec["code"])},
                {
                    "sub_theme": sub_theme,
                    "position": position,
                    **translated("title", rt_spec["title"]),
                    **translated("expected_outcomes", rt_spec.get("expected_outcomes", {})),
                    **translated("background", rt_spec.get("background", {})),
                },
            )
            questions = rt_spec.get("guiding_questions", [])
            for number, text in enumerate(questions, start=1):
                tally.upsert(
                    GuidingQuestion, {"round_table": round_table, "position": number}, translated("text", text)
                )
            tally.deleted += round_table.guiding_questions.filter(position__gt=len(questions)).delete()[0]
            _sync_links(
                tally, RoundTableTarget, "round_table", round_table, "target", targets, rt_spec.get("sdg_targets")
            )
            _sync_links(
                tally, RoundTableTheme, "round_table", round_table, "theme", themes, rt_spec.get("compact_themes")
            )
    round_tables = {rt.code: rt for rt in forum.round_tables.all()}
    for session_spec in data.get("sessions", []):
        _load_session(tally, forum, round_tables, session_spec)
    if tally.created or tally.updated or tally.deleted:
        # Visitors then find the changed pages already rendered.
        outbox.enqueue("gfmd_portal.tasks.warm_page_cache")
    return forum, tally


# --- Registration for sessions (the common space first) -----------------------------------


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


def _confirmed_per_pool(session):
    """{pool: confirmed registrations} in one query."""
    rows = (
        Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
        .values_list("seat_pool")
        .annotate(count=Count("id"))
    )
    return dict(rows)


def check_eligibility(*, policy, person, now=None):
    """Raise RegistrationRefused with the reason when ``person`` may not register now."""
    from stakeholders.permissions import has_verified_email, profile_of

    now = now or timezone.now()
    if not has_verified_email(person):
        raise RegistrationRefused(_("Verify your email address before registering."))
    if policy.session.status != Session.Status.PUBLISHED:
        raise RegistrationRefused(_("This session does not take registrations."))
    if policy.opens_at and now < policy.opens_at:
        raise RegistrationRefused(
            _("Registration opens on %(date)s.")
            % {"date": date_format(timezone.localtime(policy.opens_at), "DATETIME_FORMAT")}
        )
    if policy.closes_at and now >= policy.closes_at:
        raise RegistrationRefused(_("Registration is closed."))
    profile = profile_of(person)
    constituency = profile.constituency if profile else ""
    if not constituency:
        raise RegistrationRefused(_("Say in your profile which constituency you belong to, then register."))
    if policy.eligible_constituencies and constituency not in policy.eligible_constituencies:
        raise RegistrationRefused(_("This session is not open to your constituency."))
    return constituency


def _new_code():
    return secrets.token_urlsafe(12)


def _notify(registration, event):
    outbox.enqueue("roundtables.tasks.send_registration_email", registration_id=registration.pk, event=event)


@transaction.atomic
def register(*, session, person, accessibility_needs="", visa_letter_needed=None, dietary_needs=""):
    """Register ``person``: confirmed if a seat they may take is free, else waitlisted.

    Returns (registration, created). A person's live registration is returned as it is when
    they register again (a double click, a retried request): never a second one.
    """
    # What does not depend on the seats is read before the lock, so that the lock is held briefly
    # when many people register at once (the person's profile and email are then cached).
    live = Registration.objects.filter(session=session, person=person).exclude(status=Registration.Status.CANCELLED)
    existing = live.first()
    if existing:
        return existing, False
    unlocked = RegistrationPolicy.objects.filter(session=session).first()
    if unlocked is None:
        raise RegistrationRefused(_("This session does not take registrations."))
    unlocked.session = session
    check_eligibility(policy=unlocked, person=person)

    policy = _locked_policy(session)
    existing = live.first()  # a double click that waited for the lock finds the first one's registration
    if existing:
        return existing, False
    constituency = check_eligibility(policy=policy, person=person)  # dates may have changed meanwhile
    confirmed = _confirmed_per_pool(session)
    status, pool = Registration.Status.WAITLISTED, ""
    for candidate in _pools_for(policy, constituency):
        if confirmed.get(candidate, 0) < _capacity(policy, candidate):
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
        checkin_code=_new_code(),
    )
    _notify(registration, status)
    return registration, True


def waitlist_position(registration):
    """1 for the first person waiting, counted over the session's whole waiting list."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return Registration.objects.filter(
        session_id=registration.session_id, status=Registration.Status.WAITLISTED, id__lte=registration.id
    ).count()


def _promote_next(policy, pool):
    """Give a freed seat of ``pool`` to the first person waiting who may take it."""
    if not pool or _confirmed_in(policy.session, pool) >= _capacity(policy, pool):
        return None
    waiting = Registration.objects.filter(session=policy.session, status=Registration.Status.WAITLISTED)
    if pool != OPEN_SEATS:
        waiting = waiting.filter(constituency=pool)
    promoted = waiting.order_by("id").first()
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
    'checked_in', 'already' (a second check-in), 'unknown' (no such code for this session)
    or 'not_confirmed' (cancelled or still waiting)."""
    if not can(staff, "roundtables.manage_registrations"):
        raise PermissionDenied
    registration = (
        Registration.objects.select_for_update()
        .select_related("person")
        .filter(session=session, checkin_code=code.strip())
        .first()
    )
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
