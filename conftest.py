"""Project-wide test set-up: a few setting overrides and the service requirements."""

import os

import pytest
from django.conf import settings as django_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
os.environ.setdefault("HTTPS", "0")  # plain http for the test client and the live server


def pytest_configure(config):
    # WhiteNoise warns on every request when the collected-static folder is missing (tests
    # serve static files through the finders); an empty folder keeps the output readable.
    from pathlib import Path

    Path(django_settings.STATIC_ROOT).mkdir(exist_ok=True)


def pytest_addoption(parser):
    parser.addoption(
        "--require-services",
        action="store_true",
        help="Fail, instead of skipping, a test whose service (PostgreSQL, Redis, Chromium) is missing.",
    )


def _missing(request, what):
    if request.config.getoption("--require-services"):
        pytest.fail(f"{what} is required (--require-services) but is not available")
    pytest.skip(f"{what} is not available")


@pytest.fixture
def require_postgres(request):
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        _missing(request, "PostgreSQL")


@pytest.fixture
def require_redis(request):
    if not django_settings.REDIS_URL:
        _missing(request, "Redis")
    return django_settings.REDIS_URL


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The test client speaks plain http; tests of the HTTPS behaviour ask for secure=True.
    settings.SECURE_SSL_REDIRECT = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    if "real_cache" not in request.fixturenames:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # A request to /fr/ leaves French active in the thread; every test starts in English.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def real_cache():
    """Keep the configured cache (Redis when REDIS_URL is set) instead of local memory."""


@pytest.fixture(scope="session")
def _forum_rows(django_db_setup, django_db_blocker):
    """What loading the 2017 forum writes, recorded once (gfmd_portal/tests/rows.py; PostgreSQL)."""
    from django.test import override_settings

    from gfmd_portal.tests.rows import RowSnapshot
    from roundtables.programme.services import load_forum

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with django_db_blocker.unblock(), override_settings(CACHES=local):  # the load empties the page cache
        return RowSnapshot.record(lambda: load_forum()[0].pk)


@pytest.fixture
def forum(db, _forum_rows):
    """The 2017 forum, loaded from the repository's data file.

    The rows a load writes are written again from the session's recording where the database is in
    the recorded state (a few ms instead of 0.5 s); otherwise the forum is loaded.
    """
    from common import pagecache
    from roundtables.models import Forum
    from roundtables.programme.services import load_forum

    pk = _forum_rows.restore() if _forum_rows is not None else None
    if pk is None:
        forum, _tally = load_forum()
        return forum
    pagecache.invalidate()  # as the load does
    return Forum.objects.get(pk=pk)


@pytest.fixture
def personas(db):
    """The fixed personas (stakeholders/tests/personas.py): participant, delegate, staff, administrator."""
    from stakeholders.tests import personas as module

    return module


@pytest.fixture
def staff(personas):
    """The staff persona, with the second factor."""
    return personas.staff()


@pytest.fixture
def staff_client(client, staff):
    """The test client signed in as ``staff`` (also at ``client.user``)."""
    client.force_login(staff)
    client.user = staff
    return client


@pytest.fixture
def private_broker(request, tmp_path, require_redis):
    """Celery's broker pointed at a redis-server of the test's own, which it may stop and restart."""
    import shutil

    from gfmd_portal.celery import app
    from gfmd_portal.tests.brokers import PrivateRedis

    if shutil.which("redis-server") is None:
        _missing(request, "redis-server")
    server = PrivateRedis(tmp_path)
    server.start()
    saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    app.conf.broker_url = server.url
    app.conf.broker_transport_options = {"socket_timeout": 2, "socket_connect_timeout": 2}
    yield server
    server.stop()
    app.conf.broker_url, app.conf.broker_transport_options = saved


@pytest.fixture
def shared_redis_cache(private_broker, settings):
    """The private broker's server as the cache too (as with REDIS_URL), with the production timeouts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": private_broker.url,
            "KEY_PREFIX": "gfmd",
            "OPTIONS": {
                "socket_timeout": settings.CACHE_SOCKET_TIMEOUT,
                "socket_connect_timeout": settings.CACHE_SOCKET_TIMEOUT,
            },
        }
    }
    return private_broker


@pytest.fixture(autouse=True)
def _fresh_facet_index():
    """Each test starts without the practice search's in-process index (practices.search.facet_index):
    rolled-back transactions can bring a database back to a token an index was built for."""
    from practices.search import facet_index

    facet_index.forget()
    yield
    facet_index.forget()


@pytest.fixture(autouse=True)
def _fresh_breakers():
    """No test inherits another's remembered outage of Redis or of the broker."""
    from common import outbox
    from common.cache import reset_breakers

    reset_breakers()
    outbox.broker.reset()
