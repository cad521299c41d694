"""Builders for the compile's tests: contributions made by hand, and a compile run in-process."""

from declarations import compile as compiler
from roundtables.models import Contribution
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency

A_TEXTS = [
    "Governments should expand fair recruitment standards for domestic workers through bilateral labour agreements.",
    "We recommend that states expand fair recruitment standards for domestic workers through bilateral labour "
    "agreements as a priority.",
    "States are encouraged to expand fair recruitment standards for domestic workers through bilateral labour "
    "agreements.",
]
B_TEXT = "Countries should digitise birth registration services for children on the move using mobile technology."
FR_TEXT = "Les gouvernements devraient renforcer l'assistance consulaire pour les migrants de retour."


def contribute(round_table, text, *, kind=Contribution.Kind.RECOMMENDATION, constituency=Constituency.CIVIL_SOCIETY,
               organisation="Migrant Rights Network", country="MA", language="en",
               status=Contribution.Status.ACCEPTED, duplicate_of=None, targets=(), themes=()):  # fmt: skip
    contribution = Contribution.objects.create(
        round_table=round_table,
        kind=kind,
        text=text,
        language=language,
        constituency=constituency,
        organisation_name=organisation,
        country=country,
        status=status,
        duplicate_of=duplicate_of,
    )
    contribution.sdg_targets.set(Target.objects.filter(code__in=targets))
    contribution.compact_themes.set(CompactTheme.objects.filter(code__in=themes))
    return contribution


def compile_now(forum, language="en", force=False, user=None):
    job = compiler.request_compile(forum=forum, language=language, user=user, force=force, dispatch=False)
    return compiler.run_inline(job)
