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
            where = str(path.relative_to(settings.BASE_DIR))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                # A helper that enqueues for its callers (common.jobs.send_stalled_again) is given
                # the name as ``task_name=``: each caller's name is checked here, the helper's
                # ``enqueue(task_name, ...)`` passes it on.
                for keyword in node.keywords:
                    if keyword.arg == "task_name" and isinstance(keyword.value, ast.Constant):
                        found.append((where, node.lineno, keyword.value.value))
                if not isinstance(node.func, ast.Attribute) or node.func.attr != "enqueue" or not node.args:
                    continue
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id == "task_name":
                    continue
                name = first.value if isinstance(first, ast.Constant) else constants.get(getattr(first, "id", None))
                found.append((where, node.lineno, name))
    return found


def test_every_enqueued_task_name_is_a_registered_task():
    app.loader.import_default_modules()
    enqueued = _enqueued_task_names()
    assert len(enqueued) >= 5  # the scan finds the calls (registration, practices, agenda, ...)
    unknown = [(where, line, name) for where, line, name in enqueued if name not in app.tasks]
    assert unknown == []
    # The stalled jobs' names, passed to the helper, are among those checked.
    names = {name for _where, _line, name in enqueued}
    assert {"declarations.tasks.start_compile", "roundtables.tasks.make_badges"} <= names
