import re

import pytest
import yaml

from roundtables.models import Forum, GuidingQuestion, RoundTable, RoundTableTarget, RoundTableTheme, SubTheme
from roundtables.programme import services
from sdg_targets.models import CompactTheme, Target

pytestmark = pytest.mark.django_db

# Guiding questions per round table in the concept note of 20 March 2017.
QUESTIONS_PER_ROUND_TABLE = {"1.1": 5, "1.2": 4, "2.1": 3, "2.2": 5, "3.1": 5, "3.2": 4}


def _row_counts():
    models = (Forum, SubTheme, RoundTable, GuidingQuestion, RoundTableTarget, RoundTableTheme, Target, CompactTheme)
    return {model.__name__: model.objects.count() for model in models}


def test_the_2017_forum_has_three_sub_themes_and_six_round_tables(forum):
    assert forum.slug == "gfmd-2017"
    assert forum.edition == 10
    assert forum.is_current
    assert [str(c) for c in forum.host_countries] == ["DE", "MA"]
    assert forum.theme_fr == "Vers un contrat social mondial pour la migration et le développement"
    assert forum.theme_en == "Towards a Global Social Contract on Migration and Development"
    assert list(forum.sub_themes.values_list("number", flat=True)) == [1, 2, 3]
    codes = list(forum.round_tables.order_by("position").values_list("sub_theme__number", "code"))
    assert codes == [(1, "1.1"), (1, "1.2"), (2, "2.1"), (2, "2.2"), (3, "3.1"), (3, "3.2")]


def test_every_guiding_question_exactly_once_and_in_order(forum):
    for round_table in forum.round_tables.all():
        questions = list(round_table.guiding_questions.order_by("position"))
        assert len(questions) == QUESTIONS_PER_ROUND_TABLE[round_table.code], round_table.code
        assert [q.position for q in questions] == list(range(1, len(questions) + 1))
        for question in questions:
            for text in (question.text_fr, question.text_en):
                assert text[0].isupper(), text
                assert text.rstrip().endswith("?"), text
        # No question is repeated.
        assert len({q.text_fr for q in questions}) == len(questions)


def test_the_question_split_by_a_page_break_is_one_question(forum):
    third = GuidingQuestion.objects.get(round_table__code="1.1", position=3)
    assert third.text_fr == (
        "Quels sont notamment les outils qui facilitent la cohérence des politiques et de quels mécanismes de "
        "coordination les autorités centrales, locales et régionales ont-elles besoin pour gérer la diversité "
        "dans le domaine de la cohésion sociale et du développement urbain durable ?"
    )
    assert not GuidingQuestion.objects.filter(text_fr__startswith="mécanismes").exists()


def test_the_stray_translation_heading_is_not_a_question(forum):
    questions = list(GuidingQuestion.objects.filter(round_table__code="3.2").order_by("position"))
    assert questions[3].text_fr.startswith("Comment leurs capacités spécifiques peuvent-elles contribuer")
    assert not GuidingQuestion.objects.filter(text_fr__icontains="traduction").exists()


def test_no_pdf_artefact_remains_in_any_text(forum):
    texts = []
    for round_table in RoundTable.objects.all():
        for lang in ("fr", "en"):
            texts += [getattr(round_table, f"{f}_{lang}") for f in ("expected_outcomes", "background")]
    texts += [q.text_fr for q in GuidingQuestion.objects.all()] + [q.text_en for q in GuidingQuestion.objects.all()]
    for field in ("introduction", "theme_description", "thematic_workshop", "impact"):
        texts += [getattr(forum, f"{field}_fr"), getattr(forum, f"{field}_en")]
    for text in texts:
        assert text, "every text has French and English"
        assert "Traduction" not in text
        assert "**" not in text and "#" not in text
        assert "\n\n\n" not in text and "  " not in text
        # A paragraph that ends without punctuation was cut by a page break (list items may).
        for paragraph in text.split("\n\n"):
            if paragraph.strip().startswith("- "):
                continue
            assert not re.search(r"[a-zàâçéèêëîïôûù,]$", paragraph.strip()), paragraph[-80:]


