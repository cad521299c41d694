"""Reads of registration that the services, pages, tasks and exports share: whether registration is
open, a person's live registration, the seats taken in each pool, the waiting list and its order.

Each rule is written here once: ``register`` refuses by the same window that the page shows, and
the waiting list is promoted in the order whose positions the pages, emails and CSV give.
"""

from dataclasses import dataclass

from django.db.models import BigIntegerField, CharField, Count, Max, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from common.sql import Prepared
from roundtables.models import OPEN_SEATS, Forum, Registration, SeatQuota, Session
from stakeholders.models import Constituency, constituency_label

NOT_YET, OPEN, CLOSED = "not_yet", "open", "closed"
# A session that staff have not opened for registration yet: it has no policy at all.
UNOPENED = "unopened"


@dataclass(frozen=True)
class CurrentForumSession:
    """The current forum's published session with this slug, as a registration page's URL names it.
    ``services.register`` looks it up in the statement that locks its policy: no query of its own."""

    slug: str

    def lookup(self, prefix=""):
        """The filter that selects it (``prefix``: the path to the session, e.g. ``"session__"``): the
        current forum's (marked current, else the latest; a subquery), published, with this slug."""
        return {
            f"{prefix}forum": Subquery(Forum.objects.current_first().values("pk")[:1]),
            f"{prefix}slug": self.slug,
            f"{prefix}status": Session.Status.PUBLISHED,
        }


def registration_state(policy, now=None):
    """'not_yet', 'open' or 'closed', by the policy's dates (it closes at ``closes_at`` itself)."""
    now = now or timezone.now()
    if policy.opens_at and now < policy.opens_at:
        return NOT_YET
    if policy.closes_at and now >= policy.closes_at:
        return CLOSED
    return OPEN


def live_registrations(*, session, person):
    """The person's registrations for the session that are not cancelled (one at most, by a constraint)."""
    return Registration.objects.filter(session=session, person=person).exclude(status=Registration.Status.CANCELLED)


def waiting_list(session_id):
    """The session's waiting list in its order, first come first served (by id): the first of it is
    promoted first, and a person's position is their place in it."""
    return Registration.objects.filter(session_id=session_id, status=Registration.Status.WAITLISTED).order_by("id")


def waitlist_position(registration):
    """1 for the first person waiting, counted over the session's whole waiting list; None when not waiting."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    return waiting_list(registration.session_id).filter(id__lte=registration.id).count()


def waitlist_positions(session, ids=None):
    """{registration id: position} for the session's waiting list (of ``ids`` only, if given), in one query."""
    positions = {pk: number for number, pk in enumerate(waiting_list(session.pk).values_list("id", flat=True), start=1)}
    return positions if ids is None else {pk: positions[pk] for pk in ids if pk in positions}


def seat_pool_label(pool):
    """How a pool of seats is named: "Open seats", or the constituency whose quota it is ("" for none)."""
    if not pool:
        return ""
    return _("Open seats") if pool == OPEN_SEATS else constituency_label(pool)


def in_constituency_order(constituencies):
    """``constituencies`` sorted as the constituency choices are listed; unknown values last."""
    order = [value for value, _label in Constituency.choices]
    return sorted(constituencies, key=lambda c: order.index(c) if c in order else len(order))


def confirmed_per_pool(session_id):
    """{pool: confirmed registrations} of the session, in one query."""
    rows = (
        Registration.objects.filter(session_id=session_id, status=Registration.Status.CONFIRMED)
        .order_by()
        .values_list("seat_pool")
        .annotate(count=Count("id"))
    )
    return dict(rows)


@dataclass(frozen=True)
class SeatsTaken:
    """A session's seats at one moment, and one person's place among them (``seats_taken``)."""

    quotas: dict  # {constituency: seats reserved for it}
    confirmed: dict  # {pool: confirmed registrations}
    waitlisted: int  # people waiting
    own_id: int | None  # the person's live registration, if any

    def capacity(self, total_seats, pool):
        """Seats of ``pool``: a constituency's quota, or the open seats (what no quota reserves)."""
        if pool == OPEN_SEATS:
            return max(0, total_seats - sum(self.quotas.values()))
        return self.quotas.get(pool, 0)


def _seats_rows(policy_id, session_id, person_id):
    text, number = CharField(), BigIntegerField()
    quotas = (
        SeatQuota.objects.filter(policy_id=policy_id)
        .order_by()
        .annotate(kind=Value("quota", output_field=text), own=Value(None, output_field=number))
        .values_list("kind", "constituency", "seats", "own")
    )
    registrations = (
        Registration.objects.filter(session_id=session_id)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by()
        .values_list("status", "seat_pool")
        .annotate(count=Count("id"), own=Max("id", filter=Q(person_id=person_id)))
    )
    return quotas.union(registrations, all=True)


_SEATS = Prepared("registration.seats-taken", _seats_rows, policy_id=-7301001, session_id=-7301002, person_id=-7301003)


def seats_taken(*, policy, person):
    """The policy's quotas, the confirmed registrations per pool, the number waiting and ``person``'s
    live registration, in one query (a UNION, compiled once: ``common.sql.Prepared``): ``register``
    reads them under the policy's lock, where each query is paid by everyone queued behind it."""
    quota_seats, confirmed, waitlisted, own_id = {}, {}, 0, None
    for kind, key, count, own in _SEATS.rows(policy_id=policy.pk, session_id=policy.session_id, person_id=person.pk):
        if kind == "quota":
            quota_seats[key] = count
        elif kind == Registration.Status.CONFIRMED:
            confirmed[key] = confirmed.get(key, 0) + count
        else:
            waitlisted += count
        own_id = own_id or own
    return SeatsTaken(quotas=quota_seats, confirmed=confirmed, waitlisted=waitlisted, own_id=own_id)


def seat_pools(policy):
    """Each pool of seats (a constituency's quota, then the open seats) with its seats taken, in one query."""
    taken = confirmed_per_pool(policy.session_id)
    quotas = policy.quotas()
    pools = [
        {"key": key, "label": seat_pool_label(key), "seats": quotas[key], "taken": taken.get(key, 0)}
        for key in in_constituency_order(quotas)
    ]
    open_seats = policy.open_seats()
    if open_seats or not pools:
        pools.append(
            {
                "key": OPEN_SEATS,
                "label": seat_pool_label(OPEN_SEATS),
                "seats": open_seats,
                "taken": taken.get(OPEN_SEATS, 0),
            }
        )
    for pool in pools:
        pool["left"] = max(0, pool["seats"] - pool["taken"])
        pool["percent"] = min(100, round(100 * pool["taken"] / pool["seats"])) if pool["seats"] else 100
    return pools
