"""The demo contributions (demo/contributions.py) and what the compile makes of them."""

import collections

import pytest
from django.core.management import call_command

from declarations import compile as compiler
from demo.contributions import _demo_people, _round_table_rows, seed_contributions
from demo.services import seed_demo
from roundtables.models import Contribution, Forum, RapporteurReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_forum():
    seed_demo(scale=6, seed=2)
    return Forum.objects.get(slug="gfmd-2017")


def test_seed_contributions_is_realistic_and_idempotent(demo_forum):
    summary = seed_contributions(demo_forum, count=600, seed=2)
    assert (summary.created, summary.deleted, summary.reports) == (600, 0, 12)
    contributions = Contribution.objects.filter(round_table__forum=demo_forum)
    assert contributions.count() == 600
    per_round_table = collections.Counter(contributions.values_list("round_table__code", flat=True))
    assert sorted(per_round_table.values()) == [100] * 6
    statuses = collections.Counter(contributions.values_list("status", flat=True))
    assert statuses["accepted"] >= 540 and statuses["duplicate"] > 0 and statuses["rejected"] > 0
    assert set(contributions.values_list("language", flat=True)) == {"en", "fr", "es"}
    assert set(contributions.values_list("kind", flat=True)) == {"statement", "recommendation"}
    for duplicate in contributions.filter(status="duplicate").select_related("duplicate_of"):
        original = duplicate.duplicate_of
        assert original.status == "accepted" and original.round_table_id == duplicate.round_table_id
        assert original.pk < duplicate.pk and original.kind == duplicate.kind
    # The snapshot is the author's profile at the time; tags are the round table's.
    for contribution in contributions.select_related("author__profile__organisation", "round_table")[:50]:
        profile = contribution.author.profile
        assert contribution.organisation_name == profile.organisation.name
        assert (contribution.constituency, contribution.country) == (profile.constituency, profile.country)
        assert set(contribution.sdg_targets.all()) <= set(contribution.round_table.sdg_targets.all())
    assert RapporteurReport.objects.filter(session__forum=demo_forum).count() == 12

    again = seed_contributions(demo_forum, count=600, seed=2)
    assert (again.created, again.deleted, again.reports) == (0, 0, 0)
    ids = set(contributions.values_list("pk", flat=True))
    assert set(Contribution.objects.filter(round_table__forum=demo_forum).values_list("pk", flat=True)) == ids

    other = seed_contributions(demo_forum, count=300, seed=2)
    assert (other.created, other.deleted) == (300, 600)


def test_seed_demo_command_adds_contributions(demo_forum, capsys):
    call_command("seed_demo", scale=6, seed=2, contributions=120)
    assert "contributions (gfmd-2017)  rows=120 created=120 updated=0 unchanged=0 deleted=0" in capsys.readouterr().out
    assert Contribution.objects.filter(round_table__forum=demo_forum).count() == 120


def test_merged_recommendations_are_the_demo_families(demo_forum):
    seed_contributions(demo_forum, count=1200, seed=2)
    job = compiler.run_inline(compiler.request_compile(forum=demo_forum, language="en", user=None, dispatch=False))
    assert job.status == "succeeded"
    people = _demo_people()
    family_of = {}
    for round_table in demo_forum.round_tables.all():
        rows, _drawn = _round_table_rows(round_table, 200, 2, people)
        family_of.update({(round_table.pk, row["text"]): row["family"] for row in rows})
    texts = dict(Contribution.objects.filter(round_table__forum=demo_forum).values_list("pk", "text"))
    merged = 0
    for paragraph in job.draft.paragraphs.filter(section__endswith=":recommendations", support_count__gt=1):
        sources = list(paragraph.sources.values_list("pk", "round_table_id"))
        assert len(sources) == paragraph.support_count
        families = {family_of[(round_table_id, texts[pk])] for pk, round_table_id in sources}
        assert len(families) == 1, paragraph.text
        merged += 1
    assert merged >= 30  # enough merged paragraphs for the check to mean something
