"""The Redis cache reuses its pooled connections: signed-in requests, in any thread, open none."""

import threading

import pytest
from django.db import connections

from stakeholders.tests.personas import PASSWORD

# Committed rows: the requests of the other threads read them through connections of their own.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _connections_received(server):
    import redis

    return redis.Redis.from_url(server.url).info("stats")["total_connections_received"]


def test_signed_in_requests_open_no_redis_connection_in_any_thread(client, shared_redis_cache, forum, personas):
    personas.participant("pooled@example.org")
    response = client.post("/en/accounts/login/", {"login": "pooled@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/en/accounts/").status_code == 200  # the session is read from Redis
    before = _connections_received(shared_redis_cache)

    answers = []

    def browse():
        # A new thread has cache objects of its own (Django's), as a gthread worker's threads do.
        for url in ("/en/accounts/", "/bench/signed-in", "/en/"):
            response = client.get(url)
            answers.append((url, response.status_code, response.content[:2]))
        connections.close_all()

    for _ in range(5):
        thread = threading.Thread(target=browse)
        thread.start()
        thread.join(30)
    assert len(answers) == 15 and all(status == 200 for _url, status, _body in answers)
    assert ("/bench/signed-in", 200, b"ok") in answers  # signed in: the session came from Redis
    # One connection for the count itself; none for the 15 requests.
    assert _connections_received(shared_redis_cache) - before == 1
