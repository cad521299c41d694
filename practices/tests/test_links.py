"""The copies of a practice's links on its row (practices.links), which the facet counts read."""

import pytest

from practices import links
from practices.models import Practice
from practices.services import update_search_vector
from practices.tests.search_factories import make_practice
from roundtables.tests.factories import make_forum, make_frameworks
from sdg_targets.models import CompactTheme, Target

pytestmark = pytest.mark.django_db


def stored(practice):
    return Practice.objects.values_list("target_ids", "theme_ids", "round_table_ids").get(pk=practice.pk)


@pytest.fixture
def world(personas):
    target, theme = make_frameworks()
    goal = target.goal
    targets = [target] + [
        Target.objects.create(code=f"10.{n}", goal=goal, text_en=f"Target {n}", position=n) for n in (1, 2)
    ]
    themes = [theme] + [CompactTheme.objects.create(code=f"B.{c}", cluster="B", title_en=f"Theme {c}") for c in "ab"]
    forum = make_forum(round_tables=2)
    return {
        "practice": make_practice(personas.government(), title="Linked"),
        "other": make_practice(personas.government(), title="Other"),
        "targets": targets,
        "themes": themes,
        "round_tables": list(forum.round_tables.order_by("id")),
    }


def test_every_change_from_the_practice_side_is_copied(world):
    practice, (t1, t2, *_rest) = world["practice"], sorted(world["targets"], key=lambda t: t.pk)
    practice.sdg_targets.add(t2, t1)
    assert stored(practice)[0] == f"{t1.pk},{t2.pk}"
    practice.sdg_targets.remove(t2)
    assert stored(practice)[0] == f"{t1.pk}"
    practice.compact_themes.set(world["themes"][:2])
    assert stored(practice)[1] == links.joined(theme.pk for theme in world["themes"][:2])
    practice.round_tables.set([world["round_tables"][1]])
    assert stored(practice)[2] == str(world["round_tables"][1].pk)
    practice.sdg_targets.clear()
    practice.compact_themes.set([])
    assert stored(practice)[:2] == ("", "")
    assert stored(world["other"]) == ("", "", "")


def test_every_change_from_the_other_side_is_copied(world):
    practice, other, target = world["practice"], world["other"], world["targets"][0]
    target.practices.add(practice, other)
    assert stored(practice)[0] == stored(other)[0] == str(target.pk)
    target.practices.remove(other)
    assert stored(other)[0] == ""
    target.practices.add(other)
    target.practices.clear()  # names no practice: those linked before are read first
    assert stored(practice)[0] == stored(other)[0] == ""


def test_links_written_in_bulk_are_copied_by_update_search_vector(world):
    practice, target = world["practice"], world["targets"][0]
    Practice.sdg_targets.through.objects.bulk_create([Practice.sdg_targets.through(practice=practice, target=target)])
    assert stored(practice)[0] == ""  # bulk_create sends no signal
    update_search_vector([practice.pk])
    assert stored(practice)[0] == str(target.pk)


def test_saving_a_practice_keeps_its_copies(world):
    practice = world["practice"]
    practice.sdg_targets.set(world["targets"][:1])
    practice.refresh_from_db()
    practice.title = "Renamed"
    practice.save()
    assert stored(practice)[0] == str(world["targets"][0].pk)
