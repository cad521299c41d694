"""Tasks for the tests that start real worker processes (``celery -A gfmd_portal worker -I
gfmd_portal.tests.worker_tasks``). Each leaves a trace in a file, the only thing a test can see of a
worker in another process."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="gfmd_portal.tests.hold", ignore_result=True)
def hold(seconds, trace):
    """Run for a while (its message stays unacknowledged: late acknowledgement), then say so."""
    with Path(trace).open("a") as file:
        file.write("started\n")
    time.sleep(seconds)
    with Path(trace).open("a") as file:
        file.write("done\n")


@shared_task(name="gfmd_portal.tests.touch", ignore_result=True)
def touch(trace):
    Path(trace).touch()
