"""Who may open which page: every route of the URLconf, for every role.

Each route is a row of ``MATRIX`` (or, for the Django admin, of the ``admin:*`` rule) with
the answer expected for each role and method. A route that is in the URLconf but in no row
fails ``test_every_route_is_in_the_matrix``: a feature that adds routes adds its rows here.

Roles: anonymous; the participant who owns the objects (a delegate request with a note
verbale); a second participant who owns nothing; a verified delegate; co-chair staff and an
administrator, both with a second factor; and the same staff and administrator without one,
who are sent to set one up before any staff page. Two focal points (verified delegates whom
staff appointed, with a second factor): one of the government of the owner's request, one of
another government; unless a row says otherwise they get what the verified delegate gets.

Expectations: a status code, or ``To(target)``: a 302 to the page named ``target`` (a URL
name, or a path when it starts with "/"). ``LOGIN`` is the sign-in page, ``MFA`` the second
factor set-up, ``REAUTH`` allauth's "confirm your password", ``ADMIN_LOGIN`` the admin's.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

ROLES = (
    "anonymous",
    "owner",
    "other_participant",
    "delegate",
    "staff",
    "administrator",
    "staff_without_2fa",
    "administrator_without_2fa",
    "focal_point",
    "other_focal_point",
)
# Roles that, unless a row names them, get the answer of another role.
FALLBACK = {"focal_point": "delegate", "other_focal_point": "delegate"}


# --- Expectations --------------------------------------------------------------------------


@dataclass(frozen=True)
class To:
    """A redirect (302) to ``target``: a URL name, or a path when it starts with "/"."""

    target: str

    def matches(self, response):
        if response.status_code != 302:
            return False
        path = urlsplit(response["Location"]).path
        if self.target.startswith("/"):
            return path == self.target
        try:
            return resolve(path).view_name == self.target
        except Resolver404:
            return False

    def __str__(self):
        return f"302 to {self.target}"


LOGIN = To("account_login")
ADMIN_LOGIN = To("admin:login")
MFA = To("mfa_activate_totp")
REAUTH = To("account_reauthenticate")
ACCOUNT = To("stakeholders:account")
REFUSALS = (403, 404, 405, LOGIN, ADMIN_LOGIN, MFA)


def matches(expected, response):
    if isinstance(expected, To):
        return expected.matches(response)
    return response.status_code == expected


def expect(anonymous, owner, other_participant, delegate, staff, administrator, **without_2fa):
    """One row: the answer for each role. The roles without a second factor default to the
    answer of their counterpart, or to MFA on a staff page (see ``Route``); the focal points to
    the delegate's answer (``FALLBACK``)."""
    row = {
        "anonymous": anonymous,
        "owner": owner,
        "other_participant": other_participant,
        "delegate": delegate,
        "staff": staff,
        "administrator": administrator,
    }
    unknown = set(without_2fa) - {"staff_without_2fa", "administrator_without_2fa", *FALLBACK}
    assert not unknown, unknown
    row.update(without_2fa)
    return row


def same(answer):
    return expect(answer, answer, answer, answer, answer, answer)


PUBLIC = same(200)
NOT_ALLOWED = same(405)
SIGNED_IN = expect(LOGIN, 200, 200, 200, 200, 200)
STAFF_ONLY = expect(LOGIN, 403, 403, 403, 200, 200)
SIGNED_OUT_ONLY = expect(200, ACCOUNT, ACCOUNT, ACCOUNT, ACCOUNT, ACCOUNT)
NEEDS_REAUTHENTICATION = expect(LOGIN, REAUTH, REAUTH, REAUTH, REAUTH, REAUTH)


@dataclass
class Route:
    """A row of the matrix: how to build the URL, what to send, what each role gets."""

    get: dict | None = None
    post: dict | None = None
    kwargs: Callable[["World"], dict] | dict = field(default_factory=dict)
    post_data: Callable[["World"], dict] | None = None
    # Other spellings of the same route (the API's format suffixes), checked alike.
    variants: tuple = ()
    # Under /<lang>/staff/ or /admin/: staff without a second factor are sent to set one up.
    staff_page: bool = False

    def methods(self):
        return [method for method in ("GET", "POST") if getattr(self, method.lower()) is not None]

    def expectation(self, method, role):
        row = getattr(self, method.lower())
        if role in row:
            return row[role]
        if role in FALLBACK:
            return self.expectation(method, FALLBACK[role])
        if self.staff_page:
            return MFA
        return row[role.removesuffix("_without_2fa")]

    def urls(self, world):
        kwargs = self.kwargs(world) if callable(self.kwargs) else self.kwargs
        return [reverse(self.name, kwargs={**kwargs, **variant}) for variant in ({}, *self.variants)]


# --- The matrix ------------------------------------------------------------------------------

_request_pk = lambda w: {"pk": w.delegate_request.pk}  # noqa: E731
_registration_pk = lambda w: {"pk": w.registration.pk}  # noqa: E731
_common_space = lambda w: w.open_common_space() or {}  # noqa: E731
_common_space_slug = lambda w: w.open_common_space() or {"slug": "common-space"}  # noqa: E731
_json = ({"format": "json"},)
# The other focal point is a verified delegate of another government: its drafts are not theirs.
_NOT_THEIRS = {"other_focal_point": 404}
# Staff without a second factor see only their own requests (none): another's is a 404.
_FOCAL_ONLY_404 = {"staff_without_2fa": 404, "administrator_without_2fa": 404}
_MFA_WITHOUT = {"staff_without_2fa": MFA, "administrator_without_2fa": MFA}
# The declaration's drafts: staff only, a 404 to everyone else (declaration rows below).
_DRAFT_ONLY = expect(404, 404, 404, 404, 200, 200, staff_without_2fa=404, administrator_without_2fa=404)
_DRAFT_PAGE = expect(404, 404, 404, 404, 200, 200)  # under /staff/: without a second factor, sent to set one up
_DRAFT_ACTION = expect(404, 404, 404, 404, To("declarations:staff-draft"), To("declarations:staff-draft"))
_declaration_draft = lambda w: {"pk": w.declaration_draft.pk}  # noqa: E731
# Agenda curation: the staff's draft session of the World (see World.agenda_session).
_agenda_slug = lambda w: {"slug": w.agenda_session.slug}  # noqa: E731
_AGENDA_POST_ONLY = expect(LOGIN, 403, 403, 403, 405, 405)
_AGENDA_CHANGED = expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-agenda-session")] * 2)

# The programme editor: the 2017 forum (or a small one when the programme is not loaded), round table 1.1.
_programme_forum = lambda w: {"forum": w.programme_forum.slug}  # noqa: E731
_programme_round_table = lambda w: {"forum": w.programme_forum.slug, "pk": w.programme_round_table.pk}  # noqa: E731
_programme_question = lambda w: {  # noqa: E731
    "forum": w.programme_forum.slug,
    "pk": w.programme_round_table.pk,
    "question": w.programme_question_ids[0],
}
_PROGRAMME_FORUM_CHANGED = expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-programme-forum")] * 2)
_PROGRAMME_ROUND_TABLE_CHANGED = expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-programme-round-table")] * 2)

