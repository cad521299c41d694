"""``manage.py create_staff``: the first staff account, from the command line, as the README says."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from stakeholders.models import AuditEntry
from stakeholders.permissions import STAFF_GROUP
from stakeholders.tests import personas

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-77"
STAFF_PAGE = "/en/staff/audit/"


def _run(monkeypatch, *args, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def test_twice_gives_one_verified_staff_account_that_opens_staff_pages_after_a_second_factor(
    client, monkeypatch, settings
):
    settings.SITE_URL = "https://gfmd.example.org"
    out = _run(monkeypatch, "chair@example.org", "--password-from-stdin", stdin=f"{PASSWORD}\n")
    assert "Created chair@example.org: co-chair staff, address verified." in out
    assert "Sign in at https://gfmd.example.org/en/accounts/login/ with chair@example.org" in out
    assert "Set up an authenticator app when asked (https://gfmd.example.org/en/accounts/2fa/)" in out
    # Again, without a password and without a terminal: the account keeps its password.
    out = _run(monkeypatch, "chair@example.org")
    assert "Updated chair@example.org: co-chair staff, address verified." in out

    [user] = get_user_model().objects.filter(email__iexact="chair@example.org")
    assert user.is_active and user.check_password(PASSWORD)
    assert list(user.groups.values_list("name", flat=True)) == [STAFF_GROUP]
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("chair@example.org", True, True)
    ]
    assert AuditEntry.objects.filter(action="stakeholders.user.made_staff", object_id=str(user.pk)).count() == 1

    # Signing in as the README says works; the staff pages first ask for a second factor.
    response = client.post("/en/accounts/login/", {"login": "chair@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(STAFF_PAGE)["Location"] == "/en/accounts/2fa/totp/activate/?next=%2Fen%2Fstaff%2Faudit%2F"
    personas.with_second_factor(user)
    response = client.get(STAFF_PAGE)
    assert response.status_code == 200
    assert "Audit trail" in response.content.decode()


def test_it_promotes_an_existing_account_and_verifies_its_address(monkeypatch):
    user = personas.participant("member@example.org", verified=False)
    _run(monkeypatch, "Member@Example.org")  # an account with a password: no prompt
    user.refresh_from_db()
    assert user.check_password(personas.PASSWORD)
    assert user.groups.filter(name=STAFF_GROUP).exists()
    assert EmailAddress.objects.get(user=user).verified
    assert get_user_model().objects.count() == 1


def test_a_new_account_needs_a_good_password(monkeypatch):
    with pytest.raises(CommandError, match="No terminal to ask for a password"):
        _run(monkeypatch, "new@example.org")
    with pytest.raises(CommandError, match="too short"):
        _run(monkeypatch, "new@example.org", "--password-from-stdin", stdin="short\n")
    with pytest.raises(CommandError, match="is not an email address"):
        _run(monkeypatch, "not-an-address", "--password-from-stdin", stdin=f"{PASSWORD}\n")
    assert not get_user_model().objects.exists()
