"""The synthesis of a round table's statements (declarations.compile.synthesis) and the ranking of its
recommendations, on small fixed inputs, through a whole compile and the staff page."""

import pytest
from django.urls import reverse

from declarations.compile import synthesis
from declarations.tests.compile.helpers import compile_now, contribute
from roundtables.models import Contribution
from stakeholders.models import Constituency

pytestmark = pytest.mark.django_db

STATEMENT = Contribution.Kind.STATEMENT
GOV, CSO, PRIVATE = Constituency.GOVERNMENT, Constituency.CIVIL_SOCIETY, Constituency.PRIVATE_SECTOR

# Three statements say, in their own words, that recruitment fees fall on migrant workers; one
# speaks of something else. None is a near-duplicate of another.
FEES = [
    ("We observe that migrant workers pay recruitment fees to private agencies before departure.", GOV, "DE"),
    (
        "Recruitment fees paid by migrant workers to agencies remain the first cause of debt bondage in "
        "the corridors we work in.",
        CSO,
        "PH",
    ),
    ("Migrant workers pay recruitment fees and travel costs to agencies, and employers rarely refund them.", CSO, "MA"),
]
OTHER = ("Our members report that diaspora bonds finance schools and clinics in rural districts.", PRIVATE, "GH")


@pytest.fixture
def statements(forum):
    round_table = forum.round_tables.get(code="1.1")
    made = [
        contribute(
            round_table,
            text,
            kind=STATEMENT,
            constituency=constituency,
            country=country,
            organisation=f"Organisation {index}",
            themes=["A.a"] if index < 3 else ["B.e"],
        )
        for index, (text, constituency, country) in enumerate([*FEES, OTHER])
    ]
    return forum, made


def _messages(draft):
    return list(draft.paragraphs.filter(section="rt:1.1:messages", kind="paragraph").order_by("position"))


def test_the_synthesis_picks_what_most_contributions_share_and_says_who(statements, staff_client):
    forum, made = statements
    draft = compile_now(forum).draft
    messages = _messages(draft)
    # The best sentence is the one whose words the fee statements share; all three said it, by
    # constituency in words, most contributions first; the other statement is its own theme's paragraph.
    assert [row.text for row in messages] == [
        "Civil society organisations and governments stressed that migrant workers pay recruitment fees to "
        "private agencies before departure (three contributions).",
        "Private sector representatives stressed that diaspora bonds finance schools and clinics in rural "
        "districts (one contribution).",
    ]
    assert set(messages[0].sources.all()) == set(made[:3])
    assert list(messages[1].sources.all()) == [made[3]]
    content = {item["position"]: item for item in draft.content["paragraphs"]}
    assert [content[row.position]["themes"] for row in messages] == [["A.a"], ["B.e"]]
    assert content[messages[0].position]["sentences"] == [
        {"text": messages[0].text, "sources": sorted(c.pk for c in made[:3])}
    ]
    assert messages[0].sentences == content[messages[0].position]["sentences"]
    page = staff_client.get(reverse("declarations:staff-draft", kwargs={"pk": draft.pk})).content.decode()
    assert "Civil society organisations and governments stressed that migrant workers pay" in page
    numbers = ", ".join(f"#{c.pk}" for c in made[:3])
    assert f'<ol class="small sentence-sources"><li>Contributions {numbers}</li></ol>' in page


def test_attribution_names_organisations_when_the_forum_lifts_the_chatham_house_rule(statements):
    forum, _made = statements
    forum.show_contributor_names = True
    forum.save(update_fields=["show_contributor_names"])
    messages = _messages(compile_now(forum).draft)
    assert messages[0].text.startswith(
        "Organisation 0, Organisation 1 and Organisation 2 stressed that migrant workers pay recruitment fees"
    )
    assert messages[1].text.startswith("Organisation 3 stressed that diaspora bonds")


