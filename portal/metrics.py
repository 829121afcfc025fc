"""Prometheus metrics at ``/metrics``: request latency by view, and the state of the work.

Two kinds of figures:

- Request latency, measured in the web process that served each request (``RequestMetrics``
  middleware). Under gunicorn every process keeps its own; with ``PROMETHEUS_MULTIPROC_DIR`` set,
  prometheus-client writes them to files there and any process's scrape adds them all up.
- Everything about runs, queues and imports is read when Prometheus scrapes (``WorkCollector``),
  from PostgreSQL and the broker: every process answers the same, however many web processes,
  workers or trainers run, and nothing is lost when one of them restarts. Run duration and wait
  are histograms over every finished run (one aggregate query each), so they move when a run
  finishes. The import counters are the exception: they count the imports that ran in the
  process serving the scrape (the admin's import page); the data syncs, which run on workers, are
  counted from their ``SyncRun`` rows.

The endpoint wants ``Authorization: Bearer <METRICS_TOKEN>``; without a token configured it
answers 404, so a deployment that never set one publishes nothing.
"""

import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

REQUEST_LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by view (URL name), method and status class.",
    ["view", "method", "status"],
)

#: Histogram bounds in seconds: a demo run lasts seconds (MLP) to half an hour (BERT on a CPU).
DURATION_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
WAIT_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


class RequestMetrics:
    """Middleware: observe each request's latency under its view's name (first in the chain)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        REQUEST_LATENCY.labels(view, request.method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


def _histogram(name: str, documentation: str, rows, buckets) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=["demo"])
    for row in rows:
        cumulative = [(str(float(b)), row[f"le_{b}"]) for b in buckets] + [("+Inf", row["n"])]
        total = row["total"].total_seconds() if row["total"] is not None else 0.0
        family.add_metric([row["demo"]], cumulative, total)
    return family


def _seconds_histogram_rows(queryset, start: str, end: str, buckets):
    """Per demo: how many runs, their total seconds from ``start`` to ``end``, and per bucket."""
    span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    counts = {f"le_{b}": Count("pk", filter=Q(span__lte=timedelta(seconds=b))) for b in buckets}
    return (
        queryset.filter(**{f"{start}__isnull": False, f"{end}__isnull": False})
        .alias(span=span)
        .values("demo")
        .annotate(n=Count("pk"), total=Sum("span"), **counts)
        .order_by("demo")
    )


def broker_queue_depths(queues) -> dict[str, int] | None:
    """Messages waiting in each queue on the broker; None when the broker cannot be reached."""
    from portal.celery import app

    depths = {}
    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            channel = connection.default_channel
            for queue in queues:
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:  # a queue nobody has declared yet holds nothing
                    depths[queue] = 0
                    channel = connection.channel()
    except Exception:
        return None
    return depths


class WorkCollector:
    """Figures read at scrape time from the database and the broker (see the module docstring)."""

    def describe(self):
        # Registering asks a collector for its names; these come from the database at scrape time.
        return []

    def collect(self):
        from resources.models import SyncRun
        from tutorials.models import TrainingRun

        runs = GaugeMetricFamily(
            "portal_training_runs", "Training runs by state and queue.", labels=["state", "queue"]
        )
        seen = set()
        for row in TrainingRun.objects.values("status", "queue").annotate(n=Count("pk")).order_by():
            runs.add_metric([row["status"], row["queue"]], row["n"])
            seen.add((row["status"], row["queue"]))
        for state in TrainingRun.Status.values:  # every state present, at zero if need be
            for queue in (settings.TRAINING_QUEUE, settings.TRAINING_GPU_QUEUE):
                if (state, queue) not in seen:
                    runs.add_metric([state, queue], 0)
        yield runs

        queues = settings.CELERY_WORKER_QUEUES
        depths = broker_queue_depths(queues)
        up = GaugeMetricFamily("portal_broker_up", "1 when the broker answered this scrape.")
        up.add_metric([], 0 if depths is None else 1)
        yield up
        depth = GaugeMetricFamily(
            "portal_queue_depth", "Messages waiting on the broker, by queue.", labels=["queue"]
        )
        for queue, n in (depths or {}).items():
            depth.add_metric([queue], n)
        yield depth

        finished = TrainingRun.objects.filter(status=TrainingRun.Status.SUCCEEDED)
        yield _histogram(
            "portal_training_run_duration_seconds",
            "Time from start to end of the successful runs, by demo.",
            _seconds_histogram_rows(finished, "started_at", "finished_at", DURATION_BUCKETS),
            DURATION_BUCKETS,
        )
        yield _histogram(
            "portal_training_run_wait_seconds",
            "Time runs waited in the queue before a trainer took them, by demo.",
            _seconds_histogram_rows(TrainingRun.objects.all(), "created_at", "started_at", WAIT_BUCKETS),
            WAIT_BUCKETS,
        )

        syncs = GaugeMetricFamily("portal_deadline_syncs", "Deadline sync runs by result.", labels=["state"])
        last = GaugeMetricFamily(
            "portal_deadline_sync_last_finished_timestamp_seconds",
            "When the last deadline sync with this result finished (Unix time).",
            labels=["state"],
        )
        by_state = {
            row["state"]: row
            for row in SyncRun.objects.values("state")
            .annotate(n=Count("pk"), last=Max("finished_at"))
            .order_by()
        }
        for state in SyncRun.State.values:
            row = by_state.get(state, {"n": 0, "last": None})
            syncs.add_metric([state], row["n"])
            if row["last"] is not None:
                last.add_metric([state], row["last"].timestamp())
        yield syncs
        yield last


_WORK = WorkCollector()
REGISTRY.register(_WORK)


def registry():
    """The registry a scrape reads: the processes' shared files under gunicorn, else this process's."""
    if not settings.METRICS_MULTIPROC_DIR:
        return REGISTRY
    from prometheus_client import multiprocess

    shared = CollectorRegistry()
    multiprocess.MultiProcessCollector(shared, path=settings.METRICS_MULTIPROC_DIR)
    shared.register(_WORK)
    return shared


@never_cache
@require_GET
def metrics(request):
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are off")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        response = HttpResponse(_("A bearer token is needed.") + "\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
