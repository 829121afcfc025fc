"""Site-wide Celery tasks."""

from celery import shared_task
from django.db import connection


@shared_task(name="portal.diagnostics", time_limit=30, soft_time_limit=20)
def diagnostics() -> dict:
    """Report what the worker is connected to; used by the services tests and by operators."""
    from portal.health import broker_transport

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {
        "database_vendor": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        "broker_transport": broker_transport(),
    }
