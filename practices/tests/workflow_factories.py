"""Builders for the workflow tests: governments and their delegates, complete practices, files."""

import datetime
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from practices import services
from practices.models import Practice
from roundtables.tests.factories import make_frameworks
from stakeholders.models import Constituency, Profile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_AS_PDF = b"<html><body><script>alert(1)</script></body></html>"


def docx_bytes():
    """The smallest file that is a Word document by its content: a ZIP with the two parts that say so."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Evaluation</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf(name="report.pdf"):
    return upload(name, PDF, "application/pdf")


def too_large_pdf(name="big.pdf", megabytes=11):
    return upload(name, PDF + b"0" * (megabytes * 1_048_576), "application/pdf")


def other_government(personas):
    return personas.government("Ministry of Foreign Affairs", "MA")


def other_delegate(personas, email="delegate.ma@example.org", **kwargs):
    """A verified delegate of another government than personas.delegate()'s."""
    return personas.person(
        email,
        constituency=Constituency.GOVERNMENT,
        organisation=other_government(personas),
        delegate_status=Profile.DelegateStatus.VERIFIED,
        **kwargs,
    )


def complete_data(**overrides):
    """Everything a practice needs before review."""
    target, theme = make_frameworks()
    data = {
        "title": "Skills partnerships for nurses",
        "summary": "Training in the country of origin, jobs in Germany.",
        "description": "A bilateral programme with vocational schools.",
        "countries": ["DE", "MA"],
        "implementing_organisations": "Federal Employment Agency",
        "partners": "Vocational schools",
        "constituencies": ["government", "private_sector"],
        "start_date": datetime.date(2016, 3, 1),
        "ongoing": True,
        "gender_responsive": True,
        "gender_explanation": "Most trainees are women; childcare is provided.",
        "results": "300 nurses trained.",
        "evidence": "External evaluation 2018.",
        "replicability": "Any pair of countries with a shortage of nurses.",
        "contact_name": "Anna Example",
        "contact_email": "anna@example.org",
        "links": "https://example.org/programme",
        "language": "en",
        "sdg_targets": [target],
        "compact_themes": [theme],
    }
    data.update(overrides)
    return data


def draft(author, **overrides):
    return services.create_draft(author=author, data=complete_data(**overrides))


def submitted(author, **overrides):
    return services.transition(practice=draft(author, **overrides), actor=author, action="submit")


def published(author, staff, **overrides):
    practice = submitted(author, **overrides)
    return services.transition(practice=practice, actor=staff, action="publish")


def reload(practice):
    return Practice.objects.get(pk=practice.pk)
