"""Drafting, the version check, attachments and visibility (practices.services)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from practices import services
from practices.models import Attachment, Practice
from practices.tests.workflow_factories import (
    HTML_AS_PDF,
    PNG,
    complete_data,
    docx_bytes,
    draft,
    other_delegate,
    pdf,
    published,
    reload,
    submitted,
    too_large_pdf,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_draft_needs_only_a_title_and_belongs_to_the_delegates_government(personas):
    delegate = personas.delegate()
    practice = services.create_draft(author=delegate, data={"title": "Circular migration"})
    assert practice.status == Practice.Status.DRAFT
    assert practice.organisation == personas.government()
    assert practice.created_by == delegate
    assert practice.version == 1
    assert list(practice.transitions.values_list("from_status", "to_status")) == [("", "draft")]
    with pytest.raises(ValidationError) as error:
        services.create_draft(author=delegate, data={"title": "   "})
    assert "title" in error.value.error_dict


@pytest.mark.parametrize("role", ["participant", "staff", "administrator", "unverified_delegate"])
def test_only_verified_delegates_start_a_practice(personas, role):
    from stakeholders.models import Profile

    user = {
        "participant": lambda: personas.participant(),
        "staff": lambda: personas.staff(),
        "administrator": lambda: personas.administrator(),
        "unverified_delegate": lambda: personas.person(
            "asked@example.org",
            organisation=personas.government(),
            delegate_status=Profile.DelegateStatus.REQUESTED,
        ),
    }[role]()
    with pytest.raises(PermissionDenied):
        services.create_draft(author=user, data={"title": "Anything"})
    assert not Practice.objects.exists()


def test_colleagues_of_the_same_government_edit_a_draft_with_the_version_check(personas):
    author = personas.delegate()
    colleague = personas.delegate("colleague@example.org")
    practice = services.create_draft(author=author, data={"title": "First title"})

    services.save_draft(practice=practice, editor=colleague, data={"title": "Colleague's title"}, version=1)
    assert reload(practice).version == 2

    with pytest.raises(services.VersionConflict):
        services.save_draft(practice=practice, editor=author, data={"title": "Stale title"}, version=1)
    practice = reload(practice)
    assert (practice.title, practice.version) == ("Colleague's title", 2)


def test_other_governments_and_staff_cannot_edit_and_nobody_edits_a_submitted_practice(personas):
    author = personas.delegate()
    practice = draft(author)
    for editor in (other_delegate(personas), personas.staff(), personas.participant()):
        with pytest.raises(PermissionDenied):
            services.save_draft(practice=practice, editor=editor, data={"title": "Taken over"}, version=1)
    practice = services.transition(practice=practice, actor=author, action="submit")
    with pytest.raises(PermissionDenied):
        services.save_draft(practice=practice, editor=author, data={"title": "Late"}, version=practice.version)
    assert reload(practice).title == "Skills partnerships for nurses"


def test_empty_values_clear_the_fields(personas):
    practice = draft(personas.delegate())
    data = {name: None for name in services.PLAIN_FIELDS if name not in ("title", "language", "ongoing")}
    practice = services.save_draft(
        practice=practice, editor=practice.created_by, data={**data, "sdg_targets": []}, version=1
    )
    practice = reload(practice)
    assert practice.summary == ""
    assert practice.countries == []
    assert practice.start_date is None
    assert practice.gender_responsive is None
    assert not practice.sdg_targets.exists()


# --- Attachments ----------------------------------------------------------------------------


def test_attachments_are_checked_by_their_content(personas):
    author = personas.delegate()
    practice = draft(author)
    with pytest.raises(ValidationError, match="not a PDF, DOCX, PNG, JPEG document"):
        services.add_attachment(practice=practice, editor=author, uploaded=upload("report.pdf", HTML_AS_PDF))
    with pytest.raises(ValidationError, match="at most 10 MB"):
        services.add_attachment(practice=practice, editor=author, uploaded=too_large_pdf())
    with pytest.raises(ValidationError, match="not a PDF"):  # a ZIP that is not a Word document
        services.add_attachment(practice=practice, editor=author, uploaded=upload("a.docx", b"PK\x03\x04junk"))
    assert not practice.attachments.exists()

    word = services.add_attachment(
        practice=practice, editor=author, uploaded=upload("evaluation.docx", docx_bytes()), title="Evaluation"
    )
    image = services.add_attachment(practice=practice, editor=author, uploaded=upload("photo.jpg", PNG))
    assert (word.kind, word.title, word.uploaded_by) == ("docx", "Evaluation", author)
    assert word.file.name.startswith("private/attachment/") and word.file.name.endswith(".docx")
    assert image.kind == "png" and image.file.name.endswith(".png")  # the content decides, not the name


def test_at_most_five_attachments(personas):
    author = personas.delegate()
    practice = draft(author)
    for number in range(services.MAX_ATTACHMENTS):
        services.add_attachment(practice=practice, editor=author, uploaded=pdf(f"{number}.pdf"))
    with pytest.raises(ValidationError, match="at most 5 attachments"):
        services.add_attachment(practice=practice, editor=author, uploaded=pdf("sixth.pdf"))
    assert practice.attachments.count() == 5


def test_attachments_are_added_and_removed_only_by_editors(personas, settings, django_capture_on_commit_callbacks):
    author = personas.delegate()
    practice = draft(author)
    attachment = services.add_attachment(practice=practice, editor=author, uploaded=pdf())
    stored = settings.MEDIA_ROOT / attachment.file.name
    assert stored.exists()
    for intruder in (other_delegate(personas), personas.staff()):
        with pytest.raises(PermissionDenied):
            services.add_attachment(practice=practice, editor=intruder, uploaded=pdf())
        with pytest.raises(PermissionDenied):
            services.remove_attachment(attachment=attachment, editor=intruder)
    with django_capture_on_commit_callbacks(execute=True):  # the stored file goes once the removal commits
        services.remove_attachment(attachment=attachment, editor=personas.delegate("colleague@example.org"))
    assert not Attachment.objects.exists()
    assert not stored.exists()


# --- What a review needs --------------------------------------------------------------------


def test_missing_for_review_names_each_field(personas):
    practice = services.create_draft(author=personas.delegate(), data={"title": "Only a title"})
    missing = services.missing_for_review(practice)
    assert set(missing) == {
        "summary",
        "description",
        "countries",
        "implementing_organisations",
        "constituencies",
        "start_date",
        "results",
        "contact_name",
        "contact_email",
        "gender_responsive",
        "sdg_targets",
    }
    assert missing["summary"] == "Needed before review: summary."
    assert services.missing_for_review(draft(personas.delegate("b@example.org"))) == {}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ongoing": False, "end_date": None}, "end_date", "Give an end date"),
        (
            {"ongoing": False, "start_date": datetime.date(2017, 1, 1), "end_date": datetime.date(2016, 1, 1)},
            "end_date",
            "The end comes before the start",
        ),
        ({"gender_responsive": None}, "gender_responsive", "Say whether"),
        ({"gender_explanation": " "}, "gender_explanation", "Explain briefly"),
        ({"sdg_targets": [], "compact_themes": []}, "sdg_targets", "at least one SDG target"),
    ],
)
def test_missing_for_review_checks_dates_gender_and_frameworks(personas, overrides, field, message):
    practice = draft(personas.delegate(), **overrides)
    missing = services.missing_for_review(practice)
    assert list(missing) == [field]
    assert message in missing[field]


# --- Visibility -----------------------------------------------------------------------------


def test_who_sees_which_practice(personas):
    from django.contrib.auth.models import AnonymousUser

    author = personas.delegate()
    staff = personas.staff()
    a_draft = draft(author, title="A draft")
    a_submission = submitted(author, title="A submission")
    public = published(author, staff, title="Public")

    def titles(user):
        return set(services.visible_practices(user).values_list("title", flat=True))

    everything = {a_draft.title, a_submission.title, public.title}
    assert titles(AnonymousUser()) == {"Public"}
    assert titles(personas.participant()) == {"Public"}
    assert titles(other_delegate(personas)) == {"Public"}
    assert titles(personas.delegate("colleague@example.org")) == everything
    assert titles(staff) == everything
    assert titles(personas.administrator()) == everything
    assert titles(personas.staff("no2fa@example.org", second_factor=False)) == {"Public"}


def test_the_search_vector_is_kept_up_to_date(personas, require_postgres):
    practice = draft(personas.delegate(), title="Seasonal workers")
    assert Practice.objects.filter(pk=practice.pk, search_vector="seasonal").exists()
    services.save_draft(
        practice=practice, editor=practice.created_by, data=complete_data(title="Diaspora bonds"), version=1
    )
    assert Practice.objects.filter(pk=practice.pk, search_vector="diaspora").exists()
    assert not Practice.objects.filter(pk=practice.pk, search_vector="seasonal").exists()
