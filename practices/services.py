"""Actions on good practices: drafting, the review workflow, visibility, the search vector."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import outbox
from practices.models import Attachment, Practice, Transition
from stakeholders import audit
from stakeholders.permissions import acts_as_staff, can, is_verified_delegate, profile_of
from stakeholders.uploads import validate_document

Status = Practice.Status
MAX_ATTACHMENTS = 5
ATTACHMENT_KINDS = ("pdf", "docx", "png", "jpeg")

# Fields a practice needs before it can be submitted for review, with their labels.
REQUIRED_FOR_REVIEW = {
    "title": gettext_lazy("title"),
    "summary": gettext_lazy("summary"),
    "description": gettext_lazy("description"),
    "countries": gettext_lazy("implementing countries"),
    "implementing_organisations": gettext_lazy("implementing organisations"),
    "constituencies": gettext_lazy("constituencies involved"),
    "start_date": gettext_lazy("start"),
    "results": gettext_lazy("results and impact"),
    "contact_name": gettext_lazy("contact name"),
    "contact_email": gettext_lazy("contact email"),
}
PLAIN_FIELDS = [
    "title",
    "summary",
    "description",
    "countries",
    "implementing_organisations",
    "partners",
    "constituencies",
    "start_date",
    "end_date",
    "ongoing",
    "gender_responsive",
    "gender_explanation",
    "results",
    "evidence",
    "replicability",
    "contact_name",
    "contact_email",
    "links",
    "language",
]
RELATED_FIELDS = ["sdg_targets", "compact_themes", "round_tables"]


class VersionConflict(ValidationError):
    """Somebody else saved the practice since this form was opened."""


@dataclass(frozen=True)
class Visibility:
    """What a person sees: everything (staff), or published practices and, for a verified
    delegate, every practice of their government (``organisation_id``)."""

    everything: bool
    organisation_id: int | None = None


def visibility(user):
    """The one rule of who sees which practice (visible_practices and the search's facet index)."""
    if acts_as_staff(user):
        return Visibility(everything=True)
    if is_verified_delegate(user):
        return Visibility(everything=False, organisation_id=profile_of(user).organisation_id)
    return Visibility(everything=False)


def visible_practices(user):
    """Published practices for everyone; every status for staff and for the delegates of the
    submitting government. Every surface (pages, search, facets, exports, API, downloads) starts here."""
    rule = visibility(user)
    queryset = Practice.objects.all()
    if rule.everything:
        return queryset
    visible = Q(status=Status.PUBLISHED)
    if rule.organisation_id is not None:
        visible |= Q(organisation_id=rule.organisation_id)
    return queryset.filter(visible)


# --- Search vector --------------------------------------------------------------------------

SEARCH_CONFIGS = {"en": "english", "fr": "french", "es": "spanish"}


def update_search_vector(practice_ids):
    """Recompute the weighted, accent-insensitive search vector (PostgreSQL; on SQLite, the rows
    of the FTS5 table, practices.search.fts5).

    Title weighs most (A), then summary (B), then the other texts (C). Each text is indexed with
    the stemmer of the practice's language and, for exact words, the 'simple' configuration.

    Also writes the copies of the practices' links that the facet counts read (practices.links), on
    every database: links written in bulk (demo data, benchmark) send no signal.
    """
    from practices import links

    links.refresh(practice_ids)
    if connection.vendor == "sqlite":
        from practices.search import fts5

        fts5.index(connection, practice_ids)
        return
    if connection.vendor != "postgresql" or not practice_ids:
        return

    def part(column, weight):
        return (
            f"setweight(to_tsvector(cfg, gfmd_unaccent(coalesce({column}, ''))), '{weight}') || "
            f"setweight(to_tsvector('simple', gfmd_unaccent(coalesce({column}, ''))), '{weight}')"
        )

    vector = " || ".join(
        [
            part("title", "A"),
            part("summary", "B"),
            part("description", "C"),
            part("results", "C"),
            part("implementing_organisations", "C"),
        ]
    )
    sql = f"""
        UPDATE practices_practice AS p SET search_vector = sub.vector
        FROM (
            SELECT id, {vector} AS vector FROM (
                SELECT id, title, summary, description, results, implementing_organisations,
                       (CASE language WHEN 'fr' THEN 'french' WHEN 'es' THEN 'spanish' ELSE 'english' END)::regconfig
                           AS cfg
                FROM practices_practice WHERE id = ANY(%s)
            ) AS texts
        ) AS sub
        WHERE p.id = sub.id
    """  # noqa: S608 - the interpolated parts are fixed column names, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(practice_ids)])


# --- Drafting -------------------------------------------------------------------------------


NULLABLE_FIELDS = {"start_date", "end_date", "gender_responsive"}


def _set_fields(practice, data):
    for name in PLAIN_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name not in NULLABLE_FIELDS:
                value = [] if name in ("countries", "constituencies") else ""
            setattr(practice, name, value)


def _set_related(practice, data):
    for name in RELATED_FIELDS:
        if name in data:
            getattr(practice, name).set(data[name])


@transaction.atomic
def create_draft(*, author, data):
    """A verified delegate starts a practice for their government; it may be incomplete."""
    if not can(author, "practices.submit"):
        raise PermissionDenied
    practice = Practice(organisation_id=profile_of(author).organisation_id, created_by=author)
    _set_fields(practice, data)
    if not practice.title.strip():
        raise ValidationError({"title": _("Give the practice a title to save it.")})
    practice.save()
    _set_related(practice, data)
    _record(practice, author, "", Status.DRAFT)
    update_search_vector([practice.pk])
    return practice


@transaction.atomic
def save_draft(*, practice, editor, data, version):
    """Save changes made from a form opened at ``version``; a stale form is refused, not merged."""
    if not can(editor, "practices.edit", practice):
        raise PermissionDenied
    updated = Practice.objects.filter(pk=practice.pk, version=version).update(version=version + 1)
    if not updated:
        raise VersionConflict(
            _(
                "Someone else saved this practice while you were editing it. Your text is still in the form: "
                "copy what you need, reload the page to see their changes, then apply yours again."
            )
        )
    practice.refresh_from_db()
    _set_fields(practice, data)
    if not practice.title.strip():
        raise ValidationError({"title": _("Give the practice a title to save it.")})
    practice.save()
    _set_related(practice, data)
    update_search_vector([practice.pk])
    return practice


def add_attachment(*, practice, editor, uploaded, title=""):
    if not can(editor, "practices.edit", practice):
        raise PermissionDenied
    if practice.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(_("A practice has at most %(count)s attachments.") % {"count": MAX_ATTACHMENTS})
    kind = validate_document(uploaded, kinds=ATTACHMENT_KINDS)
    from stakeholders.uploads import EXTENSIONS

    uploaded.name = f"attachment{EXTENSIONS[kind]}"
    return Attachment.objects.create(
        practice=practice, file=uploaded, kind=kind, title=title[:200], size=uploaded.size, uploaded_by=editor
    )


def remove_attachment(*, attachment, editor):
    """An editor of the practice removes one of its files (the stored file goes too)."""
    if not can(editor, "practices.edit", attachment.practice):
        raise PermissionDenied
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


def missing_for_review(practice):
    """{field: message} for every field a practice needs before review."""
    missing = {}
    for name, label in REQUIRED_FOR_REVIEW.items():
        value = getattr(practice, name)
        if value in (None, "", []) or (isinstance(value, str) and not value.strip()):
            missing[name] = _("Needed before review: %(field)s.") % {"field": label}
    if not practice.ongoing and practice.start_date and not practice.end_date:
        missing["end_date"] = _("Give an end date, or tick “ongoing”.")
    if practice.end_date and practice.start_date and practice.end_date < practice.start_date:
        missing["end_date"] = _("The end comes before the start.")
    if practice.gender_responsive is None:
        missing["gender_responsive"] = _("Say whether the practice is gender-responsive.")
    elif practice.gender_responsive and not practice.gender_explanation.strip():
        missing["gender_explanation"] = _("Explain briefly how it is gender-responsive.")
    if not practice.sdg_targets.exists() and not practice.compact_themes.exists():
        missing["sdg_targets"] = _("Link at least one SDG target or Global Compact theme.")
    return missing


# --- Workflow -------------------------------------------------------------------------------

# (from statuses) -> to status, for each action; who may do it is in stakeholders/permissions.py.
WORKFLOW = {
    "submit": ({Status.DRAFT, Status.CHANGES_REQUESTED}, Status.SUBMITTED),
    "start_review": ({Status.SUBMITTED}, Status.IN_REVIEW),
    "request_changes": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.CHANGES_REQUESTED),
    "publish": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.PUBLISHED),
    "reject": ({Status.SUBMITTED, Status.IN_REVIEW}, Status.REJECTED),
    "withdraw": ({Status.PUBLISHED}, Status.WITHDRAWN),
    "unpublish": ({Status.PUBLISHED}, Status.WITHDRAWN),
}
# Emails to the submitting delegates, by the status reached; and when staff take a published practice
# off the database (not when its own government withdraws it: they did it themselves).
NOTIFY = {Status.SUBMITTED, Status.CHANGES_REQUESTED, Status.PUBLISHED, Status.REJECTED}
NOTIFY_ACTIONS = {"unpublish"}


