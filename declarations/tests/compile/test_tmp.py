import pytest

from declarations.tests.compile.helpers import compile_now

pytestmark = pytest.mark.django_db


def test_x(inputs):
    job = compile_now(inputs["forum"])
    for row in job.draft.paragraphs.order_by("position"):
        if row.section.startswith("rt:1.1") or row.section.startswith("rt:2.1"):
            print(row.number, row.section, row.text)
