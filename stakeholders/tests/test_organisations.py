"""Organisations: the governments and international organisations shipped with the portal, and the
staff page that reviews the ones participants propose (approve, merge, reject)."""

import pytest
from django.core import mail
from django.core.management import call_command

from common.models import OutboxTask
from common.text import fold
from stakeholders import services, tasks  # noqa: F401 - registers the tasks the outbox names
from stakeholders.models import AuditEntry, Constituency, DelegateRequest, Organisation, Profile

pytestmark = pytest.mark.django_db

QUEUE = "/en/staff/organisations/"


def _run_outbox():
    """Run the recorded follow-up tasks in-process, as a worker would."""
    from gfmd_portal.celery import app

    for task in OutboxTask.objects.filter(sent_at=None):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = task.created
        task.save(update_fields=["sent_at"])


def _shipped():
    return Organisation.objects.exclude(reference=None)


# --- The shipped list ------------------------------------------------------------------------------


def test_a_fresh_database_has_the_un_member_and_observer_states_and_the_usual_observers():
    """Loaded by `migrate` (the test database is made by it): nothing to run by hand."""
    governments = _shipped().filter(constituency=Constituency.GOVERNMENT)
    assert governments.count() == 195  # 193 member states, the Holy See and the State of Palestine
    assert governments.filter(reference__startswith="state:").count() == 195
    assert set(governments.values_list("status", flat=True)) == {"approved"}
    assert governments.get(reference="state:DE").name == "Germany"
    assert str(governments.get(reference="state:DE").country) == "DE"
    assert governments.get(reference="state:VA").name == "Holy See"
    assert str(governments.get(reference="state:PS").country) == "PS"
    assert not governments.filter(country="").exists()  # every state has its django-countries code
    observers = _shipped().filter(constituency=Constituency.INTERNATIONAL_ORGANISATION)
    assert {"io:IOM", "io:ILO", "io:UNHCR", "io:UNDESA", "io:OHCHR", "io:UNDP", "io:UNICEF", "io:WB", "io:OECD"} <= set(
        observers.values_list("reference", flat=True)
    )
    assert observers.get(reference="io:IOM").name == "International Organization for Migration (IOM)"
    assert _shipped().count() == len(services.shipped_organisations())


def test_loading_twice_creates_nothing_and_keeps_what_staff_changed(client, personas):
    """load_forum loads the list too; a second run changes nothing, and a name staff edited stays."""
    germany = Organisation.objects.get(reference="state:DE")
    client.force_login(personas.administrator())
    response = client.post(
        f"/admin/stakeholders/organisation/{germany.pk}/change/",
        {"name": "Federal Republic of Germany", "constituency": "government", "country": "DE", "status": "approved"},
    )
    assert response.status_code == 302
    Organisation.objects.get(reference="io:OECD").delete()  # gone: loaded again
    before = Organisation.objects.count()

    call_command("load_forum", verbosity=0)
    after_first = Organisation.objects.count()
    call_command("load_forum", verbosity=0)

    assert after_first == before + 1
    assert Organisation.objects.count() == after_first
    germany.refresh_from_db()
    assert germany.name == "Federal Republic of Germany"
    assert not Organisation.objects.filter(name="Germany").exists()
    assert Organisation.objects.filter(reference="state:DE").count() == 1


def test_migrate_loads_what_is_missing_and_adopts_a_same_named_organisation(db):
    """An organisation staff made by hand before (same name and country) is adopted, not doubled."""
    Organisation.objects.filter(reference="state:MA").delete()
    Organisation.objects.filter(reference="state:SN").delete()
    by_hand = Organisation.objects.create(name="Morocco", country="MA", constituency="government", status="proposed")

    call_command("migrate", verbosity=0)

    by_hand.refresh_from_db()
    assert by_hand.reference == "state:MA"
    assert by_hand.status == "proposed"  # the loader writes the key only
    assert Organisation.objects.filter(name="Morocco").count() == 1
    assert Organisation.objects.get(reference="state:SN").name == "Senegal"
    assert services.load_organisations() == 0


