"""The Celery application. Its configuration is the CELERY_* part of settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")

app = Celery("gfmd_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
