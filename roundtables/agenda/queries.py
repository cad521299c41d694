"""Reads of the agenda that several surfaces share.

The read model: ``agenda_of(forum)`` is a forum's published ``Agenda`` (by ``Day`` and ``Room``),
``agenda_sessions(sessions)`` the ``AgendaSession`` of each session (with its ``Person``s,
running order of ``Step``s and public ``Change``s): what the public pages, the calendar feeds, the
printable programme and the API show, read in a fixed number of queries whatever the number of
sessions, roles and steps. Also: where a session takes place (``place``), times in the forum's
time zone, people with roles as staff see them, a person's private feed key.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.templatetags.portal import content_lang, content_languages
from roundtables.agenda.summaries import summary_of
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
from stakeholders.models import display_name


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
    return display_name(role.person)


def role_person(role):
    """(name, organisation name) of a role's holder, a person of the portal or a guest, as staff see it."""
    if role.person_id is None:
        return role.guest_name, role.guest_organisation
    profile = getattr(role.person, "profile", None)
    organisation = profile.organisation.name if profile and profile.organisation else ""
    return role_holder_name(role), organisation


# --- Where a session takes place ------------------------------------------------------------------


def place(session, *, city=True):
    """Where ``session`` takes place: its room, its venue and the forum's city (``city=False``: not
    the city, as on the forum's agenda, which names it once), without repeating one ("Berlin, Berlin")."""
    parts = []
    for part in (session.room, session.venue, session.forum.city if city else ""):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


# --- What the public sees: the agenda's read model ------------------------------------------------


@dataclass(slots=True)
class Person:
    """Someone with a role in a session as the public sees them: by name and organisation, never by
    their email address (a person who gave no name is shown by their organisation only)."""

    role: str  # SessionRole.Role value, e.g. "chair"
    label: str  # the role, translated
    name: str
    organisation: str


@dataclass(slots=True)
class Step:
    """One step of a session's running order."""

    kind: str  # AgendaItem.Kind value
    question: GuidingQuestion | None  # the guiding question of a question step
    text: str  # the step: its own title, else the question's text, else its kind (translated)
    short: str  # the same, but a question by its number ("Guiding question 2")
    lang: str  # ' lang="xx"' when ``text`` is a question's text in another language than the page's
    at: datetime.datetime | None  # when it starts (in the forum's time zone), if the session has a start
    at_text: str  # "09:30", or ""
    minutes: int
    minutes_text: str  # "20 min", translated


@dataclass(slots=True)
class Change:
    """A change made to a session since its publication, as the public reads it."""

    at: datetime.datetime  # in the forum's time zone
    summary: str  # in the active language (``summaries.summary_of``)
    code: str = ""  # what kind of change (``summaries.CODES``); "" for a row older than the codes
    params: dict = field(default_factory=dict)  # the values its summary names


@dataclass(slots=True)
class AgendaSession:
    """A published session as the agenda shows it (pages, calendar feeds, printable programme, API):
    everything the surfaces print, computed once, so that templates only print it (a big agenda's
    render time is in the template engine otherwise). Times are in its forum's time zone."""

    session: Session  # with its forum and round table loaded
    local_start: datetime.datetime | None
    local_end: datetime.datetime | None
    time_text: str  # "09:00–10:30", "09:00", or "" without a start
    kind_label: str  # the kind, translated
    place: str  # room and venue: place(session, city=False)
    title_lang: str  # ' lang="xx"' when the title shown is in another language than the page's
    page_url: str  # the session's page (a path)
    round_table_label: str  # "Round table 1.1", or "" when the session belongs to none
    round_table_title: str  # its title in the active language (or a fallback), or ""
    round_table_title_lang: str
    round_table_url: str  # the round table's page, or ""
    people: list[Person] = field(default_factory=list)
    running_order: list[Step] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # since publication, the latest first


@dataclass(slots=True)
class Room:
    """The sessions of a day in one room, in time order ("" when the room is not announced yet)."""

    room: str
    sessions: list[AgendaSession]


