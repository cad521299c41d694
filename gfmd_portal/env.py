"""Small typed readers for settings that come from the environment.

Each helper rejects a malformed value at start-up (ImproperlyConfigured) instead of
letting it surface later as a confusing failure. A variable ``NAME`` may also be given
as ``NAME_FILE``: the path of a file holding the value (for secrets).
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def raw(name, default=None):
    """The value of ``name``, or (when ``name`` is unset or empty) the content of the file named by
    ``name_FILE``: an empty ``SECRET_KEY=`` beside a ``SECRET_KEY_FILE`` that cannot be read stops
    the start instead of falling back to a default."""
    if os.environ.get(name):
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {exc}") from exc
    if name in os.environ:
        return os.environ[name]
    return default


def string(name, default=""):
    return raw(name, default)


def boolean(name, default=False):
    value = raw(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def integer(name, default, *, minimum=None):
    value = raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {number}")
    return number


def number(name, default, *, minimum=None):
    """A decimal number of seconds, for instance."""
    value = raw(name)
    if value is None:
        return default
    try:
        result = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number; got {value!r}") from None
    if minimum is not None and result < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {result}")
    return result


def listing(name, default=()):
    value = raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def url(name, default=None, *, schemes):
    """A URL whose scheme is one of ``schemes``; None when unset and no default."""
    value = raw(name, default)
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must start with one of {allowed}; got {value!r}")
    return value


def _port(name, parsed, example):
    try:
        return parsed.port
    except ValueError:
        address = parsed.netloc.rpartition("@")[2]  # no user name or password in the message
        raise ImproperlyConfigured(
            f"{name}: the port must be a whole number from 0 to 65535, as in {example}; got {address!r}"
        ) from None


def database_url(name, default, *, schemes):
    """``url`` for a database: not empty, a numeric port, a database name (a server URL without one
    would fail only at the first query)."""
    example = "postgres://user:password@host:5432/name"
    value = url(name, default, schemes=schemes)
    if value is None:
        raise ImproperlyConfigured(f"{name} is empty: unset it for the default (SQLite under var/), or give {example}")
    parsed = urlparse(value)
    _port(name, parsed, example)
    if parsed.scheme != "sqlite" and not parsed.path.strip("/"):
        raise ImproperlyConfigured(f"{name} names no database: give it after the host, as in {example}")
    return value


def redis_url(name, default, *, schemes):
    """``url`` for Redis: a numeric port and a database number (``/abc`` would silently be database 0,
    a port that is not a number would fail only at the first use). Empty or unset: None."""
    example = "redis://host:6379/0"
    value = url(name, default, schemes=schemes)
    if value is None:
        return None
    parsed = urlparse(value)
    _port(name, parsed, example)
    if parsed.scheme != "unix":
        database = parsed.path.strip("/")
        if database and not database.isdigit():
            raise ImproperlyConfigured(f"{name} must end with a database number, as in {example}; got /{database}")
    return value


def email_settings(value):
    """Translate an ``EMAIL_URL`` into Django's email settings.

    console://             print to standard output
    file:///path/to/dir    one file per message
    locmem://              in memory (tests)
    smtp://user:pass@host:port  and  smtp+tls:// / smtp+ssl://
    """
    parsed = urlparse(value)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        if not parsed.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs a folder, e.g. file:///var/mail")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path,
        }
    if scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        if not parsed.hostname:
            raise ImproperlyConfigured("EMAIL_URL smtp:// needs a host")
        options = parse_qs(parsed.query)
        port = _port("EMAIL_URL", parsed, "smtp://user:password@host:25")
        timeout = options.get("timeout", ["10"])[0]
        if not timeout.isdigit():
            raise ImproperlyConfigured(f"EMAIL_URL: ?timeout= must be a whole number of seconds; got {timeout!r}")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": port or (465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(timeout),
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL must start with console://, file://, locmem://, smtp://, smtp+tls:// or smtp+ssl://; got {value!r}"
    )
