"""What the staff's agenda editor checks while they edit: what is wrong with the forum's sessions
(people or rooms in two places at once, sessions outside the forum's dates, running orders longer
than their session) and the balance of the people with roles (constituency, region, gender).

Times are judged in the forum's time zone.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from roundtables.agenda.queries import local, role_holder_name
from roundtables.models import AgendaItem, Session, SessionRole
from stakeholders.models import Constituency, Gender
from stakeholders.regions import REGION_OF, REGIONS

# Kinds of session held during the summit itself; the others (the thematic workshop, Friends of the
# Forum and Steering Group meetings) take place through the year, so the forum's dates do not bind them.
SUMMIT_KINDS = {
    Session.Kind.ROUND_TABLE,
    Session.Kind.COMMON_SPACE,
    Session.Kind.PLENARY,
    Session.Kind.BUSINESS_INTERFACE,
}

NOT_STATED = "not_stated"


@dataclass
class Problem:
    kind: str  # "person_overlap", "room_overlap", "outside_dates", "too_long"
    message: str
    sessions: tuple = field(default_factory=tuple)  # the ids of the sessions concerned


def _overlap(a, b):
    return a.start < b.end and b.start < a.end


def _title(session):
    return session.title or session.slug


def _holder_key(role):
    if role.person_id:
        return ("person", role.person_id)
    return ("guest", role.guest_name.strip().casefold())


def _overlapping_pairs(sessions):
    """Each pair of ``sessions`` (sorted by start) that overlap, in order."""
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if _overlap(first, second):
                yield first, second


def _people_in_two_places(forum, by_id):
    """A person (or the same guest) with roles in two sessions that overlap."""
    holders = defaultdict(set)
    names = {}
    for role in SessionRole.objects.filter(session__forum=forum).select_related("person"):
        key = _holder_key(role)
        holders[key].add(role.session_id)
        names[key] = role_holder_name(role)
    for key, session_ids in holders.items():
        mine = sorted((by_id[pk] for pk in session_ids if by_id[pk].start and by_id[pk].end), key=lambda s: s.start)
        for first, second in _overlapping_pairs(mine):
            yield Problem(
                "person_overlap",
                _("%(person)s has roles in two sessions at the same time: %(first)s and %(second)s.")
                % {"person": names[key], "first": _title(first), "second": _title(second)},
                (first.pk, second.pk),
            )


def _rooms_in_use_twice(timed):
    """A room used by two sessions at once (the same room of the same venue)."""
    rooms = defaultdict(list)
    for session in timed:
        if session.room.strip():
            rooms[(session.venue.strip().casefold(), session.room.strip().casefold())].append(session)
    for same_room in rooms.values():
        for first, second in _overlapping_pairs(same_room):
            yield Problem(
                "room_overlap",
                _("%(room)s is used by two sessions at the same time: %(first)s and %(second)s.")
                % {"room": first.room, "first": _title(first), "second": _title(second)},
                (first.pk, second.pk),
            )


def _outside_the_forums_dates(forum, timed):
    """A summit session outside the forum's dates (in the forum's time zone)."""
    if not (forum.start_date and forum.end_date):
        return
    for session in timed:
        if session.kind not in SUMMIT_KINDS:
            continue
        first_day, last_day = local(session.start, forum).date(), local(session.end, forum).date()
        if first_day < forum.start_date or last_day > forum.end_date:
            yield Problem(
                "outside_dates",
                _("%(session)s is outside the forum's dates (%(start)s to %(end)s).")
                % {"session": _title(session), "start": forum.start_date, "end": forum.end_date},
                (session.pk,),
            )


def _running_orders_too_long(forum, timed):
    """A running order longer than its session."""
    minutes = dict(
        AgendaItem.objects.filter(session__forum=forum)
        .order_by()
        .values_list("session_id")
        .annotate(total=Sum("minutes"))
    )
    for session in timed:
        length = int((session.end - session.start).total_seconds() // 60)
        if minutes.get(session.pk, 0) > length:
            yield Problem(
                "too_long",
                _("The running order of %(session)s takes %(minutes)s minutes; the session lasts %(length)s.")
                % {"session": _title(session), "minutes": minutes[session.pk], "length": length},
                (session.pk,),
            )


def problems(forum):
    """Everything wrong with the forum's sessions: people or rooms in two places at once, sessions
    outside the forum's dates, running orders longer than their session. Three queries, whatever the size."""
    sessions = list(Session.objects.filter(forum=forum).order_by("start", "id"))
    by_id = {session.pk: session for session in sessions}
    timed = [session for session in sessions if session.start and session.end]
    return [
        *_people_in_two_places(forum, by_id),
        *_rooms_in_use_twice(timed),
        *_outside_the_forums_dates(forum, timed),
        *_running_orders_too_long(forum, timed),
    ]


def problems_for(session, found=None):
    """The problems that concern ``session`` (``found``: problems(forum), if already computed)."""
    found = problems(session.forum) if found is None else found
    return [problem for problem in found if session.pk in problem.sessions]


# --- Balance of the people with roles ----------------------------------------------------------


def _holder_facts(role):
    """(constituency, country, gender) of a role's holder; blanks where not stated."""
    if role.person_id is None:
        return role.guest_constituency, str(role.guest_country or ""), role.guest_gender
    profile = getattr(role.person, "profile", None)
    if profile is None:
        return "", "", ""
    country = str(profile.country or "") or (str(profile.organisation.country or "") if profile.organisation else "")
    return profile.constituency, country, profile.gender


def _bucketed(counter, choices):
    """[(label, count)] in the order of ``choices`` ([(value, label)]), then "not stated"; empty buckets left out."""
    rows = [(str(label), counter[value]) for value, label in choices if counter.get(value)]
    if counter.get(NOT_STATED):
        rows.append((_("Not stated"), counter[NOT_STATED]))
    return rows


def balance(session, roles=None):
    """Counts of the people with roles by constituency, region and gender ("not stated" where a
    person gave none). ``roles``: the session's roles with person, profile and organisation loaded."""
    if roles is None:
        roles = session.roles.select_related("person__profile__organisation")
    constituencies, regions, genders = Counter(), Counter(), Counter()
    for role in roles:
        constituency, country, gender = _holder_facts(role)
        constituencies[constituency if constituency in Constituency.values else NOT_STATED] += 1
        regions[REGION_OF.get(country, NOT_STATED)] += 1
        genders[gender if gender in Gender.values else NOT_STATED] += 1
    return {
        "total": len(roles),
        "constituencies": _bucketed(constituencies, Constituency.choices),
        "regions": _bucketed(regions, [(slug, label) for slug, (label, _codes) in REGIONS.items()]),
        "genders": _bucketed(genders, Gender.choices),
    }
