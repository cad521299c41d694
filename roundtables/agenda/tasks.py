"""The email to the people with a role in a published session when it changes, sent by the worker
after the change committed (the outbox). The task keeps the name it had in ``roundtables/tasks.py``:
outbox rows store it."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from common.http import site_url
from roundtables.agenda.queries import local, place
from roundtables.agenda.summaries import field_label
from roundtables.models import Session, SessionChange
from stakeholders import emails


def _shown(name, value, limit=300):
    """A changelog value as a person reads it (codes of kinds and statuses as words)."""
    if name == "kind" and value in Session.Kind.values:
        return str(Session.Kind(value).label)
    if name == "status" and value in Session.Status.values:
        return str(Session.Status(value).label)
    value = value or ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def email_context(*, change, person):
    """What the email about ``change`` tells ``person``, in the active language."""
    session = change.session
    forum = session.forum
    start, end = local(session.start, forum), local(session.end, forum)
    timing = ""
    if start:
        timing = f"{date_format(start, 'j F Y')}, {start:%H:%M}–{end:%H:%M} ({forum.time_zone})"
    return {
        "change": change,
        "session": session,
        "forum": forum,
        "timing": timing,
        "place": place(session),
        "roles": [str(holder.get_role_display()) for holder in session.roles.filter(person=person)],
        "changes": [
            {
                "label": str(field_label(entry.get("field", ""))),
                "old": _shown(entry.get("field"), entry.get("old")),
                "new": _shown(entry.get("field"), entry.get("new")),
            }
            for entry in change.changes
        ],
        "changed_at": local(change.changed_at, forum),
    }


@shared_task(name="roundtables.tasks.send_agenda_change_email", ignore_result=True)
def send_agenda_change_email(change_id, person_id):
    """Tell a person with a role (or whose role was just removed) what changed in a published
    session, in their language. Quiet when the change, the person or their address is gone, or the
    session was withdrawn from the public agenda since."""
    change = SessionChange.objects.select_related("session__forum").filter(pk=change_id).first()
    person = get_user_model().objects.select_related("profile").filter(pk=person_id, is_active=True).first()
    if change is None or person is None or not person.email:
        return
    session = change.session
    if session.status != Session.Status.PUBLISHED:
        return
    language = emails.language_of(person)
    with translation.override(language):
        page_url = site_url(
            reverse("roundtables:agenda-session", kwargs={"forum": session.forum.slug, "slug": session.slug})
        )
        context = email_context(change=change, person=person)
    emails.send(
        to=person.email,
        language=language,
        template="roundtables/email/agenda_changed",
        context={**context, "page_url": page_url},
    )
