"""The fixed personas of the test suite: each test builds the ones it needs, nothing is shared."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from stakeholders.models import Constituency, Organisation, Profile
from stakeholders.permissions import STAFF_GROUP

PASSWORD = "a-long-test-password-42"


def government(name="Federal Foreign Office", country="DE"):
    return Organisation.objects.get_or_create(
        name=name, country=country, defaults={"constituency": Constituency.GOVERNMENT}
    )[0]


def civil_society(name="Migrant Rights Network", country="MA"):
    return Organisation.objects.get_or_create(
        name=name, country=country, defaults={"constituency": Constituency.CIVIL_SOCIETY}
    )[0]


def person(
    email,
    *,
    verified=True,
    constituency=Constituency.CIVIL_SOCIETY,
    organisation=None,
    language="en",
    delegate_status=Profile.DelegateStatus.NONE,
):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    Profile.objects.create(
        user=user,
        organisation=organisation,
        constituency=constituency,
        preferred_language=language,
        delegate_status=delegate_status,
    )
    return user


def with_second_factor(user):
    """Give the user an activated TOTP authenticator; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def participant(email="participant@example.org", **kwargs):
    return person(email, organisation=civil_society(), **kwargs)


def delegate(email="delegate@example.org", *, organisation=None, **kwargs):
    return person(
        email,
        constituency=Constituency.GOVERNMENT,
        organisation=organisation or government(),
        delegate_status=Profile.DelegateStatus.VERIFIED,
        **kwargs,
    )


def staff(email="staff@example.org", *, second_factor=True, **kwargs):
    user = person(email, constituency=Constituency.GOVERNMENT, organisation=government(), **kwargs)
    user.groups.add(Group.objects.get_or_create(name=STAFF_GROUP)[0])
    if second_factor:
        with_second_factor(user)
    return user


def administrator(email="admin@example.org", *, second_factor=True, **kwargs):
    user = person(email, **kwargs)
    user.is_superuser = True
    user.is_staff = True
    user.save()
    if second_factor:
        with_second_factor(user)
    return user


def focal_point(email="focal.point@example.org", *, organisation=None, second_factor=True, **kwargs):
    """A verified delegate appointed focal point of their government (by default the delegate's)."""
    organisation = organisation or government()
    user = person(
        email,
        constituency=Constituency.GOVERNMENT,
        organisation=organisation,
        delegate_status=Profile.DelegateStatus.VERIFIED,
        **kwargs,
    )
    Profile.objects.filter(user=user).update(focal_point_for=organisation)
    if second_factor:
        with_second_factor(user)
    return user
