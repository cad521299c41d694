"""A registration succeeds with the broker down; its email task is sent once the broker is back.

The broker is a private redis-server (the private_broker fixture of conftest.py) that the test stops
and starts again on the same port.
"""

import base64
import json
import threading
import time

import pytest
from django.db import connections

from common import outbox
from common.models import OutboxTask
from roundtables.models import Registration, Session
from roundtables.registration import services

EMAIL_TASK = "roundtables.tasks.send_registration_email"


def _queued(server):
    """The tasks waiting in the broker's default queue: [(task name, kwargs)]."""
    import redis

    messages = []
    for raw in redis.Redis.from_url(server.url).lrange("celery", 0, -1):
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        messages.append((message["headers"]["task"], kwargs))
    return messages


def _committed(pk):
    """The registration as another connection sees it: only what is committed."""
    found = []

    def read():
        try:
            found.append(Registration.objects.filter(pk=pk).values_list("status", flat=True).first())
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(10)
    return found[0] if found else None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_registration_succeeds_with_the_broker_down_and_its_email_is_sent_when_it_is_back(
    private_broker, forum, personas
):
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(
        session=session,
        staff=personas.staff(),
        total_seats=2,
        quotas={},
        eligible_constituencies=[],
    )
    person = personas.person("offline@example.org", constituency="civil_society")
    OutboxTask.objects.filter(sent_at=None).delete()  # whatever loading the forum left behind

    private_broker.stop()
    started = time.monotonic()
    registration, created = services.register(session=session, person=person)
    elapsed = time.monotonic() - started

    # The person waited at most the broker timeout (2 s), and the registration is committed.
    assert created
    assert elapsed < 3.0
    assert _committed(registration.pk) == Registration.Status.CONFIRMED
    task = OutboxTask.objects.get(task_name=EMAIL_TASK)
    assert task.kwargs == {"registration_id": registration.pk, "event": "confirmed"}
    assert task.sent_at is None
    assert task.attempts == 1
    assert task.last_error
    assert outbox.relay_pending() == (0, 1)  # still down: it stays pending

    private_broker.start()
    assert outbox.relay_pending() == (1, 0)
    task.refresh_from_db()
    assert task.sent_at is not None
    assert _queued(private_broker) == [(EMAIL_TASK, {"registration_id": registration.pk, "event": "confirmed"})]
    assert outbox.relay_pending() == (0, 0)  # nothing is sent twice
    assert len(_queued(private_broker)) == 1