MATRIX = {
    # Service endpoints and the JSON API: public, read-only.
    "healthz": Route(get=PUBLIC),
    "bench-bare": Route(get=PUBLIC),
    "bench-signed-in": Route(get=PUBLIC, post=PUBLIC),
    "api-root": Route(get=PUBLIC, variants=_json),
    "roundtable-list": Route(get=PUBLIC, post=NOT_ALLOWED, variants=_json),
    "roundtable-detail": Route(get=PUBLIC, kwargs={"code": "1.1"}, variants=_json),
    "sdg-target-list": Route(get=PUBLIC, post=NOT_ALLOWED, variants=_json),
    "sdg-target-detail": Route(get=PUBLIC, kwargs={"code": "10.7"}, variants=_json),
    "compact-theme-list": Route(get=PUBLIC, post=NOT_ALLOWED, variants=_json),
    "compact-theme-detail": Route(get=PUBLIC, kwargs={"code": "A.a"}, variants=_json),
    "schema": Route(get=PUBLIC, post=NOT_ALLOWED),
    "swagger-ui": Route(get=PUBLIC),
    # Public pages of the programme and the reference frameworks.
    "roundtables:home": Route(get=PUBLIC, post=NOT_ALLOWED),
    "roundtables:current-programme": Route(get=PUBLIC),
    "roundtables:programme": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017"}),
    "roundtables:detail": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017", "code": "1.1"}),
    "sdg_targets:target-list": Route(get=PUBLIC),
    "sdg_targets:target-detail": Route(get=PUBLIC, kwargs={"code": "10.7"}),
    "sdg_targets:theme-list": Route(get=PUBLIC),
    "sdg_targets:theme-detail": Route(get=PUBLIC, kwargs={"code": "A.a"}),
    # A person's own account.
    "stakeholders:account": Route(get=SIGNED_IN, post=expect(LOGIN, 405, 405, 405, 405, 405)),
    "stakeholders:profile": Route(
        get=SIGNED_IN,
        post=expect(LOGIN, ACCOUNT, ACCOUNT, ACCOUNT, ACCOUNT, ACCOUNT),
        post_data=lambda w: {
            "given_name": "Ada",
            "family_name": "Byron",
            "constituency": "civil_society",
            "preferred_language": "en",
            "position": "Adviser",
        },
    ),
    # Any participant with a verified address who is not yet a delegate may ask; the owner
    # already has a request waiting, so the form comes back with that error.
    "stakeholders:delegate-request": Route(
        get=expect(LOGIN, 200, 200, 403, 200, 200),
        post=expect(
            LOGIN,
            200,
            To("stakeholders:delegate-request-detail"),
            403,
            To("stakeholders:delegate-request-detail"),
            To("stakeholders:delegate-request-detail"),
        ),
        post_data=lambda w: {"organisation": w.government.pk, "justification": "Counsellor at the mission"},
    ),
    # Someone else's request (and its note verbale) is a 404: its existence is not revealed.
    # Staff see every request, but only with a second factor; a focal point their government's.
    "stakeholders:delegate-request-detail": Route(
        get=expect(LOGIN, 200, 404, 404, 200, 200, **_FOCAL_ONLY_404, focal_point=200, other_focal_point=404),
        post=expect(LOGIN, 405, 405, 405, 405, 405),
        kwargs=_request_pk,
    ),
    "stakeholders:delegate-request-note": Route(
        get=expect(LOGIN, 200, 404, 404, 200, 200, **_FOCAL_ONLY_404, focal_point=200, other_focal_point=404),
        kwargs=_request_pk,
    ),
    # Anyone signed in may open an invitation link; accepting it with another address than
    # the invited one fails and comes back to the invitation.
    "stakeholders:accept-invitation": Route(
        get=SIGNED_IN,
        post=expect(LOGIN, *[To("stakeholders:accept-invitation")] * 5),
        kwargs=lambda w: {"token": w.token},
    ),
    # Co-chair staff. Focal points share the delegate requests' pages, limited to their
    # government: another government's request is a 404 for them.
    "stakeholders:staff-home": Route(get=STAFF_ONLY, post=expect(LOGIN, 403, 403, 403, 405, 405), staff_page=True),
    "stakeholders:staff-delegate-queue": Route(
        get=expect(LOGIN, 403, 403, 403, 200, 200, focal_point=200, other_focal_point=200), staff_page=True
    ),
    "stakeholders:staff-delegate-decide": Route(
        get=expect(LOGIN, 403, 403, 403, 405, 405, focal_point=405, other_focal_point=405),
        post=expect(
            LOGIN,
            403,
            403,
            403,
            To("stakeholders:staff-delegate-queue"),
            To("stakeholders:staff-delegate-queue"),
            focal_point=To("stakeholders:staff-delegate-queue"),
            other_focal_point=404,
        ),
        kwargs=_request_pk,
        post_data=lambda w: {"decision": "reject", "reason": "No confirmation from the ministry"},
        staff_page=True,
    ),
    # Proposed organisations: staff approve, merge or reject them.
    "stakeholders:staff-organisations": Route(get=STAFF_ONLY, staff_page=True),
    "stakeholders:staff-organisation-review": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, *[To("stakeholders:staff-organisations")] * 2),
        kwargs=lambda w: {"pk": w.proposed_organisation.pk},
        post_data=lambda w: {"decision": "reject", "reason": "Not an organisation"},
        staff_page=True,
    ),
    # Focal points of governments: staff appoint a verified delegate, or end the role.
    "stakeholders:staff-focal-points": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, *[To("stakeholders:staff-focal-points")] * 2),
        post_data=lambda w: {"profile": w.focal_point_candidate.profile.pk},
        staff_page=True,
    ),
    "stakeholders:staff-focal-point-remove": Route(
        get=expect(LOGIN, 403, 403, 403, 405, 405),
        post=expect(LOGIN, 403, 403, 403, *[To("stakeholders:staff-focal-points")] * 2),
        kwargs=lambda w: {"pk": w.appointed_focal_point.profile.pk},
        staff_page=True,
    ),
    "stakeholders:staff-invitations": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, To("stakeholders:staff-invitations"), To("stakeholders:staff-invitations")),
        post_data=lambda w: {"email": "new.delegate@example.org", "organisation": w.government.pk, "language": "fr"},
        staff_page=True,
    ),
    "stakeholders:staff-audit": Route(get=STAFF_ONLY, staff_page=True),
    # Registration for sessions (the common space): anyone may read the page, a signed-in person
    # with a verified address registers (everyone here has one); a registration is its owner's
    # only: staff included, anyone else gets a 404.
    "roundtables:common-space": Route(get=PUBLIC, post=NOT_ALLOWED, kwargs=_common_space),
    "roundtables:common-space-register": Route(
        get=expect(LOGIN, 405, 405, 405, 405, 405),
        post=expect(LOGIN, *[To("roundtables:common-space")] * 5),
        kwargs=_common_space,
        post_data=lambda w: {"dietary_needs": "Vegetarian", "visa_letter_needed": "no"},
    ),
    "roundtables:session-registration": Route(get=PUBLIC, post=NOT_ALLOWED, kwargs=_common_space_slug),
    "roundtables:session-register": Route(
        get=expect(LOGIN, 405, 405, 405, 405, 405),
        post=expect(LOGIN, *[To("roundtables:session-registration")] * 5),
        kwargs=_common_space_slug,
        post_data=lambda w: {"accessibility_needs": "Step-free access"},
    ),
    "roundtables:my-registrations": Route(get=SIGNED_IN, post=expect(LOGIN, 405, 405, 405, 405, 405)),
    "roundtables:registration-cancel": Route(
        get=expect(LOGIN, 200, 404, 404, 404, 404),  # the question "Cancel your registration…?"
        post=expect(LOGIN, To("roundtables:my-registrations"), 404, 404, 404, 404),
        kwargs=_registration_pk,
    ),
    "roundtables:registration-ics": Route(get=expect(LOGIN, 200, 404, 404, 404, 404), kwargs=_registration_pk),
    "roundtables:registration-qr": Route(get=expect(LOGIN, 200, 404, 404, 404, 404), kwargs=_registration_pk),
    "roundtables:staff-registration-policy": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, To("roundtables:staff-registrations"), To("roundtables:staff-registrations")),
        kwargs=_common_space_slug,
        post_data=lambda w: {"total_seats": "40", "seats_civil_society": "5", "ask_dietary": "on"},
        staff_page=True,
    ),
    "roundtables:staff-registrations": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, To("roundtables:staff-registrations"), To("roundtables:staff-registrations")),
        kwargs=_common_space_slug,
        post_data=lambda w: {"action": "cancel", "registration": w.registration.pk, "reason": "Duplicate account"},
        staff_page=True,
    ),
    "roundtables:staff-registrations-csv": Route(get=STAFF_ONLY, kwargs=_common_space_slug, staff_page=True),
    "roundtables:staff-check-in": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, 200, 200),
        kwargs=_common_space_slug,
        post_data=lambda w: {"code": w.registration.checkin_code},
        staff_page=True,
    ),
    # Badges: the PDF (a small set) is the answer to the form; a large set's job and its PDF.
    "roundtables:staff-badges": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, 200, 200),
        kwargs=_common_space_slug,
        post_data=lambda w: {"layout": "single", "registration": w.registration.pk},
        staff_page=True,
    ),
    "roundtables:staff-badge-job": Route(get=STAFF_ONLY, kwargs=lambda w: {"pk": w.badge_job.pk}, staff_page=True),
    "roundtables:staff-badge-job-pdf": Route(get=STAFF_ONLY, kwargs=lambda w: {"pk": w.badge_job.pk}, staff_page=True),
    # The Platform for Partnerships. Public: published practices. The "delegate" role is a
    # verified delegate of the government that holds the practices below; what someone may
    # not see is a 404 everywhere, including files.
    "practice-list": Route(get=PUBLIC, post=NOT_ALLOWED, variants=_json),
    "practice-detail": Route(get=PUBLIC, kwargs=lambda w: {"pk": w.published_practice.pk}, variants=_json),
    "practices:list": Route(get=PUBLIC, post=NOT_ALLOWED),
    "practices:export-csv": Route(get=PUBLIC),
    "practices:export-json": Route(get=PUBLIC),
    "practices:detail": Route(
        get=expect(404, 404, 404, 200, 200, 200, **_NOT_THEIRS, staff_without_2fa=404, administrator_without_2fa=404),
        kwargs=lambda w: {"pk": w.draft_practice.pk},
    ),
    "practices:attachment": Route(
        get=PUBLIC,
        kwargs=lambda w: {"pk": w.published_practice.pk, "attachment_pk": w.practice_attachment.pk},
    ),
    "practices:create": Route(
        get=expect(LOGIN, 403, 403, 200, 403, 403),
        post=expect(LOGIN, 403, 403, To("practices:edit"), 403, 403),
        post_data=lambda w: {"title": "A new practice", "language": "en", "save": "1"},
    ),
    "practices:mine": Route(get=expect(LOGIN, 403, 403, 200, 403, 403)),
    "practices:edit": Route(
        get=expect(LOGIN, 404, 404, 200, 403, 403, **_NOT_THEIRS, staff_without_2fa=404, administrator_without_2fa=404),
        kwargs=lambda w: {"pk": w.draft_practice.pk},
    ),
    "practices:submit": Route(
        get=expect(LOGIN, 405, 405, 405, 405, 405),
        post=expect(
            LOGIN,
            404,
            404,
            To("practices:mine"),
            403,
            403,
            **_NOT_THEIRS,
            staff_without_2fa=404,
            administrator_without_2fa=404,
        ),
        kwargs=lambda w: {"pk": w.draft_practice.pk},
    ),
    "practices:withdraw": Route(
        get=expect(LOGIN, 405, 405, 405, 405, 405),
        post=expect(LOGIN, 403, 403, To("practices:mine"), 403, 403, other_focal_point=403),
        kwargs=lambda w: {"pk": w.published_practice.pk},
    ),
    # Reviewers' pages are under /<lang>/practices/review/, which the second-factor
    # middleware treats as a staff area too.
    "practices:review-queue": Route(get=expect(LOGIN, 403, 403, 403, 200, 200, **_MFA_WITHOUT)),
    "practices:review": Route(
        get=expect(LOGIN, 403, 403, 403, 200, 200, **_MFA_WITHOUT),
        post=expect(LOGIN, 403, 403, 403, To("practices:review"), To("practices:review"), **_MFA_WITHOUT),
        kwargs=lambda w: {"pk": w.submitted_practice.pk},
        post_data=lambda w: {"action": "start_review"},
    ),
    # allauth: signing in and out, sign-up, passwords, email addresses.
    "account_login": Route(
        get=SIGNED_OUT_ONLY,
        post=SIGNED_OUT_ONLY,
        post_data=lambda w: {"login": "nobody@example.org", "password": "wrong-password"},
    ),
    "account_logout": Route(get=expect(To("/"), 200, 200, 200, 200, 200), post=same(To("/"))),
    "account_inactive": Route(get=PUBLIC),
    "account_signup": Route(get=SIGNED_OUT_ONLY),
    "account_reauthenticate": Route(get=SIGNED_IN),
    "account_request_reauthentication_code": Route(get=SIGNED_IN),
    "account_confirm_reauthentication_code": Route(
        get=expect(LOGIN, *[To("account_request_reauthentication_code")] * 5)
    ),
    "account_email": Route(get=SIGNED_IN),
    "account_email_verification_sent": Route(get=PUBLIC),
    "account_confirm_email": Route(get=PUBLIC, kwargs={"key": "not-a-valid-key"}),
    "account_change_password": Route(get=SIGNED_IN),
    "account_set_password": Route(get=expect(LOGIN, *[To("account_change_password")] * 5)),
    "account_reset_password": Route(
        get=PUBLIC,
        post=same(To("account_reset_password_done")),
        post_data=lambda w: {"email": "participant@example.org"},
    ),
    "account_reset_password_done": Route(get=PUBLIC),
    "account_reset_password_from_key": Route(get=PUBLIC, kwargs={"uidb36": "1", "key": "not-a-valid-key"}),
    "account_reset_password_from_key_done": Route(get=PUBLIC),
    "account_request_login_code": Route(get=SIGNED_OUT_ONLY),
    "account_confirm_login_code": Route(get=expect(To("account_request_login_code"), *[ACCOUNT] * 5)),
    # allauth: second factors. Changing one needs a fresh password confirmation (REAUTH).
    "mfa_index": Route(get=SIGNED_IN),
    "mfa_authenticate": Route(get=expect(LOGIN, *[ACCOUNT] * 5)),
    # The focal points have a second factor, like staff.
    "mfa_reauthenticate": Route(
        get=expect(
            LOGIN,
            REAUTH,
            REAUTH,
            REAUTH,
            200,
            200,
            staff_without_2fa=REAUTH,
            administrator_without_2fa=REAUTH,
            focal_point=200,
            other_focal_point=200,
        )
    ),
    "mfa_activate_totp": Route(get=NEEDS_REAUTHENTICATION),
    "mfa_deactivate_totp": Route(
        get=expect(
            LOGIN,
            404,
            404,
            404,
            REAUTH,
            REAUTH,
            staff_without_2fa=404,
            administrator_without_2fa=404,
            focal_point=REAUTH,
            other_focal_point=REAUTH,
        )
    ),
    "mfa_view_recovery_codes": Route(get=expect(LOGIN, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": Route(get=NEEDS_REAUTHENTICATION),
    "mfa_download_recovery_codes": Route(get=expect(LOGIN, 404, 404, 404, 404, 404)),
    "mfa_list_webauthn": Route(get=SIGNED_IN),
    "mfa_add_webauthn": Route(get=NEEDS_REAUTHENTICATION),
    "mfa_reauthenticate_webauthn": Route(get=NEEDS_REAUTHENTICATION),
    "mfa_remove_webauthn": Route(get=NEEDS_REAUTHENTICATION, kwargs=lambda w: {"pk": w.authenticator.pk}),
    "mfa_edit_webauthn": Route(get=NEEDS_REAUTHENTICATION, kwargs=lambda w: {"pk": w.authenticator.pk}),
    # --- Agenda curation and the public agenda (roundtables) ---
    # Agenda curation (co-chair staff only; every change answers with the editor again).
    "roundtables:staff-agenda": Route(get=STAFF_ONLY, staff_page=True),
    "roundtables:staff-agenda-create": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-agenda-session")] * 2),
        post_data=lambda w: {"kind": "plenary", "title_en": "Closing plenary", "venue": "Berlin"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-session": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-agenda-session")] * 2),
        kwargs=_agenda_slug,
        post_data=lambda w: {"kind": "plenary", "title_en": "Renamed plenary", "version": w.agenda_session.version},
        staff_page=True,
    ),
    "roundtables:staff-agenda-publish": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=_agenda_slug,
        post_data=lambda w: {"action": "publish"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-role-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=_agenda_slug,
        post_data=lambda w: {"role": "speaker", "guest_name": "Amina Diallo", "guest_organisation": "IOM"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-role-change": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=lambda w: {"slug": w.agenda_session.slug, "pk": w.agenda_role.pk},
        post_data=lambda w: {"role": "moderator"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-role-remove": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=lambda w: {"slug": w.agenda_session.slug, "pk": w.agenda_role.pk},
        staff_page=True,
    ),
    "roundtables:staff-agenda-item-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=_agenda_slug,
        post_data=lambda w: {"kind": "discussion", "minutes": "25"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-items-reorder": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=_agenda_slug,
        post_data=lambda w: {"order": [item.pk for item in reversed(w.agenda_items)]},
        staff_page=True,
    ),
    "roundtables:staff-agenda-items-default": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=_agenda_slug,
        staff_page=True,
    ),
    "roundtables:staff-agenda-item-change": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=lambda w: {"slug": w.agenda_session.slug, "pk": w.agenda_items[0].pk},
        post_data=lambda w: {"minutes": "12"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-item-move": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=lambda w: {"slug": w.agenda_session.slug, "pk": w.agenda_items[0].pk},
        post_data=lambda w: {"direction": "down"},
        staff_page=True,
    ),
    "roundtables:staff-agenda-item-remove": Route(
        get=_AGENDA_POST_ONLY,
        post=_AGENDA_CHANGED,
        kwargs=lambda w: {"slug": w.agenda_session.slug, "pk": w.agenda_items[0].pk},
        staff_page=True,
    ),
    # --- The programme editor (roundtables/programme/staff_views.py) and the public archive ---
    "roundtables:forum-archive": Route(get=PUBLIC),
    "roundtables:staff-programme": Route(get=STAFF_ONLY, staff_page=True),
    "roundtables:staff-programme-create": Route(
        get=STAFF_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        post_data=lambda w: {
            "slug": "gfmd-2099",
            "edition": "99",
            "year": "2099",
            "time_zone": "Europe/Berlin",
            "source_language": "en",
            "title_en": "A forum",
            "theme_en": "A theme",
        },
        staff_page=True,
    ),
    "roundtables:staff-programme-forum": Route(
        get=STAFF_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {
            "slug": w.programme_forum.slug,
            "edition": "10",
            "year": "2017",
            "time_zone": "Europe/Berlin",
            "source_language": "en",
            "title_en": "Renamed forum",
            "theme_en": "A theme",
            "version": w.programme_forum.version,
        },
        staff_page=True,
    ),
    "roundtables:staff-programme-publish": Route(
        get=_AGENDA_POST_ONLY, post=_PROGRAMME_FORUM_CHANGED, kwargs=_programme_forum, staff_page=True
    ),
    "roundtables:staff-programme-current": Route(
        get=_AGENDA_POST_ONLY,
        post=expect(LOGIN, 403, 403, 403, *[To("roundtables:staff-programme")] * 2),
        kwargs=_programme_forum,
        staff_page=True,
    ),
    "roundtables:staff-programme-copy": Route(
        get=STAFF_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {"slug": "gfmd-2018", "year": "2018", "edition": "11"},
        staff_page=True,
    ),
    "roundtables:staff-programme-translations": Route(get=STAFF_ONLY, kwargs=_programme_forum, staff_page=True),
    "roundtables:staff-programme-forum-link-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {"code": "A.b", "source": "portal"},
        staff_page=True,
    ),
    "roundtables:staff-programme-forum-link-remove": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {"kind": "theme", "code": w.programme_forum_theme_code},
        staff_page=True,
    ),
    "roundtables:staff-programme-sub-theme-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {"new-sub-theme-number": "9", "new-sub-theme-title_en": "A new sub-theme"},
        staff_page=True,
    ),
    "roundtables:staff-programme-sub-theme": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_FORUM_CHANGED,
        kwargs=lambda w: {"forum": w.programme_forum.slug, "pk": w.programme_round_table.sub_theme_id},
        post_data=lambda w: {
            f"sub-theme-{w.programme_round_table.sub_theme_id}-{name}": value
            for name, value in (("number", "1"), ("title_en", "Renamed sub-theme"), ("version", "1"))
        },
        staff_page=True,
    ),
    "roundtables:staff-programme-round-table-create": Route(
        get=STAFF_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_forum,
        post_data=lambda w: {"code": "9.9", "sub_theme": w.programme_round_table.sub_theme_id, "title_en": "New"},
        staff_page=True,
    ),
    "roundtables:staff-programme-round-table": Route(
        get=STAFF_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_round_table,
        post_data=lambda w: {
            "code": w.programme_round_table.code,
            "sub_theme": w.programme_round_table.sub_theme_id,
            "title_en": "Renamed round table",
            "version": w.programme_round_table.version,
        },
        staff_page=True,
    ),
    "roundtables:staff-programme-question-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_round_table,
        post_data=lambda w: {"new-question-text_en": "A new question?"},
        staff_page=True,
    ),
    "roundtables:staff-programme-questions-reorder": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_round_table,
        post_data=lambda w: {"order": list(reversed(w.programme_question_ids))},
        staff_page=True,
    ),
    "roundtables:staff-programme-question": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_question,
        post_data=lambda w: {
            f"question-{w.programme_question_ids[0]}-text_en": "A rewritten question?",
            f"question-{w.programme_question_ids[0]}-version": "1",
        },
        staff_page=True,
    ),
    "roundtables:staff-programme-question-move": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_question,
        post_data=lambda w: {"direction": "down"},
        staff_page=True,
    ),
    "roundtables:staff-programme-question-remove": Route(
        get=_AGENDA_POST_ONLY, post=_PROGRAMME_ROUND_TABLE_CHANGED, kwargs=_programme_question, staff_page=True
    ),
    "roundtables:staff-programme-link-add": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_round_table,
        post_data=lambda w: {"kind": "target", "code": "10.7", "source": "portal"},
        staff_page=True,
    ),
    "roundtables:staff-programme-link-remove": Route(
        get=_AGENDA_POST_ONLY,
        post=_PROGRAMME_ROUND_TABLE_CHANGED,
        kwargs=_programme_round_table,
        post_data=lambda w: {"kind": "theme", "code": w.programme_theme_code},
        staff_page=True,
    ),
    # The public agenda: published sessions for everyone; a draft session is a 404 to everyone but
    # staff with a second factor. Feeds and the PDF need no account; the private feed answers
    # whoever has its key; the page that manages that key is the signed-in person's own.
    "roundtables:agenda": Route(get=PUBLIC, post=NOT_ALLOWED),
    "roundtables:agenda-forum": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017"}),
    "roundtables:agenda-round-table": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017", "code": "1.1"}),
    "roundtables:agenda-session": Route(
        get=expect(404, 404, 404, 404, 200, 200, staff_without_2fa=404, administrator_without_2fa=404),
        kwargs=lambda w: {"forum": w.public_agenda_draft.forum.slug, "slug": w.public_agenda_draft.slug},
    ),
    "roundtables:agenda-ics": Route(get=PUBLIC, post=NOT_ALLOWED, kwargs={"forum": "gfmd-2017"}),
    "roundtables:agenda-round-table-ics": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017", "code": "1.1"}),
    "roundtables:agenda-my-ics": Route(get=PUBLIC, post=NOT_ALLOWED, kwargs=lambda w: {"key": w.public_agenda_key}),
    "roundtables:agenda-pdf": Route(get=PUBLIC, kwargs={"forum": "gfmd-2017"}),
    # The sessions in the API: the list is the published agenda; a draft is a 404 but to staff.
    "session-list": Route(get=PUBLIC, post=NOT_ALLOWED, variants=_json),
    "session-detail": Route(
        get=expect(404, 404, 404, 404, 200, 200, staff_without_2fa=404, administrator_without_2fa=404),
        kwargs=lambda w: {"slug": w.public_agenda_draft.slug},
        variants=_json,
    ),
    "roundtables:my-calendar-feed": Route(
        get=SIGNED_IN,
        post=expect(LOGIN, *[To("roundtables:my-calendar-feed")] * 5),
        post_data=lambda w: {"action": "revoke"},
    ),
    # --- end of agenda rows ---
    # --- Contributions and rapporteurs' reports (roundtables) ---
    # Everyone here has a verified address, so every signed-in role may contribute to a round table
    # of the current forum. A contribution awaiting moderation (the owner's) is a 404 for everyone
    # but its author and staff with a second factor; accepted ones are public. Staff moderate under
    # /staff/. The owner is the rapporteur of round table 1.1's (published) session: others get a 403.
    "roundtables:contribute": Route(
        get=SIGNED_IN,
        post=expect(LOGIN, *[To("roundtables:my-contributions")] * 5),
        kwargs={"forum": "gfmd-2017", "code": "1.1"},
        post_data=lambda w: {"kind": "statement", "text": "Matrix statement", "language": "en"},
    ),
    "roundtables:round-table-contributions": Route(
        get=PUBLIC, post=NOT_ALLOWED, kwargs={"forum": "gfmd-2017", "code": "1.1"}
    ),
    "roundtables:contribution-detail": Route(
        get=expect(404, 200, 404, 404, 200, 200, staff_without_2fa=404, administrator_without_2fa=404),
        post=NOT_ALLOWED,
        kwargs=lambda w: {"pk": w.contribution_submitted.pk},
    ),
    "roundtables:my-contributions": Route(get=SIGNED_IN, post=expect(LOGIN, 405, 405, 405, 405, 405)),
    "roundtables:staff-contributions": Route(
        get=STAFF_ONLY,
        post=expect(LOGIN, 403, 403, 403, To("roundtables:staff-contributions"), To("roundtables:staff-contributions")),
        post_data=lambda w: {"action": "accept", "contribution": w.contribution_submitted.pk},
        staff_page=True,
    ),
    "roundtables:session-report": Route(
        get=expect(LOGIN, 200, 403, 403, 200, 200, staff_without_2fa=403, administrator_without_2fa=403),
        post=expect(
            LOGIN,
            To("roundtables:session-report"),
            403,
            403,
            To("roundtables:session-report"),
            To("roundtables:session-report"),
            staff_without_2fa=403,
            administrator_without_2fa=403,
        ),
        kwargs=lambda w: w.contribution_report_session(),
        post_data=lambda w: {"text": "The round table agreed on three points.", "version": 0},
    ),
    # --- end of contribution rows ---
    # --- The presidential declaration (declarations) ---
    # The public reads the published declaration; any other version is staff's only, a 404 to
    # everyone else on every page and download (staff without a second factor included).
    "declarations:public": Route(get=PUBLIC, post=NOT_ALLOWED),
    "declarations:download": Route(get=_DRAFT_ONLY, kwargs=lambda w: {"pk": w.declaration_draft.pk, "fmt": "html"}),
    "declarations:staff-overview": Route(get=STAFF_ONLY, staff_page=True),
    "declarations:staff-forum": Route(
        get=STAFF_ONLY, kwargs=lambda w: {"forum": w.declaration_forum.slug}, staff_page=True
    ),
    "declarations:staff-compile": Route(
        get=expect(LOGIN, 403, 403, 403, 405, 405),
        post=expect(LOGIN, 403, 403, 403, To("declarations:staff-job"), To("declarations:staff-job")),
        kwargs=lambda w: {"forum": w.declaration_forum.slug},
        post_data=lambda w: {"language": "fr"},
        staff_page=True,
    ),
    "declarations:staff-languages": Route(
        get=STAFF_ONLY, kwargs=lambda w: {"forum": w.declaration_forum.slug}, staff_page=True
    ),
    "declarations:staff-job": Route(get=_DRAFT_PAGE, kwargs=lambda w: {"pk": w.declaration_job.pk}, staff_page=True),
    "declarations:staff-draft": Route(get=_DRAFT_PAGE, kwargs=_declaration_draft, staff_page=True),
    "declarations:staff-paragraph-edit": Route(
        get=_DRAFT_PAGE,
        post=expect(404, 404, 404, 404, To("declarations:staff-draft"), To("declarations:staff-draft")),
        kwargs=lambda w: {"pk": w.declaration_draft.pk, "position": 1},
        post_data=lambda w: {"text": "A better recommendation.", "latest_version": "1"},
        staff_page=True,
    ),
    "declarations:staff-paragraph-sources": Route(
        get=_DRAFT_PAGE, kwargs=lambda w: {"pk": w.declaration_draft.pk, "position": 1}, staff_page=True
    ),
    "declarations:staff-mark-final": Route(
        get=NOT_ALLOWED, post=_DRAFT_ACTION, kwargs=_declaration_draft, staff_page=True
    ),
    "declarations:staff-publish": Route(
        get=NOT_ALLOWED, post=_DRAFT_ACTION, kwargs=_declaration_draft, staff_page=True
    ),
    "declarations:staff-unpublish": Route(
        get=NOT_ALLOWED, post=_DRAFT_ACTION, kwargs=_declaration_draft, staff_page=True
    ),
    "declarations:staff-compare": Route(
        get=_DRAFT_PAGE, kwargs=lambda w: {"pk": w.declaration_draft.declaration_id}, staff_page=True
    ),
    # --- end of declaration rows ---
}
for _name, _route in MATRIX.items():
    _route.name = _name


