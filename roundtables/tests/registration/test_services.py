"""Registration for the common space: seats per constituency, waiting list, cancellation that promotes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from roundtables.models import Registration, Session
from roundtables.registration import codes, queries, services
from roundtables.registration.services import RegistrationRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def common_space(forum, personas, staff):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session,
        staff=staff,
        total_seats=3,
        quotas={"civil_society": 1, "private_sector": 1},
        eligible_constituencies=["civil_society", "private_sector", "government"],
    )
    return session


def _person(personas, name, constituency, **kwargs):
    return personas.person(f"{name}@example.org", constituency=constituency, **kwargs)


def test_quota_then_open_seats_then_waiting_list(common_space, personas):
    def status_of(name, constituency):
        registration, created = services.register(session=common_space, person=_person(personas, name, constituency))
        assert created
        return registration.status, registration.seat_pool

    assert status_of("cs1", "civil_society") == ("confirmed", "civil_society")
    assert status_of("cs2", "civil_society") == ("confirmed", "open")  # quota full, the open seat
    assert status_of("cs3", "civil_society") == ("waitlisted", "")
    assert status_of("ps1", "private_sector") == ("confirmed", "private_sector")
    assert status_of("ps2", "private_sector") == ("waitlisted", "")
    assert status_of("gov1", "government") == ("waitlisted", "")  # no quota, the open seat is taken
    assert Registration.objects.filter(session=common_space, status="confirmed").count() == 3


def test_cancelling_promotes_the_first_person_waiting_for_the_same_seats(common_space, personas):
    cs1, _ = services.register(session=common_space, person=_person(personas, "cs1", "civil_society"))
    open_seat, _ = services.register(session=common_space, person=_person(personas, "cs2", "civil_society"))
    ps1, _ = services.register(session=common_space, person=_person(personas, "ps1", "private_sector"))
    gov, _ = services.register(session=common_space, person=_person(personas, "gov", "government"))
    cs3, _ = services.register(session=common_space, person=_person(personas, "cs3", "civil_society"))
    ps2, _ = services.register(session=common_space, person=_person(personas, "ps2", "private_sector"))
    assert queries.waitlist_position(gov) == 1
    assert queries.waitlist_position(ps2) == 3

    # A private-sector seat frees: the first private-sector person waiting gets it, not the first in line.
    promoted = services.cancel(registration=ps1, actor=ps1.person)
    assert promoted == ps2
    ps2.refresh_from_db()
    assert (ps2.status, ps2.seat_pool) == ("confirmed", "private_sector")

    # An open seat frees: the first person waiting, whatever their constituency.
    promoted = services.cancel(registration=open_seat, actor=open_seat.person)
    assert promoted == gov
    # A civil-society quota seat frees: the first civil-society person waiting.
    assert services.cancel(registration=cs1, actor=cs1.person) == cs3
    assert queries.waitlist_position(Registration.objects.get(pk=cs3.pk)) is None
    # Cancelling twice changes nothing.
    assert services.cancel(registration=cs1, actor=cs1.person) is None


def test_registering_twice_returns_the_same_registration(common_space, personas):
    person = _person(personas, "twice", "civil_society")
    first, created = services.register(session=common_space, person=person)
    again, created_again = services.register(session=common_space, person=person)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Registration.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"opens_in_days": 2}, "Registration opens on"),
        ({"closed_days_ago": 1}, "Registration is closed."),
        ({"constituency": "academia"}, "not open to your constituency"),
        ({"verified": False}, "Verify your email address"),
        ({"draft": True}, "does not take registrations"),
    ],
)
def test_refusals_say_why(common_space, personas, change, message):
    import datetime

    from django.utils import timezone

    policy = common_space.registration_policy
    if "opens_in_days" in change:
        policy.opens_at = timezone.now() + datetime.timedelta(days=change["opens_in_days"])
    if "closed_days_ago" in change:
        policy.closes_at = timezone.now() - datetime.timedelta(days=change["closed_days_ago"])
    policy.save()
    if change.get("draft"):
        common_space.status = Session.Status.DRAFT
        common_space.save()
    person = _person(
        personas, "someone", change.get("constituency", "civil_society"), verified=change.get("verified", True)
    )
    with pytest.raises(RegistrationRefused, match=message):
        services.register(session=common_space, person=person)
    assert not Registration.objects.filter(person=person).exists()


def test_staff_promote_by_hand_only_into_a_free_seat(common_space, personas, staff):
    people = [_person(personas, f"cs{n}", "civil_society") for n in range(3)]
    registrations = [services.register(session=common_space, person=p)[0] for p in people]
    waiting = registrations[2]
    with pytest.raises(ValidationError, match="No seat"):
        services.promote(registration=waiting, staff=staff, reason="Speaker")
    with pytest.raises(PermissionDenied):
        services.promote(registration=waiting, staff=people[0], reason="Speaker")
    services.cancel(registration=registrations[0], actor=staff, reason="Duplicate account")
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"  # promoted automatically by the cancellation


def test_check_in(common_space, personas, staff):
    registration, _ = services.register(session=common_space, person=_person(personas, "cs", "civil_society"))
    assert services.check_in(session=common_space, code=registration.checkin_code, staff=staff)[1] == "checked_in"
    registration.refresh_from_db()
    first = registration.checked_in_at
    assert services.check_in(session=common_space, code=registration.checkin_code, staff=staff)[1] == "already"
    registration.refresh_from_db()
    assert registration.checked_in_at == first  # a second check-in keeps the first time
    assert services.check_in(session=common_space, code="not-a-code", staff=staff) == (None, "unknown")


def test_new_codes_are_ten_characters_of_crockford_base32(common_space, personas):
    registrations = [
        services.register(session=common_space, person=_person(personas, f"p{number}", "government"))[0]
        for number in range(3)
    ]
    for registration in registrations:
        code = registration.checkin_code
        assert len(code) == 10
        assert set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")  # no I, L, O, U
        assert registration.display_code == f"{code[:5]}-{code[5:]}"
    assert len({registration.checkin_code for registration in registrations}) == 3
    many = {codes.new_code() for _ in range(2000)}
    assert len(many) == 2000
    assert set("".join(many)) == set(codes.ALPHABET)  # every symbol is used, and only those


def test_codes_are_read_the_crockford_way():
    assert codes.normalise("k3m9x-2tq7r") == "K3M9X2TQ7R"
    assert codes.normalise(" K3M9X 2TQ7R\n") == "K3M9X2TQ7R"
    assert codes.normalise("k3m9x - 2tq7r") == "K3M9X2TQ7R"
    assert codes.normalise("O0ILl-abcde") == "00111ABCDE"
    assert codes.normalise("K3M9X-2TQ7") is None  # too short
    assert codes.normalise("K3M9X-2TQ7U") is None  # U is not a symbol
    assert codes.display("K3M9X2TQ7R") == "K3M9X-2TQ7R"
    assert codes.display("aB3_xY-9zQk2LmN0") == "aB3_xY-9zQk2LmN0"  # an older code, as it is
    assert codes.candidates(" aB3_xY-9zQk2LmN0 ") == ["aB3_xY-9zQk2LmN0"]


def _with_code(registration, code):
    Registration.objects.filter(pk=registration.pk).update(checkin_code=code)
    return code


@pytest.mark.parametrize(
    "typed",
    ["K3M9X2TQ7R", "k3m9x2tq7r", "k3m9x-2tq7r", "K3M9X 2TQ7R", " k3m9x - 2tq7r ", "K3M9X-2TQ7R"],
)
def test_check_in_reads_case_spaces_and_hyphens(common_space, personas, staff, typed):
    registration, _ = services.register(session=common_space, person=_person(personas, "door", "government"))
    _with_code(registration, "K3M9X2TQ7R")
    checked, outcome = services.check_in(session=common_space, code=typed, staff=staff)
    assert (checked.pk, outcome) == (registration.pk, "checked_in")


@pytest.mark.parametrize(("stored", "typed"), [("10ABC0DEF1", "lOabcodefi"), ("10ABC0DEF1", "IoABC-OdefL")])
def test_check_in_reads_o_as_zero_and_i_l_as_one(common_space, personas, staff, stored, typed):
    registration, _ = services.register(session=common_space, person=_person(personas, "door", "government"))
    _with_code(registration, stored)
    assert services.check_in(session=common_space, code=typed, staff=staff)[1] == "checked_in"


def test_older_codes_keep_working_exactly_as_typed(common_space, personas, staff):
    older = services.register(session=common_space, person=_person(personas, "older", "government"))[0]
    _with_code(older, "aB3_xY-9zQk2LmN0")  # token_urlsafe(12), as codes were made before
    assert services.check_in(session=common_space, code="AB3_XY-9ZQK2LMN0", staff=staff) == (None, "unknown")
    checked, outcome = services.check_in(session=common_space, code=" aB3_xY-9zQk2LmN0 ", staff=staff)
    assert (checked.pk, outcome) == (older.pk, "checked_in")
