"""The test runner's processes: how many ``make test`` starts, and each worker's Redis database
(gfmd_portal/testservices.py, gfmd_portal/testworkers.py)."""

import os

import pytest
from django.conf import settings

from gfmd_portal import testservices, testworkers
from gfmd_portal.testworkers import worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/15", 0, "redis://127.0.0.1:6379/15"),
        ("redis://127.0.0.1:6379/15", 3, "redis://127.0.0.1:6379/12"),
        ("redis://:secret@cache:6380/9?socket_timeout=2", 1, "redis://:secret@cache:6380/8?socket_timeout=2"),
        ("redis://127.0.0.1:6379", 0, "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/", 0, "redis://127.0.0.1:6379/0"),
        ("rediss://cache.example.org:6380/15", 1, "rediss://cache.example.org:6380/14"),
        ("unix:///run/redis.sock?db=15", 1, "unix:///run/redis.sock?db=15"),
    ],
)
def test_each_worker_has_a_redis_database_of_its_own(url, worker, expected):
    assert worker_redis_url(url, worker) == expected


def test_a_worker_without_a_database_left_is_an_error():
    with pytest.raises(ValueError, match="gw2"):
        worker_redis_url("redis://127.0.0.1:6379/1", 2)


def test_this_process_uses_its_workers_database(real_cache):
    if not testworkers.REQUESTED_REDIS_URL:
        pytest.skip("the run has no Redis")
    if testworkers.WORKER is None:
        assert settings.REDIS_URL == testworkers.REQUESTED_REDIS_URL
    else:
        assert worker_redis_url(testworkers.REQUESTED_REDIS_URL, testworkers.WORKER) == settings.REDIS_URL
        assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL


@pytest.mark.parametrize(
    ("argv", "cores", "expected"),
    [
        ([], 2, ["-n", "2", "--dist", "load"]),
        (["--require-services", "-q"], 8, ["-n", "4", "--dist", "load"]),
        (["-k", "loader"], 2, ["-n", "2", "--dist", "load"]),
        ([], 1, []),
        (["-n", "3"], 2, []),
        (["-n0"], 2, []),
        (["--numprocesses=1"], 2, []),
        (["-p", "no:xdist"], 2, []),
        (["practices/tests/test_api.py::test_list_query_count_is_the_same_whatever_the_size"], 2, []),
    ],
)
def test_make_test_starts_one_process_per_core_unless_told(monkeypatch, argv, cores, expected):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert testservices.workers(argv) == expected
