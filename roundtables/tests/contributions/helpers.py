"""Helpers of the contributions' tests."""

from django.utils import timezone

from common.models import OutboxTask
from roundtables.contributions import services, tasks


def run_outbox():
    """Run the recorded contribution emails in-process, as a worker would, each once."""
    from gfmd_portal.celery import app

    name = tasks.send_contribution_email.name
    assert name in app.tasks
    for task in OutboxTask.objects.filter(sent_at=None, task_name=name).order_by("id"):
        app.tasks[task.task_name](**task.kwargs)
        task.sent_at = timezone.now()
        task.save(update_fields=["sent_at"])


def contribute(round_table, author, text="Facilitate skills recognition across borders.", **kwargs):
    kwargs.setdefault("kind", "recommendation")
    kwargs.setdefault("language", "en")
    return services.submit(round_table=round_table, author=author, text=text, **kwargs)


def reload(obj):
    obj.refresh_from_db()
    return obj
