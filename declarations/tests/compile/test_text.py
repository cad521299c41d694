"""Text a reader accepts: plural forms, dates in each language's style, SDG targets in natural order,
a progress line that agrees with its percentage, no numbered paragraph without a source."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from declarations import compile as compiler
from declarations.compile.paragraphs import date_range
from declarations.models import CompileJob
from declarations.tests.compile.helpers import compile_now, contribute
from sdg_targets.models import Target
from stakeholders.models import Constituency

pytestmark = pytest.mark.django_db

NATURAL = ["3.c", "4.b", "5.2", "8.7", "8.8", "10.7", "10.c", "16.2", "16.9", "17.18"]


@pytest.mark.parametrize(
    ("language", "same_month", "across_months", "across_years", "first"),
    [
        ("en", "28–30 June 2017", "28 June – 2 July 2017", "30 December 2017 – 2 January 2018", "1 June 2017"),
        ("fr", "28–30 juin 2017", "28 juin – 2 juillet 2017", "30 décembre 2017 – 2 janvier 2018", "1er juin 2017"),
        ("es", "28–30 de junio de 2017", "28 de junio – 2 de julio de 2017",
         "30 de diciembre de 2017 – 2 de enero de 2018", "1 de junio de 2017"),
    ],
)  # fmt: skip
def test_date_ranges_in_each_language(language, same_month, across_months, across_years, first):
    day = datetime.date
    with translation.override(language):
        assert date_range(day(2017, 6, 28), day(2017, 6, 30)) == same_month
        assert date_range(day(2017, 6, 28), day(2017, 7, 2)) == across_months
        assert date_range(day(2017, 12, 30), day(2018, 1, 2)) == across_years
        assert date_range(day(2017, 6, 1), day(2017, 6, 1)) == first


def test_targets_sort_naturally():
    assert sorted(sorted(NATURAL), key=Target.sort_key) == NATURAL
    assert sorted(NATURAL) != NATURAL  # the lexical order is not it


@pytest.mark.parametrize(
    ("language", "forum_text", "participation"),
    [
        ("en", "met in Berlin on 28–30 June 2017 under the co-chairmanship of Germany and Morocco",
         "The 6 round tables received 1 contribution from 1 organisation of 1 country, by constituency: "
         "Civil society 1."),
        ("fr", "s’est réuni à Berlin les 28–30 juin 2017 sous la coprésidence de",
         "Les 6 tables rondes ont reçu 1 contribution de 1 organisation de 1 pays, par catégorie d’acteurs : "
         "Société civile 1."),
        ("es", "se reunió en Berlin los días 28–30 de junio de 2017 bajo la copresidencia de Alemania y Marruecos",
         "Las 6 mesas redondas recibieron 1 contribución de 1 organización de 1 país; por categoría de actores: "
         "Sociedad civil: 1."),
    ],
)  # fmt: skip
def test_one_contribution_is_singular_and_dates_follow_the_language(forum, language, forum_text, participation):
    contribute(forum.round_tables.get(code="1.1"), "Open regular pathways for care workers.")
    rows = compile_now(forum, language=language).draft.paragraphs.filter(section="preamble", kind="paragraph")
    texts = list(rows.order_by("position").values_list("text", flat=True))
    assert forum_text in texts[0]
    assert texts[1] == participation


def test_targets_are_said_in_natural_order_and_every_numbered_paragraph_has_a_source(forum):
    round_table = forum.round_tables.get(code="1.1")
    contribute(round_table, "Open regular pathways for care workers in every region.", targets=NATURAL,
               constituency=Constituency.GOVERNMENT)  # fmt: skip
    draft = compile_now(forum).draft
    rows = list(draft.paragraphs.order_by("position"))
    recommendation = next(row for row in rows if row.section == "rt:1.1:recommendations" and row.number)
    frameworks = [row.text for row in rows if row.section == "rt:1.1:frameworks" and row.number]
    assert frameworks == [
        f"The recommendation in paragraph {recommendation.number} addresses SDG targets 3.c, 4.b, 5.2, 8.7, 8.8, "
        "10.7, 10.c, 16.2, 16.9 and 17.18."
    ]
    # Round tables without contributions say nothing about their own links (it would trace to no input).
    assert not [row for row in rows if row.section == "rt:1.2:frameworks"]
    for row in rows:
        if row.number:
            assert row.sources.exists() or row.reports.exists() or row.practice_ids, row.text


def test_the_progress_line_says_what_its_percentage_counts(staff_client, forum):
    job = compiler.request_compile(forum=forum, language="en", user=None, dispatch=False)
    CompileJob.objects.filter(pk=job.pk).update(
        status="running", stage="round_tables", round_tables_total=6, round_tables_done=4, progress=4900,
        total=5000, heartbeat_at=timezone.now(),
    )  # fmt: skip
    page = staff_client.get(reverse("declarations:staff-job", kwargs={"pk": job.pk})).content.decode()
    assert "93% — 4,900 of 5,000 contributions read; 4 of 6 round tables written." in page
    assert 'value="93" max="100"' in page
    CompileJob.objects.filter(pk=job.pk).update(stage="assembling", round_tables_done=6, progress=5000)
    assert compiler.job_progress(job)["summary"] == "95% — all 6 round tables done; assembling the draft."
    with translation.override("fr"):
        CompileJob.objects.filter(pk=job.pk).update(stage="round_tables", round_tables_total=1, round_tables_done=0,
                                                    progress=1, total=1)  # fmt: skip
        assert (
            compiler.job_progress(job)["summary"]
            == "95\xa0% — 1 sur 1 contribution lue\xa0; 0 sur 1 table ronde rédigée."
        )
