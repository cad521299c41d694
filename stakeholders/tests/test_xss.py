"""What people type is shown as text, never run as markup.

Each payload is submitted through the real forms: the profile (position, proposed
organisation), a delegate request (justification) and a staff decision (reason), and in the
query strings that pages reflect. Then every page that shows it is read: the account page,
the profile form, the request (as its owner and as staff), the request form sent back with an
error, the staff queue, the audit trail, the admin, the page-not-found page.

On each page: the payload appears escaped where it is shown, never raw, and the page has no
markup the portal does not write itself (inline scripts, event handlers, javascript: links,
frames, SVG…).
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from common.middleware import BIDI_CONTROLS
from stakeholders.models import AuditEntry, DelegateRequest, Organisation, Profile

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "' autofocus onfocus='alert(1)",
    "<svg/onload=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</dd></dl><script>alert(1)</script>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert&#40;1&#41;>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    r"\u003cscript\u003ealert(1)\u003c/script\u003e",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # fullwidth < and >
    "\u202e<script>alert(1)</script>",  # right-to-left override first
    "{{7*7}}",
    "{% debug %}",
]
SPECIAL = set("<>&\"'")


def as_stored(payload):
    """What a posted field keeps of the payload: bidirectional overrides are taken out at the edge
    (common.middleware), everything else is kept as typed."""
    return BIDI_CONTROLS.sub("", payload)


# Elements the portal's pages (and the admin's) never contain: only a payload could bring them.
# (The admin has SVG icons and <details> filters: an SVG or <details> of a payload is caught by
# its event handler, and by the raw payload.)
FOREIGN_ELEMENTS = {"iframe", "frame", "math", "mglyph", "object", "embed", "style", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster"}


class _Markup(HTMLParser):
    """Collects what in a page could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.body_tags = 0

    def handle_starttag(self, tag, attrs):
        where = f"<{tag} {' '.join(name for name, _value in attrs)}>"
        if tag in FOREIGN_ELEMENTS:
            self.problems.append(f"element {where}")
        if tag == "body":
            self.body_tags += 1
        if tag == "img" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.problems.append(f"image {where}")
        if tag == "script" and "src" not in dict(attrs) and dict(attrs).get("type") != "application/json":
            self.problems.append(f"inline script {where}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name} in {where}")
            if name == "srcdoc":
                self.problems.append(f"srcdoc in {where}")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.problems.append(f"{name}={value!r} in {where}")

    handle_startendtag = handle_starttag


def problems_in(html):
    parser = _Markup()
    parser.feed(html)
    parser.close()
    if parser.body_tags != 1:
        parser.problems.append(f"{parser.body_tags} <body> elements")
    return parser.problems


def assert_safe(response, payload, *, shown=True):
    """The page has no foreign markup; the payload is there escaped (when ``shown``), never raw."""
    assert response.status_code in (200, 404), response.status_code
    html = response.content.decode()
    assert problems_in(html) == [], response.request["PATH_INFO"]
    if SPECIAL & set(payload):
        assert payload not in html, f"raw payload in {response.request['PATH_INFO']}"
    if shown:
        assert escape(payload) in html, f"payload not shown in {response.request['PATH_INFO']}"
    return html


@pytest.fixture
def applicant(personas):
    return personas.participant()


