"""Small builders for programme data in tests (the 2017 forum itself comes from load_forum)."""

from roundtables.models import Forum, GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme, SubTheme
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
