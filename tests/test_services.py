"""A real Celery worker process, a task sent through the configured broker, and the stack in use.

.ci/run sets PORTAL_EXPECT_STACK for each leg ("embedded" or "postgres-redis"), so that a leg
meant to run on PostgreSQL and Redis cannot pass on SQLite and the filesystem broker.
"""

import os

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app
from portal.tasks import diagnostics
from tests.processes import need

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

EXPECTED = {
    "embedded": {"database_vendor": "sqlite", "broker_transport": "filesystem", "cache": "LocMemCache"},
    "postgres-redis": {"database_vendor": "postgresql", "broker_transport": "redis", "cache": "RedisCache"},
}


def test_task_round_trip_through_a_real_worker(celery_worker_process):
    result = diagnostics.delay()
    report = result.get(timeout=60)
    assert report["database_vendor"] == connection.vendor
    assert report["database_name"] == str(connection.settings_dict["NAME"])
    assert report["broker_transport"] == app.connection_for_write().transport.driver_type
    # The result travelled back through django-celery-results, in the test database.
    from django_celery_results.models import TaskResult

    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
    assert stored.task_name == "portal.diagnostics"


def test_healthz_sees_the_worker(celery_worker_process, client):
    body = client.get("/healthz").json()
    assert body["workers"]["ok"] is True
    assert any(celery_worker_process.hostname.split("@")[0] in name for name in body["workers"]["workers"])


def test_this_leg_runs_on_the_stack_it_claims(celery_worker_process):
    expected_stack = os.environ.get("PORTAL_EXPECT_STACK")
    need(expected_stack is not None, "PORTAL_EXPECT_STACK is not set (.ci/run sets it for each leg)")
    expected = EXPECTED[expected_stack]
    report = diagnostics.delay().get(timeout=60)
    assert report["database_vendor"] == expected["database_vendor"]
    assert report["broker_transport"] == expected["broker_transport"]
    assert settings.CACHES["default"]["BACKEND"].endswith(expected["cache"])
