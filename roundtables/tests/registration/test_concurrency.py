"""Registration under real concurrency: threads with their own PostgreSQL connections race.

Every count-then-write for a session's seats runs under a row lock on its registration
policy, so concurrent registrations and cancellations are serialised: the outcome must be
exactly what running them one after another, in the order they committed, would give.

The order of commits is observed directly: each thread calls ``register`` inside an outer
transaction and, after it returns, takes a ticket from a counter shared by the threads
before committing. The policy lock is held from ``register``'s first statement until that
commit, so no other registration can take its ticket in between: ticket order is lock
order is commit order. Without the lock (or with ids or counts taken outside it) ticket
order and id order disagree and the seats overflow; these tests then fail.
"""

import itertools
import threading
import time
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.db.models import Count

from common import outbox
from roundtables.models import OPEN_SEATS, Registration, Session
from roundtables.registration import queries, services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

QUOTAS = {"civil_society": 4, "private_sector": 3}
SEATS = 10  # 4 civil society + 3 private sector + 3 open
CAPACITY = {**QUOTAS, OPEN_SEATS: SEATS - sum(QUOTAS.values())}
CONSTITUENCIES = ["civil_society", "private_sector", "government"]
EMAIL_TASK = "roundtables.tasks.send_registration_email"
JOIN_TIMEOUT = 30


@pytest.fixture
def published(monkeypatch):
    """The broker stand-in: the messages the outbox publishes after each commit, in a list."""
    messages, lock = [], threading.Lock()

    def publish(task):
        with lock:
            messages.append((task.task_name, dict(task.kwargs)))

    monkeypatch.setattr(outbox, "_publish", publish)
    return messages


@pytest.fixture
def common_space(require_postgres, published, forum, personas):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session,
        staff=personas.staff(),
        total_seats=SEATS,
        quotas=QUOTAS,
        eligible_constituencies=[],
    )
    return session


def _people(personas, prefix, count):
    """``count`` people whose constituencies take turns: civil society, private sector, government."""
    return [
        personas.person(f"{prefix}{n}@example.org", constituency=CONSTITUENCIES[n % len(CONSTITUENCIES)])
        for n in range(count)
    ]


