from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from demo.practices import DEMO_LINK_PREFIX
from practices.models import Practice
from stakeholders.models import Constituency

pytestmark = pytest.mark.django_db


def seed(scale, seed=1):
    out = StringIO()
    call_command("seed_demo", scale=scale, seed=seed, stdout=out)
    return out.getvalue()


def demo_practices():
    return Practice.objects.filter(links__startswith=DEMO_LINK_PREFIX)


def snapshot():
    return list(
        demo_practices()
        .order_by("links")
        .values_list("links", "title", "status", "language", "organisation__name", "summary", "published_at")
    )


def test_every_status_with_a_published_majority():
    output = seed(20)
    assert demo_practices().count() == 100
    statuses = Counter(demo_practices().values_list("status", flat=True))
    assert set(statuses) == set(Practice.Status.values)
    assert statuses[Practice.Status.PUBLISHED] > sum(statuses.values()) / 2
    assert "good practices" in output and "published=70" in output
    # Published ones have a publication date, drafts were never submitted.
    assert not demo_practices().filter(status="published", published_at__isnull=True).exists()
    assert not demo_practices().exclude(status="published").filter(published_at__isnull=False).exists()
    assert not demo_practices().filter(status="draft", submitted_at__isnull=False).exists()


def test_three_languages_with_text_in_each():
    seed(20)
    languages = Counter(demo_practices().values_list("language", flat=True))
    assert set(languages) == {"en", "fr", "es"}
    assert languages["en"] > languages["es"]
    practice = demo_practices().filter(language="fr").first()
    assert practice.summary and practice.description and practice.results
    assert any(word in practice.description for word in (" les ", " des ", " la "))


def test_practices_are_complete_and_linked():
    seed(20)
    for practice in demo_practices().prefetch_related("sdg_targets", "compact_themes"):
        assert practice.organisation.constituency == Constituency.GOVERNMENT
        assert practice.countries and practice.start_date and practice.constituencies
        assert practice.ongoing == (practice.end_date is None)
        assert bool(practice.gender_explanation) == bool(practice.gender_responsive)
        assert practice.sdg_targets.exists() and practice.compact_themes.exists()
    assert demo_practices().filter(round_tables__forum__slug="gfmd-2017").exists()
    if connection.vendor == "postgresql":
        assert not demo_practices().filter(search_vector__isnull=True).exists()


def test_same_seed_twice_creates_nothing_new():
    seed(5, seed=3)
    first = snapshot()
    second_output = seed(5, seed=3)
    assert snapshot() == first
    assert len(first) == 25
    line = next(line for line in second_output.splitlines() if "good practices" in line)
    assert "created=0 updated=0" in line and "search_vectors=0" in line


def test_deterministic_and_seed_dependent():
    seed(5, seed=1)
    first = snapshot()
    Practice.objects.all().delete()
    seed(5, seed=1)
    assert snapshot() == first
    seed(5, seed=2)
    other = snapshot()
    assert len(other) == len(first)
    assert [row[1] for row in other] != [row[1] for row in first]
