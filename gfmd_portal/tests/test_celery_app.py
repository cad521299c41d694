"""The project's Celery application: its Redis transport (the repair of a worker crash on broker loss),
its tasks' retries on database errors, its periodic tasks."""

import pytest
from django.db import OperationalError
from kombu import Connection, Exchange, Queue

from gfmd_portal.celery import BEAT_SCHEDULE, RedisTransport, app


def test_redis_broker_urls_use_the_project_transport():
    for url in ("redis://127.0.0.1:6379/0", "rediss://127.0.0.1:6380/0"):
        assert type(Connection(url).transport) is RedisTransport
    assert type(Connection("filesystem://").transport) is not RedisTransport


def _close_like_a_worker_that_lost_redis(broker, transport):
    """What Celery 5.7's consumer does when the broker goes away while a task runs (late
    acknowledgement): the connection is collected, then closed."""
    connection = Connection(broker.url, transport=transport, transport_options={"socket_timeout": 2})
    queue = Queue("outage", Exchange("outage"), "outage")
    with connection.Producer() as producer:
        producer.publish({"n": 1}, exchange=queue.exchange, routing_key="outage", declare=[queue])
    held = []
    channel = connection.default_channel
    connection.Consumer([queue], channel=channel, callbacks=[lambda body, message: held.append(message)]).consume()
    connection.drain_events(timeout=5)
    assert len(held) == 1  # delivered, not acknowledged
    # The worker's remote control listens on a fanout queue of a second channel, removed on close.
    control = connection.channel()
    fanout = Queue("outage.control", Exchange("outage.control", type="fanout"), auto_delete=True)
    connection.Consumer([fanout], channel=control, callbacks=[lambda body, message: None]).consume()
    assert control.client is not None
    channel._brpop_start()  # the event loop waits on BRPOP for the next message

    broker.stop()
    connection.collect(socket_timeout=5)
    connection.close()


@pytest.mark.redis
def test_a_channel_holding_a_message_closes_cleanly_after_its_connection_was_collected(private_broker):
    # kombu's own transport: the second close builds a Redis client from the detached transport.
    # Should this stop failing, kombu or Celery fixed it and RedisTransport can go.
    with pytest.raises(AttributeError, match="hostname"):
        _close_like_a_worker_that_lost_redis(private_broker, "kombu.transport.redis:Transport")
    private_broker.start()
    # The project's: the late close tries Redis, finds it down (a connection error), and is done.
    _close_like_a_worker_that_lost_redis(private_broker, None)


@app.task(name="gfmd_portal.tests.flaky", bind=True)
def flaky(self, failures):
    if self.request.retries < failures:
        raise OperationalError("database is locked")
    return self.request.retries


def test_a_task_meeting_a_database_error_is_tried_again():
    assert flaky.apply(kwargs={"failures": 2}).get() == 2
    with pytest.raises(OperationalError):
        flaky.apply(kwargs={"failures": 7}).get()  # six tries again at most, then it fails


def test_beat_cleans_the_result_backend_every_hour():
    assert app.conf.beat_schedule == BEAT_SCHEDULE
    entry = BEAT_SCHEDULE["celery.backend_cleanup"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == {0} and len(entry["schedule"].hour) == 24
