import pytest
from django.urls import reverse

from roundtables.tests.factories import make_forum

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


def test_home_shows_the_current_forum_in_french(client, forum):
    response = client.get("/fr/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in html
    assert "Dixième Forum mondial sur la migration et le développement – Allemagne 2017" in html
    assert "Vers un contrat social mondial pour la migration et le développement" in html
    assert "L&#x27;attention publique se concentre actuellement sur les réfugiés" in html


def test_programme_lists_sub_themes_and_round_tables_in_english(client, forum):
    html = client.get("/en/roundtables/").content.decode()
    assert "Towards a Global Social Contract on Migration and Development" in html
    assert html.count('href="/en/roundtables/gfmd-2017/') == 6
    positions = [
        html.index(f"/en/roundtables/gfmd-2017/{code}/") for code in ("1.1", "1.2", "2.1", "2.2", "3.1", "3.2")
    ]
    assert positions == sorted(positions)
    assert html.count('<h2 id="sub-theme-') == 3


def test_round_table_page_in_french_has_its_texts_and_questions_in_order(client, forum):
    round_table = forum.round_tables.get(code="3.2")
    html = client.get("/fr/roundtables/gfmd-2017/3.2/").content.decode()
    assert "Intensifier la coopération – faciliter les contributions de la société civile" in html
    assert "Résultats attendus" in html or "Expected outcomes" in html
    questions = [q.text_fr for q in round_table.guiding_questions.order_by("position")]
    found = [html.index(q.replace("'", "&#x27;")) for q in questions]
    assert found == sorted(found)
    assert "Traduction" not in html
    assert html.count("<h1>") == 1


def test_round_table_page_in_english_marks_links_added_by_the_portal(client, forum):
    html = client.get("/en/roundtables/gfmd-2017/3.1/").content.decode()
    assert "Increasing the global talent pool" in html or "talent" in html
    assert 'href="/en/compact-themes/A.b/"' in html
    assert 'href="/en/sdg-targets/8.8/"' in html
    assert "added by the portal" in html


def test_spanish_falls_back_to_english_content(client, forum):
    forum.round_tables.filter(code="1.1").update(title_es="")
    html = client.get("/es/roundtables/gfmd-2017/1.1/").content.decode()
    assert '<html lang="es">' in html
    assert forum.round_tables.get(code="1.1").title_en in html.replace("&#x27;", "'")


@pytest.mark.parametrize("code", ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"])
def test_every_2017_round_table_page_in_spanish(client, forum, code):
    round_table = forum.round_tables.get(code=code)
    html = client.get(f"/es/roundtables/gfmd-2017/{code}/").content.decode().replace("&#x27;", "'")
    assert '<html lang="es">' in html
    assert f"<br><span>{round_table.title_es}</span></h1>" in html
    assert round_table.sub_theme.title_es in html
    # The round table's own texts are Spanish, not a fallback marked with another language.
    assert f"<div><p>{round_table.expected_outcomes_es}</p></div>" in html
    assert f"<div><p>{round_table.background_es.split(chr(10))[0]}" in html
    for question in round_table.guiding_questions.all():
        assert f"<li><span>{question.text_es}</span></li>" in html
        assert question.text_en not in html
    assert round_table.title_en not in html
    # SDG targets in their official Spanish wording; Compact themes, without an official Spanish
    # title in the portal, fall back to English and say so.
    for link in round_table.target_links.all():
        assert f"<span>{link.target.text_es}</span>" in html
    for link in round_table.theme_links.all():
        assert f'<span lang="en">{link.theme.title_en}</span>' in html


def test_the_spanish_programme_and_agenda_are_in_spanish(client, forum):
    programme = client.get("/es/roundtables/gfmd-2017/").content.decode()
    assert "Décimo Foro Mundial sobre Migración y Desarrollo – Alemania 2017" in programme
    assert "Hacia un contrato social mundial para la migración y el desarrollo" in programme
    assert "El taller temático se celebrará en el segundo semestre de 2017 en Ginebra" in programme
    agenda = client.get("/es/agenda/").content.decode()
    for title in ("Espacio Común", "Interfaz Empresarial", "Mesa redonda 1.1", "Mesa redonda 3.2"):
        assert title in agenda
    assert "Round table 1.1" not in agenda


def test_language_switcher_links_to_the_same_page(client, forum):
    html = client.get("/en/roundtables/gfmd-2017/2.2/").content.decode()
    assert 'href="/fr/roundtables/gfmd-2017/2.2/"' in html
    assert 'href="/es/roundtables/gfmd-2017/2.2/"' in html


@pytest.mark.parametrize(
    "url",
    [
        "/en/roundtables/gfmd-2017/9.9/",
        "/fr/roundtables/gfmd-2017/1.1.1/",
        "/en/roundtables/no-such-forum/",
        "/en/roundtables/no-such-forum/1.1/",
        "/en/sdg-targets/99.9/",
        "/en/compact-themes/Z.z/",
        "/xx/roundtables/",
        "/en/no-such-page/",
    ],
)
def test_unknown_things_are_the_sites_own_404(client, forum, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    # The site's own page (its layout and a way home), not Django's bare one.
    assert 'class="site-header"' in html
    assert html.count("<h1>") == 1


def test_home_without_any_forum_is_a_404_not_a_500(client, db):
    assert client.get("/en/").status_code == 404


def test_another_forum_fits_without_code(client, forum):
    make_forum(round_tables=2, slug="gfmd-2018")
    html = client.get("/en/roundtables/gfmd-2018/").content.decode()
    assert "Test forum" in html
    assert client.get("/en/roundtables/gfmd-2018/1.2/").status_code == 200
    assert 'href="/en/roundtables/gfmd-2018/"' in client.get("/en/roundtables/").content.decode()


# Query-count guards: the same literal number of queries with one round table and with many.
@pytest.mark.parametrize("round_tables", [1, 12])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/en/", 4),
        ("/en/roundtables/", 6),  # 5, and the changes since publication
        ("/en/roundtables/test-forum/", 6),
        ("/en/roundtables/test-forum/1.1/", 7),  # 5, its published practices and accepted contributions
    ],
)
def test_programme_pages_query_count(client, django_assert_num_queries, uncached, round_tables, url, queries):
    forum = make_forum(round_tables=round_tables)
    forum.is_current = True
    forum.save()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_reverse_builds_language_prefixed_urls(forum):
    from django.utils import translation

    with translation.override("fr"):
        assert reverse("roundtables:detail", kwargs={"forum": "gfmd-2017", "code": "1.2"}) == (
            "/fr/roundtables/gfmd-2017/1.2/"
        )


def test_content_that_falls_back_carries_its_own_language(client, forum):
    forum.round_tables.filter(code="1.1").update(title_es="", expected_outcomes_es="")
    spanish = client.get("/es/roundtables/gfmd-2017/1.1/").content.decode()
    # The page is Spanish, the round table's texts are English: screen readers are told.
    assert '<html lang="es">' in spanish
    assert '<span lang="en">Tools and safeguards for policy coherence' in spanish
    assert '<div lang="en"><p>The aim of this round table' in spanish
    french = client.get("/fr/roundtables/gfmd-2017/1.1/").content.decode()
    assert '<span lang="en">' not in french
    assert '<div lang="en">' not in french


def _open_the_common_space(forum, personas):
    """Staff open registration for the forum's common space (10 seats)."""
    from roundtables.models import Session
    from roundtables.registration import services

    services.configure_registration(
        session=Session.objects.get(forum=forum, slug="common-space"),
        staff=personas.staff(),
        total_seats=10,
        quotas={},
        eligible_constituencies=[],
    )


def test_the_home_page_links_the_common_space_once_registration_is_open(client, forum, personas):
    assert "/en/common-space/" not in client.get("/en/").content.decode()
    _open_the_common_space(forum, personas)
    assert 'href="/en/common-space/"' in client.get("/en/").content.decode()


def test_signed_in_the_cached_home_and_programme_follow_content_changes_at_once(client, forum, personas):
    # Their content is a fragment cached for everyone until content changes (signed-in visitors are
    # not served from the page cache): a change shows on the next request.
    client.force_login(personas.participant())
    for url in ("/en/", "/en/roundtables/", "/en/", "/en/roundtables/"):
        assert "Renamed round table" not in client.get(url).content.decode()
    assert "/en/common-space/" not in client.get("/en/").content.decode()
    round_table = forum.round_tables.get(code="1.1")
    round_table.title_en = "Renamed round table"
    round_table.save()
    for url in ("/en/", "/en/roundtables/"):
        assert "Renamed round table" in client.get(url).content.decode()
    assert "Renamed round table" not in client.get("/fr/roundtables/").content.decode()  # its own fragment
    _open_the_common_space(forum, personas)
    assert 'href="/en/common-space/"' in client.get("/en/").content.decode()


def test_signed_in_the_cached_round_table_page_follows_content_changes_at_once(client, forum, personas):
    # Its texts and linked frameworks are fragments cached for everyone until content changes.
    client.force_login(personas.participant())
    url = "/en/roundtables/gfmd-2017/1.1/"
    for _ in range(2):
        html = client.get(url).content.decode()
        assert "A reworded guiding question" not in html and "Target 10.c" not in html
    round_table = forum.round_tables.get(code="1.1")
    question = round_table.guiding_questions.order_by("position").first()
    question.text_en = "A reworded guiding question"
    question.save()
    from sdg_targets.models import Target

    round_table.target_links.create(target=Target.objects.get(code="10.c"), source="portal")
    html = client.get(url).content.decode()
    assert "A reworded guiding question" in html
    assert 'href="/en/sdg-targets/10.c/"' in html
