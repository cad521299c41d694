"""Actions on contributions to round tables, their moderation by staff, and rapporteurs' reports.

Every action that changes a contribution or a report is one function here; the views, and later
the API or a command, call them (what pages read is in ``contributions.queries``). Staff moderation
is audited and the author is emailed (accepted or rejected) through the outbox, after the commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import outbox, pagecache
from roundtables.models import Contribution, Forum, RapporteurReport
from stakeholders import audit
from stakeholders.permissions import acts_as_staff, can, profile_of

MAX_TEXT_LENGTH = 3000
MAX_REASON_LENGTH = 1000
Status = Contribution.Status


class VersionConflict(ValidationError):
    """The report changed since the form was opened: the save is refused, not merged."""


# --- Participants contribute ------------------------------------------------------------------


def _snapshot(author):
    """The author's organisation, constituency and country now: kept with the contribution."""
    profile = profile_of(author)
    if profile is None:
        return {}
    organisation = profile.organisation
    return {
        "organisation": organisation,
        "organisation_name": organisation.name if organisation else "",
        "constituency": profile.constituency or (organisation.constituency if organisation else ""),
        "country": profile.country or (organisation.country if organisation else ""),
    }


@transaction.atomic
def submit(
    *,
    round_table,
    author,
    kind,
    text,
    language,
    guiding_question=None,
    sdg_targets=(),
    compact_themes=(),
):
    """A participant with a verified email contributes a statement or a recommendation.

    The contribution waits for moderation; nobody but its author and staff sees it until accepted.
    """
    if not can(author, "roundtables.contribute", round_table):
        raise PermissionDenied
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write your contribution.")
    elif len(text) > MAX_TEXT_LENGTH:
        errors["text"] = _("A contribution has at most %(max)s characters (it has %(count)s).") % {
            "max": MAX_TEXT_LENGTH,
            "count": len(text),
        }
    if kind not in Contribution.Kind.values:
        errors["kind"] = _("Choose a statement or a recommendation.")
    if guiding_question is not None and guiding_question.round_table_id != round_table.pk:
        errors["guiding_question"] = _("This question belongs to another round table.")
    if errors:
        raise ValidationError(errors)
    contribution = Contribution.objects.create(
        round_table=round_table,
        guiding_question=guiding_question,
        author=author,
        kind=kind,
        text=text,
        language=language,
        **_snapshot(author),
    )
    if sdg_targets:
        contribution.sdg_targets.set(sdg_targets)
    if compact_themes:
        contribution.compact_themes.set(compact_themes)
    return contribution


# --- Staff moderate ----------------------------------------------------------------------------


def _state(contribution):
    return {
        "status": contribution.status,
        "rejection_reason": contribution.rejection_reason,
        "duplicate_of": contribution.duplicate_of_id,
    }


def _locked(contribution, staff):
    if not can(staff, "roundtables.moderate_contributions"):
        raise PermissionDenied
    return Contribution.objects.select_for_update().get(pk=contribution.pk)


def _decide(contribution, staff, status, *, reason="", duplicate_of=None):
    before = _state(contribution)
    contribution.status = status
    contribution.rejection_reason = reason
    contribution.duplicate_of = duplicate_of
    contribution.moderated_by = staff
    contribution.moderated_at = timezone.now()
    contribution.save(
        update_fields=["status", "rejection_reason", "duplicate_of", "moderated_by", "moderated_at", "updated"]
    )
    audit.record(
        actor=staff,
        action=f"roundtables.contribution.{status}",
        obj=contribution,
        before=before,
        after=_state(contribution),
    )
    if Status.ACCEPTED in (before["status"], status):
        pagecache.changed_content()  # it appears on, or leaves, the round table's public pages
    if status in (Status.ACCEPTED, Status.REJECTED):
        outbox.enqueue("roundtables.tasks.send_contribution_email", contribution_id=contribution.pk, event=status)
    return contribution


@transaction.atomic
def accept(*, contribution, staff):
    """Staff accept a contribution: it shows on the round table's page; the author is told."""
    contribution = _locked(contribution, staff)
    if contribution.status == Status.ACCEPTED:
        raise ValidationError(_("Contribution #%(number)s is already accepted.") % {"number": contribution.pk})
    return _decide(contribution, staff, Status.ACCEPTED)


