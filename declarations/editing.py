"""What staff do to a compiled declaration: edit a paragraph, mark a version final, publish it.

Drafts are never changed in place. Editing a paragraph makes a new version of the declaration,
``based_on`` the edited one, with every paragraph copied (and its sources and reports), so that any
two versions can be compared and any version exported as it was. Each action is written to the
audit trail.

Stale edits: the edit form carries the number of the declaration's latest version when it was
opened. If someone made a newer version meanwhile (an edit, a compile), the save is refused with
``EditRefused`` and the form shows the typed text again.

Publication: the public reads ``Declaration.final_draft`` while ``Declaration.published_at`` is set.
Only the final version is published; once published, publishing another version replaces it (it
becomes the final one), and marking another version final is refused so that the public text never
changes without a "publish".
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.models import Declaration, Draft, Paragraph
from declarations.rendering import render_html
from stakeholders import audit
from stakeholders.models import display_name

COPY_BATCH = 2000


class EditRefused(Exception):
    """A staff action that cannot be done; the message says why, for the person."""


def latest_version(declaration):
    return Draft.objects.filter(declaration=declaration).aggregate(latest=Max("version"))["latest"] or 0


def _editor_name(user):
    return display_name(user)


def render_draft_html(draft):
    return render_html(draft)


def copy_draft(*, source, version, author, note):
    """A new Draft ``version`` with every paragraph of ``source`` (and their sources/reports) copied.

    Paragraphs are read as values (no model instances kept) and written with bulk_create, the two
    many-to-many tables through their through-models: a few queries whatever the size.
    Returns the new draft and {old paragraph id: new paragraph id}.
    """
    draft = Draft.objects.create(
        declaration_id=source.declaration_id,
        version=version,
        content=source.content,
        html="",
        inputs_hash=source.inputs_hash,
        based_on=source,
        author=author,
        note=note[:300],
    )
    fields = [
        "id",
        "position",
        "kind",
        "level",
        "section",
        "number",
        "text",
        "support_count",
        "constituencies",
        "round_table_id",
        "practice_ids",
        "sentences",
        "edited_by_id",
        "edited_at",
    ]
    rows = list(Paragraph.objects.filter(draft=source).order_by("position").values(*fields))
    copies = Paragraph.objects.bulk_create(
        [Paragraph(draft=draft, **{k: v for k, v in row.items() if k != "id"}) for row in rows],
        batch_size=COPY_BATCH,
    )
    mapping = {row["id"]: copy.pk for row, copy in zip(rows, copies, strict=True)}
    for through, column in (
        (Paragraph.sources.through, "contribution_id"),
        (Paragraph.reports.through, "rapporteurreport_id"),
    ):
        links = (
            through.objects.filter(paragraph__draft=source)
            .values_list("paragraph_id", column)
            .iterator(chunk_size=5000)
        )
        batch = []
        for paragraph_id, target_id in links:
            batch.append(through(paragraph_id=mapping[paragraph_id], **{column: target_id}))
            if len(batch) >= COPY_BATCH * 5:
                through.objects.bulk_create(batch)
                batch = []
        if batch:
            through.objects.bulk_create(batch)
    return draft, mapping


def _content_with(content, position, text):
    """The compiled structure with the edited paragraph's new text (the rest as compiled)."""
    if not isinstance(content, dict) or not isinstance(content.get("paragraphs"), list):
        return content
    paragraphs = [
        {**item, "text": text} if isinstance(item, dict) and item.get("position") == position else item
        for item in content["paragraphs"]
    ]
    return {**content, "paragraphs": paragraphs}


