"""Run pytest against PostgreSQL and Redis wherever they are reachable.

``python -m gfmd_portal.testservices [pytest args]`` (what ``make test`` runs): when
DATABASE_URL / REDIS_URL are not set and a server answers on 127.0.0.1:5432 / :6379,
the tests use it; otherwise they run on SQLite and a local cache, and the tests that need
the service are skipped (a failure with ``--require-services``, which .ci/run passes).
"""

import os
import socket
import sys

import pytest

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/gfmd"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"
MAX_WORKERS = 4


def answers(host, port, timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def main(argv):
    # The test client and the live server speak plain http; HTTPS behaviour is tested explicitly.
    os.environ.setdefault("HTTPS", "0")
    if "DATABASE_URL" not in os.environ and answers("127.0.0.1", 5432):
        os.environ["DATABASE_URL"] = LOCAL_POSTGRES
    if "REDIS_URL" not in os.environ and answers("127.0.0.1", 6379):
        os.environ["REDIS_URL"] = LOCAL_REDIS
    extra = workers(argv)
    print(
        f"tests: database={os.environ.get('DATABASE_URL', 'sqlite (var/)')} "
        f"redis={os.environ.get('REDIS_URL', 'none')} processes={extra[1] if extra else 1}",
        flush=True,
    )
    return pytest.main([*extra, *argv])


def workers(argv):
    """``-n N --dist load``: one test process per core, at most MAX_WORKERS, unless the arguments
    choose (``-n``, ``--numprocesses``, ``-p no:xdist``) or name single tests (``file.py::test``:
    one process starts faster than several). Each worker has its own test database (pytest-django) and
    Redis database (gfmd_portal/testworkers.py). ``--dist load`` keeps pytest-django's order in
    each worker: the tests that roll back their transaction before those that flush the database.
    """
    chosen = {"-n", "--numprocesses", "no:xdist"} & set(argv) or any(
        argument.startswith(("-n", "--numprocesses=")) for argument in argv
    )
    targets = [argument for argument in argv if not argument.startswith("-") and "::" in argument]
    count = min(os.cpu_count() or 1, MAX_WORKERS)
    if chosen or targets or count < 2:
        return []
    return ["-n", str(count), "--dist", "load"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