def _request(client, applicant, government, payload):
    client.force_login(applicant)
    response = client.post(
        reverse("stakeholders:delegate-request"), {"organisation": government.pk, "justification": payload}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return DelegateRequest.objects.get(user=applicant)


def test_the_portal_pages_themselves_pass_the_check(client, applicant, staff, personas):
    """The check finds nothing on the pages without payloads: what it finds comes from a payload."""
    delegate_request = _request(client, applicant, personas.government(), "Counsellor")
    for path in (reverse("stakeholders:account"), reverse("stakeholders:profile"), delegate_request.get_absolute_url()):
        assert problems_in(client.get(path).content.decode()) == []
    client.force_login(staff)
    for path in (reverse("stakeholders:staff-delegate-queue"), reverse("stakeholders:staff-audit")):
        assert problems_in(client.get(path).content.decode()) == []
    assert problems_in('<p onclick="x()">') == ["event handler onclick in <p onclick>", "0 <body> elements"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_profile(client, applicant, personas, payload):
    stored = as_stored(payload)
    client.force_login(applicant)
    response = client.post(
        reverse("stakeholders:profile"),
        {
            "given_name": "Ada",
            "family_name": "Byron",
            "proposed_organisation": payload,
            "constituency": "civil_society",
            "position": payload,
            "preferred_language": "en",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.select_related("organisation").get(user=applicant)
    assert profile.position == stored
    assert profile.organisation.name == stored
    assert profile.organisation.status == Organisation.Status.PROPOSED

    html = assert_safe(client.get(reverse("stakeholders:account")), stored)
    assert html.count(escape(stored)) >= 2  # the position and the organisation
    assert_safe(client.get(reverse("stakeholders:profile")), stored)  # the position, in its input

    client.force_login(personas.administrator())
    # Filtered to the proposed ones: the 220 shipped governments and organisations fill the first pages.
    assert_safe(
        client.get(reverse("admin:stakeholders_organisation_changelist"), {"status__exact": "proposed"}), stored
    )
    assert_safe(client.get(reverse("admin:stakeholders_profile_change", args=[profile.pk])), stored)
    # The staff pages that review proposals.
    assert_safe(client.get(reverse("stakeholders:staff-organisations")), stored)
    review = reverse("stakeholders:staff-organisation-review", kwargs={"pk": profile.organisation.pk})
    assert_safe(client.get(review), stored)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_justification_of_a_delegate_request(client, applicant, staff, personas, payload):
    stored = as_stored(payload)
    government = personas.government()
    delegate_request = _request(client, applicant, government, payload)
    assert delegate_request.justification == stored
    assert_safe(client.get(delegate_request.get_absolute_url()), stored)
    # A second request is refused (one is waiting): the form comes back with the text in its textarea.
    again = client.post(
        reverse("stakeholders:delegate-request"), {"organisation": government.pk, "justification": payload}
    )
    assert again.status_code == 200
    assert "already have a request" in again.content.decode()
    assert_safe(again, stored)

    client.force_login(staff)
    assert_safe(client.get(delegate_request.get_absolute_url()), stored)
    queue = assert_safe(client.get(reverse("stakeholders:staff-delegate-queue")), payload, shown=False)
    assert applicant.email in queue

    client.force_login(personas.administrator())
    assert_safe(client.get(reverse("admin:stakeholders_delegaterequest_change", args=[delegate_request.pk])), stored)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_reason_of_a_decision_and_the_audit_trail(client, applicant, staff, personas, payload):
    stored = as_stored(payload)
    delegate_request = _request(client, applicant, personas.government(), "Counsellor at the mission")
    client.force_login(staff)
    response = client.post(
        reverse("stakeholders:staff-delegate-decide", args=[delegate_request.pk]),
        {"decision": "reject", "reason": payload},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="stakeholders.delegate_request.rejected")
    assert entry.after["reason"] == stored

    audit = assert_safe(client.get(reverse("stakeholders:staff-audit")), payload, shown=False)
    assert escape(str(entry.after)) in audit  # the reason, inside the "after" snapshot
    assert_safe(client.get(delegate_request.get_absolute_url()), stored)
    assert_safe(client.get(reverse("stakeholders:staff-delegate-queue"), {"status": "rejected"}), payload, shown=False)

    client.force_login(applicant)
    assert_safe(client.get(delegate_request.get_absolute_url()), stored)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_what_pages_reflect_from_the_address(client, staff, payload):
    client.force_login(staff)
    # The audit trail's filters are put back in their inputs.
    audit = client.get(reverse("stakeholders:staff-audit"), {"object": payload, "action": payload})
    html = assert_safe(audit, payload)
    assert html.count(f'value="{escape(payload)}"') == 2
    # The queue falls back to the pending requests for a status it does not know.
    assert_safe(client.get(reverse("stakeholders:staff-delegate-queue"), {"status": payload}), payload, shown=False)
    # The language links repeat the address, query string included, encoded or not.
    missing = reverse("roundtables:home") + "missing/"
    assert_safe(client.get(missing, {"q": payload}), payload, shown=False)
    assert_safe(client.get(missing, QUERY_STRING=f"q={payload}"), payload, shown=False)


def test_the_pages_forbid_inline_scripts(client, applicant):
    """Should markup ever get through, the browser would still not run inline scripts."""
    client.force_login(applicant)
    policy = client.get(reverse("stakeholders:account"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
