"""Emails sent by the worker after an action committed (the outbox): contributions and agenda changes."""

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from stakeholders import emails


def _absolute(path):
    return f"{settings.SITE_URL}{path}"


# --- Agenda: people with a role in a published session are told of each change ------------------


@shared_task(name="roundtables.tasks.send_agenda_change_email", ignore_result=True)
def send_agenda_change_email(change_id, person_id):
    """Tell a person with a role (or whose role was just removed) what changed in a published
    session, in their language. Quiet when the change, the person or their address is gone, or the
    session was withdrawn from the public agenda since."""
    from django.contrib.auth import get_user_model

    from roundtables import agenda
    from roundtables.models import Session, SessionChange

    change = SessionChange.objects.select_related("session__forum").filter(pk=change_id).first()
    person = get_user_model().objects.select_related("profile").filter(pk=person_id, is_active=True).first()
    if change is None or person is None or not person.email:
        return
    session = change.session
    if session.status != Session.Status.PUBLISHED:
        return
    language = emails.language_of(person)
    with translation.override(language):
        page_url = _absolute(
            reverse("roundtables:agenda-session", kwargs={"forum": session.forum.slug, "slug": session.slug})
        )
        context = agenda.email_context(change=change, person=person)
    emails.send(
        to=person.email,
        language=language,
        template="roundtables/email/agenda_changed",
        context={**context, "page_url": page_url},
    )
