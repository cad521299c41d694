"""Contributions' services: the author's affiliation kept, what is refused, staff moderation (audited,
the author emailed in their language), duplicates of the same round table only."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from common.models import OutboxTask
from roundtables.contributions import services, tasks
from roundtables.models import Contribution
from roundtables.tests.contributions.helpers import contribute, reload, run_outbox
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import AuditEntry, Profile

pytestmark = pytest.mark.django_db


def test_a_contribution_keeps_the_authors_affiliation_at_the_time(rt11, author):
    question = rt11.guiding_questions.get(position=2)
    target = Target.objects.get(code="10.7")
    theme = CompactTheme.objects.get(code="A.a")
    contribution = contribute(
        rt11, author, guiding_question=question, sdg_targets=[target], compact_themes=[theme], kind="statement"
    )
    assert contribution.status == "submitted"
    assert contribution.guiding_question == question
    assert contribution.organisation.name == "Migrant Rights Network"
    assert (contribution.organisation_name, contribution.constituency, contribution.country.code) == (
        "Migrant Rights Network",
        "civil_society",
        "MA",
    )
    assert list(contribution.sdg_targets.values_list("code", flat=True)) == ["10.7"]
    assert list(contribution.compact_themes.values_list("code", flat=True)) == ["A.a"]
    # A later change of profile does not rewrite what was said on whose behalf.
    Profile.objects.filter(user=author).update(organisation=None, constituency="academia", country="FR")
    contribution = reload(contribution)
    assert (contribution.organisation_name, contribution.constituency, contribution.country.code) == (
        "Migrant Rights Network",
        "civil_society",
        "MA",
    )


def test_a_question_of_another_round_table_and_an_empty_text_are_refused(rt11, rt12, author):
    with pytest.raises(ValidationError) as error:
        contribute(rt11, author, guiding_question=rt12.guiding_questions.first())
    assert "guiding_question" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        contribute(rt11, author, text="   ")
    assert "text" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        contribute(rt11, author, text="x" * (services.MAX_TEXT_LENGTH + 1))
    assert "text" in error.value.error_dict
    assert not Contribution.objects.exists()


def test_staff_accept_audited_and_the_author_is_emailed_in_their_language(rt11, author, staff):
    contribution = contribute(rt11, author)
    OutboxTask.objects.all().delete()
    services.accept(contribution=contribution, staff=staff)
    contribution = reload(contribution)
    assert contribution.status == "accepted"
    assert contribution.moderated_by == staff and contribution.moderated_at is not None
    entry = AuditEntry.objects.get(action="roundtables.contribution.accepted")
    assert entry.actor == staff and entry.object_id == str(contribution.pk)
    assert entry.before["status"] == "submitted" and entry.after["status"] == "accepted"
    [task] = OutboxTask.objects.all()
    assert task.kwargs == {"contribution_id": contribution.pk, "event": "accepted"}
    run_outbox()
    [message] = mail.outbox
    assert message.to == ["amina@example.org"]
    assert f"#{contribution.pk}" in message.body
    assert "/fr/roundtables/gfmd-2017/1.1/" in message.body  # links in the author's language
    assert "/fr/accounts/contributions/" in message.body
    with pytest.raises(ValidationError):
        services.accept(contribution=contribution, staff=staff)


def test_the_email_is_not_sent_when_the_decision_changed_meanwhile(rt11, author, staff):
    contribution = contribute(rt11, author)
    services.reject(contribution=contribution, staff=staff, reason="Wrong round table")
    services.accept(contribution=contribution, staff=staff)
    run_outbox()  # the rejection's email is no longer true: only the acceptance is sent
    assert len(mail.outbox) == 1
    assert "acceptée" in mail.outbox[0].subject  # in the author's language
    tasks.send_contribution_email(contribution_id=contribution.pk, event="accepted")  # twice: same mail again
    tasks.send_contribution_email(contribution_id=999999, event="accepted")  # gone: nothing
    assert len(mail.outbox) == 2


def test_duplicate_of_another_contribution_of_the_same_round_table_only(rt11, rt12, author, staff, personas):
    first = contribute(rt11, author, text="Portable pensions.")
    second = contribute(rt11, personas.participant("other@example.org"), text="Pensions that move with people.")
    elsewhere = contribute(rt12, author, text="Portable pensions, again.")
    OutboxTask.objects.all().delete()
    for wrong in (elsewhere, second, 999999):
        with pytest.raises(ValidationError) as error:
            services.mark_duplicate(contribution=second, staff=staff, duplicate_of=wrong)
        assert "duplicate_of" in error.value.error_dict
    assert reload(second).status == "submitted"

    services.mark_duplicate(contribution=second, staff=staff, duplicate_of=first)
    second = reload(second)
    assert (second.status, second.duplicate_of) == ("duplicate", first)
    assert AuditEntry.objects.get(action="roundtables.contribution.duplicate").after == {
        "status": "duplicate",
        "rejection_reason": "",
        "duplicate_of": first.pk,
    }
    assert not OutboxTask.objects.exists()  # duplicates are not emailed
    # Not a duplicate of a duplicate: name the original.
    third = contribute(rt11, author, text="Pension portability.")
    with pytest.raises(ValidationError):
        services.mark_duplicate(contribution=third, staff=staff, duplicate_of=second)
    # When the original itself turns out to repeat another, its duplicates follow: no chain.
    services.mark_duplicate(contribution=first, staff=staff, duplicate_of=third)
    assert reload(second).duplicate_of == third
    assert reload(first).duplicate_of == third
