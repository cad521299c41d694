"""The agenda's read model: the published sessions of a forum (or of a person) with their people,
running order and changes since publication, as the public pages, feeds, printable programme and
API show them; and the times of a forum's place.

Every list is read in a fixed number of queries, whatever the number of sessions, roles and
agenda items (``load_agenda``).
"""

import datetime

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.templatetags.portal import content_lang
from roundtables.models import (
    AgendaItem,
    CalendarFeedToken,
    GuidingQuestion,
    Registration,
    RoundTable,
    Session,
    SessionChange,
    SessionRole,
)


def local(value, forum):
    """A stored (UTC) time in the forum's time zone."""
    return timezone.localtime(value, forum.zone()) if value else None


def combine(day, time, forum):
    """A date and a wall-clock time of the forum's place as an aware datetime."""
    return datetime.datetime.combine(day, time, tzinfo=forum.zone())


# --- People with roles, as staff see them ---------------------------------------------------------


def role_holder_name(role):
    """A role holder's name as staff see it: a person's name, else their email address; a guest's name."""
    if role.person_id is None:
        return role.guest_name
    return role.person.get_full_name() or role.person.email


def role_person(role):
    """(name, organisation name) of a role's holder, a person of the portal or a guest, as staff see it."""
    if role.person_id is None:
        return role.guest_name, role.guest_organisation
    profile = getattr(role.person, "profile", None)
    organisation = profile.organisation.name if profile and profile.organisation else ""
    return role_holder_name(role), organisation


# --- What the public sees -------------------------------------------------------------------------


def with_agenda(queryset):
    """Sessions with their forum and round table (one query); ``load_agenda`` adds the rest."""
    return queryset.select_related("forum", "round_table")


def load_agenda(sessions):
    """Attach to each session its people (``role_rows``), running order (``item_rows``) and public
    changelog (``public_changes``): 4 queries whatever the number of sessions, roles and steps.

    Rows are plain values, not model instances: a big agenda has thousands of them, and building
    model instances was most of its render time. People's rows hold their name and organisation
    only (never an email address)."""
    # A queryset (unsliced) is also the filter of the three queries below, as a subquery: a list of
    # hundreds of ids costs more to prepare, parameter by parameter, than the database spends on it.
    if isinstance(sessions, QuerySet) and not sessions.query.is_sliced:
        wanted = Q(session__in=sessions.values("pk"))
    else:
        wanted = None
    sessions = list(sessions)
    by_id = {session.pk: session for session in sessions}
    for session in sessions:
        session.role_rows, session.item_rows, session.public_changes = [], [], []
    if not sessions:
        return sessions
    if wanted is None:
        wanted = Q(session_id__in=by_id)
    roles = (
        SessionRole.objects.filter(wanted)
        .order_by("position", "id")
        .values_list(
            "session_id",
            "role",
            "guest_name",
            "guest_organisation",
            "person_id",
            "person__first_name",
            "person__last_name",
            "person__profile__organisation__name",
        )
    )
    # A session published between the first query and these has rows here and no entry in by_id.
    for session_id, *row in roles:
        if session_id in by_id:
            by_id[session_id].role_rows.append(row)
    items = list(
        AgendaItem.objects.filter(wanted)
        .order_by("position", "id")
        .values("session_id", "kind", "title", "minutes", "guiding_question_id")
    )
    questions = GuidingQuestion.objects.in_bulk({item["guiding_question_id"] for item in items} - {None})
    for item in items:
        item["question"] = questions.get(item["guiding_question_id"])
        if item["session_id"] in by_id:
            by_id[item["session_id"]].item_rows.append(item)
    changes = (
        SessionChange.objects.filter(wanted, after_publication=True)
        .only("session_id", "changed_at", "summary")
        .order_by("-changed_at", "-id")
    )
    for change in changes:
        if change.session_id in by_id:
            by_id[change.session_id].public_changes.append(change)
    return sessions


def published_sessions(forum, *, round_table=None):
    """The forum's published sessions, dated ones first in time order, then those without a date."""
    sessions = Session.objects.filter(forum=forum, status=Session.Status.PUBLISHED)
    if round_table is not None:
        sessions = sessions.filter(round_table=round_table)
    # NULLS LAST on every database: sessions with a date come first. Not joined to the forum and the
    # round table: ``decorated`` attaches the few of them (one forum's long texts, copied for each of
    # hundreds of rows, cost more than the query that reads them once).
    return sessions.order_by(F("start").asc(nulls_last=True), "room", "id")


