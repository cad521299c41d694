"""Every task the outbox is asked to send is one a worker knows: a typo in a task name would leave
its rows sent and its work never done."""

import ast
from pathlib import Path

from django.conf import settings

from gfmd_portal.celery import app

PROJECT_PACKAGES = ("common", "sdg_targets", "stakeholders", "roundtables", "practices", "declarations", "demo")


def _enqueued_task_names():
    """(file, line, name) of every task name given to ``outbox.enqueue(...)`` (None: not a literal)."""
    found = []
    for package in PROJECT_PACKAGES:
        for path in (Path(settings.BASE_DIR) / package).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            # Module constants such as EMAIL_TASK = "roundtables.tasks.send_agenda_email".
            constants = {
                target.id: node.value.value
                for node in tree.body
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr != "enqueue" or not node.args:
                    continue
                first = node.args[0]
                name = first.value if isinstance(first, ast.Constant) else constants.get(getattr(first, "id", None))
                found.append((str(path.relative_to(settings.BASE_DIR)), node.lineno, name))
    return found


def test_every_enqueued_task_name_is_a_registered_task():
    app.loader.import_default_modules()
    enqueued = _enqueued_task_names()
    assert len(enqueued) >= 5  # the scan finds the calls (registration, practices, agenda, ...)
    unknown = [(where, line, name) for where, line, name in enqueued if name not in app.tasks]
    assert unknown == []
