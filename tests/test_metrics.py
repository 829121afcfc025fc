"""The Prometheus endpoint: guarded by a token, parsed by prometheus-client's own parser."""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import TrainingRunFactory, UserFactory
from tutorials import services

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests"


@pytest.fixture
def scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = {}
        for family in text_string_to_metric_families(response.content.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    return read


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_endpoint_is_off_without_a_token_and_refuses_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guessed")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")


def test_run_figures_move_when_a_run_finishes(scrape, django_assert_num_queries):
    run = TrainingRunFactory(
        owner=UserFactory(),
        demo="mlp_digits",
        queue="training",
        params=services.validate_params("mlp_digits", {"epochs": 1}),
    )
    # Runs by state and queue, run durations, run waits, sync runs by state (the broker is not SQL).
    with django_assert_num_queries(4):
        before = scrape()
    assert value(before, "portal_training_runs", state="queued", queue="training") == 1
    assert value(before, "portal_training_runs", state="succeeded", queue="training") == 0
    assert value(before, "portal_training_run_duration_seconds_count", demo="mlp_digits") == 0
    assert value(before, "portal_broker_up") == 1
    assert ("portal_queue_depth", (("queue", "training"),)) in before

    assert services.execute_run(str(run.pk), worker="metrics-test") == "succeeded"
    after = scrape()
    assert value(after, "portal_training_runs", state="queued", queue="training") == 0
    assert value(after, "portal_training_runs", state="succeeded", queue="training") == 1
    run.refresh_from_db()
    assert value(after, "portal_training_run_duration_seconds_count", demo="mlp_digits") == 1
    assert value(after, "portal_training_run_duration_seconds_sum", demo="mlp_digits") == pytest.approx(
        run.duration_seconds, abs=1e-3
    )
    assert value(after, "portal_training_run_wait_seconds_count", demo="mlp_digits") == 1
    assert value(after, "portal_training_run_duration_seconds_bucket", demo="mlp_digits", le="+Inf") == 1


def test_request_latency_is_counted_by_view(client, scrape):
    def served(samples):
        return value(
            samples, "portal_request_duration_seconds_count", view="home", method="GET", status="2xx"
        )

    before = served(scrape())
    assert client.get("/").status_code == 200
    assert served(scrape()) == before + 1


def test_sync_and_import_results(scrape):
    from django.utils import timezone

    from resources.importers.base import FileReport, run_files
    from resources.models import SyncRun

    SyncRun.objects.create(state="failed", paths="x", finished_at=timezone.now())
    before = scrape()
    assert value(before, "portal_deadline_syncs", state="failed") == 1
    assert value(before, "portal_deadline_syncs", state="done") == 0
    assert value(before, "portal_deadline_sync_last_finished_timestamp_seconds", state="failed") > 0

    def import_one(path, report: FileReport):
        report.count("created", str(path))

    run_files(["a.yml", "b.yml"], import_one)
    after = scrape()
    assert (
        value(after, "portal_import_runs_total", result="stored")
        == value(before, "portal_import_runs_total", result="stored") + 1
    )
    assert (
        value(after, "portal_import_rows_total", outcome="created")
        == value(before, "portal_import_rows_total", outcome="created") + 2
    )
