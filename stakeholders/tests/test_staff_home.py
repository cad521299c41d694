"""The staff home page (each queue, its count, its link) and the daily digest email (once a day per
person, in their language, whatever the number of beats)."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from common.models import OutboxTask
from stakeholders import digest
from stakeholders.models import DelegateRequest, Organisation, StaffDigest

pytestmark = pytest.mark.django_db

HOME = "/en/staff/"


def _waiting_items(personas, forum, count=1, start=0):
    """``count`` items in each queue: delegate requests, proposed organisations, practices to review,
    contributions to moderate, people on the common space's waiting list."""
    from practices.models import Practice
    from roundtables.models import Session
    from roundtables.registration import services as registration
    from roundtables.tests.contributions.helpers import contribute

    government = personas.government()
    session = Session.objects.get(forum=forum, slug="common-space")
    if not start:
        boss = personas.staff("boss@example.org")
        registration.configure_registration(
            session=session, staff=boss, total_seats=1, quotas={}, eligible_constituencies=[]
        )
        registration.register(session=session, person=personas.participant("seated@example.org"))
    for number in range(start, start + count):
        person = personas.participant(f"p{number}@example.org")
        DelegateRequest.objects.create(user=person, organisation=government, justification="Mission")
        Organisation.objects.create(
            name=f"Proposed {number}", constituency="civil_society", status="proposed", proposed_at=timezone.now()
        )
        Practice.objects.create(
            organisation=government, status="submitted", title=f"Practice {number}", submitted_at=timezone.now()
        )
        contribute(forum.round_tables.get(code="1.1"), person)
        registration.register(session=session, person=person)  # no seat left: the waiting list
    OutboxTask.objects.all().delete()


def test_the_staff_home_lists_each_queue_with_its_count_and_link(client, personas, forum):
    _waiting_items(personas, forum, count=2)
    client.force_login(personas.staff())
    page = client.get(HOME).content.decode()
    rows = {
        "delegate_requests": ("/en/staff/delegate-requests/", "Delegate verification requests"),
        "proposed_organisations": ("/en/staff/organisations/", "Proposed organisations"),
        "practices_to_review": ("/en/practices/review/", "Practices to review"),
        "contributions_to_moderate": ("/en/staff/contributions/", "Contributions to moderate"),
        "registrations_waiting": (
            "/en/staff/sessions/common-space/registrations/?status=waitlisted",
            "Registrations on a waiting list",
        ),
    }
    for key, (url, label) in rows.items():
        assert (
            f'<tr id="queue-{key}"><th scope="row" class="fw-normal"><a href="{url}">{label}</a></th>'
            f'<td class="text-end queue-count"><strong>2</strong></td></tr>'
        ) in page.replace("&amp;", "&")
    assert page.index("queue-delegate_requests") < page.index("queue-registrations_waiting")


def test_the_staff_home_costs_the_same_queries_with_one_item_or_many(
    client, personas, forum, django_assert_num_queries
):
    staff = personas.staff()
    _waiting_items(personas, forum, count=1)
    client.force_login(staff)
    client.get(HOME)
    with django_assert_num_queries(8) as one:
        client.get(HOME)
    _waiting_items(personas, forum, count=3, start=1)
    with django_assert_num_queries(len(one.captured_queries)):
        assert "<strong>4</strong>" in client.get(HOME).content.decode()


def _run_outbox():
    from gfmd_portal.celery import app
    from stakeholders import tasks

    assert tasks.send_staff_digest.name in app.tasks
    for task in OutboxTask.objects.filter(sent_at=None).order_by("id"):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = timezone.now()
        task.save(update_fields=["sent_at"])


