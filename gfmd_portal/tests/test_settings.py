import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gfmd_portal import env

ROOT = Path(__file__).resolve().parents[2]


def test_boolean_accepts_the_usual_spellings(monkeypatch):
    for value, expected in [("1", True), ("yes", True), ("On", True), ("0", False), ("false", False)]:
        monkeypatch.setenv("GFMD_FLAG", value)
        assert env.boolean("GFMD_FLAG") is expected


def test_a_bad_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("GFMD_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="GFMD_FLAG"):
        env.boolean("GFMD_FLAG")


def test_a_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("GFMD_SECRET", raising=False)
    monkeypatch.setenv("GFMD_SECRET_FILE", str(secret))
    assert env.string("GFMD_SECRET") == "from-a-file"


def test_email_urls():
    assert env.email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = env.email_settings("smtp+tls://user%40x:p%40ss@mail.example.org:2525")
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"], smtp["EMAIL_USE_TLS"]) == ("mail.example.org", 2525, True)
    assert (smtp["EMAIL_HOST_USER"], smtp["EMAIL_HOST_PASSWORD"]) == ("user@x", "p@ss")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        env.email_settings("pigeon://coop")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://localhost/db", "DATABASE_URL must start with one of"),
        ("REDIS_URL", "http://localhost", "REDIS_URL must start with one of"),
        ("DEBUG", "perhaps", "DEBUG must be one of"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 50 characters long"),
        ("SECRET_KEY", "a" * 60, "with at least 5 different ones"),
        ("SECRET_KEY", "django-insecure-" + "abcdefghij" * 5, "not start with 'django-insecure-'"),
        ("CACHE_SOCKET_TIMEOUT", "soon", "CACHE_SOCKET_TIMEOUT must be a number"),
        ("OUTBOX_PUBLISH_TIMEOUT", "0", "OUTBOX_PUBLISH_TIMEOUT must be at least 0.05"),
        ("CELERY_BROKER_URL", "amqp://x", "CELERY_BROKER_URL must start with one of"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL must start with"),
        ("PORT", "eighty", "PORT must be a whole number"),
        ("DATABASE_URL", "postgres://x:notaport/y", "DATABASE_URL: the port must be a whole number"),
        ("DATABASE_URL", "", "DATABASE_URL is empty"),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432", "DATABASE_URL names no database"),
        ("EMAIL_URL", "smtp://h:xx", "EMAIL_URL: the port must be a whole number"),
        ("EMAIL_URL", "smtp://h:25?timeout=soon", "EMAIL_URL: ?timeout= must be a whole number"),
        ("REDIS_URL", "redis://127.0.0.1:6379/abc", "REDIS_URL must end with a database number"),
        ("REDIS_URL", "redis://127.0.0.1:port/0", "REDIS_URL: the port must be a whole number"),
        ("CACHE_URL", "redis://127.0.0.1:6379/x", "CACHE_URL must end with a database number"),
    ],
)
def test_a_wrong_value_stops_the_start(name, value, message, tmp_path):
    environment = {**os.environ, name: value, "GFMD_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    # One line that names the variable, no traceback.
    assert result.stderr.strip().splitlines() == [f"Configuration error: {result.stderr.split(': ', 1)[1].strip()}"]
    assert message in result.stderr
    assert result.stderr.startswith(f"Configuration error: {name}")


def test_an_empty_variable_beside_an_unreadable_file_stops_the_start(tmp_path):
    environment = {
        **os.environ,
        "SECRET_KEY": "",
        "SECRET_KEY_FILE": str(tmp_path / "missing"),
        "GFMD_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Configuration error: SECRET_KEY_FILE: cannot read {tmp_path / 'missing'}: "
        f"[Errno 2] No such file or directory: '{tmp_path / 'missing'}'"
    ]


def test_a_password_is_not_repeated_in_a_port_error(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://me:s3cret@db:notaport/gfmd")
    with pytest.raises(ImproperlyConfigured) as error:
        env.database_url("DATABASE_URL", None, schemes={"postgres"})
    assert "s3cret" not in str(error.value)
    assert "'db:notaport'" in str(error.value)


def test_connection_health_checks_are_on(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def _site_url(tmp_path, **variables):
    environment = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "HOST", "PORT")}
    environment.update(variables, GFMD_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="gfmd_portal.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_site_url_follows_host_and_port_unless_it_is_set(tmp_path):
    assert _site_url(tmp_path) == "http://127.0.0.1:8000"
    assert _site_url(tmp_path, PORT="8123") == "http://127.0.0.1:8123"
    assert _site_url(tmp_path, HOST="localhost", PORT="9000") == "http://localhost:9000"
    assert _site_url(tmp_path, HOST="0.0.0.0", PORT="9000") == "http://127.0.0.1:9000"  # noqa: S104
    assert _site_url(tmp_path, PORT="9000", SITE_URL="https://gfmd.example.org/") == "https://gfmd.example.org"
