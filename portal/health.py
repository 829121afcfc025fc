"""Probes of the services the portal depends on, for /healthz and the diagnostics task."""

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def broker_transport() -> str:
    """The kombu transport the Celery app uses ("redis", "filesystem", ...)."""
    with celery_app.connection_for_write() as conn:
        return conn.transport.driver_type


def check_database() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health: database unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": _ms(started)}


def check_cache() -> dict:
    started = time.perf_counter()
    key, value = f"healthz:{uuid.uuid4().hex}", "1"
    try:
        cache.set(key, value, timeout=5)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:
        logger.warning("health: cache unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok, "backend": cache.__class__.__name__, "ms": _ms(started)}


def check_broker() -> dict:
    started = time.perf_counter()
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
            transport = conn.transport.driver_type
    except Exception as exc:
        logger.warning("health: broker unreachable: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "transport": transport, "ms": _ms(started)}


def check_workers(timeout: float = 1.0) -> dict:
    started = time.perf_counter()
    try:
        replies = celery_app.control.ping(timeout=timeout)
    except Exception as exc:
        logger.warning("health: worker ping failed: %s", exc)
        return {"ok": False, "error": exc.__class__.__name__, "workers": []}
    names = sorted(name for reply in replies for name in reply)
    return {"ok": bool(names), "workers": names, "ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