@dataclass(slots=True)
class Day:
    """A day of the agenda (in the forum's time zone) and its rooms, in the order of their first session."""

    date: datetime.date
    rooms: list[Room]


@dataclass(slots=True)
class Agenda:
    """A forum's published agenda (or a round table's): its sessions in order, by day then room, and
    those without a date yet."""

    sessions: list[AgendaSession]
    days: list[Day]
    undated: list[AgendaSession]


def with_agenda(queryset):
    """Sessions with their forum and round table (one query); ``agenda_sessions`` reads the rest."""
    return queryset.select_related("forum", "round_table")


def published_sessions(forum, *, round_table=None):
    """The forum's published sessions, dated ones first in time order, then those without a date."""
    sessions = Session.objects.filter(forum=forum, status=Session.Status.PUBLISHED)
    if round_table is not None:
        sessions = sessions.filter(round_table=round_table)
    # NULLS LAST on every database: sessions with a date come first. Not joined to the forum and the
    # round table: ``agenda_sessions`` attaches the few of them (one forum's long texts, copied for each
    # of hundreds of rows, cost more than the query that reads them once).
    return sessions.order_by(F("start").asc(nulls_last=True), "room", "id")


def sessions_of(person):
    """The published sessions of every forum where ``person`` holds a role or a live registration."""
    live = [Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ids = Session.objects.filter(
        Q(roles__person=person) | Q(registrations__person=person, registrations__status__in=live),
        status=Session.Status.PUBLISHED,
    ).values("id")
    return with_agenda(Session.objects.filter(id__in=ids).order_by(F("start").asc(nulls_last=True), "id"))


class Labels:
    """The translated labels of the agenda's choices, looked up once per request (not once per row),
    and what the agenda prints of each round table and guiding question, worked out at its first
    session or step (hundreds of sessions share a few of them)."""

    __slots__ = (
        "item",
        "kind",
        "languages",
        "minutes",
        "question",
        "questions",
        "role",
        "round_table",
        "round_tables",
        "times",
    )

    def __init__(self):
        self.kind = {value: str(label) for value, label in Session.Kind.choices}
        self.role = {value: str(label) for value, label in SessionRole.Role.choices}
        self.item = {value: str(label) for value, label in AgendaItem.Kind.choices}
        self.round_table = _("Round table %(code)s")
        self.minutes = _("%(minutes)s min")
        self.question = _("Guiding question %(number)s")
        self.languages = content_languages()  # for content_lang
        self.round_tables = {}  # round table id -> (label, title, title's lang attribute, page)
        self.questions = {}  # guiding question id -> (text, its lang attribute, "Guiding question 2")
        self.times = {}  # (zone, aware datetime) -> "09:30"

    def round_table_of(self, session):
        """(label, title, title's lang attribute, page) of the session's round table."""
        shown = self.round_tables.get(session.round_table_id)
        if shown is None:
            round_table = session.round_table
            shown = self.round_tables[session.round_table_id] = (
                self.round_table % {"code": round_table.code},
                round_table.title,
                content_lang(round_table, "title", self.languages),
                reverse("roundtables:detail", kwargs={"forum": session.forum.slug, "code": round_table.code}),
            )
        return shown

    def question_of(self, question):
        """(text, its lang attribute, short name) of a guiding question."""
        shown = self.questions.get(question.pk)
        if shown is None:
            shown = self.questions[question.pk] = (
                question.text,
                content_lang(question, "text", self.languages),
                self.question % {"number": question.position},
            )
        return shown

    def hhmm(self, value):
        """The "09:30" of an aware datetime, worked out once per moment and zone (sessions in parallel
        rooms share their steps' times)."""
        key = (value.tzinfo, value)  # equal datetimes of two zones show two wall times
        text = self.times.get(key)
        if text is None:
            text = self.times[key] = _hhmm(value)
        return text


def _hhmm(value):
    return f"{value.hour:02d}:{value.minute:02d}"


def session_url_prefix(forum):
    """The address of the forum's sessions' pages up to the session's slug."""
    return reverse("roundtables:agenda-session", kwargs={"forum": forum.slug, "slug": "x"}).removesuffix("x/")


def absolute_url(request):
    """A function giving the absolute address of an agenda page's path (``AgendaSession.page_url``)
    as ``request.build_absolute_uri`` gives it, the scheme and host worked out once (a feed or an
    API answer holds hundreds): the paths are reversed prefixes and slugs (<slug:…>), ASCII, which
    build_absolute_uri would leave as they are."""
    origin = request.build_absolute_uri("/").removesuffix("/")
    return lambda path: origin + path


def _entry(session, zone, labels, page_prefix):
    """The AgendaSession of ``session``, without its people, running order and changes yet."""
    local_start = session.start.astimezone(zone) if session.start else None
    local_end = session.end.astimezone(zone) if session.end else None
    time_text = ""
    if local_start:
        time_text = labels.hhmm(local_start)
        if local_end:
            time_text += "–" + labels.hhmm(local_end)
    round_table_label = round_table_title = round_table_title_lang = round_table_url = ""
    if session.round_table_id:
        round_table_label, round_table_title, round_table_title_lang, round_table_url = labels.round_table_of(session)
    return AgendaSession(
        session=session,
        local_start=local_start,
        local_end=local_end,
        time_text=time_text,
        kind_label=labels.kind.get(session.kind, session.kind),
        place=place(session, city=False),
        title_lang=content_lang(session, "title", labels.languages),
        page_url=f"{page_prefix}{session.slug}/",
        round_table_label=round_table_label,
        round_table_title=round_table_title,
        round_table_title_lang=round_table_title_lang,
        round_table_url=round_table_url,
    )


def _person(row, labels):
    """A Person from a role row of ``_add_people``: a guest's name and organisation as typed; a
    person's name and organisation (never an email address)."""
    role, guest_name, guest_organisation, person_id, first_name, last_name, organisation = row
    if person_id is None:
        name, organisation = guest_name, guest_organisation
    else:
        name, organisation = f"{first_name} {last_name}".strip(), organisation or ""
    return Person(role=role, label=labels.role.get(role, role), name=name, organisation=organisation)


def _add_people(entries, wanted, labels):
    """Each session's people with roles, in their order: one query."""
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
    # A session published between the first query and these has rows here and no entry.
    for session_id, *row in roles:
        if session_id in entries:
            entries[session_id].people.append(_person(row, labels))


def _step(kind, title, minutes, question, clock, labels):
    """A Step from a row of ``_add_running_orders`` starting at ``clock`` (None: the session has no start)."""
    lang = ""
    if kind == AgendaItem.Kind.GUIDING_QUESTION and question is not None and not title:
        text, lang, short = labels.question_of(question)
    else:
        text = short = title or labels.item.get(kind, kind)
    return Step(
        kind=kind,
        question=question,
        text=text,
        short=short,
        lang=lang,
        at=clock,
        at_text=labels.hhmm(clock) if clock else "",
        minutes=minutes,
        minutes_text=labels.minutes % {"minutes": minutes},
    )


def _add_running_orders(entries, wanted, labels):
    """Each session's running order, each step with its time when the session has a start: two
    queries (the steps, then their guiding questions)."""
    items = list(
        AgendaItem.objects.filter(wanted)
        .order_by("position", "id")
        .values_list("session_id", "kind", "title", "minutes", "guiding_question_id")
    )
    questions = GuidingQuestion.objects.in_bulk({item[-1] for item in items} - {None})
    clocks = {session_id: entry.local_start for session_id, entry in entries.items()}
    for session_id, kind, title, minutes, question_id in items:
        if session_id not in entries:
            continue
        clock = clocks[session_id]
        entries[session_id].running_order.append(_step(kind, title, minutes, questions.get(question_id), clock, labels))
        if clock is not None:
            clocks[session_id] = clock + datetime.timedelta(minutes=minutes)


def _add_changes(entries, wanted, zones):
    """Each session's changes since publication, the latest first: one query."""
    changes = (
        SessionChange.objects.filter(wanted, after_publication=True)
        .only("session_id", "changed_at", "summary", "code", "params")
        .order_by("-changed_at", "-id")
    )
    for change in changes:
        if change.session_id in entries:
            zone = zones[change.session_id]
            entries[change.session_id].changes.append(
                Change(
                    at=change.changed_at.astimezone(zone),
                    summary=summary_of(change),
                    code=change.code,
                    params=change.params,
                )
            )


def _attach(sessions, forum, round_tables):
    """Give the sessions of ``forum`` read without their forum and round table (``published_sessions``)
    the forum and their round tables (``round_tables``, the forum's, when the caller has them; else one query)."""
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


def agenda_sessions(sessions, forum=None, *, round_tables=None):
    """The AgendaSession of each of ``sessions`` (a queryset or a list), in their order.

    With ``forum``, the sessions are that forum's (their forum and round tables are attached, see
    ``_attach``); without, each session's forum and round table must be loaded (``with_agenda``), as
    for a person's sessions of several forums. Reads the people, running orders and changes in 4
    queries whatever the number of sessions, roles and steps; their rows are plain values, not model
    instances (a big agenda has thousands of them, and building model instances was most of its
    render time)."""
    # A queryset (unsliced) is also the filter of the queries below, as a subquery: a list of
    # hundreds of ids costs more to prepare, parameter by parameter, than the database spends on it.
    wanted = None
    if isinstance(sessions, QuerySet) and not sessions.query.is_sliced:
        wanted = Q(session__in=sessions.values("pk"))
    sessions = list(sessions)
    if not sessions:
        return []
    if forum is not None:
        _attach(sessions, forum, round_tables)
    labels, zones, prefixes, entries = Labels(), {}, {}, {}
    for session in sessions:
        if session.forum_id not in prefixes:
            prefixes[session.forum_id] = (session.forum.zone(), session_url_prefix(session.forum))
        zones[session.pk], prefix = prefixes[session.forum_id]
        entries[session.pk] = _entry(session, zones[session.pk], labels, prefix)
    if wanted is None:
        wanted = Q(session_id__in=entries)
    _add_people(entries, wanted, labels)
    _add_running_orders(entries, wanted, labels)
    _add_changes(entries, wanted, zones)
    return list(entries.values())


def agenda_session(session, forum):
    """The AgendaSession of one session of ``forum`` (its page, the API's detail)."""
    return agenda_sessions([session], forum)[0]


def _by_day(entries):
    """(days, undated sessions) of ``entries``: rooms in the order of their first session, the rooms
    not announced yet last."""
    days, undated = {}, []
    for entry in entries:
        if entry.local_start is None:
            undated.append(entry)
            continue
        days.setdefault(entry.local_start.date(), {}).setdefault(entry.session.room, []).append(entry)
    result = []
    for day in sorted(days):
        rooms = sorted(days[day].items(), key=lambda pair: (pair[0] == "", pair[1][0].local_start, pair[0]))
        result.append(Day(date=day, rooms=[Room(room=room, sessions=sessions) for room, sessions in rooms]))
    return result, undated


def agenda_of(forum, *, round_table=None, round_tables=None):
    """The published Agenda of ``forum``, or of one of its round tables; ``round_tables``: the forum's,
    when the caller has them already. 6 queries (sessions, round tables unless given, people, steps,
    guiding questions, changes), whatever the size."""
    entries = agenda_sessions(published_sessions(forum, round_table=round_table), forum, round_tables=round_tables)
    days, undated = _by_day(entries)
    return Agenda(sessions=entries, days=days, undated=undated)


def active_token(person):
    """The person's current feed key, or None."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).order_by("-created").first()
