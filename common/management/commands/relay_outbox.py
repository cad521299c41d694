import time

from django.core.management.base import BaseCommand

from common import outbox


class Command(BaseCommand):
    help = "Send the Celery tasks recorded in the outbox that could not be sent when their action committed."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Relay what is pending, then exit.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between two passes.")

    def handle(self, *args, once=False, interval=5.0, **options):
        while True:
            sent, pending = outbox.relay_pending()
            if sent or once:
                self.stdout.write(f"outbox: sent={sent} pending={pending}")
            if once:
                return
            time.sleep(interval)
