"""A Redis outage degrades the site and never turns into an error page, met as a visitor meets it.

One private redis-server (the private_broker fixture of conftest.py) is both the cache (sessions,
the page cache, sign-in rate limits) and the Celery broker, as with REDIS_URL in production. The
test stops it, or freezes it with SIGSTOP, while anonymous and signed-in people use the site
through the whole Django stack, then brings it back and checks what the outbox sends.
"""

import base64
import json
import signal
import time

import pytest
from django.core.cache import cache

from common import outbox
from common.models import OutboxTask
from gfmd_portal.tests.brokers import Worker
from roundtables.models import Registration, Session
from roundtables.registration import services
from stakeholders.tests.personas import PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ANONYMOUS_PAGES = [
    "/en/",
    "/en/roundtables/",
    "/en/roundtables/gfmd-2017/1.1/",
    "/en/practices/",
    "/en/practices/?q=migration",
    "/en/sdg-targets/",
    "/en/accounts/login/",
    "/api/v1/roundtables/",
    "/api/v1/practices/?q=migration",
]
SIGNED_IN_PAGES = [
    "/en/",
    "/en/accounts/",
    "/en/accounts/registrations/",
    "/en/common-space/",
    "/en/roundtables/gfmd-2017/1.1/",
]
EMAIL_TASK = "roundtables.tasks.send_registration_email"


@pytest.fixture
def common_space(forum, personas):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session, staff=personas.staff(), total_seats=50, quotas={}, eligible_constituencies=[]
    )
    OutboxTask.objects.all().delete()
    return session


def _queued(server):
    """The outbox ids of the messages waiting in the broker's default queue, oldest first."""
    import redis

    ids = []
    # Messages are pushed at the head of the list and taken from its tail.
    for raw in reversed(redis.Redis.from_url(server.url).lrange("celery", 0, -1)):
        message = json.loads(raw)
        _args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.append(message["headers"]["outbox_id"])
    return ids


