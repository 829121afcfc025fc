"""PostgreSQL drops the web process's connections: the next requests succeed (CONN_HEALTH_CHECKS).

gunicorn keeps its connection between requests (CONN_MAX_AGE); the test terminates every backend
of the test database except its own, as a database restart or failover would.
"""

import pytest
from django.db import connection

from tests.factories import PaperFactory
from tests.processes import WebProcess, on_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PAGES = ["/papers/", "/api/v1/papers/", "/healthz", "/"]


def terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return sum(1 for (done,) in cursor.fetchall() if done)


def test_requests_succeed_after_the_database_dropped_the_connection(tmp_path):
    if not on_postgresql():
        pytest.skip("the PostgreSQL leg's test: this run uses SQLite")
    paper = PaperFactory()
    web = WebProcess(tmp_path / "gunicorn.log", {"CONN_MAX_AGE": "600"})
    try:
        for path in [*PAGES, paper.get_absolute_url()]:
            assert web.get(path).status_code == 200, web.log()
        for _ in range(3):
            # The web process holds a persistent connection, which this terminates.
            assert terminate_other_backends() >= 1
            for path in [*PAGES, paper.get_absolute_url()]:
                response = web.get(path)
                assert response.status_code == 200, f"{path}: {response.status_code}\n{web.log()}"
            assert web.get("/healthz").json()["database"]["ok"] is True
    finally:
        web.stop()
