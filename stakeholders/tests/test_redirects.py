"""Nobody can use the portal to send people to another site, or to mail them links to one.

- ``next`` after signing in, signing out or confirming the password: a foreign, protocol-
  relative or ``javascript:`` address is ignored, an address on our site is followed;
- the addresses the portal itself puts in ``next`` (the admin's sign-in, the second factor
  set-up for staff) and in its language links stay on our site, whatever the requested path;
- a password reset asked with a foreign Host header is refused and mails nothing; asked
  normally, it answers the same for a known and an unknown address, and only the known one
  receives a reset link, pointing to our site.

"On our site" is judged as a browser would read the address: tabs and newlines dropped,
backslashes read as slashes, extra slashes before a host ignored, relative to the page.
"""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOST = "testserver"
OFF_SITE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example",
    "//evil.example/x",
    "///evil.example/x",
    "////evil.example",
    "https://evil.example/x",
    "http://evil.example",
    "https:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "http://testserver@evil.example/",
    "http://evil.example\\@testserver/",
    "https://testserver.evil.example/",
    "https://testserver%252F@evil.example/",
]
ON_SITE = [
    "/en/roundtables/",
    "/fr/sdg-targets/10.7/",
    f"http://{HOST}/en/compact-themes/",
]


def on_our_site(location, *, base=f"http://{HOST}/en/accounts/login/"):
    """Whether a browser following ``location`` (from the page ``base``) stays on our host."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip().replace("\\", "/")
    # For http(s), any number of slashes before a host count as two: ///evil.example is a host.
    cleaned = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*:)?//+", r"\1//", cleaned)
    target = urlsplit(urljoin(base, cleaned))
    return target.scheme in ("http", "https") and target.hostname == HOST


def test_the_judge_of_addresses():
    assert not any(on_our_site(url) for url in OFF_SITE)
    assert all(on_our_site(url) for url in ON_SITE)
    assert on_our_site("evil.example")  # a relative path: /en/accounts/evil.example


@pytest.fixture
def participant(personas):
    return personas.participant()


def _sign_in(client, user, personas, next_url, *, in_form=False):
    url = reverse("account_login")
    data = {"login": user.email, "password": personas.PASSWORD}
    if in_form:
        data["next"] = next_url
        return client.post(url, data)
    return client.post(url, data, QUERY_STRING=f"next={next_url}")


@pytest.mark.parametrize("in_form", [False, True], ids=["query", "form"])
@pytest.mark.parametrize("next_url", OFF_SITE)
def test_signing_in_ignores_a_next_off_our_site(client, participant, personas, next_url, in_form):
    response = _sign_in(client, participant, personas, next_url, in_form=in_form)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
    assert on_our_site(response["Location"]), response["Location"]
    assert response["Location"] == reverse("stakeholders:account")


@pytest.mark.parametrize("next_url", ON_SITE)
def test_signing_in_follows_a_next_on_our_site(client, participant, personas, next_url):
    response = _sign_in(client, participant, personas, next_url)
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.mark.parametrize("next_url", OFF_SITE[:12])
def test_signing_out_ignores_a_next_off_our_site(client, participant, next_url):
    client.force_login(participant)
    response = client.post(reverse("account_logout"), QUERY_STRING=f"next={next_url}")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert on_our_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("next_url", OFF_SITE[:12])
def test_confirming_the_password_ignores_a_next_off_our_site(client, participant, personas, next_url):
    client.force_login(participant)
    response = client.post(
        reverse("account_reauthenticate"), {"password": personas.PASSWORD}, QUERY_STRING=f"next={next_url}"
    )
    assert response.status_code == 302
    assert on_our_site(response["Location"]), response["Location"]


def _next_of(location):
    return parse_qs(urlsplit(location).query).get("next", [None])[0]


@pytest.mark.parametrize("next_url", ["//evil.example", "https://evil.example/x", "javascript:alert(1)"])
def test_the_admin_sign_in_passes_on_no_foreign_next(client, personas, next_url):
    # Anonymous: the admin's sign-in sends to allauth's, with a next on our site.
    response = client.get(reverse("admin:login"), {"next": next_url})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    passed_on = _next_of(response["Location"])
    assert on_our_site(passed_on), passed_on
    # Signing in there ends on our site too.
    administrator = personas.administrator(second_factor=False)
    signed_in = client.post(response["Location"], {"login": administrator.email, "password": personas.PASSWORD})
    assert signed_in.status_code == 302
    assert on_our_site(signed_in["Location"]), signed_in["Location"]
    # Signed in, the admin's sign-in goes to the admin's index, not to ``next``.
    client.force_login(personas.administrator("admin2@example.org"))
    again = client.get(reverse("admin:login"), {"next": next_url})
    assert again.status_code == 302
    assert again["Location"] == reverse("admin:index")


@pytest.mark.parametrize("path", ["/en/staff/audit/", "/admin//evil.example/", "/en/staff//evil.example/"])
def test_the_second_factor_set_up_comes_back_to_our_site(client, personas, path):
    client.force_login(personas.staff(second_factor=False))
    response = client.get("/", PATH_INFO=path)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("mfa_activate_totp")
    passed_on = _next_of(response["Location"])
    assert passed_on.startswith("/") and not passed_on.startswith(("//", "/\\"))
    assert on_our_site(passed_on)


class _LanguageLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hreflang" in attrs:
            self.hrefs.append(attrs["href"])


def _language_links(response):
    parser = _LanguageLinks()
    parser.feed(response.content.decode())
    return parser.hrefs


@pytest.mark.parametrize(
    "path",
    [
        "/en/roundtables/",
        "//evil.example/",
        "//evil.example/en/",
        "///evil.example/fr/",
        "/\\evil.example/",
        "/%2F%2Fevil.example/",
    ],
)
def test_the_language_links_stay_on_our_site(client, path, settings):
    """``https://portal//evil.example/`` is a page of ours (not found): its links are too."""
    settings.SITE_URL = f"http://{HOST}"  # the alternates are absolute, on the site's address
    response = client.get("/", PATH_INFO=path, QUERY_STRING="next=//evil.example")
    links = _language_links(response)
    assert len(links) == 3 * 2 - 1  # a link per language, an alternate per other language
    for href in links:
        assert on_our_site(href, base=f"http://{HOST}/en/"), href