def _record(practice, actor, from_status, to_status, comment=""):
    return Transition.objects.create(
        practice=practice, actor=actor, from_status=from_status, to_status=to_status, comment=comment
    )


@transaction.atomic
def transition(*, practice, actor, action, comment=""):
    """Move a practice through the workflow, record it, audit staff actions, email the submitter."""
    permission = {
        "submit": "practices.submit_for_review",
        "withdraw": "practices.withdraw",
    }.get(action, "practices.review")
    if not can(actor, permission, practice):
        raise PermissionDenied
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    allowed_from, to_status = WORKFLOW[action]
    if practice.status not in allowed_from:
        raise ValidationError(
            _("A practice that is “%(status)s” cannot go through this step.")
            % {"status": practice.get_status_display()}
        )
    if action == "submit":
        missing = missing_for_review(practice)
        if missing:
            raise ValidationError(missing)
    if action in ("request_changes", "reject", "unpublish") and not comment.strip():
        raise ValidationError(_("Write a comment: the submitter reads it."))
    from_status = practice.status
    practice.status = to_status
    practice.version += 1
    if to_status == Status.SUBMITTED:
        practice.submitted_at = timezone.now()
    if to_status == Status.PUBLISHED:
        practice.published_at = timezone.now()
    practice.save(update_fields=["status", "version", "submitted_at", "published_at", "updated"])
    step = _record(practice, actor, from_status, to_status, comment.strip())
    if permission == "practices.review":
        audit.record(
            actor=actor,
            action=f"practices.practice.{action}",
            obj=practice,
            before={"status": from_status},
            after={"status": to_status, "comment": comment.strip()},
        )
    if to_status in NOTIFY or action in NOTIFY_ACTIONS:
        outbox.enqueue("practices.tasks.send_practice_email", transition_id=step.pk)
    return practice