# --- The Django admin: one rule for every admin:* route, with its exceptions -------------------

# Only administrators (is_staff) use the admin. Co-chair staff are not admin users: like
# participants they are sent to the admin's sign-in, which refuses them (403).
ADMIN_RULE = expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)
ADMIN_EXCEPTIONS = {
    # The admin's sign-in is allauth's (rate limits, second factor); it is open to everyone.
    ("admin:login", "GET"): expect(
        LOGIN, 403, 403, 403, 403, To("admin:index"), staff_without_2fa=403, administrator_without_2fa=To("admin:index")
    ),
    ("admin:login", "POST"): expect(
        LOGIN, 403, 403, 403, 403, 200, staff_without_2fa=403, administrator_without_2fa=200
    ),
    ("admin:logout", "GET"): expect(*[To("admin:index")] * 5, 405),
    ("admin:logout", "POST"): expect(*[To("admin:index")] * 5, 200),
    # Without the parameters of a select box it answers nothing.
    ("admin:autocomplete", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
    # "View on site" sends to the object's page (on the site's domain).
    ("admin:view_on_site", "GET"): expect(*[ADMIN_LOGIN] * 5, To("stakeholders:delegate-request-detail")),
    # The audit trail is read-only, even in the admin.
    ("admin:stakeholders_auditentry_add", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
    ("admin:stakeholders_auditentry_add", "POST"): expect(*[ADMIN_LOGIN] * 5, 403),
    ("admin:stakeholders_auditentry_delete", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
    # Requests are made by participants, invitations on the staff page: never added in the admin.
    ("admin:stakeholders_delegaterequest_add", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
    ("admin:stakeholders_delegaterequest_add", "POST"): expect(*[ADMIN_LOGIN] * 5, 403),
    ("admin:stakeholders_delegateinvitation_add", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
    ("admin:stakeholders_delegateinvitation_add", "POST"): expect(*[ADMIN_LOGIN] * 5, 403),
    # Practices are written by delegates and moved through the workflow by its services only.
    **{
        (f"admin:practices_{model}_add", method): expect(*[ADMIN_LOGIN] * 5, 403)
        for model in ("practice", "attachment", "transition")
        for method in ("GET", "POST")
    },
    ("admin:practices_transition_delete", "GET"): expect(*[ADMIN_LOGIN] * 5, 403),
}
# Which objects the admin's change/delete/history pages of each model open.
ADMIN_OBJECTS = {
    "auth.group": lambda w: w.staff_group,
    "auth.user": lambda w: w.owner,
    "sites.site": lambda w: w.site,
    "account.emailaddress": lambda w: w.owner.emailaddress_set.get(),
    "mfa.authenticator": lambda w: w.authenticator,
    "stakeholders.organisation": lambda w: w.government,
    "stakeholders.profile": lambda w: w.owner.profile,
    "stakeholders.delegaterequest": lambda w: w.delegate_request,
    "stakeholders.delegateinvitation": lambda w: w.invitation,
    "stakeholders.auditentry": lambda w: w.audit_entry,
    "practices.practice": lambda w: w.published_practice,
    "practices.attachment": lambda w: w.practice_attachment,
    "practices.transition": lambda w: w.practice_transition,
}


def _admin_object_routes():
    routes = {}
    for model in admin.site._registry:
        for view in ("change", "delete", "history"):
            routes[f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"] = model._meta.label_lower
    return routes


ADMIN_OBJECT_ROUTES = _admin_object_routes()


def admin_kwargs(name, world):
    if name in ADMIN_OBJECT_ROUTES:
        label = ADMIN_OBJECT_ROUTES[name]
        assert label in ADMIN_OBJECTS, f"Add an object of {label} to ADMIN_OBJECTS for {name}"
        return {"object_id": ADMIN_OBJECTS[label](world).pk}
    if name == "admin:app_list":
        return {"app_label": "stakeholders"}
    if name == "admin:view_on_site":
        return {
            "content_type_id": world.content_type_of(world.delegate_request).pk,
            "object_id": world.delegate_request.pk,
        }
    if name == "admin:auth_user_password_change":
        return {"id": world.owner.pk}
    return {}


def admin_methods(name):
    # Every admin page is read with GET; the pages that write are also sent an (empty) POST.
    return ["GET", "POST"] if name.endswith("_add") or name in ("admin:login", "admin:logout") else ["GET"]


def admin_expectation(name, method, role):
    row = ADMIN_EXCEPTIONS.get((name, method), ADMIN_RULE)
    if role in row:
        return row[role]
    if role in FALLBACK:
        return admin_expectation(name, method, FALLBACK[role])
    return MFA  # every admin page is a staff page


# --- Collecting the URLconf ----------------------------------------------------------------


def collect_routes(resolver=None, namespace=(), prefix=""):
    """Every named route as {"namespace:name": its pattern}, walking includes and language prefixes."""
    resolver = resolver if resolver is not None else get_resolver()
    routes = {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + ((entry.namespace,) if entry.namespace else ())
            for name, pattern in collect_routes(entry, inner, prefix + str(entry.pattern)).items():
                routes.setdefault(name, pattern)
        elif isinstance(entry, URLPattern) and entry.name:
            routes.setdefault(":".join((*namespace, entry.name)), prefix + str(entry.pattern))
    return routes


def is_admin_route(name):
    return name.startswith("admin:")


ALL_ROUTES = collect_routes()


def _cases():
    cases = []
    for name in sorted(MATRIX):
        for method in MATRIX[name].methods():
            cases += [(name, method, role) for role in ROLES]
    for name in sorted(filter(is_admin_route, ALL_ROUTES)):
        for method in admin_methods(name):
            cases += [(name, method, role) for role in ROLES]
    return cases


# --- The objects the routes open -----------------------------------------------------------------


class World:
    """The objects of the matrix, built for each test on first use (most tests need few)."""

    def __init__(self, personas):
        self.personas = personas

    @cached_property
    def owner(self):
        return self.personas.participant()

    @cached_property
    def government(self):
        return self.personas.government()

    @cached_property
    def delegate_request(self):
        """The owner's request, waiting for a decision, with a note verbale."""
        from stakeholders import services

        return services.request_delegate_status(
            user=self.owner,
            organisation=self.government,
            justification="Counsellor at the permanent mission",
            note_verbale=SimpleUploadedFile("note verbale.pdf", PDF, content_type="application/pdf"),
        )

    @cached_property
    def proposed_organisation(self):
        """An organisation a participant proposed, waiting for staff."""
        from stakeholders import services

        proposer = self.personas.participant("proposer@example.org")
        profile = services.save_profile(
            user=proposer, proposed_organisation="Diaspora Forum Berlin", constituency="civil_society", country="DE"
        )
        return profile.organisation

    @cached_property
    def focal_point_candidate(self):
        """A verified delegate of another government, not a focal point."""
        return self.personas.delegate(
            "candidate@example.org", organisation=self.personas.government("Ministry of Foreign Affairs", "MA")
        )

    @cached_property
    def appointed_focal_point(self):
        """A focal point that staff may remove (none of the roles)."""
        return self.personas.focal_point("appointed@example.org")

    @cached_property
    def invitation(self):
        """An invitation to an address none of the roles has."""
        from stakeholders.models import DelegateInvitation

        return DelegateInvitation.objects.create(
            email="invitee@example.org", organisation=self.government, language="en"
        )

    @cached_property
    def token(self):
        from stakeholders import services

        return services.invitation_token(self.invitation)

    def user(self, role):
        builders = {
            "anonymous": lambda: None,
            "owner": lambda: self.delegate_request.user,  # with the request they own
            "other_participant": lambda: self.personas.participant("other@example.org"),
            "delegate": lambda: self.personas.delegate(),
            "staff": lambda: self.personas.staff(),
            "administrator": lambda: self.personas.administrator(),
            "staff_without_2fa": lambda: self.personas.staff("staff.no2fa@example.org", second_factor=False),
            "administrator_without_2fa": lambda: self.personas.administrator(
                "admin.no2fa@example.org", second_factor=False
            ),
            # The focal point of the owner's request's government, and of another government.
            "focal_point": lambda: self.personas.focal_point(),
            "other_focal_point": lambda: self.personas.focal_point(
                "other.focal.point@example.org",
                organisation=self.personas.government("Ministry of Foreign Affairs", "MA"),
            ),
        }
        return builders[role]()

    @cached_property
    def common_space_policy(self):
        """Registration open for the common space: 50 seats, 10 reserved for civil society."""
        from roundtables.models import Forum, RegistrationPolicy, SeatQuota, Session

        session = Session.objects.filter(forum__is_current=True, slug="common-space").first()
        if session is None:  # a test that only builds URLs runs without the programme
            forum = Forum.objects.create(slug="matrix", edition=1, year=2000, title="Forum", theme="-", is_current=True)
            session = Session.objects.create(
                forum=forum, slug="common-space", kind="common_space", title="Common space", status="published"
            )
        policy = RegistrationPolicy.objects.create(session=session, total_seats=50)
        SeatQuota.objects.create(policy=policy, constituency="civil_society", seats=10)
        return policy

    def open_common_space(self):
        self.common_space_policy  # noqa: B018 - built on first use
        return None

    @cached_property
    def registration(self):
        """The owner's confirmed registration for the common space."""
        from roundtables.registration import services

        return services.register(session=self.common_space_policy.session, person=self.owner)[0]

    @cached_property
    def badge_job(self):
        """A finished job of badges for the common space."""
        from roundtables.models import BadgeJob

        session = self.common_space_policy.session
        return BadgeJob.objects.create(session=session, status="done", total=1, progress=1, pdf=PDF)

    def practice(self, status):
        """A complete practice of the delegate's government (the "delegate" role owns it)."""
        from practices.models import Practice
        from sdg_targets.models import Target

        practice = Practice.objects.create(
            organisation=self.government,
            status=status,
            title=f"Skills partnership ({status})",
            summary="Training before departure.",
            description="A pre-departure training programme.",
            countries=["DE", "MA"],
            implementing_organisations="Ministry of Labour",
            constituencies=["government"],
            start_date="2018-01-01",
            ongoing=True,
            gender_responsive=False,
            results="300 trained",
            contact_name="Desk officer",
            contact_email="desk@example.org",
            published_at="2018-06-01T00:00:00Z" if status == "published" else None,
        )
        practice.sdg_targets.set(Target.objects.filter(code="10.7"))
        return practice

    @cached_property
    def draft_practice(self):
        return self.practice("draft")

    @cached_property
    def published_practice(self):
        return self.practice("published")

    @cached_property
    def submitted_practice(self):
        return self.practice("submitted")

    @cached_property
    def practice_attachment(self):
        from practices.models import Attachment

        return Attachment.objects.create(
            practice=self.published_practice,
            file=SimpleUploadedFile("attachment.pdf", PDF, content_type="application/pdf"),
            kind="pdf",
            size=len(PDF),
        )

    @cached_property
    def practice_transition(self):
        from practices.models import Transition

        return Transition.objects.create(practice=self.submitted_practice, from_status="draft", to_status="submitted")

    @cached_property
    def audit_entry(self):
        from stakeholders import audit

        return audit.record(
            actor=None, action="stakeholders.delegate_invitation.sent", obj=self.invitation, after={"email": "x"}
        )

    @cached_property
    def authenticator(self):
        """A second factor of someone who is none of the roles."""
        from allauth.mfa.models import Authenticator

        holder = self.personas.participant("holder@example.org")
        self.personas.with_second_factor(holder)
        return Authenticator.objects.get(user=holder)

    @cached_property
    def staff_group(self):
        from django.contrib.auth.models import Group

        from stakeholders.permissions import STAFF_GROUP

        return Group.objects.get_or_create(name=STAFF_GROUP)[0]

    @cached_property
    def site(self):
        from django.contrib.sites.models import Site

        return Site.objects.get_current()

    def content_type_of(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(obj)

    # --- Programme editor objects ---
    @cached_property
    def programme_forum(self):
        from roundtables.models import Forum

        if not Forum.objects.filter(slug="gfmd-2017").exists():  # a test that only builds URLs
            self.programme_round_table  # noqa: B018 - creates the small forum
        return Forum.objects.get(slug="gfmd-2017")

    @cached_property
    def programme_round_table(self):
        from roundtables.models import Forum, GuidingQuestion, RoundTable, SubTheme

        round_table = RoundTable.objects.filter(forum__slug="gfmd-2017", code="1.1").first()
        if round_table is None:
            forum = Forum.objects.create(slug="gfmd-2017", edition=10, year=2017, title="Forum", theme="-")
            sub_theme = SubTheme.objects.create(forum=forum, number=1, title="Sub-theme")
            round_table = RoundTable.objects.create(forum=forum, sub_theme=sub_theme, code="1.1", title="RT")
            for position in (1, 2):
                GuidingQuestion.objects.create(round_table=round_table, position=position, text=f"Q{position}?")
        return round_table

    @cached_property
    def programme_question_ids(self):
        return list(self.programme_round_table.guiding_questions.order_by("position").values_list("pk", flat=True))

    @cached_property
    def programme_theme_code(self):
        link = self.programme_round_table.theme_links.select_related("theme").first()
        return link.theme.code if link else "A.a"

    @cached_property
    def programme_forum_theme_code(self):
        link = self.programme_forum.theme_links.select_related("theme").first()
        return link.theme.code if link else "A.a"

    # --- Agenda objects ---
    @cached_property
    def agenda_session(self):
        """A draft plenary of the current forum, with a guest speaker and two steps of running order."""
        from roundtables.models import Forum, Session

        if not Forum.objects.filter(is_current=True).exists():  # a test that only builds URLs
            self.open_common_space()  # creates the current forum it needs
        forum = Forum.objects.get(is_current=True)
        return Session.objects.create(
            forum=forum, slug="agenda-matrix", kind="plenary", title="Opening plenary", status="draft"
        )

    @cached_property
    def agenda_role(self):
        from roundtables.models import SessionRole

        return SessionRole.objects.create(session=self.agenda_session, role="speaker", guest_name="Guest speaker")

    @cached_property
    def agenda_items(self):
        from roundtables.models import AgendaItem

        return [
            AgendaItem.objects.create(session=self.agenda_session, kind=kind, minutes=10, position=position)
            for position, kind in enumerate(("opening", "conclusions"), start=1)
        ]

    @cached_property
    def public_agenda_draft(self):
        """A dated draft session of the current forum (the public agenda hides it)."""
        from roundtables.models import Forum, Session

        if not Forum.objects.filter(is_current=True).exists():  # a test that only builds URLs
            self.open_common_space()
        return Session.objects.create(
            forum=Forum.objects.get(is_current=True),
            slug="public-agenda-draft",
            kind="plenary",
            title="Unannounced plenary",
            start="2017-06-30T08:00:00Z",
            status="draft",
        )

    @cached_property
    def public_agenda_key(self):
        """The key of the owner's private calendar feed."""
        from roundtables.agenda import services

        return services.issue_token(person=self.owner).key

    # --- end of agenda objects ---
    # --- Contribution objects ---

    @cached_property
    def contribution_round_table(self):
        """Round table 1.1 of the current forum (the 2017 programme); a stand-in when a test runs without it."""
        from roundtables.models import Forum, RoundTable, SubTheme

        round_table = RoundTable.objects.filter(forum__is_current=True, code="1.1").first()
        if round_table is None:
            forum = Forum.objects.create(slug="matrix-contributions", edition=1, year=2001, title="Forum", theme="-")
            sub_theme = SubTheme.objects.create(forum=forum, number=1, title="Sub-theme")
            round_table = RoundTable.objects.create(forum=forum, sub_theme=sub_theme, code="1.1", title="Round table")
        return round_table

    @cached_property
    def contribution_submitted(self):
        """The owner's contribution, awaiting moderation."""
        from roundtables.contributions import services as contributions

        return contributions.submit(
            round_table=self.contribution_round_table,
            author=self.owner,
            kind="recommendation",
            text="Recognise skills gained abroad.",
            language="en",
        )

    def contribution_report_session(self):
        """Round table 1.1's session, with the owner as its rapporteur."""
        from roundtables.models import Session, SessionRole

        session = Session.objects.filter(forum__is_current=True, slug="round-table-1-1").first()
        if session is not None and not SessionRole.objects.filter(session=session, role="rapporteur").exists():
            SessionRole.objects.create(session=session, role="rapporteur", person=self.owner)
        return {"slug": "round-table-1-1"}

    # --- end of contribution objects ---
    # --- Declaration objects ---
    @cached_property
    def declaration_forum(self):
        from roundtables.models import Forum

        forum = Forum.objects.filter(is_current=True).first()
        if forum is None:  # a test that only builds URLs runs without the programme
            forum = Forum.objects.get_or_create(
                slug="matrix", defaults={"edition": 1, "year": 2000, "title": "Forum", "theme": "-", "is_current": True}
            )[0]
        return forum

    @cached_property
    def declaration_draft(self):
        """An unpublished version of the forum's English declaration, with one paragraph."""
        from declarations.models import Declaration, Draft, Paragraph

        declaration = Declaration.objects.get_or_create(forum=self.declaration_forum, language="en")[0]
        draft = Draft.objects.create(declaration=declaration, version=1, inputs_hash="0" * 64, html="<h1>Draft</h1>")
        Paragraph.objects.create(draft=draft, position=1, kind="paragraph", number="1", text="A recommendation.")
        return draft

    @cached_property
    def declaration_job(self):
        from django.utils import timezone

        from declarations.models import CompileJob

        return CompileJob.objects.create(
            declaration=self.declaration_draft.declaration,
            status="running",
            stage="round_tables",
            total=10,
            progress=5,
            heartbeat_at=timezone.now(),
        )

    # --- end of declaration objects ---

    def state(self):
        """What a refused request must not change."""
        from django.contrib.auth import get_user_model

        from practices.models import Practice
        from roundtables.models import (
            AgendaItem,
            CalendarFeedToken,
            Contribution,
            Forum,
            ForumCompactTheme,
            GuidingQuestion,
            RapporteurReport,
            Registration,
            RegistrationPolicy,
            RoundTable,
            RoundTableTarget,
            RoundTableTheme,
            Session,
            SessionRole,
            SubTheme,
        )
        from stakeholders.models import AuditEntry, DelegateInvitation, DelegateRequest, Organisation, Profile

        return (
            AuditEntry.objects.count(),
            DelegateInvitation.objects.count(),
            sorted(DelegateRequest.objects.values_list("pk", "status")),
            sorted(Profile.objects.values_list("user_id", "delegate_status", "position", "focal_point_for")),
            sorted(Organisation.objects.values_list("pk", "status", "name")),
            get_user_model().objects.count(),
            sorted(Registration.objects.values_list("pk", "status", "checked_in_at")),
            sorted(RegistrationPolicy.objects.values_list("pk", "total_seats")),
            sorted(Practice.objects.values_list("pk", "status", "version")),
            sorted(Contribution.objects.values_list("pk", "status", "duplicate_of_id")),
            sorted(RapporteurReport.objects.values_list("pk", "version")),
            sorted(Session.objects.values_list("pk", "status", "version", "room")),
            sorted(SessionRole.objects.values_list("pk", "role", "position")),
            sorted(AgendaItem.objects.values_list("pk", "position", "minutes")),
            sorted(Forum.objects.values_list("pk", "version", "status", "is_current")),
            sorted(SubTheme.objects.values_list("pk", "version")),
            sorted(RoundTable.objects.values_list("pk", "version")),
            sorted(GuidingQuestion.objects.values_list("pk", "position", "version")),
            RoundTableTarget.objects.count(),
            RoundTableTheme.objects.count(),
            sorted(ForumCompactTheme.objects.values_list("pk", "source")),
            sorted(CalendarFeedToken.objects.values_list("pk", "revoked_at")),
        )


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the note verbale is written here
    with translation.override("en"):
        yield World(personas)


@pytest.fixture(scope="module")
def programme(django_db_setup, django_db_blocker):
    """The 2017 forum, loaded once for this module (a load takes 0.3 s).

    Like Django's setUpTestData: loaded inside a transaction that is rolled back after the
    module's last test, each test running in a savepoint of its own. So nothing stays in the
    database, and the broker is never sent the cache-warming task the load records.
    """
    from roundtables.programme.services import load_forum

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
                forum, _tally = load_forum()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield forum
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _handler():
    return ClientHandler(enforce_csrf_checks=False)


@pytest.fixture
def client(_handler):
    """A new client (no cookies) for each test, sharing one request handler: loading the
    middleware for each client (WhiteNoise indexes every static file) took most of the time."""
    client = Client()
    client.handler = _handler
    return client


def describe(response):
    location = response.get("Location")
    return f"{response.status_code}" + (f" to {location}" if location else "")


# --- The tests -------------------------------------------------------------------------------------


def test_every_route_is_in_the_matrix():
    missing = sorted(name for name in ALL_ROUTES.keys() - set(MATRIX) if not is_admin_route(name))
    assert not missing, "Routes without a row in the access matrix:\n  " + "\n  ".join(missing)


def test_the_matrix_has_no_route_that_is_gone():
    gone = sorted(set(MATRIX) - ALL_ROUTES.keys())
    assert not gone, "Rows of the access matrix for routes that no longer exist:\n  " + "\n  ".join(gone)


def test_only_the_django_admin_is_covered_by_a_rule():
    """The admin:* rule covers the Django admin's pages (under /admin/) and nothing else."""
    for name, pattern in ALL_ROUTES.items():
        assert is_admin_route(name) == pattern.startswith("admin/"), (name, pattern)
    assert {name for name, _method in ADMIN_EXCEPTIONS} <= set(ALL_ROUTES)


def test_every_staff_page_is_marked_as_one(world):
    """The rows of pages under /<lang>/staff/ say so: staff without a second factor are checked there."""
    for name, route in MATRIX.items():
        under_staff = any(url.startswith("/en/staff/") for url in route.urls(world))
        assert under_staff == route.staff_page, name


@pytest.mark.parametrize(("name", "method", "role"), _cases(), ids=lambda value: str(value))
def test_access(name, method, role, programme, client, world):
    if name in MATRIX:
        route = MATRIX[name]
        urls = route.urls(world)
        expected = route.expectation(method, role)
        data = route.post_data(world) if method == "POST" and route.post_data else {}
    else:
        urls = [reverse(name, kwargs=admin_kwargs(name, world))]
        expected = admin_expectation(name, method, role)
        data = {}
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    before = world.state() if method == "POST" else None
    for url in urls:
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert matches(expected, response), f"{method} {url} as {role}: expected {expected}, got {describe(response)}"
    if method == "POST" and expected in REFUSALS:
        assert world.state() == before, f"{method} {urls[0]} as {role} was refused but changed something"


STAFF_PAGES = sorted(name for name, route in MATRIX.items() if route.staff_page)


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize("role", ["staff_without_2fa", "administrator_without_2fa"])
@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_in_every_language_ask_for_a_second_factor_first(name, role, language, client, world):
    with translation.override(language):
        url = MATRIX[name].urls(world)[0]
    assert url.startswith(f"/{language}/staff/")
    client.force_login(world.user(role))
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert resolve(location.path).view_name == "mfa_activate_totp"
    assert location.query == f"next={url.replace('/', '%2F')}"


def test_a_refused_decision_leaves_the_request_pending(client, world):
    """The matrix checks statuses; here, that a participant's POST really decides nothing."""
    from stakeholders.models import Profile

    client.force_login(world.user("owner"))
    url = reverse("stakeholders:staff-delegate-decide", kwargs={"pk": world.delegate_request.pk})
    assert client.post(url, {"decision": "approve"}).status_code == 403
    world.delegate_request.refresh_from_db()
    assert world.delegate_request.status == "pending"
    assert Profile.objects.get(user=world.owner).delegate_status == "requested"


def test_the_note_verbale_is_served_as_a_download_to_its_owner_only(client, world):
    url = reverse("stakeholders:delegate-request-note", kwargs={"pk": world.delegate_request.pk})
    client.force_login(world.owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(world.user("other_participant"))
    assert client.get(url).status_code == 404