def _sign_in(client, email):
    response = client.post("/en/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _use_the_site(client, anonymous, person_email, session):
    """Every page answers 200; a registration and a contribution commit. Returns the registration."""
    for url in ANONYMOUS_PAGES:
        assert anonymous.get(url).status_code == 200, url
    for url in SIGNED_IN_PAGES:
        assert client.get(url).status_code == 200, url
    response = client.post("/en/common-space/register/", {"constituency": "civil_society"})
    assert response.status_code == 302
    registration = Registration.objects.get(session=session, person__email=person_email)
    assert registration.status == Registration.Status.CONFIRMED
    response = client.post(
        "/en/roundtables/gfmd-2017/1.1/contribute/",
        {"kind": "statement", "text": f"Said while Redis was away ({person_email})", "language": "en"},
    )
    assert response.status_code == 302
    assert registration.person.contributions.count() == 1
    return registration


def _relayed_after_recovery(server):
    """The relay sends what waited; returns the ids it sent."""
    pending = list(OutboxTask.objects.filter(sent_at=None).values_list("pk", flat=True))
    assert pending  # the registrations' emails waited in the outbox
    assert outbox.relay_pending() == (len(pending), 0)
    assert outbox.relay_pending() == (0, 0)
    return pending


def _drained_by_a_worker(server, tmp_path):
    """A real worker takes the queue; returns its output once every outbox row is done."""
    worker = Worker(server, tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 60
        while OutboxTask.objects.filter(done_at=None).exists() or server.queue_length():
            assert time.monotonic() < deadline, worker.output()[-3000:]
            assert worker.process.poll() is None, worker.output()[-3000:]
            time.sleep(0.2)
    finally:
        worker.stop()
    return worker.output()


def test_a_stopped_redis_degrades_pages_and_actions_and_the_tasks_follow_it_back(
    shared_redis_cache, common_space, personas, client
):
    from django.test import Client

    first = personas.participant("first@example.org")
    second = personas.participant("second@example.org")
    _sign_in(client, first.email)
    for url in ANONYMOUS_PAGES:  # the page cache is filled, sessions are in Redis
        Client().get(url)
    other = Client()
    _sign_in(other, second.email)

    shared_redis_cache.stop()
    registration = _use_the_site(client, Client(), first.email, common_space)
    # The first action found the broker down; the second does not ask it again (the breaker).
    task = OutboxTask.objects.get(task_name=EMAIL_TASK, kwargs__registration_id=registration.pk)
    assert (task.sent_at, task.attempts) == (None, 1)
    second_registration = _use_the_site(other, Client(), second.email, common_space)
    task = OutboxTask.objects.get(task_name=EMAIL_TASK, kwargs__registration_id=second_registration.pk)
    assert (task.sent_at, task.attempts) == (None, 0)
    # Signing in works too (sessions in the database; rate limits are not kept meanwhile).
    _sign_in(Client(), first.email)

    shared_redis_cache.start()
    pending = _relayed_after_recovery(shared_redis_cache)
    assert _queued(shared_redis_cache) == pending  # each exactly once, in order


def test_a_frozen_redis_degrades_pages_and_actions_and_the_tasks_follow_it_back(
    shared_redis_cache, common_space, personas, client, tmp_path
):
    from django.test import Client

    person = personas.participant("frozen@example.org")
    _sign_in(client, person.email)
    shared_redis_cache.process.send_signal(signal.SIGSTOP)
    try:
        _use_the_site(client, Client(), person.email, common_space)
        _sign_in(Client(), person.email)
    finally:
        shared_redis_cache.process.send_signal(signal.SIGCONT)
    pending = _relayed_after_recovery(shared_redis_cache)
    # The publish that timed out may have reached Redis when it thawed: then the queue holds that
    # message twice. It runs once all the same: one email.
    assert set(_queued(shared_redis_cache)) >= set(pending)
    output = _drained_by_a_worker(shared_redis_cache, tmp_path)
    assert output.count("Subject: [GFMD]") == 1, output[-3000:]


def test_pages_changed_during_an_outage_are_not_served_stale_afterwards(shared_redis_cache, forum, client):
    from roundtables.models import RoundTable

    url = "/en/roundtables/gfmd-2017/1.1/"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    shared_redis_cache.process.send_signal(signal.SIGSTOP)
    try:
        RoundTable.objects.filter(code="1.1").update(title_en="Renamed while the cache was frozen")
        # The change could not bump the content version: the cache is unreachable.
        RoundTable.objects.get(code="1.1").save()
        assert "Renamed while the cache was frozen" in client.get(url).content.decode()
    finally:
        shared_redis_cache.process.send_signal(signal.SIGCONT)
    from common.cache import _breakers

    for breaker in _breakers.values():
        breaker.open_until = 0.0  # as when the cool-down ends (without waiting for it)
    assert cache.get("anything") is None  # the first operation after the outage
    page = client.get(url)
    assert "Renamed while the cache was frozen" in page.content.decode()


def test_a_message_the_broker_holds_twice_runs_once(shared_redis_cache, common_space, personas, tmp_path):
    person = personas.participant("twice@example.org")
    registration, _created = services.register(session=common_space, person=person)
    task = OutboxTask.objects.get(task_name=EMAIL_TASK, kwargs__registration_id=registration.pk)
    assert task.sent_at is not None
    outbox._publish(task)  # as when a timed-out publish reached the broker and the relay sent it again
    assert _queued(shared_redis_cache).count(task.pk) == 2

    output = _drained_by_a_worker(shared_redis_cache, tmp_path)

    assert output.count("Subject: [GFMD]") == 1, output[-3000:]
    assert f"outbox row {task.pk} already done, not run again" in output
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_sign_out_during_a_frozen_cache_is_not_undone_when_it_thaws(shared_redis_cache, forum, personas, client):
    from django.conf import settings

    from common.cache import _breakers

    person = personas.participant("leaving@example.org")
    _sign_in(client, person.email)
    old_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/en/accounts/").status_code == 200  # the session is now in the cache too
    shared_redis_cache.process.send_signal(signal.SIGSTOP)
    try:
        assert client.post("/en/accounts/logout/").status_code == 302
    finally:
        shared_redis_cache.process.send_signal(signal.SIGCONT)
    for breaker in _breakers.values():
        breaker.open_until = 0.0  # as when the cool-down ends
    assert cache.get("anything") is None  # the first operation after the outage

    from django.test import Client

    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = old_cookie
    response = thief.get("/en/accounts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