def test_a_french_draft_synthesises_the_french_statements_in_french(forum):
    round_table = forum.round_tables.get(code="1.1")
    for text, constituency in [
        ("Nous constatons que les travailleurs migrants paient des frais de recrutement aux agences.", GOV),
        ("Les frais de recrutement payés par les travailleurs migrants aux agences créent des dettes.", CSO),
    ]:
        contribute(round_table, text, kind=STATEMENT, constituency=constituency, language="fr")
    messages = _messages(compile_now(forum, language="fr").draft)
    assert messages[0].text == (
        "Les gouvernements et les organisations de la société civile ont souligné que les travailleurs migrants "
        "paient des frais de recrutement aux agences (deux contributions)."
    )


def test_recommendations_rank_by_support_then_breadth(forum):
    round_table = forum.round_tables.get(code="1.1")
    narrow = [
        contribute(round_table, "Ratify the domestic workers convention without reservations.", country="MA"),
        contribute(round_table, "Ratify the domestic workers convention without any reservations.", country="MA"),
    ]
    broad = [
        contribute(
            round_table,
            "Open skills partnerships between training centres of origin and destination.",
            constituency=GOV,
            country="DE",
        ),
        contribute(
            round_table,
            "Open skills partnerships between the training centres of origin and destination.",
            constituency=PRIVATE,
            country="PH",
        ),
    ]
    rows = compile_now(forum).draft.paragraphs.filter(section="rt:1.1:recommendations", kind="paragraph")
    texts = list(rows.order_by("position").values_list("text", flat=True))
    # Same support (two each): the one from two constituencies in two regions comes first.
    assert texts == [
        f"{broad[0].text} Supported by two contributions (governments and private sector representatives), "
        "in two regions.",
        f"{narrow[0].text} Supported by two contributions (civil society organisations), in one region.",
    ]


@pytest.mark.parametrize(
    ("language", "count", "words"),
    [("en", 1, "one"), ("en", 21, "twenty-one"), ("fr", 1, "une"), ("fr", 21, "vingt et une"),
     ("es", 1, "una"), ("es", 21, "veintiuna"), ("en", 1500, "1,500")],
)  # fmt: skip
def test_counts_in_words(language, count, words):
    from django.utils import translation

    with translation.override(language):
        assert synthesis.in_words(count) == words


def test_identical_inputs_give_identical_bytes(statements):
    forum, _made = statements
    first = compile_now(forum).draft
    second = compile_now(forum, force=True).draft
    assert second.version == first.version + 1
    assert second.content == first.content and second.html == first.html
    assert second.inputs_hash == first.inputs_hash


def test_attribution_of_many_constituencies_and_ranges_of_paragraphs():
    from django.utils import translation

    from declarations.compile.document import _ranges

    every = dict.fromkeys(Constituency.values, 1)
    four = {GOV: 5, CSO: 9, PRIVATE: 1, Constituency.ACADEMIA: 2}
    with translation.override("en"):
        assert synthesis.who_by_constituency(every) == "participants of every constituency"
        assert synthesis.who_by_constituency(four) == "civil society organisations, governments, academics and others"
    with translation.override("fr"):
        assert (
            synthesis.who_by_constituency({GOV: 2, CSO: 1})
            == "les gouvernements et les organisations de la société civile"
        )
    assert _ranges(["6", "7", "8", "10", "12", "13"]) == ["6–8", "10", "12", "13"]


def test_openings_are_dropped_and_the_same_speakers_are_not_named_twice():
    from django.utils import translation

    with translation.override("en"):
        assert synthesis.attributed("In our experience, migrant workers pay fees.", "governments") == (
            "Governments stressed that migrant workers pay fees."
        )
        assert synthesis.attributed("Our members report that Germany funds training", "academics") == (
            "Academics stressed that Germany funds training."
        )
        assert synthesis.attributed("Fees keep rising.", "governments", again=True) == (
            "The same participants also noted that fees keep rising."
        )
    with translation.override("fr"):
        assert synthesis.attributed("Selon nos membres, il faut agir.", "les gouvernements") == (
            "Les gouvernements ont souligné qu’il faut agir."
        )
    with translation.override("es"):
        assert synthesis.attributed("Los costes suben.", "los gobiernos", again=True) == (
            "Los mismos participantes también señalaron que los costes suben."
        )