def edit_paragraph(*, draft, position, text, editor, latest_seen):
    """Save a new text for paragraph ``position`` of ``draft`` as a new version of the declaration.

    ``latest_seen`` is the declaration's latest version when the form was opened; a newer one
    means someone changed the declaration meanwhile, and the edit is refused (nothing saved).
    Returns the new Draft.
    """
    text = (text or "").strip()
    if not text:
        raise EditRefused(_("A paragraph cannot be empty."))
    with transaction.atomic():
        # One editor at a time per declaration: versions are numbered under this lock.
        declaration = Declaration.objects.select_for_update().get(pk=draft.declaration_id)
        latest = latest_version(declaration)
        if latest != latest_seen:
            raise EditRefused(
                _(
                    "Someone made a newer version (v%(latest)s) while you were editing. Your text was not "
                    "saved; it is still in the form. Open the latest version and apply it there."
                )
                % {"latest": latest}
            )
        paragraph = Paragraph.objects.filter(draft=draft, position=position).first()
        if paragraph is None:
            raise EditRefused(_("This paragraph no longer exists."))
        if paragraph.text == text:
            raise EditRefused(_("The text is unchanged: no new version was made."))
        label = f"§{paragraph.number}" if paragraph.number else f"#{paragraph.position}"
        note = _("edited by %(name)s: %(paragraph)s") % {"name": _editor_name(editor), "paragraph": label}
        new_draft, mapping = copy_draft(source=draft, version=latest + 1, author=editor, note=note)
        # An edited synthesis paragraph no longer says sentence by sentence what it cites: its sources stay.
        Paragraph.objects.filter(pk=mapping[paragraph.pk]).update(
            text=text, sentences=[], edited_by=editor, edited_at=timezone.now()
        )
        new_draft.content = _content_with(draft.content, position, text)
        new_draft.html = render_draft_html(new_draft)
        new_draft.save(update_fields=["content", "html"])
        audit.record(
            actor=editor,
            action="declarations.draft.edited",
            obj=new_draft,
            before={"version": draft.version, "position": position, "text": paragraph.text},
            after={"version": new_draft.version, "position": position, "text": text},
        )
    return new_draft


def mark_final(*, draft, user):
    """Make ``draft`` the version that will be published."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=draft.declaration_id)
        if declaration.final_draft_id == draft.pk:
            raise EditRefused(_("This version is already the final one."))
        if declaration.published_at is not None:
            raise EditRefused(_("The declaration is published. Publish this version to replace the published one."))
        before = declaration.final_draft_id
        declaration.final_draft = draft
        declaration.save(update_fields=["final_draft"])
        audit.record(
            actor=user,
            action="declarations.declaration.final_marked",
            obj=declaration,
            before={"final_draft": before},
            after={"final_draft": draft.pk, "version": draft.version},
        )
    return declaration


def publish(*, draft, user):
    """Publish ``draft``: it must be the final version, unless the declaration is already published,
    in which case ``draft`` replaces the published version (and becomes the final one)."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=draft.declaration_id)
        if declaration.final_draft_id != draft.pk and declaration.published_at is None:
            raise EditRefused(_("Only the final version can be published: mark this version final first."))
        before = {
            "final_draft": declaration.final_draft_id,
            "published_at": declaration.published_at.isoformat() if declaration.published_at else None,
        }
        declaration.final_draft = draft
        declaration.published_at = timezone.now()
        declaration.save(update_fields=["final_draft", "published_at"])
        audit.record(
            actor=user,
            action="declarations.declaration.published",
            obj=declaration,
            before=before,
            after={
                "final_draft": draft.pk,
                "version": draft.version,
                "published_at": declaration.published_at.isoformat(),
            },
        )
        # The public's PDF (it says "published version"), made by a worker before anyone asks for it.
        from declarations import exports

        draft.declaration = declaration
        exports.prepare_in_background(draft, "pdf")
    return declaration


def unpublish(*, declaration, user):
    """Take the declaration off the public pages (the final version stays marked)."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.published_at is None:
            raise EditRefused(_("The declaration is not published."))
        audit.save_change(declaration, actor=user, action="declarations.declaration.unpublished", published_at=None)
    return declaration
