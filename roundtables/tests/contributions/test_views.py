"""Contributions' pages: who contributes, staff moderation from the queue, what each person sees,
the Chatham House display, rapporteurs' reports with their version check, and the query counts
of the pages that list contributions (the services alone: test_services.py)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from common.models import OutboxTask
from roundtables.contributions import queries, services
from roundtables.contributions.services import VersionConflict
from roundtables.models import Contribution, RapporteurReport, Session, SessionRole
from roundtables.tests.contributions.helpers import contribute, reload, run_outbox
from sdg_targets.models import Target
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db

QUEUE = "/en/staff/contributions/"
MINE = "/en/accounts/contributions/"
PAGE_11 = "/en/roundtables/gfmd-2017/1.1/"
CONTRIBUTE_11 = "/en/roundtables/gfmd-2017/1.1/contribute/"
ALL_11 = "/en/roundtables/gfmd-2017/1.1/contributions/"


def detail_url(contribution):
    return f"/en/contributions/{contribution.pk}/"


def report_url(slug, language="en"):
    return f"/en/sessions/{slug}/report/?language={language}"


# --- Submitting ------------------------------------------------------------------------------------


def test_without_a_verified_email_a_participant_cannot_contribute(client, rt11, personas):
    unverified = personas.participant("new@example.org", verified=False)
    with pytest.raises(PermissionDenied):
        contribute(rt11, unverified)
    client.force_login(unverified)
    response = client.get(CONTRIBUTE_11)
    assert response.status_code == 403
    assert "verify your email address" in response.content.decode()
    response = client.post(CONTRIBUTE_11, {"kind": "statement", "text": "Hello", "language": "en"})
    assert response.status_code == 403
    assert not Contribution.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_and_other_forums_take_none(client, forum, rt11, author):
    response = client.get(CONTRIBUTE_11)
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")
    forum.is_current = False
    forum.save()
    client.force_login(author)
    assert client.get(CONTRIBUTE_11).status_code == 404
    assert client.get("/en/roundtables/gfmd-2017/9.9/contribute/").status_code == 404


def test_the_form_offers_the_round_tables_own_targets_first_and_sends_the_contribution(client, rt11, author):
    client.force_login(author)
    page = client.get(CONTRIBUTE_11 + "?question=3").content.decode()
    own = list(rt11.sdg_targets.values_list("code", flat=True))
    others = list(Target.objects.exclude(code__in=own).values_list("code", flat=True))
    assert own and others
    last_own = max(page.index(f"Target {code}:") for code in own)
    first_other = min(page.index(f"Target {code}:") for code in others)
    assert last_own < first_other
    question = rt11.guiding_questions.get(position=3)
    assert f'<option value="{question.pk}" selected>' in page
    assert 'value="en"' in page and "selected" in page

    target = Target.objects.get(code=own[0])
    response = client.post(
        CONTRIBUTE_11,
        {
            "kind": "recommendation",
            "guiding_question": question.pk,
            "text": "Recognise skills gained abroad.",
            "language": "en",
            "sdg_targets": [target.pk],
        },
    )
    assert response.status_code == 302 and response["Location"] == MINE
    contribution = Contribution.objects.get()
    assert (contribution.author, contribution.guiding_question, contribution.kind) == (
        author,
        question,
        "recommendation",
    )
    assert list(contribution.sdg_targets.all()) == [target]
    page = client.get(MINE).content.decode()
    assert f"Recommendation #{contribution.pk}" in page and "Awaiting moderation" in page


def test_a_refused_form_keeps_what_was_typed(client, rt11, author):
    client.force_login(author)
    typed = "A long text. " * 240  # more than 3,000 characters
    response = client.post(CONTRIBUTE_11, {"kind": "statement", "text": typed, "language": "fr"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing is sent yet" in page
    assert "at most 3000 characters" in page
    assert typed.strip() in page
    assert not Contribution.objects.exists()


# --- Moderation --------------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_which_the_author_reads(client, rt11, author, staff):
    contribution = contribute(rt11, author)
    OutboxTask.objects.all().delete()
    with pytest.raises(ValidationError) as error:
        services.reject(contribution=contribution, staff=staff, reason="  ")
    assert "reason" in error.value.error_dict
    assert reload(contribution).status == "submitted"
    assert not OutboxTask.objects.exists() and not AuditEntry.objects.exists()

    services.reject(contribution=contribution, staff=staff, reason="Off topic for this round table.")
    assert reload(contribution).status == "rejected"
    assert AuditEntry.objects.get(action="roundtables.contribution.rejected").after["rejection_reason"] == (
        "Off topic for this round table."
    )
    run_outbox()
    [message] = mail.outbox
    assert "Off topic for this round table." in message.body
    client.force_login(author)
    page = client.get(MINE).content.decode()
    assert "Rejected" in page and "Off topic for this round table." in page


def test_staff_moderate_from_the_queue(client, rt11, rt12, author, staff, personas):
    one = contribute(rt11, author, text="First text")
    two = contribute(rt11, author, text="Second text")
    three = contribute(rt12, personas.participant("p3@example.org"), text="Third text", kind="statement")
    client.force_login(staff)
    page = client.get(QUEUE).content.decode()
    for contribution in (one, two, three):
        assert f'id="contribution-{contribution.pk}"' in page
    assert "Migrant Rights Network" in page and "Civil society" in page and "Morocco" in page
    page = client.get(QUEUE, {"round_table": "1.2"}).content.decode()
    assert f'id="contribution-{three.pk}"' in page and f'id="contribution-{one.pk}"' not in page
    page = client.get(QUEUE, {"kind": "statement"}).content.decode()
    assert f'id="contribution-{three.pk}"' in page and f'id="contribution-{one.pk}"' not in page

    response = client.post(QUEUE, {"action": "accept", "contribution": one.pk})
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert reload(one).status == "accepted"
    page = client.get(QUEUE).content.decode()  # the default: what awaits moderation
    assert f'id="contribution-{one.pk}"' not in page
    assert f'id="contribution-{one.pk}"' in client.get(QUEUE, {"status": "accepted"}).content.decode()

    # A rejection without a reason: refused, the row shown again with the error.
    response = client.post(QUEUE, {"action": "reject", "contribution": two.pk, "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for rejecting it" in response.content.decode()
    assert reload(two).status == "submitted"
    # A duplicate of a contribution of another round table: refused, the number typed kept.
    response = client.post(QUEUE, {"action": "duplicate", "contribution": two.pk, "duplicate_of": three.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "same round table" in page and f'value="{three.pk}"' in page
    assert reload(two).status == "submitted"
    response = client.post(QUEUE, {"action": "duplicate", "contribution": two.pk, "duplicate_of": one.pk})
    assert response.status_code == 302
    assert reload(two).duplicate_of == one
    # Accept the selected: only those still awaiting moderation.
    response = client.post(QUEUE, {"action": "accept_selected", "selected": [two.pk, three.pk]})
    assert response.status_code == 302
    assert reload(three).status == "accepted" and reload(two).status == "duplicate"
    assert AuditEntry.objects.filter(action="roundtables.contribution.accepted").count() == 2


def test_a_non_staff_post_to_moderation_is_refused_and_changes_nothing(client, rt11, author, personas):
    contribution = contribute(rt11, author)
    OutboxTask.objects.all().delete()
    posts = [
        {"action": "accept", "contribution": contribution.pk},
        {"action": "reject", "contribution": contribution.pk, "reason": "No"},
        {"action": "accept_selected", "selected": [contribution.pk]},
        {"action": "names", "show_contributor_names": "on"},
    ]
    for person in (author, personas.delegate(), personas.participant("someone@example.org")):
        client.force_login(person)
        for data in posts:
            assert client.post(QUEUE, data).status_code == 403
    client.force_login(personas.staff("no2fa@example.org", second_factor=False))
    for data in posts:
        response = client.post(QUEUE, data)
        assert response.status_code == 302 and response["Location"].startswith("/en/accounts/2fa/")
    client.logout()
    assert client.post(QUEUE, posts[0]).status_code == 302
    contribution = reload(contribution)
    assert (contribution.status, contribution.moderated_by) == ("submitted", None)
    assert not AuditEntry.objects.exists() and not OutboxTask.objects.exists()
    assert not rt11.forum.__class__.objects.get(pk=rt11.forum_id).show_contributor_names
    # And the service itself refuses staff without a second factor.
    with pytest.raises(PermissionDenied):
        services.accept(contribution=contribution, staff=personas.staff("other.no2fa@example.org", second_factor=False))


# --- Who sees what ----------------------------------------------------------------------------------


def test_only_accepted_contributions_are_public(client, rt11, author, staff, personas):
    accepted = contribute(rt11, author, text="Accepted words")
    waiting = contribute(rt11, author, text="Waiting words")
    rejected = contribute(rt11, author, text="Rejected words")
    duplicate = contribute(rt11, author, text="Duplicate words")
    services.accept(contribution=accepted, staff=staff)
    services.reject(contribution=rejected, staff=staff, reason="Offensive")
    services.mark_duplicate(contribution=duplicate, staff=staff, duplicate_of=accepted)

    hidden = (waiting, rejected, duplicate)
    for person in (None, personas.participant("other@example.org"), personas.delegate()):
        client.logout()
        if person:
            client.force_login(person)
        for url in (PAGE_11, ALL_11):
            page = client.get(url).content.decode()
            assert "Accepted words" in page
            assert not any(words in page for words in ("Waiting words", "Rejected words", "Duplicate words"))
        assert client.get(detail_url(accepted)).status_code == 200
        for contribution in hidden:
            assert client.get(detail_url(contribution)).status_code == 404
        if person:
            page = client.get(MINE).content.decode()
            assert "words" not in page
    # Their author sees each, with its status; staff see each.
    for person in (author, staff):
        client.force_login(person)
        for contribution in hidden:
            response = client.get(detail_url(contribution))
            assert response.status_code == 200
            assert contribution.text in response.content.decode()
            assert response["Cache-Control"] == "private, no-store"
    client.force_login(author)
    page = client.get(MINE).content.decode()
    for words in ("Accepted words", "Waiting words", "Rejected words", "Duplicate words", "Offensive"):
        assert words in page
    assert client.get(detail_url(type("C", (), {"pk": 999999}))).status_code == 404


def test_chatham_house_rule_names_hidden_unless_the_forum_shows_them(client, rt11, author, staff):
    contribution = contribute(rt11, author, text="Name me or not")
    services.accept(contribution=contribution, staff=staff)
    page = client.get(PAGE_11).content.decode()
    assert "Name me or not" in page
    assert "by Civil society" in page
    assert "Amina" not in page and "Benali" not in page and "Migrant Rights Network" not in page
    assert "amina@example.org" not in page
    assert "Migrant Rights Network" not in client.get(ALL_11).content.decode()
    assert "Migrant Rights Network" not in client.get(detail_url(contribution)).content.decode()

    # Staff switch the names on from the queue: audited; every public page follows at once.
    client.force_login(staff)
    response = client.post(QUEUE, {"action": "names", "show_contributor_names": "on"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="roundtables.forum.contributor_names")
    assert (entry.before, entry.after) == ({"show_contributor_names": False}, {"show_contributor_names": True})
    client.logout()
    for url in (PAGE_11, ALL_11, detail_url(contribution)):
        page = client.get(url).content.decode()
        assert "Amina Benali, Migrant Rights Network (Civil society)" in page
        assert "amina@example.org" not in page
    client.force_login(staff)
    client.post(QUEUE, {"action": "names"})
    client.logout()
    assert "Migrant Rights Network" not in client.get(PAGE_11).content.decode()


def test_the_cached_list_of_contributions_follows_moderation_and_the_naming_rule_at_once(
    client, rt11, author, staff, personas
):
    # The list is a fragment cached for everyone until content changes: a signed-in reader sees
    # an acceptance and the forum's naming rule on the next request, not after the cache expires.
    services.accept(contribution=contribute(rt11, author, text="First words"), staff=staff)
    client.force_login(personas.participant("reader@example.org"))
    page = client.get(ALL_11).content.decode()
    assert "First words" in page and "Second words" not in page and "Migrant Rights Network" not in page
    assert "First words" in client.get(ALL_11).content.decode()  # from the fragment cache now
    services.accept(contribution=contribute(rt11, author, text="Second words"), staff=staff)
    page = client.get(ALL_11).content.decode()
    assert "First words" in page and "Second words" in page
    services.set_contributor_names(forum=rt11.forum, staff=staff, show=True)
    assert "Amina Benali, Migrant Rights Network (Civil society)" in client.get(ALL_11).content.decode()
    # Another page, kind or language is another fragment.
    assert "Second words" not in client.get(ALL_11 + "?kind=statement").content.decode()
    assert "Second words" in client.get(ALL_11.replace("/en/", "/fr/")).content.decode()


def test_the_round_table_page_groups_accepted_contributions_by_question(client, rt11, author, staff):
    q1, q2 = rt11.guiding_questions.get(position=1), rt11.guiding_questions.get(position=2)
    for text, question in (("On Q2", q2), ("General", None), ("On Q1", q1)):
        services.accept(contribution=contribute(rt11, author, text=text, guiding_question=question), staff=staff)
    page = client.get(PAGE_11).content.decode()
    assert page.index("On Q1") < page.index("On Q2") < page.index("General")
    assert page.index("Question 1") < page.index("On Q1")
    assert "On the round table as a whole" in page
    assert 'href="/en/roundtables/gfmd-2017/1.1/contribute/"' in page
    assert "/en/staff/contributions/" not in page  # staff only
    client.force_login(staff)
    assert 'href="/en/staff/contributions/?round_table=1.1"' in client.get(PAGE_11).content.decode()
    client.logout()
    # Filters of the page of all contributions.
    page = client.get(ALL_11, {"question": "2"}).content.decode()
    assert "On Q2" in page and "On Q1" not in page and "General" not in page
    page = client.get(ALL_11, {"question": "none"}).content.decode()
    assert "General" in page and "On Q1" not in page


def test_the_round_table_page_shows_the_latest_and_links_to_all(client, rt11, author, staff):
    for number in range(queries.SHOWN_ON_ROUND_TABLE_PAGE + 2):
        contribution = contribute(rt11, author, text=f"Contribution text {number:03d}")
        Contribution.objects.filter(pk=contribution.pk).update(status="accepted")
    page = client.get(PAGE_11).content.decode()
    assert "Contribution text 000" not in page and "Contribution text 001" not in page
    assert f"Contribution text {queries.SHOWN_ON_ROUND_TABLE_PAGE + 1:03d}" in page
    assert "only the latest are shown here" in page
    assert page.count('class="contribution-card"') == queries.SHOWN_ON_ROUND_TABLE_PAGE
    page = client.get(ALL_11).content.decode()
    assert "22 accepted contributions." in page


# --- Rapporteurs' reports ----------------------------------------------------------------------------


@pytest.fixture
def rapporteur(forum, personas):
    user = personas.participant("rapporteur@example.org")
    SessionRole.objects.create(
        session=Session.objects.get(forum=forum, slug="round-table-1-1"), role="rapporteur", person=user
    )
    return user


def test_a_rapporteur_writes_the_report_of_their_session_only(client, forum, rapporteur, personas):
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    client.force_login(rapporteur)
    response = client.get(report_url("round-table-1-1"))
    assert response.status_code == 200
    assert 'name="version" value="0"' in response.content.decode()
    response = client.post(report_url("round-table-1-1", "fr"), {"text": "Les participants ont convenu…", "version": 0})
    assert response.status_code == 302
    report = RapporteurReport.objects.get(session=session, language="fr")
    assert (report.text, report.version, report.author) == ("Les participants ont convenu…", 1, rapporteur)
    assert AuditEntry.objects.get(action="roundtables.rapporteur_report.saved").actor == rapporteur

    # Another published session: refused (403); a speaker is not a rapporteur.
    assert client.get(report_url("round-table-1-2")).status_code == 403
    assert client.post(report_url("round-table-1-2"), {"text": "Mine now", "version": 0}).status_code == 403
    SessionRole.objects.create(
        session=Session.objects.get(forum=forum, slug="round-table-1-2"), role="speaker", person=rapporteur
    )
    assert client.get(report_url("round-table-1-2")).status_code == 403
    # A draft session someone may not see: 404.
    Session.objects.filter(forum=forum, slug="round-table-2-1").update(status="draft")
    assert client.get(report_url("round-table-2-1")).status_code == 404
    assert client.get(report_url("no-such-session")).status_code == 404
    assert not RapporteurReport.objects.exclude(session=session).exists()
    # Other participants may not; staff may; anonymous visitors sign in first.
    client.force_login(personas.participant("other@example.org"))
    assert client.get(report_url("round-table-1-1")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.save_report(
            session=session, author=personas.participant("x@example.org"), language="en", text="x", version=0
        )
    client.force_login(personas.staff())
    assert client.get(report_url("round-table-2-1")).status_code == 200
    client.logout()
    assert client.get(report_url("round-table-1-1")).status_code == 302
    # The rapporteur finds the page from "My contributions".
    client.force_login(rapporteur)
    assert "/en/sessions/round-table-1-1/report/" in client.get(MINE).content.decode()


def test_the_second_of_two_concurrent_report_edits_is_refused_and_keeps_its_text(client, forum, rapporteur, personas):
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    staff = personas.staff()
    services.save_report(session=session, author=rapporteur, language="en", text="First draft.", version=0)
    # Both open the form at version 1; the rapporteur saves first.
    client.force_login(rapporteur)
    assert 'name="version" value="1"' in client.get(report_url("round-table-1-1")).content.decode()
    response = client.post(report_url("round-table-1-1"), {"text": "The rapporteur's text.", "version": 1})
    assert response.status_code == 302
    client.force_login(staff)
    response = client.post(report_url("round-table-1-1"), {"text": "Staff's edit, typed carefully.", "version": 1})
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this report" in page
    assert "Staff&#x27;s edit, typed carefully." in page  # the typed text is kept in the form
    assert "The rapporteur&#x27;s text." in page  # and what was saved meanwhile is shown
    report = RapporteurReport.objects.get(session=session, language="en")
    assert (report.text, report.version, report.author) == ("The rapporteur's text.", 2, rapporteur)
    assert 'name="replace" value="2"' in page
    # Having seen the text saved meanwhile, staff may replace that version with theirs, deliberately.
    response = client.post(
        report_url("round-table-1-1"), {"text": "Staff's edit, typed carefully.", "version": 1, "replace": 2}
    )
    assert response.status_code == 302
    assert (reload(report).text, report.version, report.author) == ("Staff's edit, typed carefully.", 3, staff)
    # The service refuses stale versions, and two first versions of the same language.
    with pytest.raises(VersionConflict):
        services.save_report(session=session, author=staff, language="en", text="x", version=2)
    with pytest.raises(VersionConflict):
        services.save_report(session=session, author=staff, language="en", text="x", version=0)
    assert reload(report).version == 3
    assert AuditEntry.objects.filter(action="roundtables.rapporteur_report.saved").count() == 3


# --- Query counts ------------------------------------------------------------------------------------


def _accepted(round_table, author, count):
    questions = [*round_table.guiding_questions.all(), None]
    target = Target.objects.get(code="10.7")
    for number in range(count):
        contribution = contribute(
            round_table,
            author,
            text=f"Text {number}",
            guiding_question=questions[number % len(questions)],
            sdg_targets=[target],
        )
        Contribution.objects.filter(pk=contribution.pk).update(status="accepted")


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.mark.parametrize("count", [1, 30])
def test_round_table_page_query_count_does_not_grow_with_contributions(
    client, rt11, author, uncached, django_assert_num_queries, count
):
    _accepted(rt11, author, count)
    # round table, questions, targets, themes, practices, accepted contributions, siblings
    with django_assert_num_queries(7):
        response = client.get(PAGE_11)
    assert response.content.decode().count('class="contribution-card"') == min(count, queries.SHOWN_ON_ROUND_TABLE_PAGE)


@pytest.mark.parametrize("count", [1, 30])
def test_all_contributions_page_query_count(client, rt11, author, uncached, django_assert_num_queries, count):
    _accepted(rt11, author, count)
    # round table, questions, count, page, its targets, its themes
    with django_assert_num_queries(6):
        response = client.get(ALL_11)
    assert response.content.decode().count('class="contribution-card"') == min(count, 25)


@pytest.mark.parametrize("count", [1, 30])
def test_moderation_queue_query_count(client, rt11, rt12, author, staff, django_assert_num_queries, count):
    for number in range(count):
        contribute(rt11 if number % 2 else rt12, author, text=f"Text {number}", guiding_question=None)
    client.force_login(staff)
    client.get(QUEUE)  # the session is then read from the cache, as on every later request
    # user, staff group, second factor, current forum, count, page, counts per status, round tables of the filter
    with django_assert_num_queries(7):
        response = client.get(QUEUE)
    assert response.content.decode().count('name="selected"') == count


# --- Interface texts ---------------------------------------------------------------------------------


def test_an_accepted_contribution_reads_accepted_not_a_date_in_french_and_spanish(client, rt11, author, staff):
    accepted = contribute(rt11, author)
    services.accept(contribution=accepted, staff=staff)
    client.force_login(author)
    french = client.get("/fr/accounts/contributions/").content.decode()
    assert 'contribution-status-accepted">Acceptée</span>' in french
    assert "acceptation" not in french
    spanish = client.get("/es/accounts/contributions/").content.decode()
    assert 'contribution-status-accepted">Aceptada</span>' in spanish
    assert "Fecha de aceptación" not in spanish
    client.force_login(staff)
    counts = client.get("/fr/staff/contributions/").content.decode()
    assert "Acceptée\xa0: <strong>1</strong>" in counts
    assert "Refusée\xa0: <strong>0</strong>" in counts


def test_dates_in_english_are_written_the_british_way(client, rt11, author):
    import datetime

    contribution = contribute(rt11, author)
    Contribution.objects.filter(pk=contribution.pk).update(
        created=datetime.datetime(2026, 12, 2, 0, 34, tzinfo=datetime.UTC)
    )
    client.force_login(author)
    english = client.get(MINE).content.decode()
    assert "Sent on 2 December 2026, 01:34" in english  # Berlin time
    assert "12/02/2026" not in english and "a.m." not in english
    french = client.get("/fr/accounts/contributions/").content.decode()
    assert "02/12/2026 01:34" in french
