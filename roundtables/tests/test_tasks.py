"""The worker registers every task of the forum programme under the name that outbox rows store,
although the tasks live in each feature's package (Celery discovers <app>.tasks only)."""

import os
import subprocess
import sys

from django.conf import settings

STORED_NAMES = {
    "roundtables.tasks.send_agenda_change_email",
    "roundtables.tasks.make_badges",
    "roundtables.tasks.send_contribution_email",
    "roundtables.tasks.send_registration_email",
}


def test_a_fresh_worker_process_registers_the_tasks_by_their_stored_names():
    # As a worker starts: Django set up, then Celery imports its default modules (the discovery).
    code = (
        "import django; django.setup()\n"
        "from gfmd_portal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(*sorted(name for name in app.tasks if name.startswith('roundtables.')))\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "gfmd_portal.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, check=True
    )
    assert set(result.stdout.split()) == STORED_NAMES
