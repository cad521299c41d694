from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from common import pagecache
from roundtables.models import (
    Forum,
    ForumCompactTheme,
    GuidingQuestion,
    LinkSource,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SubTheme,
)
from stakeholders.models import Constituency, Organisation, Profile
from stakeholders.services import shipped_organisations

pytestmark = pytest.mark.django_db

MODELS = [
    Organisation,
    get_user_model(),
    Profile,
    Forum,
    ForumCompactTheme,
    SubTheme,
    RoundTable,
    GuidingQuestion,
    RoundTableTarget,
    RoundTableTheme,
]


def seed(scale, seed=1):
    out = StringIO()
    call_command("seed_demo", scale=scale, seed=seed, stdout=out)
    return out.getvalue()


def snapshot():
    """Counts of every table seed_demo writes to, and the texts it draws."""
    demo_round_tables = RoundTable.objects.filter(forum__slug__startswith="gfmd-demo-").order_by("forum__slug", "code")
    return {
        "counts": {model._meta.label: model.objects.count() for model in MODELS},
        "forum titles": list(
            Forum.objects.filter(slug__startswith="gfmd-demo-").order_by("slug").values_list("title_en", "title_fr")
        ),
        "round tables": list(demo_round_tables.values_list("code", "title_en", "title_fr", "background_fr")),
        "questions": list(
            GuidingQuestion.objects.filter(round_table__in=demo_round_tables)
            .order_by("round_table__forum__slug", "round_table__code", "position")
            .values_list("text_en", "text_fr")
        ),
        "organisations": list(Organisation.objects.order_by("name", "country").values_list("name", "country")),
        "people": list(
            Profile.objects.order_by("user__username").values_list(
                "user__username", "user__first_name", "user__last_name", "organisation__name", "constituency"
            )
        ),
        "links": sorted(RoundTableTarget.objects.values_list("round_table__title_en", "target__code", "source")),
    }


def test_same_seed_twice_gives_the_same_rows_and_texts():
    first_output = seed(5, seed=3)
    first = snapshot()
    second_output = seed(5, seed=3)
    assert snapshot() == first
    assert "created=" in first_output
    # The second run finds everything in place.
    for line in second_output.splitlines()[2:]:
        assert "created=0 updated=0" in line and "deleted=0" in line, line


def test_another_seed_draws_other_texts():
    seed(5, seed=1)
    first = snapshot()
    seed(5, seed=2)
    second = snapshot()
    assert second["round tables"] != first["round tables"]
    assert second["people"] != first["people"]
    # Same slugs and usernames: the demo forums and accounts are rewritten, not duplicated.
    assert [title for title, _fr in second["forum titles"]] != [title for title, _fr in first["forum titles"]]
    assert second["counts"]["auth.User"] == first["counts"]["auth.User"] == 5
    assert second["counts"]["roundtables.Forum"] == first["counts"]["roundtables.Forum"]


@pytest.mark.parametrize("scale", [5, 40])
def test_counts_follow_the_scale(scale):
    seed(scale)
    demo_organisations = Organisation.objects.filter(reference=None)  # not the governments shipped with the portal
    for constituency in Constituency.values:
        assert demo_organisations.filter(constituency=constituency).count() == scale
    assert not demo_organisations.filter(country="").exists()
    users = get_user_model().objects.filter(username__startswith="demo-")
    assert users.count() == scale
    assert Profile.objects.filter(user__in=users).count() == scale
    assert set(Profile.objects.values_list("constituency", flat=True)) == set(Constituency.values[: min(scale, 6)])
    # Only people of a government can be (or ask to be) its delegates.
    assert not Profile.objects.exclude(constituency=Constituency.GOVERNMENT).exclude(delegate_status="none").exists()

    forums = Forum.objects.filter(slug__startswith="gfmd-demo-")
    assert forums.count() == max(1, scale // 20)
    assert set(forums.values_list("edition", flat=True)) == {100 + k for k in range(1, forums.count() + 1)}
    assert not forums.filter(is_current=True).exists()
    assert Forum.objects.current().slug == "gfmd-2017"
    for forum in forums:
        assert forum.sub_themes.count() == 3
        for sub_theme in forum.sub_themes.all():
            assert 2 <= sub_theme.round_tables.count() <= 4
    for round_table in RoundTable.objects.filter(forum__in=forums):
        assert 3 <= round_table.guiding_questions.count() <= 6
        assert round_table.title_en and round_table.title_fr and round_table.title_en != round_table.title_fr
        assert round_table.target_links.exists() and round_table.theme_links.exists()
    sources = set(RoundTableTarget.objects.filter(round_table__forum__in=forums).values_list("source", flat=True))
    assert sources <= set(LinkSource.values)


def test_a_larger_scale_keeps_the_rows_of_a_smaller_one():
    seed(5)
    small = snapshot()
    seed(40)
    large = snapshot()
    assert set(small["organisations"]) < set(large["organisations"])
    assert set(small["people"]) < set(large["people"])
    assert large["forum titles"][: len(small["forum titles"])] == small["forum titles"]
    shipped = len(shipped_organisations())  # the governments and observers loaded on migrate
    assert large["counts"]["stakeholders.Organisation"] == 6 * 40 + shipped


def test_demo_accounts_cannot_log_in():
    seed(5)
    for user in get_user_model().objects.filter(username__startswith="demo-"):
        assert user.email == user.username and user.username.endswith("@example.org")
        assert not user.has_usable_password()


def test_the_summary_names_every_table(django_capture_on_commit_callbacks):
    version = pagecache.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        output = seed(20)
    for label in ("organisations", "users", "profiles", "forums", "round tables", "guiding questions"):
        assert label in output
    assert "gfmd-2017" in output
    # Bulk writes send no signals; the page cache is told that the content changed.
    assert pagecache.content_version() != version


def test_scale_must_be_positive():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "0")
