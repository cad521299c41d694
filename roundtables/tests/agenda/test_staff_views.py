"""The staff's agenda pages: overview, new session, the editor and its htmx panels, publication."""

import datetime
import re

import pytest
from django.urls import reverse

from roundtables.agenda import queries
from roundtables.agenda import services as agenda
from roundtables.models import AgendaItem, RoundTable, Session, SessionChange, SessionRole
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db

OVERVIEW = "/en/staff/agenda/"
CREATE = "/en/staff/agenda/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def at(forum, hour, minute=0, day=29):
    return queries.combine(datetime.date(2017, 6, day), datetime.time(hour, minute), forum)


def make_session(forum, staff, title, *, start=10, end=12, room="Saal 1", **data):
    return agenda.create_session(
        forum=forum,
        actor=staff,
        data={
            "kind": "plenary",
            "title_en": title,
            "start": at(forum, start),
            "end": at(forum, end),
            "venue": "Weltsaal",
            "room": room,
            **data,
        },
    )


def editor(session):
    return reverse("roundtables:staff-agenda-session", kwargs={"slug": session.slug})


def url(name, session, **kwargs):
    return reverse(f"roundtables:{name}", kwargs={"slug": session.slug, **kwargs})


def details(session, **changes):
    """The details form as the editor sends it, opened at the session's version."""
    data = {
        "kind": session.kind,
        "title_en": session.title_en,
        "title_fr": session.title_fr or "",
        "date": "2017-06-29",
        "start_time": "10:00",
        "end_time": "12:00",
        "venue": session.venue,
        "room": session.room,
        "version": session.version,
    }
    data.update(changes)
    return data


def order_of(session):
    return list(session.agenda_items.order_by("position").values_list("kind", flat=True))


# --- Overview and new sessions ---------------------------------------------------------------------


def test_the_overview_lists_every_session_with_its_status_and_the_problems(forum, staff, staff_client):
    first = make_session(forum, staff, "Opening plenary")
    make_session(forum, staff, "Clashing side event", start=11, end=13)
    response = staff_client.get(OVERVIEW)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "Saal 1 is used by two sessions at the same time: Opening plenary and Clashing side event." in html
    assert f'href="{editor(first)}">Opening plenary</a>' in html
    # The 2017 programme's sessions are listed too (draft or published).
    assert html.count('<th scope="row"') == Session.objects.filter(forum=forum).count()


