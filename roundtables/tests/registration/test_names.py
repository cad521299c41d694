"""People's names on the staff's lists of the forum: registrations, check-in, contributions to moderate."""

import pytest

from roundtables.models import Session
from roundtables.registration import services
from roundtables.tests.contributions.helpers import contribute

pytestmark = pytest.mark.django_db


@pytest.fixture
def common_space(forum, staff):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(session=session, staff=staff, total_seats=5, quotas={}, eligible_constituencies=[])
    return session


def _named(personas, email, given, family, **kwargs):
    person = personas.participant(email, **kwargs)
    person.first_name, person.last_name = given, family
    person.save()
    return person


def test_the_registrations_list_names_people(client, common_space, personas, staff):
    named = _named(personas, "amina@example.org", "Amina", "Diallo")
    services.register(session=common_space, person=named)
    services.register(session=common_space, person=personas.participant("nobody@example.org"))
    client.force_login(staff)
    page = client.get("/en/staff/sessions/common-space/registrations/").content.decode()
    assert 'Amina DIALLO<br><span class="small">amina@example.org</span>' in page
    assert "<td>nobody@example.org<br>" in page  # no name: the address, once
    # A confirmed person's row leads to their badge alone.
    confirmed = common_space.registrations.get(person=named)
    assert f'href="/en/staff/sessions/common-space/badges/?registration={confirmed.pk}">Badge' in page


def test_check_in_says_given_family_organisation_and_constituency(client, common_space, personas, staff):
    named = _named(personas, "amina@example.org", "Amina", "Diallo")
    registration, _outcome = services.register(session=common_space, person=named)
    client.force_login(staff)
    html = client.post("/en/staff/sessions/common-space/check-in/", {"code": registration.checkin_code}).content
    html = html.decode()
    assert '<strong>Checked in:</strong> <span class="checked-name">Amina DIALLO</span>' in html
    assert '<span class="checked-organisation">Migrant Rights Network</span>' in html
    assert '<span class="checked-constituency">Civil society</span>' in html


def test_the_moderation_queue_names_the_author(client, forum, personas, staff):
    author = _named(personas, "amina@example.org", "Amina", "Benali")
    contribute(forum.round_tables.get(code="1.1"), author)
    client.force_login(staff)
    page = client.get("/en/staff/contributions/").content.decode()
    assert (
        '<span class="person-name">Amina BENALI</span><br><span class="text-body-secondary">amina@example.org</span>'
        in page
    )
