"""Small builders for programme data in tests (the 2017 forum itself comes from load_forum)."""

import datetime

from roundtables.models import (
    Forum,
    GuidingQuestion,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    Session,
    SubTheme,
)
from sdg_targets.models import CompactTheme, Goal, Target


def make_frameworks():
    goal, _ = Goal.objects.get_or_create(number=10, defaults={"title_en": "Reduced inequalities"})
    target, _ = Target.objects.get_or_create(
        code="10.7", defaults={"goal": goal, "text_en": "Facilitate orderly migration", "position": 7}
    )
    theme, _ = CompactTheme.objects.get_or_create(code="A.a", defaults={"cluster": "A", "title_en": "Human rights"})
    return target, theme


def make_forum(*, round_tables, slug="test-forum", questions=3):
    """A forum with one sub-theme and ``round_tables`` round tables, each linked to 10.7 and A.a."""
    target, theme = make_frameworks()
    forum = Forum.objects.create(
        slug=slug, edition=99, year=2099, title_en="Test forum", title_fr="Forum de test", theme_en="A theme"
    )
    sub_theme = SubTheme.objects.create(forum=forum, number=1, title_en="Sub-theme one")
    for number in range(1, round_tables + 1):
        round_table = RoundTable.objects.create(
            forum=forum, sub_theme=sub_theme, code=f"1.{number}", title_en=f"Round table {number}", position=number
        )
        GuidingQuestion.objects.bulk_create(
            GuidingQuestion(round_table=round_table, position=q, text_en=f"Question {q}?")
            for q in range(1, questions + 1)
        )
        RoundTableTarget.objects.create(round_table=round_table, target=target)
        RoundTableTheme.objects.create(round_table=round_table, theme=theme)
    return forum


def make_marrakesh_common_space(title, **fields):
    """A second forum in another time zone (2018, Marrakesh, Africa/Casablanca) and its published
    common space on 5 December 2018, 9:00–12:00 UTC, called ``title``."""
    forum = Forum.objects.create(
        slug="rabat", edition=11, year=2018, title="Forum", theme="-", city="Marrakesh", time_zone="Africa/Casablanca"
    )
    return Session.objects.create(
        forum=forum,
        slug="common-space",
        kind="common_space",
        title=title,
        status="published",
        start=datetime.datetime(2018, 12, 5, 9, tzinfo=datetime.UTC),
        end=datetime.datetime(2018, 12, 5, 12, tzinfo=datetime.UTC),
        **fields,
    )