def test_staff_create_a_session_and_a_refused_form_keeps_what_was_typed(forum, staff_client):
    round_table = RoundTable.objects.get(forum=forum, code="1.2")
    response = staff_client.post(
        CREATE,
        {"kind": "round_table", "title_en": "", "title_fr": "Table ronde 1.2 bis", "date": "2017-06-29"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "A round-table session belongs to a round table: choose it." in html
    assert "Give the date, the start and the end together, or none of them." in html
    assert 'value="Table ronde 1.2 bis"' in html
    assert not Session.objects.filter(title_fr="Table ronde 1.2 bis").exists()

    response = staff_client.post(
        CREATE,
        {
            "kind": "round_table",
            "round_table": round_table.pk,
            "title_en": "Round table 1.2 (second part)",
            "date": "2017-06-30",
            "start_time": "14:00",
            "end_time": "15:30",
            "venue": "Weltsaal",
            "room": "Saal 2",
            "co_chairing_governments": ["MA", "DE"],
        },
    )
    session = Session.objects.get(title_en="Round table 1.2 (second part)")
    assert response.status_code == 302 and response["Location"] == editor(session)
    assert (session.status, session.round_table, session.room) == ("draft", round_table, "Saal 2")
    assert session.start == datetime.datetime(2017, 6, 30, 12, 0, tzinfo=datetime.UTC)
    assert sorted(str(code) for code in session.co_chairing_governments) == ["DE", "MA"]


# --- The editor -------------------------------------------------------------------------------


def _fill(forum, staff, personas, session, sessions, people, items):
    others = [make_session(forum, staff, f"Other {session.slug} {n}", room=f"Room {n}") for n in range(sessions)]
    for n in range(people):
        person = personas.participant(f"{session.slug}.speaker{n}@example.org")
        agenda.add_role(session=session, actor=staff, role="speaker", person=person)
        for other in others:
            agenda.add_role(session=other, actor=staff, role="speaker", person=person)
    agenda.add_role(session=session, actor=staff, role="moderator", guest_name="Guest", guest_country="SN")
    for n in range(items):
        agenda.add_item(session=session, actor=staff, kind="other", title=f"Item {n}", minutes=5)


def test_the_editor_takes_the_same_queries_with_one_or_many_sessions_roles_and_items(
    forum, staff, personas, staff_client, django_assert_num_queries
):
    round_table = RoundTable.objects.get(forum=forum, code="1.1")
    small = make_session(forum, staff, "Small", kind="round_table", round_table=round_table)
    _fill(forum, staff, personas, small, sessions=0, people=1, items=1)
    big = make_session(forum, staff, "Big", kind="round_table", round_table=round_table, room="Saal 9")
    _fill(forum, staff, personas, big, sessions=8, people=12, items=15)

    staff_client.get(editor(small))  # warm the session and the permission caches alike
    with django_assert_num_queries(12):
        small_page = staff_client.get(editor(small))
    with django_assert_num_queries(12):
        big_page = staff_client.get(editor(big))
    assert small_page.status_code == big_page.status_code == 200
    html = big_page.content.decode()
    assert html.count('class="running-order-item"') == 15
    assert "big.speaker11@example.org has roles in two sessions at the same time" in html


def test_the_editor_shows_problems_balance_and_the_changelog(forum, staff, personas, staff_client):
    session = make_session(forum, staff, "Short", start=10, end=11)
    agenda.add_item(session=session, actor=staff, kind="discussion", minutes=90)
    agenda.add_role(
        session=session,
        actor=staff,
        role="chair",
        guest_name="Fatima Benali",
        guest_constituency="civil_society",
        guest_country="MA",
        guest_gender="woman",
    )
    html = staff_client.get(editor(session)).content.decode()
    assert "The running order of Short takes 90 minutes; the session lasts 60." in html
    assert re.search(r"<td>Civil society</td><td class=\"text-end\">1</td>", html)
    assert re.search(r"<td>Africa</td><td class=\"text-end\">1</td>", html)
    assert re.search(r"<td>Woman</td><td class=\"text-end\">1</td>", html)
    assert "Added Chair: Fatima Benali" in html


def test_a_stale_details_form_is_refused_with_a_message_and_keeps_what_was_typed(forum, staff, personas, client):
    session = make_session(forum, staff, "Plenary")
    opened = details(session)
    other = personas.staff("second.staff@example.org")
    client.force_login(other)
    assert client.post(editor(session), details(session, room="Saal 2")).status_code == 302

    client.force_login(staff)
    response = client.post(editor(session), {**opened, "room": "Saal 7", "title_fr": "Plénière d'ouverture"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this session while you were editing it." in html
    assert 'value="Saal 7"' in html and "Plénière d&#x27;ouverture" in html
    session.refresh_from_db()
    assert (session.room, session.title_fr, session.version) == ("Saal 2", "", 2)

    # Reloaded, the form carries the new version and saves.
    response = client.post(editor(session), details(session, room="Saal 7"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.room, session.version) == ("Saal 7", 3)


def test_invalid_details_come_back_with_the_errors_and_save_nothing(forum, staff, staff_client):
    session = make_session(forum, staff, "Plenary")
    response = staff_client.post(editor(session), details(session, start_time="12:00", end_time="11:00"))
    assert response.status_code == 200
    assert "The end must come after the start." in response.content.decode()
    session.refresh_from_db()
    assert session.version == 1 and queries.local(session.start, forum).hour == 10


# --- Panels (htmx) --------------------------------------------------------------------------------


def test_adding_a_role_with_htmx_answers_the_panel_and_the_checks_out_of_band(forum, staff, personas, staff_client):
    session = make_session(forum, staff, "Plenary")
    delegate = personas.delegate()
    response = staff_client.post(
        url("staff-agenda-role-add", session), {"role": "chair", "email": "DELEGATE@example.org"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<section aria-labelledby="roles-heading"')
    assert '<div id="agenda-checks" data-hx-swap-oob="true">' in html
    assert "delegate@example.org added as Chair." in html
    assert re.search(r"<td>Government</td><td class=\"text-end\">1</td>", html)
    assert SessionRole.objects.get(session=session).person == delegate

    # Unknown address: refused in the panel, the typed address kept, nothing added.
    response = staff_client.post(
        url("staff-agenda-role-add", session), {"role": "speaker", "email": "nobody@example.org"}, **HTMX
    )
    html = response.content.decode()
    assert "No account has this email address. Add the person as a guest instead." in html
    assert 'value="nobody@example.org"' in html
    assert session.roles.count() == 1


def test_without_javascript_a_panel_change_redirects_to_the_editor(forum, staff, staff_client):
    session = make_session(forum, staff, "Plenary")
    response = staff_client.post(
        url("staff-agenda-role-add", session), {"role": "speaker", "guest_name": "Amina Diallo"}, follow=True
    )
    assert response.redirect_chain == [(editor(session) + "#roles-panel", 302)]
    assert "Amina Diallo added as Speaker." in response.content.decode()


def test_moving_and_reordering_steps_persist(forum, staff, staff_client):
    session = make_session(forum, staff, "Plenary")
    agenda.default_running_order(session=session, actor=staff)
    assert order_of(session) == ["opening", "discussion", "conclusions"]
    opening, discussion, conclusions = session.agenda_items.order_by("position")

    response = staff_client.post(url("staff-agenda-item-move", session, pk=opening.pk), {"direction": "down"}, **HTMX)
    assert "Opening moved to position 2 of 3." in response.content.decode()
    assert order_of(session) == ["discussion", "opening", "conclusions"]

    response = staff_client.post(
        url("staff-agenda-items-reorder", session), {"order": [conclusions.pk, discussion.pk, opening.pk]}, **HTMX
    )
    assert "Running order saved." in response.content.decode()
    assert order_of(session) == ["conclusions", "discussion", "opening"]
    # The panel lists the steps in the new order.
    ids = re.findall(r'data-item-id="(\d+)"', response.content.decode())
    assert ids == [str(conclusions.pk), str(discussion.pk), str(opening.pk)]

    # An order from before a step was removed is refused in the panel.
    agenda.remove_item(item=discussion, actor=staff)
    response = staff_client.post(
        url("staff-agenda-items-reorder", session), {"order": [discussion.pk, opening.pk, conclusions.pk]}, **HTMX
    )
    assert "The running order changed while you were editing it" in response.content.decode()
    assert order_of(session) == ["conclusions", "opening"]


def test_minutes_and_steps_are_checked(forum, staff, staff_client):
    session = make_session(forum, staff, "Plenary")
    item = agenda.add_item(session=session, actor=staff, kind="opening", minutes=10)
    html = staff_client.post(url("staff-agenda-item-change", session, pk=item.pk), {"minutes": "0"}, **HTMX)
    assert "Give the minutes as a number from 1 to 600." in html.content.decode()
    html = staff_client.post(url("staff-agenda-item-add", session), {"kind": "other", "minutes": "5"}, **HTMX)
    assert "Give this step a title." in html.content.decode()
    assert list(AgendaItem.objects.filter(session=session).values_list("minutes", flat=True)) == [10]
    staff_client.post(url("staff-agenda-item-change", session, pk=item.pk), {"minutes": "15"}, **HTMX)
    item.refresh_from_db()
    assert item.minutes == 15


# --- Publication and who may do what --------------------------------------------------------------


def test_a_draft_is_a_404_to_the_public_until_staff_publish_it(forum, staff, personas, staff_client):
    from django.test import Client

    session = make_session(forum, staff, "Side event")
    client = Client()
    public_page = reverse("roundtables:agenda-session", kwargs={"forum": forum.slug, "slug": session.slug})
    assert client.get(public_page).status_code == 404
    client.force_login(personas.delegate())
    assert client.get(public_page).status_code == 404

    response = staff_client.post(url("staff-agenda-publish", session), {"action": "publish"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == "published" and session.published_at is not None
    assert client.get(public_page).status_code == 200

    staff_client.post(url("staff-agenda-publish", session), {"action": "unpublish"})
    assert client.get(public_page).status_code == 404
    assert list(
        AuditEntry.objects.filter(
            object_id=str(session.pk), action__in=["roundtables.session.published", "roundtables.session.unpublished"]
        )
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["roundtables.session.published", "roundtables.session.unpublished"]


@pytest.mark.parametrize("who", ["participant", "delegate", "rapporteur", "staff_without_second_factor"])
def test_nobody_but_staff_changes_an_agenda(forum, staff, personas, client, who):
    session = make_session(forum, staff, "Plenary")
    item = agenda.add_item(session=session, actor=staff, kind="opening", minutes=10)
    rapporteur = personas.participant("rapporteur@example.org")
    holder = agenda.add_role(session=session, actor=staff, role="rapporteur", person=rapporteur)
    person = {
        "participant": lambda: personas.participant(),
        "delegate": lambda: personas.delegate(),
        "rapporteur": lambda: rapporteur,
        "staff_without_second_factor": lambda: personas.staff("no2fa@example.org", second_factor=False),
    }[who]()
    client.force_login(person)
    before = (SessionChange.objects.count(), AuditEntry.objects.count(), session.version)
    posts = [
        (editor(session), details(session, room="Hacked")),
        (url("staff-agenda-publish", session), {"action": "publish"}),
        (url("staff-agenda-role-add", session), {"role": "chair", "guest_name": "Intruder"}),
        (url("staff-agenda-role-remove", session, pk=holder.pk), {}),
        (url("staff-agenda-item-change", session, pk=item.pk), {"minutes": "99"}),
        (url("staff-agenda-item-remove", session, pk=item.pk), {}),
        (url("staff-agenda-items-reorder", session), {"order": [item.pk]}),
    ]
    for address, data in posts:
        response = client.post(address, data, **HTMX)
        if who == "staff_without_second_factor":
            assert response.status_code == 302 and "/accounts/2fa/totp/activate/" in response["Location"], address
        else:
            assert response.status_code == 403, address
    session.refresh_from_db()
    item.refresh_from_db()
    assert (SessionChange.objects.count(), AuditEntry.objects.count(), session.version) == before
    assert (session.room, session.status, item.minutes) == ("Saal 1", "draft", 10)
    assert list(session.roles.values_list("pk", flat=True)) == [holder.pk]


# --- The optional gender of a profile (counted in the balance panel) --------------------------------


@pytest.mark.parametrize("gender", ["woman", ""])
def test_sign_up_asks_for_an_optional_gender(client, gender):
    from django.contrib.auth import get_user_model

    from stakeholders.models import Profile
    from stakeholders.tests.personas import PASSWORD

    page = client.get(reverse("account_signup")).content.decode()
    assert 'name="gender"' in page
    assert "Optional. Only used in aggregate" in page
    response = client.post(
        reverse("account_signup"),
        {
            "email": "awa@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "given_name": "Awa",
            "family_name": "Ndiaye",
            "constituency": "civil_society",
            "preferred_language": "fr",
            "gender": gender,
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="awa@example.org")
    assert Profile.objects.get(user=user).gender == gender


def test_the_profile_page_shows_and_changes_the_gender(client, personas):
    from stakeholders.models import Profile

    person = personas.participant()
    Profile.objects.filter(user=person).update(gender="non_binary")
    client.force_login(person)
    page = client.get(reverse("stakeholders:profile")).content.decode()
    assert '<option value="non_binary" selected>' in page
    profile = Profile.objects.get(user=person)
    data = {
        "given_name": "Ada",
        "family_name": "Byron",
        "constituency": profile.constituency or "civil_society",
        "preferred_language": "en",
        "gender": "woman",
    }
    assert client.post(reverse("stakeholders:profile"), data).status_code == 302
    assert Profile.objects.get(user=person).gender == "woman"
    data["gender"] = ""
    client.post(reverse("stakeholders:profile"), data)
    assert Profile.objects.get(user=person).gender == ""
