import pytest

from roundtables.tests.factories import make_forum

pytestmark = pytest.mark.django_db


def test_target_list_in_french_shows_official_texts(client, forum):
    html = client.get("/fr/sdg-targets/").content.decode()
    assert "Faciliter la migration et la mobilité de façon ordonnée, sûre, régulière et responsable" in html
    for code in ("10.7", "10.c", "3.c", "4.b", "8.8", "16.9", "17.18", "5.2", "8.7", "16.2"):
        assert f'href="/fr/sdg-targets/{code}/"' in html


def test_target_page_lists_the_round_tables_that_reference_it(client, forum):
    html = client.get("/en/sdg-targets/10.c/").content.decode()
    assert "reduce to less than 3 per cent the transaction costs of migrant remittances" in html
    assert 'href="/en/roundtables/gfmd-2017/1.2/"' in html
    assert 'href="/en/roundtables/gfmd-2017/3.1/"' not in html


def test_theme_pages_in_both_languages(client, forum):
    html = client.get("/fr/compact-themes/").content.decode()
    assert "Les droits de l&#x27;homme de tous les migrants" in html
    detail = client.get("/en/compact-themes/A.c/").content.decode()
    assert 'href="/en/roundtables/gfmd-2017/1.1/"' in detail
    assert 'href="/en/roundtables/gfmd-2017/2.2/"' in detail


@pytest.mark.parametrize("round_tables", [1, 12])
@pytest.mark.parametrize(
    ("url", "queries"),
    # A target's or theme's page: itself, its round tables, its published practices.
    [("/en/sdg-targets/", 3), ("/en/sdg-targets/10.7/", 3), ("/en/compact-themes/", 2), ("/en/compact-themes/A.a/", 3)],
)
def test_framework_pages_query_count(client, django_assert_num_queries, settings, round_tables, url, queries):
    settings.PAGE_CACHE_SECONDS = 0
    make_forum(round_tables=round_tables)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_signed_in_the_cached_target_list_follows_content_changes_at_once(client, forum, personas):
    # The list is a fragment cached for everyone in a language until content changes (signed-in
    # visitors are not served from the page cache): a change shows on the next request.
    from sdg_targets.models import Target

    client.force_login(personas.participant())
    for _ in range(2):
        assert "Amended official text" not in client.get("/en/sdg-targets/").content.decode()
    Target.objects.filter(code="10.7").update(text_en="Amended official text")  # no signal: not yet shown
    assert "Amended official text" not in client.get("/en/sdg-targets/").content.decode()
    target = Target.objects.get(code="10.7")
    target.save()  # a save is a content change
    assert "Amended official text" in client.get("/en/sdg-targets/").content.decode()
    assert "Amended official text" not in client.get("/fr/sdg-targets/").content.decode()


def test_signed_in_the_cached_target_page_follows_content_changes_at_once(client, forum, personas):
    # Its content is a fragment cached for everyone in a language until content changes.
    from roundtables.models import RoundTable
    from sdg_targets.models import Target

    client.force_login(personas.participant())
    url = "/en/sdg-targets/10.c/"
    for _ in range(2):
        assert 'href="/en/roundtables/gfmd-2017/3.1/"' not in client.get(url).content.decode()
    target = Target.objects.get(code="10.c")
    RoundTable.objects.get(forum=forum, code="3.1").target_links.create(target=target, source="portal")
    html = client.get(url).content.decode()
    assert 'href="/en/roundtables/gfmd-2017/3.1/"' in html
    assert 'href="/fr/roundtables/gfmd-2017/3.1/"' in client.get("/fr/sdg-targets/10.c/").content.decode()