def test_paragraphs_cut_by_page_breaks_are_joined(forum):
    assert "migrations internationales et le développement. Les coprésidents" in forum.introduction_fr
    rt12 = RoundTable.objects.get(code="1.2")
    assert "(HLPF en anglais) jouera un rôle crucial" in rt12.background_fr
    rt22 = RoundTable.objects.get(code="2.2")
    assert "l'ouverture de la société aux migrants, le soutien" in rt22.background_fr


def test_links_named_by_the_note_and_links_added_by_the_portal(forum):
    def themes(code, source):
        return set(
            RoundTableTheme.objects.filter(round_table__code=code, source=source).values_list("theme__code", flat=True)
        )

    assert themes("1.1", "note") == {"A.c"}
    assert themes("1.2", "note") == {"A.b", "B.d", "C.f"}
    assert themes("2.1", "note") == {"B.e"}
    assert themes("2.2", "note") == {"A.c"}
    assert themes("3.1", "note") == {"A.b"}
    assert themes("3.2", "note") == {"A.a"}
    named_targets = set(
        RoundTableTarget.objects.filter(round_table__code="1.2", source="note").values_list("target__code", flat=True)
    )
    assert named_targets == {"10.7", "10.c", "3.c", "4.b", "8.8", "16.9", "17.18", "5.2", "8.7", "16.2"}
    # The note names targets only for 1.2: every other target link is the portal's.
    assert not RoundTableTarget.objects.exclude(round_table__code="1.2").filter(source="note").exists()
    assert RoundTableTarget.objects.filter(source="portal").exists()
    assert list(forum.theme_links.values_list("theme__code", "source")) == [("A.a", "note")]


def test_frameworks_have_official_texts_in_english_and_french(forum):
    core = {"10.7", "10.c", "3.c", "4.b", "8.8", "16.9", "17.18"}
    trafficking = {"5.2", "8.7", "16.2"}
    assert set(Target.objects.filter(relevance="core").values_list("code", flat=True)) == core
    assert set(Target.objects.filter(relevance="trafficking").values_list("code", flat=True)) == trafficking
    target = Target.objects.get(code="10.7")
    assert target.text_en.startswith("Facilitate orderly, safe, regular and responsible migration")
    assert target.text_fr.startswith("Faciliter la migration et la mobilité de façon ordonnée, sûre, régulière")
    assert list(CompactTheme.objects.values_list("code", flat=True)) == ["A.a", "A.b", "A.c", "B.d", "B.e", "C.f"]
    for theme in CompactTheme.objects.all():
        assert theme.title_en and theme.title_fr
    assert CompactTheme.objects.get(code="A.a").title_fr.startswith("Les droits de l'homme de tous les migrants")


def test_loading_twice_changes_nothing(forum):
    before = _row_counts()
    titles = list(RoundTable.objects.order_by("pk").values_list("pk", "title_fr", "title_en"))
    _forum, tally = services.load_forum()
    assert (tally.created, tally.updated, tally.deleted) == (0, 0, 0)
    assert tally.unchanged > 80
    assert _row_counts() == before
    assert list(RoundTable.objects.order_by("pk").values_list("pk", "title_fr", "title_en")) == titles


def test_a_changed_file_updates_texts_in_place(forum, tmp_path):
    data = yaml.safe_load(services.FORUM_2017_FILE.read_text(encoding="utf-8"))
    round_table = data["sub_themes"][0]["round_tables"][0]
    round_table["title"]["en"] = "A corrected title"
    round_table["guiding_questions"].pop()  # the file now has four questions for 1.1
    edited = tmp_path / "forum.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pk = RoundTable.objects.get(code="1.1").pk

    _forum, tally = services.load_forum(path=edited)

    assert tally.created == 0
    assert tally.updated == 1
    assert tally.deleted == 1
    round_table = RoundTable.objects.get(code="1.1")
    assert round_table.pk == pk
    assert round_table.title_en == "A corrected title"
    assert round_table.guiding_questions.count() == 4


def test_load_forum_command_is_idempotent(db, capsys):
    from django.core.management import call_command

    call_command("load_forum")
    first = _row_counts()
    call_command("load_forum")
    assert _row_counts() == first
    assert "created=0 updated=0 unchanged=" in capsys.readouterr().out


def test_load_forum_command_reports_a_missing_file(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No such file"):
        call_command("load_forum", "--file", "/nonexistent/forum.yaml")
