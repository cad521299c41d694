"""The Celery application. Its configuration is the CELERY_* part of settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")

# Every task runs once per outbox row, however often the broker delivers it (common.outbox.RunsOnce).
app = Celery("gfmd_portal", task_cls="common.outbox:RunsOnce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
