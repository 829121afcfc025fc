"""/api/v1/runs/: launching, the error bodies of every refusal, visibility, cancelling, query counts.

No worker process here: a launch is checked up to the task being sent to the test broker (a
folder of its own), which is where the service's responsibility ends.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal.celery import app
from tests.factories import TrainingRunFactory, TutorialFactory
from tests.helpers import api_client_for
from tutorials.api.throttling import LaunchThrottle
from tutorials.models import TrainingRun
from tutorials.services import finite

pytestmark = pytest.mark.django_db

Status = TrainingRun.Status
RUNS = "/api/v1/runs/"


def make_run(user, **fields) -> TrainingRun:
    return TrainingRunFactory(owner=user, demo=fields.pop("demo", "mlp_digits"), **fields)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "detail", "fields"}
    assert body["error"]["status"] == response.status_code
    return body["error"]


# --- launching ---------------------------------------------------------------------------------


def test_launch_creates_a_queued_run_and_sends_its_task(owner_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_api.post(
            RUNS, {"demo": "mlp_digits", "params": {"epochs": 3, "learning_rate": "0.01"}}, format="json"
        )
    assert response.status_code == 201, response.content
    body = response.json()
    run = TrainingRun.objects.get()
    assert body["id"] == str(run.pk) and response["Location"] == body["url"]
    assert (body["status"], body["owner"], body["demo"], body["is_public"]) == (
        "queued",
        "owner",
        "mlp_digits",
        False,
    )
    assert body["params"]["epochs"] == 3 and body["params"]["learning_rate"] == 0.01
    assert body["params"]["hidden_size"] == 256  # the demo's default for what was left out
    assert body["share_url"].endswith(f"/tutorials/shared/{run.share_token}/")
    assert body["page_url"].endswith(f"/tutorials/runs/{run.pk}/")
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.task_id  # the task went to the broker once the row was committed


def test_launch_from_a_tutorial_takes_its_demo_and_defaults(owner_api):
    tutorial = TutorialFactory(slug="digits", demo="mlp_digits", demo_defaults={"epochs": 5})
    response = owner_api.post(
        RUNS, {"tutorial": "digits", "params": {"learning_rate": 0.01}, "is_public": True}, format="json"
    )
    assert response.status_code == 201, response.content
    run = TrainingRun.objects.get()
    assert (run.tutorial, run.demo, run.is_public) == (tutorial, "mlp_digits", True)
    assert (run.params["epochs"], run.params["learning_rate"]) == (5, 0.01)
    assert response.json()["tutorial"] == "digits"


def test_a_session_works_as_well_as_a_token(owner):
    client = APIClient()
    client.force_login(owner)
    assert client.post(RUNS, {"demo": "tiny_gpt", "params": {"steps": 20}}, format="json").status_code == 201


def test_out_of_bounds_parameters_are_400_with_field_errors_and_no_row(owner_api):
    response = owner_api.post(
        RUNS,
        {"demo": "mlp_digits", "params": {"learning_rate": -1, "epochs": "many", "colour": "red"}},
        format="json",
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid"
    params = error["fields"]["params"]
    assert set(params) == {"learning_rate", "epochs", "colour"}
    assert params["learning_rate"] == ["must be at least 1e-05"]
    assert not TrainingRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"demo": "no_such_demo"}, "demo"),
        ({}, "demo"),
        ({"demo": "mlp_digits", "params": [1, 2]}, "params"),
        ({"demo": "mlp_digits", "is_public": "perhaps"}, "is_public"),
        ({"tutorial": "missing"}, "tutorial"),
        ({"tutorial": "reading-only"}, "tutorial"),
        ({"tutorial": "a-draft"}, "tutorial"),
        ({"tutorial": "digits", "demo": "tiny_gpt"}, "demo"),
    ],
)
def test_bad_launch_bodies_name_the_field(owner_api, body, field):
    TutorialFactory(slug="digits", demo="mlp_digits")
    TutorialFactory(slug="reading-only", demo="")
    TutorialFactory(slug="a-draft", demo="mlp_digits", status="draft")
    response = owner_api.post(RUNS, body, format="json")
    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert not TrainingRun.objects.exists()


def test_anonymous_launch_is_401(client):
    response = APIClient().post(RUNS, {"demo": "mlp_digits"}, format="json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")
    assert not TrainingRun.objects.exists()


def test_launches_over_the_launch_rate_are_429_with_retry_after(owner_api, monkeypatch, settings):
    monkeypatch.setattr(LaunchThrottle, "rate", "2/hour", raising=False)
    settings.TRAINING_MAX_ACTIVE_PER_USER = 10  # the throttle, not the fair-use limit, is under test
    for _ in range(2):
        assert owner_api.post(RUNS, {"demo": "mlp_digits"}, format="json").status_code == 201
    response = owner_api.post(RUNS, {"demo": "mlp_digits"}, format="json")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert TrainingRun.objects.count() == 2
    # Reads and cancelling are not launches.
    assert owner_api.get(RUNS).status_code == 200
    run = TrainingRun.objects.first()
    assert owner_api.post(f"{RUNS}{run.pk}/cancel/").status_code == 200


def test_the_fair_use_limit_is_429_in_the_common_error_body(owner_api, owner, settings):
    settings.TRAINING_MAX_ACTIVE_PER_USER = 1
    make_run(owner, status=Status.RUNNING)
    response = owner_api.post(RUNS, {"demo": "mlp_digits"}, format="json")
    assert response.status_code == 429
    error = error_of(response)
    assert error["code"] == "limit" and "wait for one to finish" in error["detail"]
    assert response["Retry-After"] == "60"
    assert TrainingRun.objects.count() == 1


def test_a_full_queue_is_503(owner_api, other, settings):
    settings.TRAINING_QUEUE_CAP = 1
    make_run(other)
    response = owner_api.post(RUNS, {"demo": "mlp_digits"}, format="json")
    assert response.status_code == 503
    assert error_of(response)["code"] == "busy" and response["Retry-After"] == "60"
    assert TrainingRun.objects.count() == 1


def test_an_unreachable_broker_is_503_and_leaves_no_row(owner_api, monkeypatch):
    # A real broker address where nothing listens (Celery reads CELERY_BROKER_URL from the environment).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(app.conf, "broker_transport_options", {})
    assert app.conf.broker_url == "redis://127.0.0.1:9/0"
    response = owner_api.post(RUNS, {"demo": "mlp_digits"}, format="json")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "broker" and "unavailable" in error["detail"]
    assert response["Retry-After"] == "30"
    assert not TrainingRun.objects.exists()


# --- reading -----------------------------------------------------------------------------------


@pytest.fixture
def runs(owner, other):
    return {
        "mine private": make_run(owner),
        "mine public": make_run(owner, is_public=True, demo="tiny_gpt"),
        "other public": make_run(other, is_public=True, status=Status.SUCCEEDED),
        "other private": make_run(other),
    }


def ids(response) -> set[str]:
    assert response.status_code == 200
    return {item["id"] for item in response.json()["results"]}


def test_lists_show_public_runs_and_ones_own(owner_api, other_api, runs):
    def named(*names):
        return {str(runs[name].pk) for name in names}

    assert ids(owner_api.get(RUNS)) == named("mine private", "mine public", "other public")
    assert ids(owner_api.get(RUNS, {"mine": "1"})) == named("mine private", "mine public")
    assert ids(other_api.get(RUNS)) == named("mine public", "other public", "other private")
    assert ids(APIClient().get(RUNS)) == named("mine public", "other public")
    assert ids(APIClient().get(RUNS, {"mine": "true"})) == set()
    assert ids(owner_api.get(RUNS, {"demo": "tiny_gpt"})) == named("mine public")
    assert ids(APIClient().get(RUNS, {"status": "succeeded"})) == named("other public")
    assert owner_api.get(RUNS, {"status": "sleeping"}).status_code == 400


def test_a_list_item_leaves_out_the_series(owner_api, runs):
    item = owner_api.get(RUNS).json()["results"][0]
    assert "metrics" not in item and "results" not in item and "params" not in item
    assert {"id", "url", "status", "progress", "owner", "final_metrics", "created_at"} <= set(item)


def test_the_detail_has_progress_metrics_results_and_timings(owner_api, owner):
    started = timezone.now() - timedelta(seconds=30)
    run = make_run(
        owner,
        status=Status.SUCCEEDED,
        progress=1.0,
        step=90,
        total_steps=90,
        epoch=2,
        device="cpu",
        metrics=[{"step": 45, "epoch": 1, "loss": 0.4, "val_accuracy": 0.93}, {"step": 90, "epoch": 2}],
        final_metrics={"val_accuracy": 0.975, "val_loss": 0.1},
        results={"confusion_matrix": [[1]]},
        started_at=started,
        finished_at=started + timedelta(seconds=12),
    )
    body = owner_api.get(f"{RUNS}{run.pk}/").json()
    assert (body["status"], body["progress"], body["step"], body["total_steps"], body["device"]) == (
        "succeeded",
        1.0,
        90,
        90,
        "cpu",
    )
    assert body["metrics"][0] == {"step": 45, "epoch": 1, "loss": 0.4, "val_accuracy": 0.93}
    assert body["final_metrics"] == {"val_accuracy": 0.975, "val_loss": 0.1}
    assert body["results"] == {"confusion_matrix": [[1]]}
    assert body["duration_seconds"] == 12.0 and body["started_at"] and body["finished_at"]


def test_another_users_private_run_is_404_never_403(owner_api, other_api, runs):
    private = runs["mine private"]
    for client in (other_api, APIClient()):
        response = client.get(f"{RUNS}{private.pk}/")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    assert owner_api.get(f"{RUNS}{private.pk}/").status_code == 200
    assert owner_api.get(f"{RUNS}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert owner_api.get(f"{RUNS}not-a-run/").status_code == 404


def test_only_the_owner_sees_the_share_link(owner_api, other_api, runs):
    public = runs["mine public"]
    assert owner_api.get(f"{RUNS}{public.pk}/").json()["share_url"].endswith(f"/{public.share_token}/")
    assert other_api.get(f"{RUNS}{public.pk}/").json()["share_url"] is None
    assert APIClient().get(f"{RUNS}{public.pk}/").json()["share_url"] is None


def test_values_json_cannot_spell_are_sent_as_null():
    assert finite({"loss": float("nan"), "series": [1.5, float("inf")], "n": 3}) == {
        "loss": None,
        "series": [1.5, None],
        "n": 3,
    }


# --- cancelling --------------------------------------------------------------------------------


def test_the_owner_cancels_a_queued_run_at_once(owner_api, runs):
    run = runs["mine private"]
    response = owner_api.post(f"{RUNS}{run.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    run.refresh_from_db()
    assert run.status == Status.CANCELLED


def test_the_owner_asks_a_running_run_to_stop(owner_api, owner):
    run = make_run(owner, status=Status.RUNNING, started_at=timezone.now())
    body = owner_api.post(f"{RUNS}{run.pk}/cancel/").json()
    assert (body["status"], body["cancel_requested"]) == ("running", True)  # the worker stops it


def test_nobody_else_can_cancel(other_api, runs):
    for name in ("mine private", "mine public"):
        response = other_api.post(f"{RUNS}{runs[name].pk}/cancel/")
        assert response.status_code == 404, name
        assert error_of(response)["code"] == "not_found"
    anonymous = APIClient().post(f"{RUNS}{runs['mine public'].pk}/cancel/")
    assert anonymous.status_code == 401
    assert TrainingRun.objects.filter(status=Status.CANCELLED).count() == 0


def test_a_finished_run_cannot_be_cancelled(other_api, runs):
    response = other_api.post(f"{RUNS}{runs['other public'].pk}/cancel/")
    assert response.status_code == 409
    assert error_of(response)["code"] == "finished"


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_list_runs_the_same_queries_for_5_and_50_runs(owner, other, signed_in, django_assert_num_queries):
    tutorial = TutorialFactory(slug="digits")
    client = api_client_for(owner) if signed_in else APIClient()
    if signed_in:
        client.get(RUNS)  # the token row exists; it is read once per request below

    def grow(to: int) -> None:
        while TrainingRun.objects.count() < to:
            n = TrainingRun.objects.count()
            make_run((owner, other)[n % 2], is_public=n % 3 == 0, tutorial=tutorial if n % 4 else None)

    for size in (5, 50):
        grow(size)
        # (signed in: the token with its user;) the count; the page of runs with owner and tutorial
        with django_assert_num_queries(3 if signed_in else 2):
            response = client.get(RUNS, {"page_size": 100})
        assert response.status_code == 200 and response.json()["count"] > 0


def test_other_refusals_keep_the_common_error_body(owner_api):
    assert error_of(APIClient().get(RUNS, HTTP_ACCEPT="text/csv"))["status"] == 406
    bad_token = APIClient()
    bad_token.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert error_of(bad_token.get(RUNS))["status"] == 401
    form = owner_api.post(RUNS, "demo=mlp_digits", content_type="application/x-www-form-urlencoded")
    assert error_of(form)["status"] == 415
    assert not TrainingRun.objects.exists()


def test_a_queued_runs_detail_gives_its_place_in_line(owner_api, owner):
    first = make_run(owner, queue="training")
    second = make_run(owner, queue="training")
    TrainingRun.objects.filter(pk=first.pk).update(created_at=second.created_at - timedelta(seconds=1))
    body = owner_api.get(f"{RUNS}{second.pk}/").json()
    assert body["queue"] == {"position": 2, "wait_seconds": None, "text": "2nd in line"}
    TrainingRun.objects.filter(pk=second.pk).update(status="running")
    assert owner_api.get(f"{RUNS}{second.pk}/").json()["queue"] is None
