"""What every response gets at the edge: no-store on private pages, the favicon, absolute alternates."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/login/",
        "/fr/accounts/signup/",
        "/en/accounts/",
        "/en/staff/audit/",
        "/admin/login/",
        "/en/delegates/invitation/a-secret-token/",
    ],
)
def test_account_staff_and_admin_pages_are_never_stored(client, path):
    response = client.get(path)
    assert response["Cache-Control"].replace(" ", "").split(",").count("no-store") == 1, path
    assert "private" in response["Cache-Control"]


def test_an_invitation_opened_by_its_invitee_is_never_stored(client, personas):
    client.force_login(personas.participant("invitee@example.org"))
    response = client.get("/en/delegates/invitation/a-secret-token/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_may_be_stored(client, forum):
    response = client.get("/en/roundtables/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_name_their_language_versions_by_absolute_address_and_describe_themselves(client, forum, settings):
    settings.SITE_URL = "https://gfmd.example.org"
    page = client.get("/fr/roundtables/").content.decode()
    alternates = re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', page)
    assert alternates == [
        ("en", "https://gfmd.example.org/en/roundtables/"),
        ("es", "https://gfmd.example.org/es/roundtables/"),
    ]
    assert re.search(r'<meta name="description" content="[^"]{40,}">', page)
    assert '<link rel="icon" href="/favicon.ico"' in page
