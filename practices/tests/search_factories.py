"""Builders for the tests of the public database: practices in every status, the roles that see them."""

import datetime

from django.utils import timezone

from practices.models import Attachment, Practice
from practices.services import update_search_vector
from roundtables.tests.factories import make_frameworks
from stakeholders.models import Constituency, Profile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
Status = Practice.Status
HIDDEN_STATUSES = [status for status in Status.values if status != Status.PUBLISHED]


def make_practice(organisation, *, title="A practice", status=Status.PUBLISHED, targets=(), themes=(), **fields):
    """A practice with its search vector (PostgreSQL); published ones get a publication time."""
    fields.setdefault("language", "en")
    if status == Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now())
    practice = Practice.objects.create(organisation=organisation, title=title, status=status, **fields)
    if targets:
        practice.sdg_targets.set(targets)
    if themes:
        practice.compact_themes.set(themes)
    update_search_vector([practice.pk])
    # A later save() of this object would otherwise write back the vector it had (none).
    practice.refresh_from_db(fields=["search_vector"])
    return practice


def attach(practice, *, title="Evaluation report"):
    from django.core.files.base import ContentFile

    attachment = Attachment(practice=practice, kind="pdf", title=title, size=len(PDF))
    attachment.file.save("report.pdf", ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def other_government(personas):
    return personas.government("Ministry of Foreign Affairs", "MA")


def other_delegate(personas):
    """A verified delegate of another government than personas.delegate()'s."""
    return personas.person(
        "delegate.ma@example.org",
        constituency=Constituency.GOVERNMENT,
        organisation=other_government(personas),
        delegate_status=Profile.DelegateStatus.VERIFIED,
    )


# Who sees a practice that is not published: its government's delegates and co-chair staff (with
# their second factor). The others see published practices only.
SEES_HIDDEN = {
    "anonymous": False,
    "delegate": True,
    "participant": False,
    "other_delegate": False,
    "staff": True,
    "administrator": True,
    "staff_without_2fa": False,
}


def user_for(role, personas):
    """The user of a role (None for anonymous); ``personas.government()`` submits the practices."""
    return {
        "anonymous": lambda: None,
        "delegate": lambda: personas.delegate(),
        "participant": lambda: personas.participant(),
        "other_delegate": lambda: other_delegate(personas),
        "staff": lambda: personas.staff(),
        "administrator": lambda: personas.administrator(),
        "staff_without_2fa": lambda: personas.staff("nofactor@example.org", second_factor=False),
    }[role]()


def one_of_each_status(organisation, *, word="lighthouse", **fields):
    """One practice per status, all matching ``word``, linked to 10.7 and A.a: {status: practice}."""
    target, theme = make_frameworks()
    return {
        status: make_practice(
            organisation,
            title=f"{word.capitalize()} practice {status}",
            status=status,
            summary=f"A {word} for {status}.",
            countries=["MA"],
            constituencies=["civil_society"],
            start_date=datetime.date(2016, 1, 1),
            gender_responsive=True,
            targets=[target],
            themes=[theme],
            **fields,
        )
        for status in Status.values
    }