def _race(count, prepare, work):
    """Run ``work(prepared)`` in ``count`` threads released together by a barrier.

    ``prepare(i)`` runs first in thread ``i`` (its connection opened, its objects loaded), so
    that only the work itself races. Returns the results by thread index and the exceptions.
    """
    barrier = threading.Barrier(count, timeout=JOIN_TIMEOUT)
    results, errors = [None] * count, []

    def run(index):
        try:
            connection.ensure_connection()
            prepared = prepare(index)
            barrier.wait()
            results[index] = work(prepared)
        except BaseException as exc:  # noqa: BLE001 - every failure of every thread is reported
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()  # this thread's connections only

    threads = [threading.Thread(target=run, args=(index,), name=f"race-{index}") for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results, errors


def _sequential_outcome(constituencies):
    """What registering these people one after another gives: (status, seat pool) each."""
    taken, outcome = Counter(), []
    for constituency in constituencies:
        pools = ([constituency] if constituency in QUOTAS else []) + [OPEN_SEATS]
        free = next((pool for pool in pools if taken[pool] < CAPACITY[pool]), None)
        if free is None:
            outcome.append((Registration.Status.WAITLISTED, ""))
        else:
            taken[free] += 1
            outcome.append((Registration.Status.CONFIRMED, free))
    return outcome


def _confirmed_per_pool(session):
    """Confirmed registrations per seat pool, read in one statement (one consistent snapshot)."""
    rows = (
        Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
        .values_list("seat_pool")
        .annotate(count=Count("id"))
    )
    return dict(rows)


def test_thirty_people_race_for_ten_seats(common_space, personas, published):
    people = _people(personas, "racer", 30)
    tickets, ticket_lock = itertools.count(), threading.Lock()

    def prepare(index):
        return Session.objects.get(pk=common_space.pk), get_user_model().objects.get(pk=people[index].pk)

    def work(prepared):
        session, person = prepared
        with transaction.atomic():
            registration, created = services.register(session=session, person=person)
            # Still holding the policy lock, which only the commit below releases.
            with ticket_lock:
                ticket = next(tickets)
        return {"ticket": ticket, "pk": registration.pk, "created": created, "person": person.pk}

    started = time.monotonic()
    results, errors = _race(len(people), prepare, work)
    elapsed = time.monotonic() - started

    assert errors == []
    assert all(result["created"] for result in results)
    registrations = {r.pk: r for r in Registration.objects.filter(session=common_space)}
    assert len(registrations) == 30
    statuses = Counter(r.status for r in registrations.values())
    assert statuses == {"confirmed": SEATS, "waitlisted": 20}
    assert _confirmed_per_pool(common_space) == CAPACITY

    # In commit order the ids increase: the waiting list (ordered by id) is the order of arrival.
    in_commit_order = [registrations[result["pk"]] for result in sorted(results, key=lambda r: r["ticket"])]
    ids = [r.pk for r in in_commit_order]
    assert ids == sorted(ids)
    waitlisted = [r for r in in_commit_order if r.status == Registration.Status.WAITLISTED]
    assert [queries.waitlist_position(r) for r in waitlisted] == list(range(1, 21))

    # Who got which seat is exactly what registering one after another in that order gives.
    assert [(r.status, r.seat_pool) for r in in_commit_order] == _sequential_outcome(
        [r.constituency for r in in_commit_order]
    )

    # One confirmation email each, sent after the commit.
    assert sorted(kwargs["registration_id"] for name, kwargs in published if name == EMAIL_TASK) == sorted(
        registrations
    )
    assert elapsed < 10


def test_the_same_person_from_ten_threads_gets_one_registration(common_space, personas, published):
    person = personas.person("impatient@example.org", constituency="civil_society")

    def prepare(_index):
        return Session.objects.get(pk=common_space.pk), get_user_model().objects.get(pk=person.pk)

    def work(prepared):
        session, same_person = prepared
        registration, created = services.register(session=session, person=same_person)
        return registration.pk, created

    results, errors = _race(10, prepare, work)

    assert errors == []
    assert len({pk for pk, _created in results}) == 1
    assert sum(created for _pk, created in results) == 1
    live = Registration.objects.filter(session=common_space, person=person).exclude(status="cancelled")
    assert live.count() == 1
    assert Registration.objects.filter(person=person).count() == 1
    assert [kwargs["registration_id"] for name, kwargs in published if name == EMAIL_TASK] == [results[0][0]]


def test_cancellations_and_registrations_at_once_never_exceed_the_seats(common_space, personas):
    """24 people each register, cancel and register again, 4 times over, all at once, while a
    reader counts the confirmed seats: seats free up and are taken again all the time."""
    people = _people(personas, "churn", 24)
    rounds = 4
    stop, samples, monitor_errors = threading.Event(), [], []

    def monitor():
        try:
            while not stop.is_set():
                samples.append(_confirmed_per_pool(common_space))
        except BaseException as exc:  # noqa: BLE001
            monitor_errors.append(exc)
        finally:
            connections.close_all()

    def prepare(index):
        return Session.objects.get(pk=common_space.pk), get_user_model().objects.get(pk=people[index].pk)

    def work(prepared):
        session, person = prepared
        for _round in range(rounds):
            registration, created = services.register(session=session, person=person)
            assert created
            services.cancel(registration=registration, actor=person)
        return services.register(session=session, person=person)[0].pk

    watcher = threading.Thread(target=monitor, name="seat-monitor")
    watcher.start()
    try:
        results, errors = _race(len(people), prepare, work)
    finally:
        stop.set()
        watcher.join(JOIN_TIMEOUT)

    assert errors == []
    assert monitor_errors == []
    assert len(samples) > 5
    # At no moment that a reader could see were more seats taken than there are.
    for sample in samples:
        assert sum(sample.values()) <= SEATS, sample
        assert all(count <= CAPACITY[pool] for pool, count in sample.items()), sample

    registrations = Registration.objects.filter(session=common_space)
    assert registrations.count() == len(people) * (rounds + 1)
    assert registrations.filter(status="cancelled").count() == len(people) * rounds
    # Everyone ends with one live registration, and every seat is taken: 8 people of each
    # constituency are more than the seats they may take.
    live = registrations.exclude(status="cancelled")
    assert sorted(live.values_list("pk", flat=True)) == sorted(results)
    assert sorted(live.values_list("person", flat=True)) == sorted(p.pk for p in people)
    assert _confirmed_per_pool(common_space) == CAPACITY
    assert live.filter(status="waitlisted").count() == len(people) - SEATS
