"""The outbox relay: a long-running process (``relay`` in supervisord.conf) that sends, every few
seconds, the Celery tasks whose action committed while the broker did not answer.

It outlives the database's hiccups: SQLite's "database is locked" (another process held the write
lock for longer than the busy timeout), a PostgreSQL restart, a dropped connection. On such an error
it closes its connection, waits (0.5 s, then twice as long each time, at most ``--max-backoff``) and
tries again; any other error ends the process, which its supervisor starts again.
"""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connections

from common import outbox

logger = logging.getLogger(__name__)

# What a database recovers from by itself (Django's wrappers of the drivers' errors).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
FIRST_BACKOFF = 0.5


def backoff(failures, maximum):
    """Seconds to wait after the ``failures``-th transient error in a row: 0.5, 1, 2, 4... up to maximum."""
    return min(maximum, FIRST_BACKOFF * 2 ** (failures - 1))


class Command(BaseCommand):
    help = "Send the Celery tasks recorded in the outbox that could not be sent when their action committed."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Relay what is pending, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between two passes.")
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=30.0,
            help="Longest wait, in seconds, between two tries while the database fails.",
        )

    def handle(self, *args, once=False, interval=5.0, max_backoff=30.0, **options):
        failures = 0
        while True:
            # A long-running process has no request cycle to recycle its connection: drop it here
            # when it is too old (CONN_MAX_AGE) or broken.
            close_old_connections()
            try:
                sent, pending = outbox.relay_pending()
            except TRANSIENT_ERRORS as exc:
                if once:
                    raise
                failures += 1
                wait = backoff(failures, max_backoff)
                logger.warning(
                    "outbox: database error (%s: %s), try %d, next in %.1f s", type(exc).__name__, exc, failures, wait
                )
                connections.close_all()
                time.sleep(wait)
                continue
            if failures:
                logger.info("outbox: database back after %d failed tries", failures)
                failures = 0
            if sent or once:
                self.stdout.write(f"outbox: sent={sent} pending={pending}")
            if once:
                return
            time.sleep(interval)
