"""Each pytest-xdist worker gets a Redis database of its own (loaded with ``-p``, see pytest.ini).

``make test`` runs the suite in one process per core (at most 4, ``gfmd_portal/testservices.py``).
pytest-django gives each worker a test database of its own (``test_gfmd_gw0``, ``_gw1``…); this
module does the same for Redis, before Django reads its settings: worker ``gwN`` uses the database
``REDIS_URL`` names minus N (15, 14, 13… for the default ``redis://127.0.0.1:6379/15``), so that one
worker's cache entries, broker queues and flushes never meet another's. Outside xdist it does nothing.
"""

import os
import re

_WORKER = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
_DATABASE = re.compile(r"^(?P<base>rediss?://[^/?#]*)(?:/(?P<db>\d*))?(?P<rest>[?#].*)?$")


def worker_redis_url(url, worker):
    """``url`` with its database number lowered by ``worker`` (a URL without one is database 0).
    Another form (a unix socket's ``?db=``) is left as it is: the workers then share its database."""
    match = _DATABASE.match(url)
    if match is None:
        return url
    db = int(match["db"] or 0)
    number = db - worker
    if number < 0:
        raise ValueError(f"REDIS_URL {url}: database {db} leaves none for xdist worker gw{worker}")
    return f"{match['base']}/{number}{match['rest'] or ''}"


# What the run was given, and this worker's number (None outside xdist).
REQUESTED_REDIS_URL = os.environ.get("REDIS_URL")
WORKER = int(_WORKER[1]) if _WORKER else None

if WORKER is not None and REQUESTED_REDIS_URL:
    os.environ["REDIS_URL"] = worker_redis_url(REQUESTED_REDIS_URL, WORKER)
