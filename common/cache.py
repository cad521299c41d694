"""Django's Redis cache, made cheaper per call and harmless when Redis fails.

- One redis-py client per connection pool instead of one per call: Django's RedisCacheClient
  builds a new ``redis.Redis`` object for every cache operation; with redis-py 8 that rebuilds its
  response callbacks each time, which was about 40% of the cost of serving a cached page
  (bench/pages.py). The client object is thread-safe and stateless apart from its pool.
- One pool per server and process, shared by every cache object: Django makes a cache object per
  thread (and per async context), each with pools of its own, so a server with threads (gunicorn
  gthread, a new thread per request under runserver) would open a Redis connection for the
  sessions and the page cache of each new thread. The pooled connections are reused by all.
- A cache may vanish: when Redis refuses, times out or is frozen, every operation answers as a miss
  (reads give the default, writes do nothing) instead of raising, so sessions fall back to the
  database, the page cache to rendering and rate limits to none. A circuit breaker remembers the
  failure for ``COOLDOWN`` seconds, so that only the first request of each process pays the
  socket timeout; after it, one request tries again. Functions registered with ``after_outage``
  run once Redis answers again (the page cache makes its pages stale: a change made during the
  outage could not bump its version).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

COOLDOWN = 5.0


class CircuitBreaker:
    """Remembers that a service failed, for ``cooldown`` seconds (per process)."""

    def __init__(self, name, cooldown):
        self.name = name
        self.cooldown = cooldown
        self.open_until = 0.0
        self.failed_since = None

    def is_open(self):
        return time.monotonic() < self.open_until

    def trip(self, exc):
        if self.failed_since is None:
            self.failed_since = time.monotonic()
            logger.warning("%s unavailable, not asked again for %.0f s: %s", self.name, self.cooldown, exc)
        self.open_until = time.monotonic() + self.cooldown

    def reset(self):
        self.open_until, self.failed_since = 0.0, None

    def succeeded(self):
        """Record a success; True when it ends an outage."""
        if self.failed_since is None:
            return False
        logger.warning("%s answers again after %.1f s", self.name, time.monotonic() - self.failed_since)
        self.reset()
        return True


_after_outage = []
# One breaker per Redis server, shared by the cache objects of every thread of the process.
_breakers = {}


def reset_breakers():
    """Forget every failure (for tests, which stop and start servers of their own)."""
    for breaker in _breakers.values():
        breaker.reset()


def after_outage(function):
    """Register ``function()`` to run when the cache answers again after failing."""
    if function not in _after_outage:
        _after_outage.append(function)
    return function


# (server URL, pool options) -> redis-py client with its pool, for the whole process. redis-py's
# pools notice a fork and start afresh in the child.
_shared_clients = {}
_shared_lock = threading.Lock()


class ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        server = self._servers[index]
        identity = (server, repr(sorted(self._pool_options.items())))
        client = _shared_clients.get(identity)
        if client is None:
            with _shared_lock:
                client = _shared_clients.get(identity)
                if client is None:
                    pool = self._pool_class.from_url(server, **self._pool_options)
                    client = _shared_clients[identity] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """Redis as a cache that may fail: see the module's docstring."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self.breaker = _breakers.setdefault(server, CircuitBreaker(f"Redis cache {server}", COOLDOWN))

    def _guarded(self, operation, fallback, *args, **kwargs):
        if self.breaker.is_open():
            return fallback
        try:
            result = operation(*args, **kwargs)
        except RedisError as exc:
            self.breaker.trip(exc)
            return fallback
        if self.breaker.failed_since is not None and self.breaker.succeeded():
            self._forget_sessions()
            for function in _after_outage:
                function()
        return result

    def _forget_sessions(self):
        """Drop the cached copies of sessions (cached_db) after an outage: a session changed or ended
        meanwhile (a sign-out) was written to the database only, and the copy a frozen Redis kept
        would otherwise be read again. The sessions are read from the database once more."""
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX

        try:
            client = self._cache.get_client(write=True)
            keys = list(client.scan_iter(match=self.make_and_validate_key(KEY_PREFIX) + "*", count=1000))
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
        except RedisError as exc:
            self.breaker.trip(exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # True during an outage: nothing is stored that the key could clash with, and callers that
        # use add() as a lock (allauth's rate limits) must not wait for a lock nobody holds.
        return self._guarded(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._guarded(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key still raises ValueError, as Django's contract says; an outage gives None.
        return self._guarded(super().incr, None, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._guarded(super().delete_many, None, keys, version)

    def clear(self):
        return self._guarded(super().clear, False)
