"""The review workflow: who may take which step, what each step needs, its history, audit and emails."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from common.models import OutboxTask
from practices import services, tasks
from practices.models import Practice, Transition
from practices.tests.workflow_factories import draft, other_delegate, published, reload, submitted
from stakeholders.models import AuditEntry

pytestmark = pytest.mark.django_db

Status = Practice.Status


def _run_outbox():
    """Run the recorded follow-up tasks in-process, as a worker would."""
    from gfmd_portal.celery import app

    for task in OutboxTask.objects.filter(sent_at=None):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = task.created
        task.save(update_fields=["sent_at"])


ROLES = {
    "author": lambda p: p.delegate(),
    "colleague": lambda p: p.delegate("colleague@example.org"),
    "other_government": lambda p: other_delegate(p),
    "participant": lambda p: p.participant(),
    "staff": lambda p: p.staff(),
    "administrator": lambda p: p.administrator(),
    "staff_without_2fa": lambda p: p.staff("staff.no2fa@example.org", second_factor=False),
    "administrator_without_2fa": lambda p: p.administrator("admin.no2fa@example.org", second_factor=False),
}
DELEGATES = {"author", "colleague"}
REVIEWERS = {"staff", "administrator"}
# action -> (the status the practice is in, the roles that may take the step)
STEPS = {
    "submit": (Status.DRAFT, DELEGATES),
    "start_review": (Status.SUBMITTED, REVIEWERS),
    "request_changes": (Status.IN_REVIEW, REVIEWERS),
    "publish": (Status.SUBMITTED, REVIEWERS),
    "reject": (Status.IN_REVIEW, REVIEWERS),
    "unpublish": (Status.PUBLISHED, REVIEWERS),
    "withdraw": (Status.PUBLISHED, DELEGATES),
}


def _practice_in(status, personas):
    author = personas.delegate()
    staff = personas.staff("reviewer@example.org")
    practice = draft(author)
    path = {
        Status.DRAFT: [],
        Status.SUBMITTED: [(author, "submit")],
        Status.IN_REVIEW: [(author, "submit"), (staff, "start_review")],
        Status.PUBLISHED: [(author, "submit"), (staff, "publish")],
    }[status]
    for actor, action in path:
        practice = services.transition(practice=practice, actor=actor, action=action)
    return practice


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", STEPS)
def test_who_may_take_each_step(personas, action, role):
    status, allowed = STEPS[action]
    practice = _practice_in(status, personas)
    actor = practice.created_by if role == "author" else ROLES[role](personas)
    audited = AuditEntry.objects.count()
    if role in allowed:
        moved = services.transition(practice=practice, actor=actor, action=action, comment="A comment to the author")
        assert moved.status == services.WORKFLOW[action][1]
        step = moved.transitions.last()
        assert (step.actor, step.from_status, step.comment) == (actor, status, "A comment to the author")
    else:
        with pytest.raises(PermissionDenied):
            services.transition(practice=practice, actor=actor, action=action, comment="A comment")
        assert reload(practice).status == status
        assert AuditEntry.objects.count() == audited


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("publish", Status.DRAFT),
        ("start_review", Status.IN_REVIEW),
        ("submit", Status.SUBMITTED),
        ("withdraw", Status.SUBMITTED),
        ("unpublish", Status.SUBMITTED),
        ("reject", Status.PUBLISHED),
    ],
)
def test_a_step_from_the_wrong_status_is_refused(personas, action, status):
    practice = _practice_in(status, personas)
    actor = practice.created_by if action in ("submit", "withdraw") else personas.staff()
    if action in ("submit", "withdraw"):  # the delegates' permissions already name the status
        with pytest.raises(PermissionDenied):
            services.transition(practice=practice, actor=actor, action=action)
    else:
        with pytest.raises(ValidationError, match="cannot go through this step"):
            services.transition(practice=practice, actor=actor, action=action, comment="why")
    assert reload(practice).status == status


def test_submitting_an_incomplete_draft_names_what_is_missing_and_keeps_it(personas):
    author = personas.delegate()
    practice = services.create_draft(author=author, data={"title": "Half done", "summary": "A summary"})
    with pytest.raises(ValidationError) as error:
        services.transition(practice=practice, actor=author, action="submit")
    assert "description" in error.value.error_dict
    assert "summary" not in error.value.error_dict
    practice = reload(practice)
    assert (practice.status, practice.summary) == (Status.DRAFT, "A summary")
    assert not OutboxTask.objects.exists()


@pytest.mark.parametrize("action", ["request_changes", "reject", "unpublish"])
def test_steps_that_the_submitter_must_understand_need_a_comment(personas, action):
    status = Status.PUBLISHED if action == "unpublish" else Status.SUBMITTED
    practice = _practice_in(status, personas)
    with pytest.raises(ValidationError, match="Write a comment"):
        services.transition(practice=practice, actor=personas.staff(), action=action, comment="  ")
    assert reload(practice).status == status


def test_the_whole_way_with_history_audit_and_version(personas):
    author = personas.delegate()
    colleague = personas.delegate("colleague@example.org")
    staff = personas.staff()
    practice = draft(author)
    practice = services.transition(practice=practice, actor=author, action="submit")
    assert practice.submitted_at is not None
    practice = services.transition(practice=practice, actor=staff, action="start_review")
    practice = services.transition(
        practice=practice, actor=staff, action="request_changes", comment="Add the evaluation."
    )
    practice = services.save_draft(
        practice=practice, editor=colleague, data={"evidence": "Evaluation by the university"}, version=practice.version
    )
    practice = services.transition(practice=practice, actor=colleague, action="submit")
    practice = services.transition(practice=practice, actor=staff, action="publish")
    assert practice.published_at is not None
    practice = services.transition(practice=practice, actor=author, action="withdraw", comment="Programme ended")

    steps = list(Transition.objects.filter(practice=practice).values_list("actor__email", "from_status", "to_status"))
    assert steps == [
        ("delegate@example.org", "", "draft"),
        ("delegate@example.org", "draft", "submitted"),
        ("staff@example.org", "submitted", "in_review"),
        ("staff@example.org", "in_review", "changes_requested"),
        ("colleague@example.org", "changes_requested", "submitted"),
        ("staff@example.org", "submitted", "published"),
        ("delegate@example.org", "published", "withdrawn"),
    ]
    # Staff steps are in the audit trail; the delegates' own steps are in the history only.
    audit = list(AuditEntry.objects.order_by("id").values_list("action", "actor__email", "object_id"))
    assert audit == [
        ("practices.practice.start_review", "staff@example.org", str(practice.pk)),
        ("practices.practice.request_changes", "staff@example.org", str(practice.pk)),
        ("practices.practice.publish", "staff@example.org", str(practice.pk)),
    ]
    entry = AuditEntry.objects.get(action="practices.practice.request_changes")
    assert entry.before == {"status": "in_review"}
    assert entry.after == {"status": "changes_requested", "comment": "Add the evaluation."}
    # Every step makes the forms opened before it stale.
    assert practice.version == 8


# --- Emails -----------------------------------------------------------------------------------


def test_each_step_emails_the_government_in_each_persons_language(personas):
    author = personas.delegate(language="fr")
    personas.delegate("colleague@example.org", language="es")
    personas.delegate("english@example.org")  # a third delegate of the same government
    other_delegate(personas)  # not told: another government
    staff = personas.staff()

    practice = submitted(author, title="Partenariats de compétences")
    _run_outbox()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "colleague@example.org",
        "delegate@example.org",
        "english@example.org",
    ]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address["delegate@example.org"].subject == (
        "[GFMD] Bonne pratique envoyée pour examen\u00a0: Partenariats de compétences"
    )
    assert by_address["colleague@example.org"].subject == (
        "[GFMD] Buena práctica enviada para revisión: Partenariats de compétences"
    )
    assert by_address["english@example.org"].subject == (
        "[GFMD] Good practice sent for review: Partenariats de compétences"
    )
    assert "/fr/practices/mine/" in by_address["delegate@example.org"].body

    mail.outbox.clear()
    services.transition(
        practice=practice, actor=staff, action="request_changes", comment="Ajoutez l'évaluation & <les> chiffres."
    )
    _run_outbox()
    french = next(message for message in mail.outbox if message.to == ["delegate@example.org"])
    assert "Modifications demandées" in french.subject
    assert "Ajoutez l'évaluation & <les> chiffres." in french.body  # plain text, not HTML-escaped
    assert f"/fr/practices/{practice.pk}/edit/" in french.body
    spanish = next(message for message in mail.outbox if message.to == ["colleague@example.org"])
    assert f"/es/practices/{practice.pk}/edit/" in spanish.body


def test_publication_and_rejection_are_emailed_with_the_comment(personas):
    author = personas.delegate()
    staff = personas.staff()
    practice = published(author, staff)
    rejected = services.transition(
        practice=submitted(author, title="Second"), actor=staff, action="reject", comment="Out of scope."
    )
    mail.outbox.clear()
    _run_outbox()
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted(
        [
            f"[GFMD] Good practice sent for review: {practice.title}",
            "[GFMD] Good practice sent for review: Second",
            f"[GFMD] Your good practice is published: {practice.title}",
            "[GFMD] Your good practice was not accepted: Second",
        ]
    )
    rejection = next(message for message in mail.outbox if "not accepted" in message.subject)
    assert "Out of scope." in rejection.body
    assert rejected.status == Status.REJECTED


def test_unpublishing_by_staff_is_emailed_with_the_reason_and_a_withdrawal_is_not(personas):
    author = personas.delegate(language="fr")
    personas.delegate("colleague@example.org")
    staff = personas.staff()
    practice = published(author, staff)
    _run_outbox()  # submitted and published
    mail.outbox.clear()
    practice = services.transition(
        practice=practice, actor=staff, action="unpublish", comment="Liens morts & <données> datées."
    )
    assert practice.status == Status.WITHDRAWN
    _run_outbox()
    told = {message.to[0]: message for message in mail.outbox}
    assert sorted(told) == ["colleague@example.org", "delegate@example.org"]
    french, english = told["delegate@example.org"], told["colleague@example.org"]
    assert french.subject == f"[GFMD] Votre bonne pratique a été retirée de la base publique\u00a0: {practice.title}"
    assert "Liens morts & <données> datées." in french.body  # plain text, not HTML-escaped
    assert "/fr/practices/mine/" in french.body
    assert english.subject == f"[GFMD] Your good practice was taken off the public database: {practice.title}"
    # The government's own withdrawal sends nothing.
    own = published(author, staff, title="Second")
    mail.outbox.clear()
    _run_outbox()
    services.transition(practice=own, actor=author, action="withdraw")
    mail.outbox.clear()
    _run_outbox()
    assert mail.outbox == []


def test_the_creator_is_told_even_when_no_longer_a_delegate_and_a_step_without_email_is_quiet(personas):
    from stakeholders.models import Profile

    author = personas.delegate()
    practice = draft(author)
    practice = services.transition(practice=practice, actor=author, action="submit")
    Profile.objects.filter(user=author).update(delegate_status=Profile.DelegateStatus.NONE)
    staff = personas.staff()
    services.transition(practice=practice, actor=staff, action="start_review")  # not emailed
    mail.outbox.clear()
    _run_outbox()
    assert [message.to for message in mail.outbox] == [["delegate@example.org"]]
    assert "sent for review" in mail.outbox[0].subject


def test_the_task_is_quiet_when_the_step_is_gone(personas):
    practice = submitted(personas.delegate())
    step_id = practice.transitions.last().pk
    Practice.objects.filter(pk=practice.pk).delete()
    tasks.send_practice_email(transition_id=step_id)
    tasks.send_practice_email(transition_id=0)
    assert mail.outbox == []


def test_a_title_on_several_lines_makes_a_one_line_subject(personas):
    practice = submitted(personas.delegate(), title="Two\nlines")
    _run_outbox()
    assert mail.outbox[0].subject == "[GFMD] Good practice sent for review: Two lines"
    assert practice.status == Status.SUBMITTED
