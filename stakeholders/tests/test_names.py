"""Names: given and family name (and the badge's wording) asked at sign-up, edited in the profile, and
shown to staff as "Given FAMILY" with the address beside it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stakeholders.models import DelegateRequest, Profile, badge_name, display_name, formal_name

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-horse-battery-9"


def _signup(client, **names):
    data = {
        "email": "awa@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "constituency": "civil_society",
        "preferred_language": "en",
        **names,
    }
    return client.post(reverse("account_signup"), data)


def test_sign_up_asks_for_the_names_and_stores_them(client):
    form = client.get(reverse("account_signup")).content.decode()
    for field in ("given_name", "family_name", "badge_name"):
        assert f'name="{field}"' in form

    response = _signup(client, given_name=" Awa ", family_name="Ndiaye", badge_name="Awa N.")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="awa@example.org")
    assert (user.first_name, user.last_name) == ("Awa", "Ndiaye")
    assert Profile.objects.get(user=user).badge_name == "Awa N."
    assert display_name(user) == "Awa NDIAYE"
    assert badge_name(user) == "Awa N."


def test_sign_up_without_a_family_name_is_refused(client):
    response = _signup(client, given_name="Awa", family_name="")
    assert response.status_code == 200
    assert response.context["form"].errors["family_name"] == ["This field is required."]
    assert not get_user_model().objects.filter(email="awa@example.org").exists()


def test_the_profile_shows_and_changes_the_names(client, personas):
    person = personas.participant()
    person.first_name, person.last_name = "Jonas", "Weber"
    person.save()
    client.force_login(person)
    page = client.get(reverse("stakeholders:profile")).content.decode()
    assert 'name="given_name" value="Jonas"' in page and 'name="family_name" value="Weber"' in page

    data = {
        "given_name": "Jonas",
        "family_name": "Weber-Schmidt",
        "badge_name": "Dr Jonas Weber",
        "constituency": "civil_society",
        "preferred_language": "en",
    }
    assert client.post(reverse("stakeholders:profile"), data)["Location"] == reverse("stakeholders:account")
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.profile.badge_name) == (
        "Jonas",
        "Weber-Schmidt",
        "Dr Jonas Weber",
    )
    account = client.get(reverse("stakeholders:account")).content.decode()
    assert '<span class="account-name">Jonas Weber-Schmidt</span>' in account
    assert "Dr Jonas Weber" in account

    data["badge_name"] = ""
    client.post(reverse("stakeholders:profile"), data)
    person = get_user_model().objects.get(pk=person.pk)
    assert badge_name(person) == "Jonas Weber-Schmidt"  # empty: the given and family names


def test_staff_see_names_in_the_delegate_queue_and_the_request(client, personas):
    named = personas.participant("named@example.org")
    named.first_name, named.last_name = "Amina", "Diallo"
    named.save()
    unnamed = personas.participant("unnamed@example.org")
    government = personas.government()
    first = DelegateRequest.objects.create(user=named, organisation=government, justification="Mission")
    DelegateRequest.objects.create(user=unnamed, organisation=government, justification="Mission")
    client.force_login(personas.staff())
    page = client.get(reverse("stakeholders:staff-delegate-queue")).content.decode()
    assert '<span class="person-name">Amina DIALLO</span><br><span class="small">named@example.org</span>' in page
    # Without a name, the address stands for the person, once.
    assert '<span class="person-name">unnamed@example.org</span></td>' in page
    detail = client.get(first.get_absolute_url()).content.decode()
    assert '<span class="person-name">Amina DIALLO</span> &lt;named@example.org&gt;' in detail


def test_formal_name():
    assert formal_name("Amina", "Diallo") == "Amina DIALLO"
    assert formal_name("", "Diallo") == "DIALLO"
    assert formal_name("Amina", "") == "Amina"
    assert formal_name(" ", None) == ""