def test_the_delegate_request_form_lists_the_governments_on_a_fresh_database(client, personas):
    client.force_login(personas.participant())
    page = client.get("/en/accounts/delegate/").content.decode()
    germany = Organisation.objects.get(reference="state:DE")
    assert f'<option value="{germany.pk}">Germany</option>' in page
    assert ">Holy See</option>" in page
    assert "International Organization for Migration" not in page  # governments only
    response = client.post("/en/accounts/delegate/", {"organisation": germany.pk, "justification": "Attaché"})
    assert response.status_code == 302
    assert DelegateRequest.objects.get().organisation == germany


@pytest.mark.parametrize(
    ("language", "morocco", "before", "after"),
    [("fr", "Maroc", "Allemagne", "Mexique"), ("es", "Marruecos", "Alemania", "México")],
)
def test_the_governments_are_named_and_ordered_in_the_readers_language(
    client, personas, language, morocco, before, after
):
    import re

    client.force_login(personas.participant())
    page = client.get(f"/{language}/accounts/delegate/").content.decode()
    morocco_pk = Organisation.objects.get(reference="state:MA").pk
    assert f'<option value="{morocco_pk}">{morocco}</option>' in page
    names = re.findall(r'<option value="\d+">([^<]+)</option>', page)
    assert names.index(before) < names.index(morocco) < names.index(after)
    assert names == sorted(names, key=fold)  # accents and case ignored ("Égypte" among the E)
    # What is stored is the organisation, whatever the language it was chosen in.
    response = client.post(f"/{language}/accounts/delegate/", {"organisation": morocco_pk, "justification": "Attaché"})
    assert response.status_code == 302
    assert DelegateRequest.objects.get().organisation.name == "Morocco"


# --- Proposed organisations: the staff page ---------------------------------------------------------


def _propose(personas, email="proposer@example.org", name="Diaspora Forum Berlin", language="en"):
    proposer = personas.participant(email, language=language)
    profile = services.save_profile(
        user=proposer,
        proposed_organisation=name,
        constituency="civil_society",
        country="DE",
        preferred_language=language,
    )
    return proposer, profile.organisation


def test_the_queue_shows_who_proposed_what(client, personas):
    proposer, organisation = _propose(personas)
    assert organisation.proposed_by == proposer
    client.force_login(personas.staff())
    page = client.get(QUEUE).content.decode()
    assert "Diaspora Forum Berlin" in page
    assert "proposer@example.org" in page
    assert f'href="/en/staff/organisations/{organisation.pk}/"' in page
    assert "Holy See" not in page  # approved organisations are not in the queue
    review = client.get(f"/en/staff/organisations/{organisation.pk}/").content.decode()
    assert "proposer@example.org" in review
    assert 'name="decision"' in review
    # The staff's account page links the queue.
    assert 'href="/en/staff/organisations/"' in client.get("/en/accounts/").content.decode()


