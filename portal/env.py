"""Reading settings from the environment.

Every helper names the variable in its error, so a typo in a deployment fails at start-up
with a message that says what to fix, never later with a stack trace from deep inside Django.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

# Every variable the settings read, so that tests can check docker-compose.yml against it.
READ: set[str] = set()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str | None = None) -> str | None:
    READ.add(name)
    return os.environ.get(name, default)


def get_bool(name: str, default: bool = False) -> bool:
    READ.add(name)
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def get_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    READ.add(name)
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


def get_int(name: str, default: int, *, minimum: int | None = None) -> int:
    READ.add(name)
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def get_list(name: str, default: list[str]) -> list[str]:
    READ.add(name)
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_database(name: str, default: str) -> dict:
    READ.add(name)
    raw = os.environ.get(name) or default
    scheme = urlsplit(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"{name}={raw!r}: the scheme must be sqlite:// or postgres://.")
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={raw!r} names no database.")
    return config


def get_cache(name: str, default: str) -> dict:
    READ.add(name)
    raw = os.environ.get(name) or default
    parts = urlsplit(raw)
    scheme = parts.scheme
    if scheme not in {"locmem", "redis", "rediss", "dummy"}:
        raise ImproperlyConfigured(f"{name}={raw!r}: the scheme must be locmem://, redis:// or dummy://.")
    if scheme in {"redis", "rediss"}:
        return {
            # A cache that is down must not take pages down with it: fail fast, fall through
            # (portal/cache.py treats an unreachable Redis as a miss).
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": raw,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": parts.netloc or "portal"}


def get_broker(name: str, default_folder: Path) -> tuple[str, dict]:
    """Return the Celery broker URL and its transport options.

    ``filesystem://`` (optionally followed by a folder, ``filesystem:///srv/broker``) uses
    kombu's filesystem transport, which needs no server: the embedded default.
    """
    READ.add(name)
    raw = os.environ.get(name) or "filesystem://"
    parts = urlsplit(raw)
    if parts.scheme == "filesystem":
        folder = Path(parts.path) if parts.path not in {"", "/"} else default_folder
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            # Fanout exchanges (worker pings, remote control); kombu's default is ./control.
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
        return "filesystem://", options
    if parts.scheme in {"redis", "rediss"}:
        # Bounded socket waits: a Redis that accepts connections but does not answer (stopped,
        # overloaded) makes a launch answer 503 within seconds instead of blocking a web worker.
        return raw, {"socket_connect_timeout": 2, "socket_timeout": 3}
    raise ImproperlyConfigured(f"{name}={raw!r}: the scheme must be filesystem:// or redis://.")