# --- Password reset -----------------------------------------------------------------------------


def _reset_links(message):
    return re.findall(r"https?://\S+/password/reset/key/\S+", message.body)


@pytest.mark.parametrize(
    "host", ["evil.example", "testserver.evil.example", "evil.example:80", "127.0.0.1.evil.example"]
)
def test_a_password_reset_with_a_foreign_host_is_refused(client, participant, host):
    response = client.post(reverse("account_reset_password"), {"email": participant.email}, HTTP_HOST=host)
    assert response.status_code == 400
    assert mail.outbox == []


def test_a_forwarded_host_does_not_make_the_reset_link(client, participant):
    response = client.post(
        reverse("account_reset_password"), {"email": participant.email}, HTTP_X_FORWARDED_HOST="evil.example"
    )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "evil.example" not in message.body
    (link,) = _reset_links(message)
    assert urlsplit(link).hostname == HOST


def test_a_password_reset_answers_alike_and_mails_a_link_only_to_a_known_address(client, participant):
    url = reverse("account_reset_password")
    known = client.post(url, {"email": participant.email})
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("account_reset_password_done")
    assert known.content == unknown.content
    with_links = [message for message in mail.outbox if _reset_links(message)]
    assert [message.to for message in with_links] == [[participant.email]]
    (link,) = _reset_links(with_links[0])
    assert urlsplit(link).hostname == HOST
    # allauth tells an unknown address that it has no account (ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS);
    # that message carries no link to reset anything.
    to_unknown = [message for message in mail.outbox if message.to == ["nobody@example.org"]]
    assert all(not _reset_links(message) and "/password/reset/key/" not in message.body for message in to_unknown)