def sessions_of(person):
    """The published sessions of every forum where ``person`` holds a role or a live registration."""
    live = [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ids = Session.objects.filter(
        Q(roles__person=person) | Q(registrations__person=person, registrations__status__in=live),
        status=Session.Status.PUBLISHED,
    ).values("id")
    return with_agenda(Session.objects.filter(id__in=ids).order_by(F("start").asc(nulls_last=True), "id"))


def public_role_person(row):
    """(name, organisation) shown for a role row of ``load_agenda``: a guest's as typed; a person's
    name and organisation. Never an email address: a person who gave no name is shown by their
    organisation only."""
    _role, guest_name, guest_organisation, person_id, first_name, last_name, organisation = row
    if person_id is None:
        return guest_name, guest_organisation
    return f"{first_name} {last_name}".strip(), organisation or ""


class Labels:
    """The translated labels of the agenda's choices, looked up once per request (not once per row)."""

    def __init__(self):
        self.kind = {value: str(label) for value, label in Session.Kind.choices}
        self.role = {value: str(label) for value, label in SessionRole.Role.choices}
        self.item = {value: str(label) for value, label in AgendaItem.Kind.choices}
        self.round_table = _("Round table %(code)s")
        self.minutes = _("%(minutes)s min")
        self.question = _("Guiding question %(number)s")
        self.round_table_urls = {}  # (forum id, code) -> the round table's page


def _hhmm(value):
    return f"{value.hour:02d}:{value.minute:02d}"


def running_order(session, zone, labels=None):
    """The session's agenda items, each with its text and, when the session has a start, its time."""
    labels = labels or Labels()
    clock = session.start.astimezone(zone) if session.start else None
    items = []
    for item in session.item_rows:
        lang, question = "", item["question"]
        if item["kind"] == AgendaItem.Kind.GUIDING_QUESTION and question is not None and not item["title"]:
            text = question.text
            lang = content_lang(question, "text")
            short = labels.question % {"number": question.position}
        else:
            text = short = item["title"] or labels.item.get(item["kind"], item["kind"])
        items.append(
            {
                "kind": item["kind"],
                "question": question,
                "text": text,
                "short": short,
                "lang": lang,
                "at": clock,
                "at_text": _hhmm(clock) if clock else "",
                "minutes": item["minutes"],
                "minutes_text": labels.minutes % {"minutes": item["minutes"]},
            }
        )
        if clock is not None:
            clock += datetime.timedelta(minutes=item["minutes"])
    return items


def decorate(session, zone, labels=None, page_prefix=None):
    """Attach what the templates, feeds, PDF and API show, computed once per session, so that the
    templates only print (a big agenda's render time is in the template engine otherwise)."""
    labels = labels or Labels()
    session.local_start = session.start.astimezone(zone) if session.start else None
    session.local_end = session.end.astimezone(zone) if session.end else None
    session.time_text = ""
    if session.local_start:
        session.time_text = _hhmm(session.local_start)
        if session.local_end:
            session.time_text += "–" + _hhmm(session.local_end)
    session.kind_label = labels.kind.get(session.kind, session.kind)
    session.place = ", ".join(part for part in (session.room, session.venue) if part)
    session.title_lang = content_lang(session, "title")
    session.page_url = f"{page_prefix}{session.slug}/" if page_prefix else session_url(session)
    if session.round_table_id:
        round_table = session.round_table
        session.round_table_label = labels.round_table % {"code": round_table.code}
        session.round_table_title_lang = content_lang(round_table, "title")
        key = (session.forum_id, round_table.code)
        if key not in labels.round_table_urls:
            labels.round_table_urls[key] = reverse(
                "roundtables:detail", kwargs={"forum": session.forum.slug, "code": round_table.code}
            )
        session.round_table_url = labels.round_table_urls[key]
    session.people = [
        {"role": row[0], "label": labels.role.get(row[0], row[0]), "name": name, "organisation": organisation}
        for row in session.role_rows
        for name, organisation in [public_role_person(row)]
    ]
    session.running_order = running_order(session, zone, labels)
    session.changes_shown = [
        {"change": change, "at": change.changed_at.astimezone(zone)} for change in session.public_changes
    ]
    return session


def agenda_days(sessions):
    """([{"date", "rooms": [{"room", "sessions"}]}], undated sessions); rooms in order of first start."""
    days, undated = {}, []
    for session in sessions:
        if session.local_start is None:
            undated.append(session)
            continue
        days.setdefault(session.local_start.date(), {}).setdefault(session.room, []).append(session)
    result = []
    for day in sorted(days):
        rooms = sorted(days[day].items(), key=lambda pair: (pair[0] == "", pair[1][0].local_start, pair[0]))
        result.append({"date": day, "rooms": [{"room": room, "sessions": items} for room, items in rooms]})
    return result, undated


def decorated(sessions, forum, round_tables=None):
    """The sessions of ``forum`` (a queryset or list) with their agenda loaded and decorated, in a list.

    ``round_tables``: the forum's round tables when the caller has them already (else one query)."""
    zone, labels = forum.zone(), Labels()
    prefix = session_url_prefix(forum)
    sessions = load_agenda(sessions)
    missing = [s for s in sessions if s.round_table_id and not Session.round_table.is_cached(s)]
    if missing:
        if round_tables is None:
            round_tables = RoundTable.objects.filter(forum=forum)
        by_id = {round_table.pk: round_table for round_table in round_tables}
        for session in missing:
            session.round_table = by_id.get(session.round_table_id)
    for session in sessions:
        if session.forum_id == forum.pk:
            session.forum = forum
    return [decorate(session, zone, labels, prefix) for session in sessions]


def session_url_prefix(forum):
    """The address of the forum's sessions' pages up to the session's slug."""
    return reverse("roundtables:agenda-session", kwargs={"forum": forum.slug, "slug": "x"}).removesuffix("x/")


def session_url(session):
    return reverse("roundtables:agenda-session", kwargs={"forum": session.forum.slug, "slug": session.slug})


def active_token(person):
    """The person's current feed key, or None."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).order_by("-created").first()