@transaction.atomic
def reject(*, contribution, staff, reason):
    """Staff reject a contribution, giving the reason the author reads; the author is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting it: the author reads it.")})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError({"reason": _("The reason has at most %(max)s characters.") % {"max": MAX_REASON_LENGTH}})
    contribution = _locked(contribution, staff)
    if contribution.status == Status.REJECTED and contribution.rejection_reason == reason:
        raise ValidationError(_("Contribution #%(number)s is already rejected.") % {"number": contribution.pk})
    return _decide(contribution, staff, Status.REJECTED, reason=reason)


@transaction.atomic
def mark_duplicate(*, contribution, staff, duplicate_of):
    """Staff mark a contribution as a duplicate of another of the same round table.

    The one it repeats must not be a duplicate itself (name the original instead); duplicates
    of this contribution then point to that original too, so that no chain forms.
    """
    contribution = _locked(contribution, staff)
    original = Contribution.objects.filter(pk=getattr(duplicate_of, "pk", duplicate_of)).first()
    if original is None or original.round_table_id != contribution.round_table_id:
        raise ValidationError({"duplicate_of": _("Name another contribution of the same round table (by its number).")})
    if original.pk == contribution.pk:
        raise ValidationError({"duplicate_of": _("A contribution cannot be a duplicate of itself.")})
    if original.status == Status.DUPLICATE:
        raise ValidationError(
            {
                "duplicate_of": _(
                    "Contribution #%(number)s is itself a duplicate of #%(original)s: name #%(original)s instead."
                )
                % {"number": original.pk, "original": original.duplicate_of_id}
            }
        )
    if contribution.status == Status.DUPLICATE and contribution.duplicate_of_id == original.pk:
        raise ValidationError(
            _("Contribution #%(number)s is already a duplicate of #%(original)s.")
            % {"number": contribution.pk, "original": original.pk}
        )
    for repeated in Contribution.objects.select_for_update().filter(duplicate_of=contribution):
        before = _state(repeated)
        repeated.duplicate_of = original
        repeated.save(update_fields=["duplicate_of", "updated"])
        audit.record(
            actor=staff,
            action="roundtables.contribution.duplicate",
            obj=repeated,
            before=before,
            after=_state(repeated),
        )
    return _decide(contribution, staff, Status.DUPLICATE, duplicate_of=original)


@transaction.atomic
def mark_same_as(*, contribution, staff, same_as):
    """Staff say that ``contribution`` is ``same_as`` (a contribution of the same round table and
    kind, in another language) said again: the declaration's compile then merges them, each
    language's draft taking the text in its own language. The link is kept on one side only, and
    never chained: a contribution already linked to another is named instead (``same_as`` of it)."""
    contribution = _locked(contribution, staff)
    other = Contribution.objects.filter(pk=getattr(same_as, "pk", same_as)).first()
    if other is None or other.round_table_id != contribution.round_table_id or other.kind != contribution.kind:
        raise ValidationError({"same_as": _("Name a contribution of the same round table and kind (by its number).")})
    if other.pk == contribution.pk or other.language == contribution.language:
        raise ValidationError({"same_as": _("Name a contribution in another language.")})
    if other.same_as_id is not None:
        other = other.same_as  # the one it is linked to stands for the pair
    if contribution.same_as_id == other.pk:
        raise ValidationError(
            _("Contribution #%(number)s is already marked the same as #%(other)s.")
            % {"number": contribution.pk, "other": other.pk}
        )
    audit.save_change(
        contribution, actor=staff, action="roundtables.contribution.same_as_marked", also=["updated"], same_as=other
    )
    return contribution


def accept_many(*, ids, staff, round_table=None):
    """Accept every contribution of ``ids`` still awaiting moderation (each in its own transaction,
    each audited and emailed). Returns how many were accepted."""
    if not can(staff, "roundtables.moderate_contributions"):
        raise PermissionDenied
    queryset = Contribution.objects.filter(pk__in=ids, status=Status.SUBMITTED)
    if round_table is not None:
        queryset = queryset.filter(round_table=round_table)
    accepted = 0
    for contribution in queryset.order_by("id"):
        try:
            accept(contribution=contribution, staff=staff)
        except ValidationError:  # accepted meanwhile by someone else
            continue
        accepted += 1
    return accepted


@transaction.atomic
def set_contributor_names(*, forum, staff, show):
    """Staff decide whether accepted contributions are shown with their authors' names, or only
    by constituency (Chatham House rule, the default)."""
    if not can(staff, "roundtables.moderate_contributions"):
        raise PermissionDenied
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.show_contributor_names == show:
        return forum
    audit.save_change(forum, actor=staff, action="roundtables.forum.contributor_names", show_contributor_names=show)
    return forum


# --- Rapporteurs' reports ------------------------------------------------------------------------


def _conflict():
    return VersionConflict(
        _(
            "Someone else saved this report while you were editing it. Your text is still in the form: "
            "copy what you need, reload the page to see their text, then apply your changes again."
        )
    )


@transaction.atomic
def save_report(*, session, author, language, text, version):
    """Save the report of ``session`` in ``language`` from a form opened at ``version``
    (0 when there was no report yet). A stale form is refused (VersionConflict), not merged.

    Rapporteurs of the session and staff write it; every save is audited.
    """
    if not can(author, "roundtables.write_report", session):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the report before saving it.")})
    report = RapporteurReport.objects.select_for_update().filter(session=session, language=language).first()
    if report is None:
        if version:
            raise _conflict()  # the form was opened on a report that is gone
        try:
            with transaction.atomic():
                report = RapporteurReport.objects.create(
                    session=session, language=language, text=text, author=author, version=1
                )
        except IntegrityError:
            raise _conflict() from None  # another person created it at the same moment
        before = None
    else:
        if report.version != version:
            raise _conflict()
        before = {"version": report.version, "text": report.text}
        report.text = text
        report.author = author
        report.version += 1
        report.save(update_fields=["text", "author", "version", "updated"])
    audit.record(
        actor=author,
        action="roundtables.rapporteur_report.saved",
        obj=report,
        before=before,
        after={"version": report.version, "text": report.text, "by_staff": acts_as_staff(author)},
    )
    return report
