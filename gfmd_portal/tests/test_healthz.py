import time

import pytest

from gfmd_portal.celery import app

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    assert body["outbox_pending"] == 0


@pytest.mark.redis
def test_503_within_the_timeout_when_the_broker_is_down(client, require_redis):
    saved = app.conf.broker_url, dict(app.conf.broker_transport_options or {})
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    app.conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2}
    try:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "error"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "error"
    assert elapsed < 5


@pytest.mark.redis
def test_a_frozen_redis_is_named_quickly(client, shared_redis_cache):
    import signal

    shared_redis_cache.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        shared_redis_cache.process.send_signal(signal.SIGCONT)
    body = response.json()
    assert response.status_code == 503
    assert (body["database"]["status"], body["broker"]["status"], body["cache"]["status"]) == ("ok", "error", "error")
    assert "Timeout" in body["broker"]["error"]
    assert elapsed < 3  # two probes, each bounded by its short timeout

    body = client.get("/healthz").json()
    assert (body["status"], body["broker"]["status"], body["cache"]["status"]) == ("ok", "ok", "ok")
