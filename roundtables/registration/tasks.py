"""Emails about a person's registration, sent by the worker after the action committed (the outbox).

The task keeps the name it had in ``roundtables/tasks.py``: outbox rows store it.
"""

from celery import shared_task
from django.urls import reverse
from django.utils import translation

from common.http import site_url
from roundtables.agenda.queries import place
from roundtables.models import Registration
from roundtables.registration import tickets
from roundtables.registration.queries import waitlist_position
from stakeholders import emails

# The status a registration must still have for the email of an event to be true when it is sent:
# a confirmation sent after the person cancelled would mislead them.
EVENTS = {
    "confirmed": Registration.Status.CONFIRMED,
    "promoted": Registration.Status.CONFIRMED,
    "waitlisted": Registration.Status.WAITLISTED,
    "cancelled": Registration.Status.CANCELLED,
}
WITH_CODE = {"confirmed", "promoted"}


@shared_task(name="roundtables.tasks.send_registration_email", ignore_result=True)
def send_registration_email(registration_id, event):
    """Tell the person what became of their registration, in their language. Quiet when the
    registration is gone or no longer in the state the event announces (safe to run twice)."""
    registration = (
        Registration.objects.select_related("person__profile", "session__forum").filter(pk=registration_id).first()
    )
    if registration is None or EVENTS.get(event) != registration.status:
        return
    person = registration.person
    language = emails.language_of(person)
    with translation.override(language):
        page_url = site_url(tickets.registration_page_url(registration.session))
        calendar_url = site_url(reverse("roundtables:registration-ics", kwargs={"pk": registration.pk}))
        registrations_url = site_url(reverse("roundtables:my-registrations"))
    attachments = []
    if event in WITH_CODE:
        attachments.append(("check-in-code.svg", tickets.qr_svg(registration.checkin_code), "image/svg+xml"))
    emails.send(
        to=person.email,
        language=language,
        template=f"roundtables/email/registration_{event}",
        context={
            "registration": registration,
            "session": registration.session,
            "forum": registration.session.forum,
            "place": place(registration.session),
            "timing": tickets.when(registration.session),
            "position": waitlist_position(registration),
            "page_url": page_url,
            "calendar_url": calendar_url,
            "registrations_url": registrations_url,
        },
        attachments=attachments,
    )


@shared_task(name="roundtables.tasks.make_badges", ignore_result=True)
def make_badges(job_id):
    """Lay out a large set of badges (see services.make_badges; quiet when the job is gone or done)."""
    from roundtables.registration import services

    services.make_badges(job_id=job_id)