def test_approve_audits_and_emails_the_proposer_in_their_language(client, personas):
    proposer, organisation = _propose(personas, language="fr")
    staff = personas.staff()
    client.force_login(staff)
    response = client.post(f"/en/staff/organisations/{organisation.pk}/", {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    organisation.refresh_from_db()
    assert organisation.status == "approved"
    entry = AuditEntry.objects.get(action="stakeholders.organisation.approved")
    assert (entry.actor, entry.object_id) == (staff, str(organisation.pk))
    assert (entry.before["status"], entry.after["status"]) == ("proposed", "approved")
    _run_outbox()
    assert [message.to for message in mail.outbox] == [[proposer.email]]
    assert mail.outbox[0].subject == "[GFMD] L'organisation que vous avez proposée"
    assert "Diaspora Forum Berlin" in mail.outbox[0].body
    # Now anyone may choose it; and it cannot be decided twice.
    assert "Diaspora Forum Berlin" in client.get("/en/accounts/profile/").content.decode()
    again = client.post(f"/en/staff/organisations/{organisation.pk}/", {"decision": "reject", "reason": "x"})
    assert again.status_code == 404


def test_merge_moves_everything_that_names_the_proposal_then_removes_it(client, personas):
    proposer, organisation = _propose(personas, name="IOM Geneva", language="es")
    other = personas.participant("colleague@example.org")
    services.save_profile(user=other, organisation=organisation, constituency="civil_society")
    iom = Organisation.objects.get(reference="io:IOM")
    staff = personas.staff()
    client.force_login(staff)

    missing = client.post(f"/en/staff/organisations/{organisation.pk}/", {"decision": "merge"})
    assert missing.status_code == 200
    assert "Choose the organisation to merge into." in missing.content.decode()

    response = client.post(f"/en/staff/organisations/{organisation.pk}/", {"decision": "merge", "into": iom.pk})
    assert response["Location"] == QUEUE
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert set(Profile.objects.filter(organisation=iom).values_list("user__email", flat=True)) == {
        proposer.email,
        other.email,
    }
    entry = AuditEntry.objects.get(action="stakeholders.organisation.merged")
    assert entry.object_id == str(iom.pk)
    assert entry.before["merged"]["name"] == "IOM Geneva"
    assert entry.after == {"moved": {"stakeholders.profile.organisation": 2}}
    _run_outbox()
    assert [message.to for message in mail.outbox] == [[proposer.email]]
    assert mail.outbox[0].subject == "[GFMD] La organización que propuso"
    assert "IOM Geneva" in mail.outbox[0].body
    assert iom.name in mail.outbox[0].body


def test_reject_needs_a_reason_then_keeps_the_row_and_emails_the_reason(client, personas):
    proposer, organisation = _propose(personas, name="My friends")
    client.force_login(personas.staff())
    refused = client.post(f"/en/staff/organisations/{organisation.pk}/", {"decision": "reject", "reason": " "})
    assert refused.status_code == 200
    assert "Give the reason for the rejection" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.status == "proposed"

    response = client.post(
        f"/en/staff/organisations/{organisation.pk}/", {"decision": "reject", "reason": "Not an organisation"}
    )
    assert response["Location"] == QUEUE
    organisation.refresh_from_db()
    assert (organisation.status, organisation.rejection_reason) == ("rejected", "Not an organisation")
    entry = AuditEntry.objects.get(action="stakeholders.organisation.rejected")
    assert entry.after["reason"] == "Not an organisation"
    _run_outbox()
    assert [message.to for message in mail.outbox] == [[proposer.email]]
    assert "Not an organisation" in mail.outbox[0].body
    assert "My friends" not in client.get(QUEUE).content.decode()
    assert "My friends" in client.get(QUEUE, {"status": "rejected"}).content.decode()
    # Never offered to choose.
    assert "My friends" not in client.get("/en/accounts/profile/").content.decode()


def test_an_email_that_is_no_longer_true_is_not_sent(personas):
    _proposer, organisation = _propose(personas)
    services.reject_organisation(organisation=organisation, staff=personas.staff(), reason="Duplicate")
    Organisation.objects.filter(pk=organisation.pk).update(status="approved")  # staff changed it in the admin
    _run_outbox()
    assert mail.outbox == []


@pytest.mark.parametrize("count", [1, 8])
def test_queue_query_count(client, personas, django_assert_num_queries, count):
    for number in range(count):
        _propose(personas, email=f"p{number}@example.org", name=f"Association {number}")
    client.force_login(personas.staff())
    client.get(QUEUE)  # warm the session and the per-request role cache
    with django_assert_num_queries(4):
        response = client.get(QUEUE)
    assert len(response.context["organisations"]) == count
