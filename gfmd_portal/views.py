import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from common import outbox
from gfmd_portal.celery import app


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.SERVICE_TIMEOUT)


def _probe(check):
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # noqa: BLE001 - any failure means the service is not usable
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


@never_cache
def healthz(request):
    """Database and broker status as JSON: 200 when both answer, 503 otherwise."""
    database = _probe(_check_database)
    broker = _probe(_check_broker)
    body = {"database": database, "broker": broker}
    if database["status"] == "ok":
        body["outbox_pending"] = outbox.pending_count()
    healthy = database["status"] == "ok" and broker["status"] == "ok"
    body["status"] = "ok" if healthy else "error"
    return JsonResponse(body, status=200 if healthy else 503)


def bare(request):
    """The baseline for benchmarks: no template, no database (see bench/pages.py)."""
    return HttpResponse(b"ok", content_type="text/plain")
