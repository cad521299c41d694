"""Badges: staff print the cards of a session's confirmed participants (all, one constituency, one
person), as A4 sheets or single cards, each in its holder's language; a large set is made by a worker."""

import io

import pypdf
import pytest
from django.utils import timezone

from common.models import OutboxTask
from roundtables.models import BadgeJob, Registration
from roundtables.registration import badges, services
from stakeholders.models import AuditEntry, Profile

pytestmark = pytest.mark.django_db

BADGES = "/en/staff/sessions/common-space/badges/"


def _person(personas, email, given, family, *, constituency="civil_society", organisation=None, **kwargs):
    person = personas.person(email, constituency=constituency, organisation=organisation, **kwargs)
    person.first_name, person.last_name = given, family
    person.save()
    return person


@pytest.fixture
def people(common_space, personas):
    """Amina (civil society, Morocco, reads French), Jonas (government, with his own badge wording),
    Lena (waiting list: no badge)."""
    amina = _person(
        personas, "amina@example.org", "Amina", "Diallo", organisation=personas.civil_society(), language="fr"
    )
    Profile.objects.filter(user=amina).update(country="MA")
    jonas = _person(
        personas, "jonas@example.org", "Jonas", "Weber", constituency="government", organisation=personas.government()
    )
    Profile.objects.filter(user=jonas).update(badge_name="Dr Jonas Weber", country="DE")
    lena = _person(personas, "lena@example.org", "Lena", "Wartend")
    registrations = {
        person.first_name: services.register(session=common_space, person=person)[0] for person in (amina, jonas)
    }
    waiting = services.register(session=common_space, person=lena)[0]
    Registration.objects.filter(pk=waiting.pk).update(status=Registration.Status.WAITLISTED)
    return registrations


def pdf_text(content):
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_staff_print_every_confirmed_badge_each_in_its_holders_language(client, staff, people):
    client.force_login(staff)
    page = client.get(BADGES).content.decode()
    assert "2 confirmed participants have a badge to print." in page
    response = client.post(BADGES, {"layout": "sheet", "constituency": "", "registration": ""})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="badges-common-space.pdf"'
    pages, text = pdf_text(response.content)
    assert pages == 1  # two cards on one A4 sheet
    # Amina's card is in French: her constituency and country; Jonas's in English, with his own wording.
    assert "Amina Diallo" in text and "Migrant Rights Network" in text and "Maroc" in text
    assert "SOCIÉTÉ CIVILE" in text
    assert "Dr Jonas Weber" in text and "Federal Foreign Office" in text and "Germany" in text
    assert "GOVERNMENT" in text
    assert people["Amina"].display_code in text and people["Jonas"].display_code in text
    assert "Wartend" not in text  # on the waiting list: no badge


def test_one_constituency_or_one_person(client, staff, people):
    client.force_login(staff)
    _pages, text = pdf_text(client.post(BADGES, {"layout": "sheet", "constituency": "government"}).content)
    assert "Dr Jonas Weber" in text and "Amina" not in text
    response = client.post(BADGES, {"layout": "single", "registration": people["Amina"].pk})
    pages, text = pdf_text(response.content)
    assert pages == 1 and "Amina Diallo" in text and "Jonas" not in text
    # The registrations list links to one person's badge through ?registration=.
    page = client.get(f"{BADGES}?registration={people['Amina'].pk}").content.decode()
    assert f'<option value="{people["Amina"].pk}" selected>Amina DIALLO — Migrant Rights Network</option>' in page


def test_single_cards_are_one_a6_page_each(client, staff, people):
    client.force_login(staff)
    reader = pypdf.PdfReader(io.BytesIO(client.post(BADGES, {"layout": "single"}).content))
    assert len(reader.pages) == 2
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)


def test_nothing_to_print_says_so(client, staff, people):
    client.force_login(staff)
    response = client.post(BADGES, {"layout": "sheet", "constituency": "academia"})
    assert response.status_code == 200
    assert "No confirmed participant matches this choice." in response.content.decode()


def test_a_large_set_is_made_by_a_worker_with_its_progress_shown(
    client, staff, people, personas, common_space, monkeypatch
):
    for number in range(badges.WORKER_THRESHOLD):
        person = _person(personas, f"p{number:02}@example.org", "Person", f"Number{number:02}")
        services.register(session=common_space, person=person)
    OutboxTask.objects.all().delete()
    client.force_login(staff)
    response = client.post(BADGES, {"layout": "sheet"})
    job = BadgeJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/staff/badges/{job.pk}/"
    assert (job.status, job.total, job.requested_by) == ("queued", 52, staff)
    assert AuditEntry.objects.filter(action="roundtables.badge_job.requested", object_id=str(job.pk)).exists()
    task = OutboxTask.objects.get()
    assert (task.task_name, task.kwargs) == ("roundtables.tasks.make_badges", {"job_id": job.pk})
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a worker" in page and "0 of 52 badges laid out" in page and 'data-hx-trigger="every 1s"' in page
    assert client.get(f"/en/staff/badges/{job.pk}/badges.pdf").status_code == 404  # not ready yet

    # The worker writes its progress as it goes: the page reads it from the row, chunk after chunk.
    seen = []
    real_html = badges.html

    def spying_html(batch, *, layout):
        seen.append(BadgeJob.objects.values_list("status", "progress").get(pk=job.pk))
        return real_html(batch, layout=layout)

    monkeypatch.setattr(badges, "html", spying_html)
    from gfmd_portal.celery import app

    app.tasks[task.task_name](**task.kwargs)
    assert seen == [("running", 0), ("running", 20), ("running", 40)]
    job.refresh_from_db()
    assert (job.status, job.progress, job.total) == ("done", 52, 52)
    assert job.finished_at <= timezone.now()

    partial = client.get(f"/en/staff/badges/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "52 of 52 badges laid out" in partial and "hx-trigger" not in partial
    assert f'href="/en/staff/badges/{job.pk}/badges.pdf"' in partial
    download = client.get(f"/en/staff/badges/{job.pk}/badges.pdf")
    assert download["Content-Type"] == "application/pdf"
    pages, text = pdf_text(download.content)
    assert pages == 13  # 52 cards, four to a sheet
    assert "Amina Diallo" in text and "Dr Jonas Weber" in text and "Person Number49" in text

    # Run twice (a message delivered again): the finished job is left as it is.
    app.tasks[task.task_name](**task.kwargs)
    assert len(seen) == 3


def test_another_forums_badge_job_is_a_404(client, staff, people, common_space, forum):
    from roundtables.models import Forum

    job = BadgeJob.objects.create(session=common_space, total=1)
    client.force_login(staff)
    assert client.get(f"/en/staff/badges/{job.pk}/").status_code == 200
    Forum.objects.filter(pk=forum.pk).update(is_current=False)
    Forum.objects.create(slug="gfmd-2018", edition=11, year=2018, title="Forum", theme="-", is_current=True)
    assert client.get(f"/en/staff/badges/{job.pk}/").status_code == 404


def test_the_badges_page_costs_the_same_queries_with_two_people_or_many(
    client, staff, people, personas, common_space, django_assert_num_queries
):
    client.force_login(staff)
    client.get(BADGES)
    with django_assert_num_queries(9) as few:
        client.get(BADGES)
    for number in range(6):
        services.register(session=common_space, person=_person(personas, f"m{number}@example.org", "M", f"N{number}"))
    with django_assert_num_queries(len(few.captured_queries)):
        assert "8 confirmed participants have a badge to print." in client.get(BADGES).content.decode()
