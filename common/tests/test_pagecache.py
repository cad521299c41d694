import pytest
from django.contrib.auth import get_user_model

from roundtables.models import RoundTable

pytestmark = pytest.mark.django_db


def _title_change_shows(client):
    url = "/en/roundtables/gfmd-2017/1.1/"
    first = client.get(url)
    second = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content

    round_table = RoundTable.objects.get(code="1.1")
    round_table.title_en = "A title edited by staff"
    round_table.save()

    third = client.get(url)
    assert third["X-Page-Cache"] == "miss"
    assert "A title edited by staff" in third.content.decode()
    # Every page is invalidated, not only the round table's own.
    assert "A title edited by staff" in client.get("/en/roundtables/").content.decode()


def test_anonymous_pages_are_cached_and_invalidated_by_a_change(client, forum):
    _title_change_shows(client)


@pytest.mark.redis
def test_invalidation_through_the_shared_redis_cache(client, forum, real_cache, require_redis):
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    caches["default"].clear()
    _title_change_shows(client)


def test_a_link_change_invalidates_too(client, forum):
    url = "/en/sdg-targets/16.9/"
    client.get(url)
    assert 'href="/en/roundtables/gfmd-2017/3.2/"' not in client.get(url).content.decode()
    round_table = RoundTable.objects.get(code="3.2")
    round_table.target_links.create(
        target_id=round_table.forum.round_tables.get(code="1.2").sdg_targets.get(code="16.9").pk, source="portal"
    )
    assert 'href="/en/roundtables/gfmd-2017/3.2/"' in client.get(url).content.decode()


def test_languages_are_cached_apart(client, forum):
    english = client.get("/api/v1/roundtables/", HTTP_ACCEPT_LANGUAGE="en").json()
    french = client.get("/api/v1/roundtables/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["X-Page-Cache"] == "miss"
    assert french.json()[0]["title"] != english[0]["title"]


def test_signed_in_people_are_never_served_from_the_cache(client, forum):
    user = get_user_model().objects.create_user("reader", "reader@example.org", "a-long-password")
    client.get("/en/")
    client.force_login(user)
    response = client.get("/en/")
    assert not response.has_header("X-Page-Cache")


def test_errors_are_not_cached(client, forum):
    client.get("/en/roundtables/gfmd-2017/9.9/")
    response = client.get("/en/roundtables/gfmd-2017/9.9/")
    assert response.status_code == 404
    assert not response.has_header("X-Page-Cache")


def test_warming_renders_the_main_pages_in_every_language(client, forum):
    from common import pagecache

    urls = pagecache.warm_urls()
    assert "/fr/roundtables/gfmd-2017/3.2/" in urls
    assert "/es/sdg-targets/" in urls
    assert len(urls) == 3 * (4 + 6)
    assert pagecache.warm() == len(urls)
    assert client.get("/fr/roundtables/gfmd-2017/3.2/")["X-Page-Cache"] == "hit"
    assert pagecache.warm() == 0  # nothing changed, nothing to render again


def test_loading_a_changed_programme_queues_the_warming(forum, tmp_path):
    import yaml

    from common.models import OutboxTask
    from roundtables.programme import services

    warmings = OutboxTask.objects.filter(task_name="gfmd_portal.tasks.warm_page_cache")
    assert warmings.count() == 1  # the first load created rows
    services.load_forum()
    assert warmings.count() == 1  # nothing changed, no follow-up work

    data = yaml.safe_load(services.FORUM_2017_FILE.read_text(encoding="utf-8"))
    data["forum"]["city"] = "Berlin (Germany)"
    edited = tmp_path / "forum.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    services.load_forum(path=edited)
    assert warmings.count() == 2


def test_a_registration_does_not_empty_the_cache(client, forum, personas):
    from common import pagecache
    from roundtables.models import Session
    from roundtables.registration import services

    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session, staff=personas.staff(), total_seats=5, quotas={}, eligible_constituencies=[]
    )
    version = pagecache.content_version()
    services.register(session=session, person=personas.participant())
    assert pagecache.content_version() == version


