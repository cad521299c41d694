"""The rules of registration written once (registration/queries.py): the window that the page shows
and that register refuses by, the waiting list's order, the names of the pools of seats."""

import datetime

import pytest
from django.utils import timezone

from roundtables.models import OPEN_SEATS, RegistrationPolicy, Session
from roundtables.registration import queries, services
from roundtables.registration.services import RegistrationRefused

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2017, 6, 1, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "state"),
    [
        (None, None, "open"),
        (NOW + HOUR, None, "not_yet"),
        (NOW, None, "open"),  # it opens at opens_at itself
        (None, NOW + HOUR, "open"),
        (None, NOW, "closed"),  # and closes at closes_at itself
        (NOW - 2 * HOUR, NOW - HOUR, "closed"),
    ],
)
def test_the_registration_window(opens_at, closes_at, state):
    policy = RegistrationPolicy(total_seats=1, opens_at=opens_at, closes_at=closes_at)
    assert queries.registration_state(policy, NOW) == state


@pytest.fixture
def common_space(forum, personas):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session,
        staff=personas.staff(),
        total_seats=1,
        quotas={},
        eligible_constituencies=[],
    )
    return session


def test_register_refuses_by_the_window_the_page_shows(common_space, personas):
    policy = common_space.registration_policy
    person = personas.person("late@example.org", constituency="civil_society")
    for opens_at, closes_at, message in [
        (timezone.now() + HOUR, None, "Registration opens on"),
        (None, timezone.now() - HOUR, "Registration is closed."),
    ]:
        policy.opens_at, policy.closes_at = opens_at, closes_at
        policy.save()
        assert queries.registration_state(policy) != "open"
        with pytest.raises(RegistrationRefused, match=message):
            services.check_eligibility(policy=policy, person=person)


def test_positions_one_by_one_and_all_at_once_follow_the_order_of_promotion(common_space, personas):
    registrations = [
        services.register(session=common_space, person=personas.person(f"p{n}@example.org"))[0] for n in range(5)
    ]
    first, *waiting = registrations
    assert first.status == "confirmed"
    positions = queries.waitlist_positions(common_space)
    assert positions == {registration.pk: queries.waitlist_position(registration) for registration in waiting}
    assert list(positions.values()) == [1, 2, 3, 4]
    assert queries.waitlist_position(first) is None
    assert queries.waitlist_positions(common_space, [waiting[2].pk, first.pk]) == {waiting[2].pk: 3}
    assert queries.waiting_list(common_space.pk).first() == waiting[0]
    promoted = services.cancel(registration=first, actor=first.person)
    assert promoted.pk == waiting[0].pk  # the first of the waiting list, position 1
    assert queries.waitlist_positions(common_space) == {waiting[1].pk: 1, waiting[2].pk: 2, waiting[3].pk: 3}


def test_seat_pool_names_and_the_constituencies_order():
    assert queries.seat_pool_label("") == ""
    assert queries.seat_pool_label(OPEN_SEATS) == "Open seats"
    assert queries.seat_pool_label("civil_society") == "Civil society"
    assert queries.in_constituency_order(["unknown", "academia", "government"]) == [
        "government",
        "academia",
        "unknown",
    ]
