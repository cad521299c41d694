"""The second-factor set-up and the password asked again say why they appeared, in each language."""

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import translation

from gfmd_portal.context_processors import REAUTHENTICATION, SECOND_FACTOR_SETUP

# (language, the reason on the set-up page, the reason for the password before it, the general reason)
WHY = {
    "en": (
        "Staff pages require a second factor.",
        "You are about to set up a second factor, which staff pages require.",
        "Sensitive actions (setting up or removing a second factor, changing your email address or password)",
    ),
    "fr": (
        "Les pages du personnel exigent un second facteur.",
        "Vous allez configurer un second facteur, exigé par les pages du personnel.",
        "Les actions sensibles (configurer ou retirer un second facteur, changer d’adresse électronique",
    ),
    "es": (
        "Las páginas del personal exigen un segundo factor.",
        "Va a configurar un segundo factor, que exigen las páginas del personal.",
        "Las acciones sensibles (configurar o retirar un segundo factor, cambiar la dirección de correo",
    ),
}


def _reason(response, element_id):
    """The text of the "why" box, whitespace collapsed (empty without it)."""
    html = response.content.decode()
    start = html.find(f'id="{element_id}"')
    if start == -1:
        return ""
    return " ".join(html[start : html.index("</div>", start)].split())


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_staff_sent_to_set_up_a_second_factor_are_told_why_at_each_step(client, personas, language):
    setup_reason, password_reason, general_reason = WHY[language]
    user = personas.staff(second_factor=False)
    signed_in = client.post(f"/{language}/accounts/login/", {"login": user.email, "password": personas.PASSWORD})
    assert signed_in.status_code == 302

    sent = client.get(f"/{language}/staff/delegate-requests/")
    with translation.override(language):
        activate_path = reverse("mfa_activate_totp")
        reauthenticate_path = reverse("account_reauthenticate")
    assert urlparse(sent["Location"]).path == activate_path
    asked = client.get(sent["Location"])
    assert urlparse(asked["Location"]).path == reauthenticate_path

    password_page = client.get(asked["Location"])
    assert password_page.status_code == 200
    why = _reason(password_page, "why-reauthenticate")
    assert password_reason in why
    assert general_reason in why

    client.post(asked["Location"], {"password": personas.PASSWORD})
    setup_page = client.get(sent["Location"])
    assert setup_page.status_code == 200
    assert setup_reason in _reason(setup_page, "why-second-factor")


def test_a_participant_setting_up_a_second_factor_is_not_told_staff_pages_need_it(client, personas):
    user = personas.participant()
    client.post("/en/accounts/login/", {"login": user.email, "password": personas.PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": personas.PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert 'id="why-second-factor"' not in page.content.decode()
    assert "Activate Authenticator App" in page.content.decode()


def test_the_password_asked_again_for_an_email_change_gives_the_general_reason_only(client, personas):
    user = personas.participant()
    client.force_login(user)  # a forced sign-in is not a recent authentication
    page = client.get(reverse("account_reauthenticate") + "?next=" + reverse("account_email"))
    assert page.status_code == 200
    why = _reason(page, "why-reauthenticate")
    assert WHY["en"][2] in why
    assert WHY["en"][1] not in why


def test_the_pages_named_exist():
    for name in SECOND_FACTOR_SETUP | REAUTHENTICATION:
        assert reverse(name)
