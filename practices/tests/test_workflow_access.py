"""Who opens which workflow page: each route for each role, as the access matrix states it.

The practice belongs to the government of "owner" (a verified delegate); "other_delegate" is a
verified delegate of another government. A practice someone may not see is a 404; one they see
but may not change is a 403; the reviewers' pages ask staff without a second factor to set one up.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import resolve, reverse

from practices import services
from practices.models import Practice
from practices.tests.workflow_factories import draft, other_delegate, published, submitted

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "owner",
    "other_participant",
    "other_delegate",
    "staff",
    "administrator",
    "staff_without_2fa",
    "administrator_without_2fa",
]
LOGIN, MFA = "->account_login", "->mfa_activate_totp"
EDIT, MINE, REVIEW = "->practices:edit", "->practices:mine", "->practices:review"


def row(anonymous, owner, other_participant, other_delegate, staff, administrator, **without_2fa):
    answers = dict(
        zip(ROLES[:6], (anonymous, owner, other_participant, other_delegate, staff, administrator), strict=True)
    )
    answers["staff_without_2fa"] = without_2fa.get("staff_without_2fa", staff)
    answers["administrator_without_2fa"] = without_2fa.get("administrator_without_2fa", administrator)
    return answers


NO_2FA_404 = {"staff_without_2fa": 404, "administrator_without_2fa": 404}
NO_2FA_403 = {"staff_without_2fa": 403, "administrator_without_2fa": 403}
STAFF_PAGE = {"staff_without_2fa": MFA, "administrator_without_2fa": MFA}

# (route, method, which practice, what is posted) -> the answer for each role
CASES = {
    ("practices:create", "GET", None): row(LOGIN, 200, 403, 200, 403, 403),
    ("practices:create", "POST", None): row(LOGIN, EDIT, 403, EDIT, 403, 403),
    ("practices:mine", "GET", None): row(LOGIN, 200, 403, 200, 403, 403),
    ("practices:edit", "GET", "draft"): row(LOGIN, 200, 404, 404, 403, 403, **NO_2FA_404),
    ("practices:edit", "POST", "draft"): row(LOGIN, EDIT, 404, 404, 403, 403, **NO_2FA_404),
    ("practices:edit", "GET", "published"): row(LOGIN, 403, 403, 403, 403, 403),
    ("practices:submit", "GET", "draft"): row(LOGIN, 405, 405, 405, 405, 405),
    ("practices:submit", "POST", "draft"): row(LOGIN, MINE, 404, 404, 403, 403, **NO_2FA_404),
    ("practices:withdraw", "GET", "published"): row(LOGIN, 405, 405, 405, 405, 405),
    ("practices:withdraw", "POST", "published"): row(LOGIN, MINE, 403, 403, 403, 403, **NO_2FA_403),
    ("practices:withdraw", "POST", "draft"): row(LOGIN, 403, 404, 404, 403, 403, **NO_2FA_404),
    ("practices:review-queue", "GET", None): row(LOGIN, 403, 403, 403, 200, 200, **STAFF_PAGE),
    ("practices:review", "GET", "submitted"): row(LOGIN, 403, 403, 403, 200, 200, **STAFF_PAGE),
    ("practices:review", "POST", "submitted"): row(LOGIN, 403, 403, 403, REVIEW, REVIEW, **STAFF_PAGE),
}
POSTED = {
    "practices:create": lambda practice: {"title": "A new practice", "language": "en", "save": "1"},
    "practices:edit": lambda practice: {"title": "Edited", "language": "en", "version": practice.version, "save": "1"},
    "practices:review": lambda practice: {"action": "start_review"},
}


def _user(role, personas):
    return {
        "anonymous": lambda: None,
        "owner": lambda: personas.delegate("colleague@example.org"),
        "other_participant": lambda: personas.participant(),
        "other_delegate": lambda: other_delegate(personas),
        "staff": lambda: personas.staff("reviewer@example.org"),
        "administrator": lambda: personas.administrator(),
        "staff_without_2fa": lambda: personas.staff("staff.no2fa@example.org", second_factor=False),
        "administrator_without_2fa": lambda: personas.administrator("admin.no2fa@example.org", second_factor=False),
    }[role]()


def _practice(kind, personas):
    author = personas.delegate()
    return {
        None: lambda: None,
        "draft": lambda: draft(author),
        "submitted": lambda: submitted(author),
        "published": lambda: published(author, personas.staff()),
    }[kind]()


def _matches(expected, response):
    if isinstance(expected, int):
        return response.status_code == expected
    if response.status_code != 302:
        return False
    return resolve(urlsplit(response["Location"]).path).view_name == expected.removeprefix("->")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "kind"), list(CASES), ids=lambda value: str(value))
def test_access(client, personas, name, method, kind, role):
    practice = _practice(kind, personas)
    url = reverse(name, kwargs={"pk": practice.pk} if practice else {})
    user = _user(role, personas)
    if user is not None:
        client.force_login(user)
    before = sorted(Practice.objects.values_list("pk", "status", "version", "title"))
    posted = POSTED.get(name, lambda p: {})(practice)
    response = client.get(url) if method == "GET" else client.post(url, posted)
    expected = CASES[(name, method, kind)][role]
    location = response.get("Location", "")
    assert _matches(expected, response), (
        f"{method} {url} as {role}: expected {expected}, got {response.status_code} {location}"
    )
    if expected in (LOGIN, MFA, 403, 404, 405):  # a refusal changes nothing
        assert sorted(Practice.objects.values_list("pk", "status", "version", "title")) == before


def test_every_workflow_route_is_covered():
    from practices import urls_workflow

    assert {f"practices:{pattern.name}" for pattern in urls_workflow.urlpatterns} == {name for name, *_ in CASES}


def test_a_submitted_practice_is_not_changed_by_a_refused_step(client, personas):
    practice = submitted(personas.delegate())
    client.force_login(other_delegate(personas))
    assert client.post(f"/en/practices/review/{practice.pk}/", {"action": "publish"}).status_code == 403
    practice.refresh_from_db()
    assert practice.status == services.Status.SUBMITTED