def test_the_digest_is_sent_once_a_day_to_each_staff_member_in_their_language(personas, forum):
    _waiting_items(personas, forum, count=2)
    personas.staff()  # "boss@example.org" (from the items) is staff too, in English
    french = personas.staff("equipe@example.org", language="fr")
    french.first_name, french.last_name = "Claire", "Martin"
    french.save()
    personas.participant("not-staff@example.org")
    mail.outbox.clear()

    # Two beats (or a beat and a restart) on the same day: the rows are written once.
    assert digest.plan_digests() == 3
    assert digest.plan_digests() == 0
    assert OutboxTask.objects.filter(task_name="stakeholders.tasks.send_staff_digest").count() == 3
    _run_outbox()
    # A task delivered twice sends nothing more.
    from stakeholders.tasks import send_staff_digest

    for row in StaffDigest.objects.all():
        send_staff_digest(row.pk)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "boss@example.org",
        "equipe@example.org",
        "staff@example.org",
    ]
    assert StaffDigest.objects.filter(day=timezone.localdate(), emailed=True).count() == 3

    by_address = {message.to[0]: message for message in mail.outbox}
    english_mail = by_address["staff@example.org"]
    assert english_mail.subject.startswith("[GFMD] What waits for the co-chairs' staff, ")
    assert "* Delegate verification requests: 2 waiting, 2 new\n  http://" in english_mail.body
    assert "/en/staff/delegate-requests/" in english_mail.body
    assert "* Proposed organisations: 2 waiting, 2 new\n  http://" in english_mail.body
    assert "/en/staff/organisations/" in english_mail.body
    assert "* Registrations on a waiting list: 2 waiting, 2 new" in english_mail.body
    french_mail = by_address["equipe@example.org"]
    assert french_mail.subject.startswith("[GFMD] Ce qui attend l’équipe des coprésidents, ")
    assert "Bonjour Claire MARTIN," in french_mail.body
    assert "/fr/staff/delegate-requests/" in french_mail.body
    assert "* Demandes de vérification de délégué : 2 en attente, 2 nouveaux" in french_mail.body


def test_the_next_digest_counts_what_is_new_since_the_last_one(personas, forum):
    staff = personas.staff()
    _waiting_items(personas, forum, count=1)
    yesterday = StaffDigest.objects.create(user=staff, day=timezone.localdate() - datetime.timedelta(days=1))
    StaffDigest.objects.filter(pk=yesterday.pk).update(created=timezone.now() - datetime.timedelta(hours=1))
    DelegateRequest.objects.update(created=timezone.now() - datetime.timedelta(hours=2))  # seen yesterday
    mail.outbox.clear()
    digest.plan_digests()
    _run_outbox()
    body = next(message.body for message in mail.outbox if message.to == ["staff@example.org"])
    assert "* Delegate verification requests: 1 waiting, 0 new" in body
    assert "* Contributions to moderate: 1 waiting, 1 new" in body


def test_no_email_when_nothing_waits(personas):
    personas.staff()
    mail.outbox.clear()
    assert digest.plan_digests() == 1
    _run_outbox()
    assert mail.outbox == []
    row = StaffDigest.objects.get()
    assert (row.emailed, row.sent_at is not None, row.counts["delegate_requests"]) == (
        False,
        True,
        {"waiting": 0, "new": 0},
    )


def test_beat_sends_the_digest_planner():
    from gfmd_portal.celery import BEAT_SCHEDULE, app
    from stakeholders import tasks  # noqa: F401 - registers the tasks, as the worker's autodiscovery does

    entry = BEAT_SCHEDULE["stakeholders.staff-digest"]
    assert entry["task"] == "stakeholders.tasks.plan_staff_digests" and entry["task"] in app.tasks


def test_a_focal_point_is_told_of_their_own_governments_requests_only(personas, forum):
    germany = personas.government()
    morocco = personas.government("Ministry of Foreign Affairs", "MA")
    personas.focal_point("focal@example.org", organisation=germany)
    for number, government in enumerate([germany, germany, morocco]):
        person = personas.participant(f"applicant{number}@example.org")
        DelegateRequest.objects.create(user=person, organisation=government, justification="Mission")
    Organisation.objects.create(name="Proposed", constituency="civil_society", status="proposed")
    OutboxTask.objects.all().delete()
    mail.outbox.clear()

    assert digest.plan_digests() == 1  # no staff here: the focal point alone
    assert digest.plan_digests() == 0
    _run_outbox()
    [message] = mail.outbox
    assert message.to == ["focal@example.org"]
    # Their queue only, scoped to their government; its page is where the link goes.
    assert "* Delegate verification requests: 2 waiting, 2 new\n  http://" in message.body
    assert "Proposed organisations" not in message.body and "Practices to review" not in message.body
    assert "/en/staff/delegate-requests/" in message.body
    assert "/en/staff/\n" not in message.body  # not the staff home, which is staff's


def test_a_focal_point_without_a_second_factor_is_not_written_to(personas, forum):
    germany = personas.government()
    personas.focal_point("focal@example.org", organisation=germany, second_factor=False)
    DelegateRequest.objects.create(
        user=personas.participant("applicant@example.org"), organisation=germany, justification="Mission"
    )
    OutboxTask.objects.all().delete()
    mail.outbox.clear()
    digest.plan_digests()
    _run_outbox()
    assert mail.outbox == []
