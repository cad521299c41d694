"""The public agenda pages: by day and room, per round table, a session's page; drafts stay hidden."""

import pytest

from roundtables.models import AgendaItem, Session, SessionChange, SessionRole
from roundtables.tests.agenda.helpers import build_agenda, grow, in_order

AGENDA = "/en/agenda/"


@pytest.fixture
def agenda(forum, personas):
    return build_agenda(forum, personas)


def test_the_agenda_lists_published_sessions_by_day_then_room_in_the_forums_time(client, agenda):
    html = client.get(AGENDA).content.decode()
    # Days in order, then rooms; the undated sessions last.
    in_order(
        html,
        "Wednesday 28 June 2017",
        "Foyer",
        "Common Space",
        "Thursday 29 June 2017",
        "Saal 1",
        "Round table 1.1",
        "Saal 2",
        "Round table 1.2",
        "Date to be announced",
        "Business Interface",
    )
    # Local time of Berlin (UTC+2 in June), not UTC.
    assert '<time datetime="2017-06-29T09:00:00+02:00">09:00–10:30</time>' in html
    assert "Secret side event" not in html and "Friday 30 June" not in html


def test_a_session_shows_its_people_running_order_and_changes_since_publication(client, agenda):
    html = client.get(AGENDA).content.decode()
    assert "Amina Diallo" in html and "Ministry of Labour" in html
    assert "Jean Dupont" in html and "Migrant Rights Network" in html
    assert "Federal Foreign Office" in html  # the person without a name: their organisation only
    assert "@example.org" not in html  # never an email address
    # The running order, each step with its time from the session's start.
    assert '<time datetime="2017-06-29T09:00:00+02:00">09:00</time> <span>Opening</span>' in html
    # The whole forum's agenda names a guiding question by its number; its round table's agenda quotes it.
    assert "09:10</time> <span>Guiding question 1</span>" in html
    round_table_html = client.get("/en/agenda/gfmd-2017/round-tables/1.1/").content.decode()
    assert f"09:10</time> <span>{agenda['question'].text}</span>" in round_table_html
    assert "09:55</time> <span>Wrap-up by the chair</span>" in html
    # The public changelog: changes after publication only, with their date.
    assert "Changed since publication" in html
    assert "20 June 2017, 10:00</time>: Room changed to Saal 1" in html
    assert "Draft tidied" not in html


def test_what_staff_typed_is_escaped_on_the_agenda(client, agenda):
    session = agenda["rt11"]
    session.title_en = '<script>alert("title")</script> & more'
    session.room = "<b>Saal</b>"
    session.save()
    SessionRole.objects.create(session=session, role="speaker", guest_name="<i>Ana</i>", guest_organisation="A & B")
    AgendaItem.objects.create(session=session, kind="discussion", title="<img src=x onerror=alert(1)>", minutes=5)
    SessionChange.objects.create(session=session, summary="<u>moved</u>", after_publication=True)
    for url in (AGENDA, "/en/agenda/gfmd-2017/round-tables/1.1/"):
        html = client.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; &amp; more" in html
        assert "&lt;b&gt;Saal&lt;/b&gt;" in html
        assert '&lt;i&gt;Ana&lt;/i&gt;, <span class="text-body-secondary">A &amp; B</span>' in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;u&gt;moved&lt;/u&gt;" in html
        for raw in ("<script>alert", "<b>Saal", "<i>Ana", "<img src=x", "<u>moved"):
            assert raw not in html


def test_the_round_table_agenda_shows_its_sessions_only(client, agenda):
    html = client.get("/en/agenda/gfmd-2017/round-tables/1.1/").content.decode()
    assert "Agenda of round table 1.1" in html
    assert "Amina Diallo" in html
    assert "Common Space" not in html and "Round table 1.2</a>:" not in html
    assert client.get("/en/agenda/gfmd-2017/round-tables/9.9/").status_code == 404
    assert client.get("/en/agenda/no-such-forum/").status_code == 404


def test_the_session_page_and_drafts(client, agenda, personas):
    page = "/en/agenda/gfmd-2017/sessions/round-table-1-1/"
    html = client.get(page).content.decode()
    assert "<h1><span>Round table 1.1</span></h1>" in html
    assert "Thursday 29 June 2017, 09:00" in html and "Jean Dupont" in html
    draft = "/en/agenda/gfmd-2017/sessions/side-event/"
    assert client.get(draft).status_code == 404
    client.force_login(personas.participant())
    assert client.get(draft).status_code == 404
    client.force_login(personas.staff("staff.no2fa@example.org", second_factor=False))
    assert client.get(draft).status_code == 404
    client.force_login(personas.staff())
    response = client.get(draft)
    assert response.status_code == 200
    assert "Draft: only co-chair staff see this session" in response.content.decode()


def test_the_agenda_links_every_public_feed_the_pdfs_and_the_private_feed_page(client, agenda):
    html = client.get(AGENDA).content.decode()
    assert 'href="http://testserver/en/agenda/gfmd-2017/calendar.ics"' in html
    for code in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2"):
        assert f'href="http://testserver/en/agenda/gfmd-2017/round-tables/{code}/calendar.ics"' in html
    assert 'href="/en/agenda/gfmd-2017/programme.pdf"' in html and 'href="/fr/agenda/gfmd-2017/programme.pdf"' in html
    assert 'href="/en/accounts/calendar/"' in html


def test_the_navigation_and_the_round_table_page_link_the_agenda(client, agenda):
    assert 'href="/en/agenda/"' in client.get("/en/").content.decode()
    html = client.get("/en/roundtables/gfmd-2017/1.1/").content.decode()
    assert 'href="/en/agenda/gfmd-2017/round-tables/1.1/"' in html


def test_the_agenda_in_french(client, agenda):
    html = client.get("/fr/agenda/").content.decode()
    assert "Table ronde 1.1" in html and "Espace commun" in html
    assert "jeudi 29 juin 2017" in html


def test_an_empty_agenda_says_so(client, forum):
    Session.objects.update(status=Session.Status.DRAFT)
    html = client.get(AGENDA).content.decode()
    assert "No session has been published yet." in html


@pytest.mark.parametrize("url", [AGENDA, "/en/agenda/gfmd-2017/round-tables/1.1/"])
def test_the_agenda_takes_the_same_queries_with_one_or_many_sessions(
    client, agenda, personas, settings, django_assert_num_queries, url
):
    settings.PAGE_CACHE_SECONDS = 0
    # forum, round tables, sessions, roles (with people's names and organisations), running order, its
    # guiding questions, changes since publication
    expected = 7
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(agenda, personas, sessions=12, roles_each=3)
    with django_assert_num_queries(expected):
        html = client.get(url).content.decode()
    assert "Extra 11" in html


def test_the_session_page_takes_a_fixed_number_of_queries(
    client, agenda, personas, settings, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0
    url = "/en/agenda/gfmd-2017/sessions/extra-0/"
    grow(agenda, personas, sessions=1, roles_each=1)
    # forum, session (with its round table), roles, running order, guiding questions, changes
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
    session = Session.objects.get(slug="extra-0")
    for index in range(5):
        SessionRole.objects.create(session=session, role="speaker", guest_name=f"G{index}", position=index)
    with django_assert_num_queries(6):
        assert "G4" in client.get(url).content.decode()
