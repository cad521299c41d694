"""allauth's flows as the portal configures them: sign-up with a profile and mandatory email
verification, login by emailed code, no account enumeration, the lock-out after failed logins
(the admin signs in through allauth too) and the second factor required of staff.

Emails of the portal's own flows (delegate decisions, invitations) are tested with the services.
"""

import re
import time
from urllib.parse import urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from stakeholders.models import Constituency, Organisation, Profile

PASSWORD = "Correct-horse-battery-9"
NOT_CORRECT = "The email address and/or password you specified are not correct."
TOO_MANY = "Too many failed login attempts. Try again later."


def _signed_in(client):
    return "_auth_user_id" in client.session


def _signed_in_as(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def _login(client, email, password, next_url=None):
    url = reverse("account_login")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"login": email, "password": password})


def _totp_code(secret):
    """The current code of an authenticator app for ``secret``."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def _wrong_totp_code(secret):
    """A code that is valid neither now nor in the next period."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    valid = {format_hotp_value(hotp_value(secret, counter + step)) for step in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in valid)


# --- Sign-up -----------------------------------------------------------------------------------


def _signup_data(email, **profile):
    return {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "given_name": "Awa",
        "family_name": "Ndiaye",
        "constituency": Constituency.CIVIL_SOCIETY,
        "country": "SN",
        "position": "Chargée de programme",
        "preferred_language": "fr",
        **profile,
    }


