from django.db import models


class OutboxTask(models.Model):
    """A Celery task recorded in the same transaction as the action that calls for it.

    The action commits even when the broker is down; the task is sent right after the
    commit when the broker answers, and otherwise by ``relay_outbox`` once it does.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker finished the task: a message the broker holds twice (a publish that timed out
    # after the broker took it, then sent again) runs once (common.outbox.run_once).
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_pending"),
        ]

    def __str__(self):
        return f"{self.task_name}({self.kwargs})"
