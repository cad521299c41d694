"""The deployment's security settings, response headers and the handling of uploaded documents.

The test runner sets HTTPS=0 (conftest.py, gfmd_portal/testservices.py) so that the test client
and the live server speak plain http. Settings are computed once, at import, from HTTPS: the
HTTPS-dependent ones (SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, the secure cookies) are therefore
off in this process, and the tests below set them back explicitly to their production values
with override_settings. What production really computes is checked by ``check --deploy`` in a
child process that runs without the HTTPS override.
"""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from stakeholders.models import DelegateRequest

ROOT = Path(__file__).resolve().parents[2]

# What production computes from HTTPS (on unless DEBUG): see settings.py, "Security".
PRODUCTION_HTTPS = {
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}

# A small but real PDF: header, one empty page, cross-reference table, trailer.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n"
    b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"
JUSTIFICATION = "Second secretary at the Permanent Mission in Geneva; the Head of Chancery can confirm"


# --- check --deploy -----------------------------------------------------------------------------


def _deploy_check(tmp_path, **overrides):
    # What the test runner set for itself (conftest.py) is no part of a deployment.
    test_only = {"HTTPS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {name: value for name, value in os.environ.items() if name not in test_only}
    alphabet = string.ascii_letters + string.digits + "!#%()*+-.:;<=>?@[]^_{|}~"
    environment.update(
        DEBUG="0",
        SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        ALLOWED_HOSTS="gfmd.example.org",
        GFMD_VAR_DIR=str(tmp_path),
        **overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_passes_without_debug(tmp_path):
    result = _deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deployment_check_notices_plain_http(tmp_path):
    # The check above would mean nothing if it could not fail: with HTTPS=0 it must complain.
    result = _deploy_check(tmp_path, HTTPS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # SECURE_HSTS_SECONDS
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT


# --- Response headers ------------------------------------------------------------------------


def _directives(header):
    """{'script-src': ["'self'"], ...} from a Content-Security-Policy header."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _assert_security_headers(response):
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    # No script may come from an inline element or a data: URL through default-src either.
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@override_settings(**PRODUCTION_HTTPS)
def test_a_public_page_over_https_carries_the_security_headers(client, forum):
    first = client.get("/en/", secure=True)
    assert first.status_code == 200
    _assert_security_headers(first)
    # The anonymous page cache serves the second request: the headers are there all the same.
    second = client.get("/en/", secure=True)
    assert second["X-Page-Cache"] == "hit"
    _assert_security_headers(second)


@override_settings(**PRODUCTION_HTTPS)
def test_plain_http_is_redirected_to_https(client, forum):
    response = client.get("/en/roundtables/?x=1")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/en/roundtables/?x=1"
    # No HSTS over plain http (browsers ignore it there; Django does not send it).
    assert "Strict-Transport-Security" not in response


@override_settings(**PRODUCTION_HTTPS)
def test_cookies_are_secure_and_the_session_cookie_is_http_only(client, personas):
    personas.participant()
    response = client.post(
        "/en/accounts/login/",
        {"login": "participant@example.org", "password": personas.PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert response.cookies["csrftoken"]["secure"]  # rotated at login


# --- Uploaded documents -------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def applicant(client, personas, media):
    """A signed-in participant who may ask for delegate status, and the government to name."""
    user = personas.participant()
    client.force_login(user)
    return user, personas.government()


def _ask(client, government, upload, justification=JUSTIFICATION):
    return client.post(
        "/en/accounts/delegate/",
        {"organisation": government.pk, "justification": justification, "note_verbale": upload},
    )


def test_an_upload_is_stored_under_a_random_name_and_served_as_an_attachment(client, applicant, media):
    user, government = applicant
    response = _ask(client, government, SimpleUploadedFile("evil.html", PDF, content_type="text/html"))
    assert response.status_code == 302
    delegate_request = DelegateRequest.objects.get(user=user)
    assert response["Location"] == f"/en/accounts/delegate/{delegate_request.pk}/"

    stored = Path(delegate_request.note_verbale.path)
    assert stored.is_file()
    assert stored.read_bytes() == PDF
    assert media in stored.parents
    assert "evil" not in delegate_request.note_verbale.name
    assert "evil" not in stored.name
    assert len(stored.stem) == 32  # a uuid4 in hex
    assert stored.suffix == ".pdf"  # the extension of what the content is, not of the name given

    note = client.get(f"/en/accounts/delegate/{delegate_request.pk}/note/")
    assert note.status_code == 200
    disposition = note["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="note-verbale-{delegate_request.pk}.pdf"' in disposition
    assert "evil" not in disposition
    assert note["Content-Type"] == "application/pdf"
    assert note["X-Content-Type-Options"] == "nosniff"
    csp = note["Content-Security-Policy"]
    assert "sandbox" in csp
    assert "default-src 'none'" in csp
    assert "no-store" in note["Cache-Control"]
    assert b"".join(note.streaming_content) == PDF


def test_someone_else_cannot_fetch_the_note(client, applicant, personas):
    _user, government = applicant
    _ask(client, government, SimpleUploadedFile("note.pdf", PDF, content_type="application/pdf"))
    pk = DelegateRequest.objects.get().pk
    client.force_login(personas.participant("other@example.org"))
    assert client.get(f"/en/accounts/delegate/{pk}/note/").status_code == 404
    client.logout()
    response = client.get(f"/en/accounts/delegate/{pk}/note/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_a_png_named_pdf_is_accepted_as_a_png(client, applicant):
    user, government = applicant
    response = _ask(client, government, SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"))
    assert response.status_code == 302
    delegate_request = DelegateRequest.objects.get(user=user)
    note = client.get(f"/en/accounts/delegate/{delegate_request.pk}/note/")
    assert note["Content-Type"] == "image/png"
    assert f'filename="note-verbale-{delegate_request.pk}.png"' in note["Content-Disposition"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile("note.pdf", HTML, content_type="application/pdf"),
            "This file is not a PDF, PNG, JPEG document (its content was checked, not its name).",
            id="html-renamed-pdf",
        ),
        pytest.param(
            lambda: SimpleUploadedFile(
                "note.pdf", PDF + b"\n%" + b"0" * (11 * 1024 * 1024), content_type="application/pdf"
            ),
            "The file is 11.0 MB; files of at most 10 MB are accepted.",
            id="eleven-megabytes",
        ),
    ],
)
def test_a_refused_upload_says_why_and_keeps_what_was_typed(client, applicant, media, upload, message):
    user, government = applicant
    response = _ask(client, government, upload())
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    form = response.context["form"]
    assert form.errors["note_verbale"] == [message]
    # Nothing typed is lost: the justification and the chosen government are in the re-rendered form.
    assert JUSTIFICATION in page
    assert form["justification"].value() == JUSTIFICATION
    assert str(form["organisation"].value()) == str(government.pk)
    assert f'<option value="{government.pk}" selected>' in page
    assert not DelegateRequest.objects.filter(user=user).exists()
    # And nothing of the refused file was stored.
    assert not [path for path in media.rglob("*") if path.is_file()]