def test_a_contribution_empties_the_cache_only_when_accepted(client, forum, personas):
    from roundtables.contributions import services as contributions
    from sdg_targets.models import Target

    url = "/en/roundtables/gfmd-2017/1.1/"
    round_table = RoundTable.objects.get(forum=forum, code="1.1")
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"

    contribution = contributions.submit(
        round_table=round_table,
        author=personas.participant(),
        kind="recommendation",
        text="Open regular pathways for seasonal workers with portable social protection.",
        language="en",
        sdg_targets=Target.objects.filter(code="10.7"),
    )
    assert client.get(url)["X-Page-Cache"] == "hit"  # waiting for moderation: shown nowhere

    staff = personas.staff()
    contributions.accept(contribution=contribution, staff=staff)
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "portable social protection" in page.content.decode()

    contributions.reject(contribution=contribution, staff=staff, reason="Off topic")
    page = client.get(url)
    assert page["X-Page-Cache"] == "miss"
    assert "portable social protection" not in page.content.decode()


def test_unknown_parameters_share_the_entry_without_them_and_are_never_stored(client, forum):
    from django.core.cache import cache

    assert client.get("/en/roundtables/")["X-Page-Cache"] == "miss"
    for value in range(20):  # a crawler's tracking parameters
        response = client.get(f"/en/roundtables/?utm_source={value}")
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
    keys = [key for key in list(cache._cache) if ":pagecache:page:" in key]
    assert keys == [":1:pagecache:page:en:/en/roundtables/"]


def test_a_miss_with_unknown_parameters_is_rendered_but_not_stored(client, forum):
    from django.core.cache import cache

    response = client.get("/en/roundtables/?utm_source=mail")
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert not [key for key in list(cache._cache) if ":pagecache:page:" in key]


def test_the_parameters_a_page_reads_are_keyed_in_a_fixed_order(client, forum):
    from django.core.cache import cache

    first = client.get("/en/practices/?sort=title&q=migration&utm_campaign=x")
    assert "X-Page-Cache" not in first  # rendered, not stored: it carried an unknown parameter
    assert client.get("/en/practices/?q=migration&sort=title")["X-Page-Cache"] == "miss"
    assert client.get("/en/practices/?sort=title&q=migration")["X-Page-Cache"] == "hit"
    assert client.get("/en/practices/?sort=title&q=migration&utm_campaign=y")["X-Page-Cache"] == "hit"
    assert client.get("/en/practices/?q=other")["X-Page-Cache"] == "miss"
    keys = sorted(key for key in list(cache._cache) if ":pagecache:page:" in key)
    assert keys == [
        ":1:pagecache:page:en:/en/practices/?q=migration&sort=title",
        ":1:pagecache:page:en:/en/practices/?q=other",
    ]


def test_api_answers_are_keyed_on_the_parameters_their_schema_documents(client, forum):
    assert "X-Page-Cache" not in client.get("/api/v1/practices/?q=water&page_size=5&junk=1")
    assert client.get("/api/v1/practices/?page_size=5&q=water")["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/practices/?q=water&page_size=5&junk=2")["X-Page-Cache"] == "hit"
    assert client.get("/api/v1/roundtables/?lang=fr")["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/roundtables/?lang=fr&x=1")["X-Page-Cache"] == "hit"


def test_every_parameter_a_public_view_reads_is_declared():
    """A cached page that reads a parameter it does not declare would be served to every visitor
    whatever they asked: each view that reads request.GET says which parameters (page_cache_params)."""
    import ast
    from pathlib import Path

    from django.conf import settings
    from django.urls import get_resolver

    from common.pagecache import params_read_by

    readers = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*views.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and "request.GET" in ast.unparse(node):
                readers.add(node.name)

    undeclared = []

    def walk(resolver, prefix=""):
        for entry in resolver.url_patterns:
            route = prefix + str(entry.pattern)
            if hasattr(entry, "url_patterns"):
                walk(entry, route)
                continue
            # Staff pages are never cached (a signed-in visitor has a session): they need not declare.
            if route.startswith("staff/") or "/staff/" in route:
                continue
            func = entry.callback
            owner = getattr(func, "view_class", None) or getattr(func, "cls", None) or func
            if owner.__name__ in readers and not params_read_by(type("Match", (), {"func": func})):
                undeclared.append(owner.__name__)

    walk(get_resolver())
    # Other signed-in pages, never cached either.
    staff = {"ReviewQueue", "export_queryset"}
    assert sorted(set(undeclared) - staff) == []
