"""The inputs' hash (declarations.compile.inputs): the same inputs make no new version, any change does."""

import json

import pytest

from declarations.compile.inputs import inputs_digest
from declarations.models import CompileJob, Draft
from declarations.tests.compile.helpers import B_TEXT, compile_now
from practices.models import Practice
from roundtables.models import Contribution, RapporteurReport
from sdg_targets.models import CompactTheme

pytestmark = pytest.mark.django_db


def test_same_inputs_same_draft_and_no_new_version(inputs, personas):
    staff = personas.staff()
    first = compile_now(inputs["forum"], user=staff)
    again = compile_now(inputs["forum"], user=staff)
    assert again.status == CompileJob.Status.UNCHANGED
    assert again.draft == first.draft and Draft.objects.count() == 1

    forced = compile_now(inputs["forum"], user=staff, force=True)
    assert forced.status == CompileJob.Status.SUCCEEDED and forced.draft.version == 2
    assert forced.draft.inputs_hash == first.draft.inputs_hash
    assert json.dumps(forced.draft.content, sort_keys=True) == json.dumps(first.draft.content, sort_keys=True)
    assert forced.draft.html == first.draft.html
    assert forced.draft.author == staff

    # Any input changing makes a new version: a text, a tag, a report, a practice.
    changes = [
        lambda: Contribution.objects.filter(pk=inputs["b"].pk).update(text=B_TEXT + " Now."),
        lambda: inputs["b"].compact_themes.add(CompactTheme.objects.get(code="C.f")),
        lambda: RapporteurReport.objects.filter(pk=inputs["report_en"].pk).update(text="Changed."),
        lambda: Practice.objects.filter(pk=inputs["draft_practice"].pk).update(status=Practice.Status.PUBLISHED),
    ]
    hashes = {first.draft.inputs_hash}
    for version, change in enumerate(changes, start=3):
        change()
        job = compile_now(inputs["forum"], user=staff)
        assert job.status == CompileJob.Status.SUCCEEDED and job.draft.version == version
        hashes.add(job.draft.inputs_hash)
    assert len(hashes) == 5
    assert inputs_digest(inputs["forum"], "en")[0] == job.draft.inputs_hash