@pytest.mark.parametrize("choice", ["chosen", "proposed"])
def test_sign_up_verify_in_french_then_sign_in(client, personas, choice):
    organisation = personas.civil_society("Réseau des migrants", "SN")
    profile = (
        {"organisation": organisation.pk}
        if choice == "chosen"
        else {"proposed_organisation": "Association des jeunes de Kolda"}
    )
    form = client.get(reverse("account_signup"))
    assert form.status_code == 200
    assert 'name="preferred_language"' in form.content.decode()

    response = client.post(reverse("account_signup"), _signup_data("awa@example.org", **profile))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not _signed_in(client)

    user = get_user_model().objects.get(email="awa@example.org")
    stored = Profile.objects.select_related("organisation").get(user=user)
    assert (stored.constituency, stored.country.code, stored.position, stored.preferred_language) == (
        Constituency.CIVIL_SOCIETY,
        "SN",
        "Chargée de programme",
        "fr",
    )
    assert stored.delegate_status == Profile.DelegateStatus.NONE
    if choice == "chosen":
        assert stored.organisation == organisation
    else:
        assert stored.organisation.name == "Association des jeunes de Kolda"
        assert stored.organisation.status == Organisation.Status.PROPOSED
    assert not EmailAddress.objects.get(user=user).verified

    # The verification email is in French, the language the person chose, although the form was English.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["awa@example.org"]
    assert message.subject == "[GFMD] Confirmez votre adresse e-mail"
    assert "Pour confirmer que cela est correct, allez sur" in message.body
    assert "To confirm" not in message.body
    # The link opens the site in French, and the site has its own name, not Django's example.com.
    assert "/fr/accounts/confirm-email/" in message.body
    assert "example.com" not in message.body

    # Before verification the password is right, yet nobody is signed in.
    refused = _login(client, "awa@example.org", PASSWORD)
    assert refused.status_code == 302
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert not _signed_in(client)

    link = re.search(r"https?://\S+/confirm-email/\S+/", message.body).group(0)
    confirm_path = urlparse(link).path
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert page.context["confirmation"].email_address.email == "awa@example.org"
    confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    signed_in = _login(client, "awa@example.org", PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == reverse("stakeholders:account")
    assert _signed_in_as(client, user)


def test_a_new_person_cannot_claim_a_role_at_sign_up(client, personas):
    data = _signup_data("claims@example.org", delegate_status="verified", is_staff="on", is_superuser="on")
    client.post(reverse("account_signup"), data)
    user = get_user_model().objects.get(email="claims@example.org")
    assert not (user.is_staff or user.is_superuser)
    assert not user.groups.exists()
    assert user.profile.delegate_status == Profile.DelegateStatus.NONE


# --- Login by code -------------------------------------------------------------------------------


def _code_from(message):
    paragraphs = [part.strip() for part in message.body.split("\n\n") if part.strip()]
    for index, paragraph in enumerate(paragraphs):
        if "sign-in code is listed below" in paragraph:
            return paragraphs[index + 1]
    raise AssertionError(f"no sign-in code in {message.body!r}")


def test_login_by_emailed_code(client, personas):
    user = personas.participant()
    request_url = reverse("account_request_login_code")
    assert request_url == "/en/accounts/login/code/"
    assert client.get(request_url).status_code == 200

    response = client.post(request_url, {"email": "participant@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert not _signed_in(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[GFMD] Sign-In Code"
    code = _code_from(mail.outbox[0])

    wrong = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not _signed_in(client)

    confirmed = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("stakeholders:account")
    assert _signed_in_as(client, user)


def test_the_login_code_email_is_in_the_recipients_language(client, personas):
    personas.participant(language="fr")
    client.post(reverse("account_request_login_code"), {"email": "participant@example.org"})
    assert mail.outbox[0].subject == "[GFMD] Code de connexion"


# --- No account enumeration --------------------------------------------------------------------


def _answer(response):
    return response.status_code, response.get("Location")


@pytest.mark.parametrize(
    ("url_name", "field"),
    [("account_reset_password", "email"), ("account_request_login_code", "email")],
)
def test_known_and_unknown_addresses_get_the_same_answer(client, personas, url_name, field):
    personas.participant()
    known = client.post(reverse(url_name), {field: "participant@example.org"})
    client.logout()  # the login-code flow keeps its state in the session; start afresh
    unknown = client.post(reverse(url_name), {field: "nobody@example.org"})
    assert _answer(known) == _answer(unknown)
    assert known.status_code == 302
    # The difference is only in the mailbox: the unknown address is told it has no account.
    assert [message.to for message in mail.outbox] == [["participant@example.org"], ["nobody@example.org"]]
    assert "Unknown Account" not in mail.outbox[0].subject
    assert mail.outbox[1].subject == "[GFMD] Unknown Account"


def test_signing_up_with_a_taken_address_reveals_nothing(client, personas):
    owner = personas.participant(language="fr")
    fresh = client.post(reverse("account_signup"), _signup_data("newcomer@example.org"))
    client.logout()
    mail.outbox.clear()

    taken = client.post(reverse("account_signup"), _signup_data("participant@example.org"))
    # The same answer as for a new address: "check your mailbox", no form error.
    assert _answer(taken) == _answer(fresh) == (302, reverse("account_email_verification_sent"))
    assert not _signed_in(client)
    assert get_user_model().objects.filter(email__iexact="participant@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.check_password(personas.PASSWORD)
    assert owner.profile.position == ""  # the sign-up did not touch the owner's profile
    # The owner, not the person signing up, is told, in the owner's language.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["participant@example.org"]
    assert mail.outbox[0].subject == "[GFMD] Ce compte existe déjà"


# --- Lock-out after failed logins ---------------------------------------------------------------


def _lock_out_through_the_admin_login(client, administrator):
    # The admin's login page sends people to allauth's login form.
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("account_login"))
    assert "next=/admin/" in login_url.replace("%2F", "/")
    for _attempt in range(5):
        failed = client.post(login_url, {"login": administrator.email, "password": "not-the-password"})
        assert failed.status_code == 200
        assert NOT_CORRECT in failed.content.decode()
    # The 6th attempt is refused before the password is even checked: the right one does not help.
    refused = client.post(login_url, {"login": administrator.email, "password": "a-long-test-password-42"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert TOO_MANY in page
    assert NOT_CORRECT not in page
    assert refused.context["form"].errors["__all__"] == [TOO_MANY]
    assert not _signed_in(client)
    # Not even the MFA stage was reached.
    assert "/2fa/" not in refused.get("Location", "")
    return login_url


def test_the_sixth_failed_admin_login_is_refused(client, personas):
    administrator = personas.administrator()
    cache.clear()
    _lock_out_through_the_admin_login(client, administrator)
    # The lock-out is for the account, not for the browser: a fresh client is refused too.
    other = client.__class__()
    again = _login(other, administrator.email, personas.PASSWORD)
    assert TOO_MANY in again.content.decode()
    # Another account from the same address is not locked out.
    personas.participant()
    assert _login(other, "participant@example.org", personas.PASSWORD).status_code == 302


@pytest.mark.redis
def test_the_lock_out_is_kept_in_redis(client, personas, real_cache, require_redis):
    import redis
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    administrator = personas.administrator()
    cache.clear()
    _lock_out_through_the_admin_login(client, administrator)
    # The failure count lives in Redis, shared by every web process.
    server = redis.Redis.from_url(require_redis)
    assert server.keys("*allauth:rl:allauth.account:login_failed:5/*")


# --- Second factor for staff --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/en/staff/delegate-requests/", "/admin/"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, personas, path):
    user = personas.administrator(second_factor=False) if path == "/admin/" else personas.staff(second_factor=False)
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    location = urlparse(response["Location"])
    assert location.path == reverse("mfa_activate_totp")
    assert location.query == f"next={path.replace('/', '%2F')}"


def test_a_participant_is_not_asked_for_a_second_factor(client, personas):
    client.force_login(personas.participant())
    assert client.get("/en/staff/delegate-requests/").status_code == 403


def test_staff_activate_totp_then_reach_the_staff_pages(client, personas):
    user = personas.staff(second_factor=False)
    # A real sign-in: activating an authenticator requires a recent authentication.
    assert _login(client, user.email, personas.PASSWORD).status_code == 302
    assert _signed_in_as(client, user)

    sent = client.get("/en/staff/delegate-requests/")
    assert sent.status_code == 302
    activate_url = sent["Location"]
    # allauth asks for the password again before an authenticator is added (a sign-in does not
    # count as a re-authentication), then comes back to the activation page.
    reauthenticate = client.get(activate_url)
    assert reauthenticate.status_code == 302
    assert urlparse(reauthenticate["Location"]).path == reverse("account_reauthenticate")
    back = client.post(reauthenticate["Location"], {"password": personas.PASSWORD})
    assert back.status_code == 302
    assert back["Location"] == activate_url
    page = client.get(activate_url)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret == client.session["mfa.totp.secret"]
    assert f"secret={secret}" in page.context["totp_url"]

    wrong = client.post(
        reverse("mfa_activate_totp"), {"code": "000000" if _totp_code(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"] == ["Incorrect code."]
    assert not Authenticator.objects.filter(user=user).exists()

    activated = client.post(reverse("mfa_activate_totp"), {"code": _totp_code(secret)})
    assert activated.status_code == 302
    assert activated["Location"] == reverse("mfa_view_recovery_codes")
    types = set(Authenticator.objects.filter(user=user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200
    assert len(codes.context["unused_codes"]) == 10
    # Once the codes are saved, a link goes on to the page that asked for the second factor.
    assert 'href="/en/staff/delegate-requests/">I have saved my codes' in codes.content.decode()

    assert client.get("/en/staff/delegate-requests/").status_code == 200


def test_staff_with_totp_are_asked_for_the_code_at_login(client, personas):
    user = personas.staff()
    # personas.staff() activated an authenticator; read its secret back to act as the app.
    secret = decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])

    response = _login(client, user.email, personas.PASSWORD, next_url="/en/staff/delegate-requests/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not _signed_in(client)
    # Until the code is given, the staff pages are not open.
    assert client.get("/en/staff/delegate-requests/").status_code == 302

    wrong = client.post(reverse("mfa_authenticate"), {"code": _wrong_totp_code(secret)})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    assert not _signed_in(client)

    accepted = client.post(reverse("mfa_authenticate"), {"code": _totp_code(secret)})
    assert accepted.status_code == 302
    assert accepted["Location"] == "/en/staff/delegate-requests/"
    assert _signed_in_as(client, user)
    assert client.get("/en/staff/delegate-requests/").status_code == 200


def test_a_recovery_code_opens_the_second_step_once(client, personas):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = personas.staff()
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    assert _login(client, user.email, personas.PASSWORD)["Location"] == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert _signed_in_as(client, user)

    client.logout()
    _login(client, user.email, personas.PASSWORD)
    reused = client.post(reverse("mfa_authenticate"), {"code": code})
    assert reused.status_code == 200
    assert "Incorrect code." in reused.content.decode()
    assert not _signed_in(client)


@pytest.mark.parametrize(
    ("stored", "linked"),
    [("/en/staff/agenda/", "/en/staff/agenda/"), (None, None), ("//evil.example/", None), ("https://x.org/", None)],
)
def test_the_continue_link_after_the_recovery_codes_is_a_path_of_this_site_only(rf, personas, stored, linked):
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.urls import resolve

    from gfmd_portal.context_processors import after_second_factor

    request = rf.get(reverse("mfa_view_recovery_codes"))
    request.resolver_match = resolve(request.path)
    request.user = personas.staff()
    request.session = SessionStore()
    if stored:
        request.session["after_second_factor"] = stored
    assert after_second_factor(request).get("after_second_factor") == linked
    # Any other page: nothing.
    other = rf.get("/en/")
    other.resolver_match, other.user, other.session = resolve("/en/"), request.user, request.session
    assert after_second_factor(other) == {}
