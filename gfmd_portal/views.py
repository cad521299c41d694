import time

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from common import outbox
from common.cache import RedisCache


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    # One attempt with the outbox's short timeouts: a frozen broker answers "error" within about
    # OUTBOX_PUBLISH_TIMEOUT, not after retries.
    with outbox.broker_connection() as conn:
        client = getattr(conn.default_channel, "client", None)
        if client is not None:  # Redis: a round trip (a frozen server accepts connections)
            client.ping()


def _check_cache():
    """A round trip to Redis when it is the cache (the cache itself hides failures: common.cache)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        backend._cache.get_client(write=True).ping()


def _probe(check):
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means the service is not usable
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
def healthz(request):
    """Database, broker and cache status as JSON: 200 when the database and the broker answer,
    503 otherwise. A cache that does not answer is reported but costs no 503: the site works
    without it (slower)."""
    database = _probe(_check_database)
    broker = _probe(_check_broker)
    body = {"database": database, "broker": broker, "cache": _probe(_check_cache)}
    if database["status"] == "ok":
        body["outbox_pending"] = outbox.pending_count()
    healthy = database["status"] == "ok" and broker["status"] == "ok"
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)


def bare(request):
    """The baseline for benchmarks: no template, no database (see bench/pages.py)."""
    return HttpResponse(b"ok", content_type="text/plain")


def bare_signed_in(request):
    """The baseline for a signed-in visitor's pages and actions: the session and the user are loaded
    (as for any page that asks who is there), nothing else; GET or POST, whose CSRF check applies as
    to a form (bench/signed_in.py, bench/registration_race.py)."""
    return HttpResponse(b"ok" if request.user.is_authenticated else b"anonymous", content_type="text/plain")
