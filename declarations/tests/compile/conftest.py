"""The inputs the compile's tests share."""

import pytest

from declarations.tests.compile.helpers import A_TEXTS, B_TEXT, FR_TEXT, contribute
from practices.models import Practice
from roundtables.models import Contribution, RapporteurReport, Session
from stakeholders.models import Constituency, Organisation


@pytest.fixture
def inputs(forum):
    """A small forum's worth of contributions, reports and practices, in round tables 1.1 and 2.1."""
    rt11 = forum.round_tables.get(code="1.1")
    rt21 = forum.round_tables.get(code="2.1")
    a1 = contribute(rt11, A_TEXTS[0], constituency=Constituency.GOVERNMENT, organisation="Federal Foreign Office",
                    country="DE", targets=["10.7"], themes=["A.a"])  # fmt: skip
    a2 = contribute(rt11, A_TEXTS[1], targets=["10.7"], themes=["A.a"])
    b = contribute(rt11, B_TEXT, constituency=Constituency.ACADEMIA, organisation="University of Dakar",
                   country="SN", targets=["16.9"])  # fmt: skip
    a3 = contribute(rt11, A_TEXTS[2], constituency=Constituency.PRIVATE_SECTOR, organisation="Mensah Textiles",
                    country="GH")  # fmt: skip
    # Staff marked it a duplicate of a1: it counts as support although its words differ.
    dup = contribute(rt11, "Same as the first one, really.", status=Contribution.Status.DUPLICATE, duplicate_of=a1,
                     constituency=Constituency.LOCAL_AUTHORITY, organisation="City of Lyon", country="FR")  # fmt: skip
    rejected = contribute(rt11, A_TEXTS[0] + " Rejected copy.", status=Contribution.Status.REJECTED)
    waiting = contribute(rt11, A_TEXTS[1], status=Contribution.Status.SUBMITTED)
    fr = contribute(rt11, FR_TEXT, language="fr")
    s1 = contribute(rt11, "We observe that migrant workers still pay high recruitment fees in the Gulf corridors.",
                    kind=Contribution.Kind.STATEMENT)  # fmt: skip
    s2 = contribute(rt11, "Our members report that migrant workers still pay high recruitment fees in the Gulf "
                    "corridors today.", kind=Contribution.Kind.STATEMENT, constituency=Constituency.GOVERNMENT,
                    organisation="Federal Foreign Office", country="DE")  # fmt: skip
    c21 = contribute(rt21, "Host municipalities should open language courses for refugees in cities.",
                     themes=["B.e"])  # fmt: skip
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    report_en = RapporteurReport.objects.create(
        session=session, language="en", text="The round table agreed on fair recruitment.\n\nIt asked for data."
    )
    report_fr = RapporteurReport.objects.create(session=session, language="fr", text="La table ronde a convenu.")
    government = Organisation.objects.create(name="Ministry of Labour", country="PH", constituency="government")
    published = Practice.objects.create(
        organisation=government, title="Fair recruitment corridor", status=Practice.Status.PUBLISHED, countries=["PH"]
    )
    published.round_tables.add(rt11)
    draft_practice = Practice.objects.create(organisation=government, title="Not yet", status=Practice.Status.DRAFT)
    draft_practice.round_tables.add(rt11)
    return {
        "forum": forum, "rt11": rt11, "rt21": rt21, "a": [a1, a2, a3], "dup": dup, "b": b, "fr": fr,
        "rejected": rejected, "waiting": waiting, "statements": [s1, s2], "c21": c21,
        "report_en": report_en, "report_fr": report_fr, "practice": published, "draft_practice": draft_practice,
    }  # fmt: skip
