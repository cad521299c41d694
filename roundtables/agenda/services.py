"""Agenda curation: the actions co-chair staff take on sessions (details, publication, people with
roles, running order) and the feed keys people take for their own sessions.

Every change of a session goes through one function here (views, tests and any later API call
them); each one writes a ``SessionChange`` and an audit entry (``record_change``), and once the
session is published, emails the people who hold a role in it (one outbox task per person, sent on
commit). The checks shown while staff edit are in ``agenda.checks``.

Times are entered and shown in the forum's time zone.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common import outbox
from roundtables.agenda import summaries
from roundtables.agenda.queries import local
from roundtables.models import AgendaItem, CalendarFeedToken, Session, SessionChange, SessionRole
from stakeholders import audit
from stakeholders.permissions import can

EMAIL_TASK = "roundtables.tasks.send_agenda_change_email"

# Minutes of a default running order: opening, each guiding question, discussion, conclusions.
DEFAULT_MINUTES = {
    AgendaItem.Kind.OPENING: 10,
    AgendaItem.Kind.GUIDING_QUESTION: 20,
    AgendaItem.Kind.DISCUSSION: 30,
    AgendaItem.Kind.CONCLUSIONS: 15,
}

# The fields of a session that the details form edits, as recorded in the changelog.
DETAIL_FIELDS = (
    "kind",
    "title_en",
    "title_fr",
    "title_es",
    "description_en",
    "description_fr",
    "description_es",
    "round_table",
    "start",
    "end",
    "venue",
    "room",
    "co_chairing_governments",
)


class VersionConflict(Exception):
    """Another person saved the session after this form was opened."""


def _require_staff(actor):
    if not can(actor, "roundtables.curate_agenda"):
        raise PermissionDenied


def _text(session, name):
    """A detail field as the text the changelog keeps (times in the forum's time zone)."""
    value = getattr(session, name)
    if name in ("start", "end"):
        return local(value, session.forum).strftime("%Y-%m-%d %H:%M") if value else ""
    if name == "round_table":
        return value.code if value else ""
    if name == "kind":
        return value or ""
    if name == "co_chairing_governments":
        return ", ".join(str(code) for code in value)
    return value or ""


def snapshot(session):
    return {name: _text(session, name) for name in DETAIL_FIELDS}


def role_label(role):
    """'Chair: Name (Organisation)', for the changelog (never an email address: the changelog of a
    published session is public)."""
    return summaries.role_text(summaries.role_params(role))


def _item_label(item):
    return summaries.step_text(summaries.step_params(item))


def _running_order_text(session):
    items = session.agenda_items.select_related("guiding_question").order_by("position", "id")
    return " · ".join(_item_label(item) for item in items)


# --- The changelog ----------------------------------------------------------------------------


def record_change(*, session, actor, action, code, params=None, changes, notify=()):
    """Record one change of ``session``: a SessionChange row, an audit entry, and after
    publication an email task for each person with a role in it (and those in ``notify``,
    e.g. someone whose role was just removed).

    ``changes``: [{"field", "old", "new"}]. ``code`` and ``params`` make its one-line summary
    (``summaries.describe``), written in each reader's language; ``summary`` keeps it in English.
    """
    # Read from the database: the caller's instance may predate a publication made meanwhile.
    status, published_at = Session.objects.filter(pk=session.pk).values_list("status", "published_at").get()
    after_publication = published_at is not None and status == Session.Status.PUBLISHED
    change = SessionChange.objects.create(
        session=session,
        actor=actor if actor is not None and actor.is_authenticated else None,
        code=code,
        params=params or {},
        summary=summaries.in_english(code, params)[:500],
        changes=changes,
        after_publication=after_publication,
    )
    audit.record(
        actor=actor,
        action=f"roundtables.session.{action}",
        obj=session,
        before={entry["field"]: entry["old"] for entry in changes},
        after={entry["field"]: entry["new"] for entry in changes},
    )
    if after_publication:
        people = set(session.roles.exclude(person=None).values_list("person_id", flat=True))
        people.update(person_id for person_id in notify if person_id)
        for person_id in sorted(people):
            outbox.enqueue(EMAIL_TASK, change_id=change.pk, person_id=person_id)
    return change


def _in_default_language(function, *args):
    with translation.override(None):
        return function(*args)


# --- Sessions ---------------------------------------------------------------------------------


def _unique_slug(forum, title):
    base = slugify(title)[:70] or "session"
    if base == "new":
        base = "new-session"
    slug, number = base, 2
    while Session.objects.filter(forum=forum, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


NULLABLE = {"round_table", "start", "end"}


def _apply(session, data):
    for name in DETAIL_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if value is None and name not in NULLABLE:
            value = [] if name == "co_chairing_governments" else ""
        setattr(session, name, value)
    _validate(session)


def _validate(session):
    errors = {}
    if not (session.title_en or "").strip():
        errors["title_en"] = _("Give the session a title in English.")
    if session.kind == Session.Kind.ROUND_TABLE and session.round_table_id is None:
        errors["round_table"] = _("A round-table session belongs to a round table: choose it.")
    if session.round_table_id and session.round_table.forum_id != session.forum_id:
        errors["round_table"] = _("This round table belongs to another forum.")
    if (session.start is None) != (session.end is None):
        errors["end"] = _("Give both the start and the end, or neither.")
    elif session.start and session.end <= session.start:
        errors["end"] = _("The end must come after the start.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_session(*, forum, actor, data):
    """Staff create a draft session of ``forum`` from ``data`` (the details form's fields)."""
    _require_staff(actor)
    session = Session(forum=forum, status=Session.Status.DRAFT)
    _apply(session, data)
    session.slug = _unique_slug(forum, session.title_en)
    session.save()
    after = snapshot(session)
    record_change(
        session=session,
        actor=actor,
        action="created",
        code=summaries.CREATED,
        changes=[{"field": name, "old": "", "new": value} for name, value in after.items() if value],
    )
    return session


@transaction.atomic
def update_session(*, session, actor, data, version):
    """Save the details form opened at ``version``; a stale form is refused (VersionConflict), not merged."""
    _require_staff(actor)
    updated = Session.objects.filter(pk=session.pk, version=version).update(version=F("version") + 1)
    if not updated:
        raise VersionConflict(
            _(
                "Someone else saved this session while you were editing it. Your changes are still in the "
                "form below: note what you need, reload the page to see their changes, then apply yours again."
            )
        )
    session = Session.objects.select_for_update(of=("self",)).select_related("forum", "round_table").get(pk=session.pk)
    before = snapshot(session)
    _apply(session, data)
    session.save()
    after = snapshot(session)
    changes = [
        {"field": name, "old": before[name], "new": after[name]}
        for name in DETAIL_FIELDS
        if before[name] != after[name]
    ]
    if changes:
        record_change(
            session=session,
            actor=actor,
            action="updated",
            code=summaries.CHANGED,
            params={"fields": [entry["field"] for entry in changes]},
            changes=changes,
        )
    return session


@transaction.atomic
def publish(*, session, actor):
    """Make the session public. The first publication is remembered: changes after it are listed publicly."""
    _require_staff(actor)
    session = Session.objects.select_for_update().select_related("forum").get(pk=session.pk)
    if session.status == Session.Status.PUBLISHED:
        return session
    record_change(
        session=session,
        actor=actor,
        action="published",
        code=summaries.PUBLISHED,
        changes=[{"field": "status", "old": Session.Status.DRAFT.value, "new": Session.Status.PUBLISHED.value}],
    )
    session.status = Session.Status.PUBLISHED
    session.published_at = session.published_at or timezone.now()
    session.save(update_fields=["status", "published_at", "updated"])
    return session


@transaction.atomic
def unpublish(*, session, actor):
    """Take the session back to draft: the public no longer sees it (a 404 everywhere)."""
    _require_staff(actor)
    session = Session.objects.select_for_update().select_related("forum").get(pk=session.pk)
    if session.status == Session.Status.DRAFT:
        return session
    session.status = Session.Status.DRAFT
    session.save(update_fields=["status", "updated"])
    record_change(
        session=session,
        actor=actor,
        action="unpublished",
        code=summaries.UNPUBLISHED,
        changes=[{"field": "status", "old": Session.Status.PUBLISHED.value, "new": Session.Status.DRAFT.value}],
    )
    return session


# --- People with roles -------------------------------------------------------------------------


def _role_change(session, actor, action, code, params, old, new, notify=()):
    record_change(
        session=session,
        actor=actor,
        action=action,
        code=code,
        params=params,
        changes=[{"field": "roles", "old": old, "new": new}],
        notify=notify,
    )


@transaction.atomic
def add_role(
    *,
    session,
    actor,
    role,
    person=None,
    guest_name="",
    guest_organisation="",
    guest_constituency="",
    guest_country="",
    guest_gender="",
):
    """Give a person of the portal, or a named guest, a role in the session."""
    _require_staff(actor)
    if role not in SessionRole.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    guest_name = (guest_name or "").strip()
    if person is None and not guest_name:
        raise ValidationError(_("Name a person of the portal (their email address) or a guest."))
    if person is not None and guest_name:
        raise ValidationError(_("Name a person of the portal or a guest, not both."))
    if person is not None and session.roles.filter(person=person, role=role).exists():
        raise ValidationError(_("This person already has this role in the session."))
    position = (session.roles.aggregate(last=Max("position"))["last"] or 0) + 1
    holder = SessionRole.objects.create(
        session=session,
        role=role,
        person=person,
        guest_name=guest_name if person is None else "",
        guest_organisation=(guest_organisation or "").strip() if person is None else "",
        guest_constituency=guest_constituency or "" if person is None else "",
        guest_country=guest_country or "" if person is None else "",
        guest_gender=guest_gender or "" if person is None else "",
        position=position,
    )
    label = _in_default_language(role_label, holder)
    _role_change(session, actor, "role_added", summaries.ROLE_ADDED, summaries.role_params(holder), "", label)
    return holder


@transaction.atomic
def update_role(*, holder, actor, role):
    """Change what a person does in the session (e.g. from speaker to moderator)."""
    _require_staff(actor)
    if role not in SessionRole.Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    if role == holder.role:
        return holder
    old, old_params = _in_default_language(role_label, holder), summaries.role_params(holder)
    holder.role = role
    holder.save(update_fields=["role"])
    new = _in_default_language(role_label, holder)
    params = {"old": old_params, "new": summaries.role_params(holder)}
    _role_change(holder.session, actor, "role_changed", summaries.ROLE_CHANGED, params, old, new)
    return holder


@transaction.atomic
def remove_role(*, holder, actor):
    """Take a role away; the person is told too when the session is published."""
    _require_staff(actor)
    session, person_id = holder.session, holder.person_id
    old, params = _in_default_language(role_label, holder), summaries.role_params(holder)
    holder.delete()
    _role_change(session, actor, "role_removed", summaries.ROLE_REMOVED, params, old, "", notify=[person_id])


# --- The running order -------------------------------------------------------------------------


def _order_change(session, actor, action, code, old, params=None):
    record_change(
        session=session,
        actor=actor,
        action=action,
        code=code,
        params=params,
        changes=[{"field": "running_order", "old": old, "new": _running_order_text(session)}],
    )


def _check_minutes(minutes):
    if minutes is None or not 1 <= int(minutes) <= 600:
        raise ValidationError({"minutes": _("Give the minutes as a number from 1 to 600.")})
    return int(minutes)


@transaction.atomic
def add_item(*, session, actor, kind, minutes, title="", guiding_question=None):
    """Append a step to the running order."""
    _require_staff(actor)
    if kind not in AgendaItem.Kind.values:
        raise ValidationError({"kind": _("Choose what this step is.")})
    if kind == AgendaItem.Kind.GUIDING_QUESTION:
        if guiding_question is None:
            raise ValidationError({"guiding_question": _("Choose the guiding question.")})
        if session.round_table_id is None or guiding_question.round_table_id != session.round_table_id:
            raise ValidationError({"guiding_question": _("This question is not one of the session's round table.")})
    else:
        guiding_question = None
    if kind == AgendaItem.Kind.OTHER and not (title or "").strip():
        raise ValidationError({"title": _("Give this step a title.")})
    minutes = _check_minutes(minutes)
    old = _running_order_text(session)
    position = (session.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem.objects.create(
        session=session,
        kind=kind,
        guiding_question=guiding_question,
        title=(title or "").strip(),
        minutes=minutes,
        position=position,
    )
    _order_change(session, actor, "item_added", summaries.ITEM_ADDED, old, summaries.step_params(item))
    return item


@transaction.atomic
def update_item(*, item, actor, minutes, title=None):
    _require_staff(actor)
    minutes = _check_minutes(minutes)
    title = item.title if title is None else title.strip()
    if item.kind == AgendaItem.Kind.OTHER and not title:
        raise ValidationError({"title": _("Give this step a title.")})
    if minutes == item.minutes and title == item.title:
        return item
    old = _running_order_text(item.session)
    item.minutes, item.title = minutes, title
    item.save(update_fields=["minutes", "title"])
    _order_change(item.session, actor, "item_changed", summaries.ITEM_CHANGED, old, summaries.step_params(item))
    return item


@transaction.atomic
def remove_item(*, item, actor):
    _require_staff(actor)
    session = item.session
    old = _running_order_text(session)
    params = summaries.step_params(item)
    item.delete()
    _renumber(session, list(session.agenda_items.order_by("position", "id").values_list("pk", flat=True)))
    _order_change(session, actor, "item_removed", summaries.ITEM_REMOVED, old, params)


def _renumber(session, ordered_ids):
    items = {item.pk: item for item in session.agenda_items.all()}
    for position, pk in enumerate(ordered_ids, start=1):
        items[pk].position = position
    AgendaItem.objects.bulk_update(items.values(), ["position"])


@transaction.atomic
def reorder_items(*, session, actor, order):
    """Put the running order in ``order`` (every item id of the session, once each).

    An order that does not name exactly the session's items (someone added or removed one
    meanwhile) is refused rather than guessed at.
    """
    _require_staff(actor)
    session = Session.objects.select_for_update().get(pk=session.pk)
    current = list(session.agenda_items.order_by("position", "id").values_list("pk", flat=True))
    try:
        order = [int(pk) for pk in order]
    except (TypeError, ValueError):
        order = []
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise ValidationError(_("The running order changed while you were editing it; it is shown again as it is now."))
    if order == current:
        return
    old = _running_order_text(session)
    _renumber(session, order)
    _order_change(session, actor, "reordered", summaries.REORDERED, old)


def move_item(*, item, actor, direction):
    """Move a step one place up or down (the keyboard's way of reordering)."""
    order = list(item.session.agenda_items.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(order):
        return False
    order[index], order[target] = order[target], order[index]
    reorder_items(session=item.session, actor=actor, order=order)
    return True


@transaction.atomic
def default_running_order(*, session, actor):
    """Opening, each guiding question of the round table in order, discussion, conclusions.

    Only for a session without a running order yet: it never overwrites what staff built.
    """
    _require_staff(actor)
    if session.agenda_items.exists():
        raise ValidationError(_("This session already has a running order."))
    questions = list(session.round_table.guiding_questions.all()) if session.round_table_id else []
    minutes = dict(DEFAULT_MINUTES)
    if questions and session.start and session.end:
        # The questions share the time the opening, discussion and conclusions leave (5 minutes at least).
        length = int((session.end - session.start).total_seconds() // 60)
        others = sum(value for kind, value in DEFAULT_MINUTES.items() if kind != AgendaItem.Kind.GUIDING_QUESTION)
        minutes[AgendaItem.Kind.GUIDING_QUESTION] = max(5, (length - others) // len(questions))
    kinds = [(AgendaItem.Kind.OPENING, None)]
    kinds += [(AgendaItem.Kind.GUIDING_QUESTION, question) for question in questions]
    kinds += [(AgendaItem.Kind.DISCUSSION, None), (AgendaItem.Kind.CONCLUSIONS, None)]
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, kind=kind, guiding_question=question, minutes=minutes[kind], position=n)
        for n, (kind, question) in enumerate(kinds, start=1)
    )
    _order_change(session, actor, "running_order_created", summaries.RUNNING_ORDER_CREATED, "")


# --- A person's private feed address --------------------------------------------------------------


@transaction.atomic
def revoke_tokens(*, person):
    """Revoke every live key of ``person``; returns how many there were. Their URLs are a 404 at once."""
    return CalendarFeedToken.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def issue_token(*, person):
    """A new secret key for ``person``'s feed; any previous one is revoked. One live key per person,
    also when two requests race (the person's row is locked)."""
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()
    revoke_tokens(person=person)
    return CalendarFeedToken.objects.create(person=person, key=secrets.token_urlsafe(32))
