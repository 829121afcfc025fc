"""Redis stopped under a running web process: pages and reads stay up, launches answer 503, all recovers.

The web process is gunicorn on the test database, with its broker and its cache on a
redis-server this test starts, stops and starts again on the same port. Only the Redis leg runs
it: on the embedded defaults there is no Redis to lose.
"""

import html

import pytest
import requests
from rest_framework.authtoken.models import Token

from tests.factories import PaperFactory, TutorialFactory, UserFactory
from tests.helpers import launch_form_data
from tests.processes import RedisServer, WebProcess, csrf_token, on_redis_stack, wait_until
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BROKER_DB, CACHE_DB = 2, 3
PASSWORD = "a-long-enough-password-1"
UNAVAILABLE = "The training service is unavailable; try again later."
READS = ["/", "/papers/", "/search/?q=attention", "/api/v1/papers/", "/api/v1/conferences/"]


@pytest.fixture
def redis_server(tmp_path):
    if not on_redis_stack():
        pytest.skip("the Redis leg's test: this run uses the embedded broker and cache")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(redis_server, tmp_path):
    process = WebProcess(
        tmp_path / "gunicorn.log",
        {
            "CELERY_BROKER_URL": redis_server.url(BROKER_DB),
            "CACHE_URL": redis_server.url(CACHE_DB),
            "CONN_MAX_AGE": "60",
            "TRAINING_MAX_ACTIVE_PER_USER": "5",
        },
    )
    yield process
    process.stop()


def log_in(web: WebProcess, user) -> requests.Session:
    session = requests.Session()
    page = web.get("/accounts/login/", session)
    assert page.status_code == 200, page.text[-2000:]
    response = session.post(
        web.base + "/accounts/login/",
        data={"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": web.base + "/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[-2000:]
    return session


def launch_from_form(web: WebProcess, session: requests.Session, tutorial) -> requests.Response:
    url = tutorial.get_absolute_url()
    page = web.get(url, session)
    assert page.status_code == 200, page.text[-2000:]
    data = {**launch_form_data("mlp_digits", epochs=1), "csrfmiddlewaretoken": csrf_token(page.text)}
    return session.post(
        web.base + url, data=data, headers={"Referer": web.base + url}, allow_redirects=False, timeout=60
    )


def launch_from_api(web: WebProcess, token: str) -> requests.Response:
    return requests.post(
        web.base + "/api/v1/runs/",
        json={"demo": "mlp_digits", "params": {"epochs": 1}},
        headers={"Authorization": f"Token {token}"},
        timeout=60,
    )


def healthy(web: WebProcess) -> dict | None:
    health = web.get("/healthz").json()
    return health if health["cache"]["ok"] and health["broker"]["ok"] else None


def assert_reads_answer(web: WebProcess, paper, token: str) -> None:
    for path in [*READS, paper.get_absolute_url()]:
        response = web.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}\n{web.log()}"
    # Signed in through the API: the user throttle reads the cache too.
    response = web.get("/api/v1/papers/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200, web.log()
    assert any(item["slug"] == paper.slug for item in response.json()["results"])


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_redis_lost_and_back_under_a_running_web_process(fault, redis_server, web):
    """``stopped``: the server exits and starts again on its port; ``hung``: SIGSTOP, then SIGCONT."""
    paper = PaperFactory(title="Attention Is All You Need")
    tutorial = TutorialFactory(demo="mlp_digits")
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    token = Token.objects.create(user=user).key

    assert_reads_answer(web, paper, token)  # warm: the cache holds counts, throttles count
    health = web.get("/healthz").json()
    assert health["cache"]["ok"] and health["broker"]["ok"]

    if fault == "stopped":
        redis_server.stop()
    else:
        redis_server.pause()

    assert_reads_answer(web, paper, token)
    session = log_in(web, user)  # the login form's post limit lives in the cache as well

    response = launch_from_api(web, token)
    assert response.status_code == 503, response.text
    assert response.json()["error"]["status"] == 503
    assert response.json()["error"]["code"] == "broker"
    assert response.json()["error"]["detail"] == UNAVAILABLE
    assert response.headers["Content-Type"].startswith("application/json")

    response = launch_from_form(web, session, tutorial)
    assert response.status_code == 503, response.text[-2000:]
    assert response.headers["Content-Type"].startswith("text/html")
    assert UNAVAILABLE in html.unescape(response.text)
    assert not TrainingRun.objects.exists()

    response = web.get("/healthz")
    health = response.json()
    # The probe stays 200 while the database answers (see portal/views.py): it reports the rest.
    assert response.status_code == 200 and health["database"]["ok"] is True
    assert health["broker"]["ok"] is False and health["cache"]["ok"] is False
    assert health["workers"]["ok"] is False

    # The same port; the web process is not restarted.
    if fault == "stopped":
        redis_server.start()
    else:
        redis_server.resume()

    response = launch_from_api(web, token)
    assert response.status_code == 201, response.text + web.log()
    response = launch_from_form(web, session, tutorial)
    assert response.status_code == 302, response.text[-2000:]
    runs = list(TrainingRun.objects.all())
    assert len(runs) == 2
    assert all(run.status == TrainingRun.Status.QUEUED and run.task_id for run in runs)
    # Both tasks reached the broker (nothing consumes this Redis's queue).
    assert redis_server.queue_length(BROKER_DB, "training") == 2

    assert_reads_answer(web, paper, token)
    # The cache skips Redis for a second after a failure; then it is used again.
    health = wait_until(lambda: healthy(web), 30, "/healthz did not see cache and broker back", log=web.log)
    assert health["database"]["ok"] is True
    assert web.proc.poll() is None


def test_the_cache_backend_answers_as_a_miss_while_redis_is_down(redis_server, monkeypatch):
    """The backend the settings choose for a redis:// CACHE_URL, on this test's own redis-server."""
    from django.utils.module_loading import import_string

    from portal import env

    monkeypatch.setenv("FAULTS_CACHE_URL", redis_server.url(CACHE_DB))
    config = env.get_cache("FAULTS_CACHE_URL", "locmem://")
    cache = import_string(config["BACKEND"])(config["LOCATION"], {"OPTIONS": config["OPTIONS"]})
    cache.set("kept", {"a": 1})
    assert cache.get("kept") == {"a": 1}
    assert cache.add("count", 1) is True and cache.incr("count") == 2

    redis_server.stop()
    assert cache.get("kept") is None and cache.get("kept", "default") == "default"
    assert cache.get_many(["kept", "count"]) == {}
    assert cache.has_key("kept") is False
    assert cache.add("other", 1) is False
    with pytest.raises(ValueError):
        cache.incr("count")
    cache.set("written", 1)  # nothing happens, nothing raises
    cache.set_many({"x": 1})
    cache.delete("kept")
    cache.delete_many(["x"])
    assert cache.get_or_set("computed", 5) == 5
    # What the API throttles do with it: an empty history, so the request passes.
    assert cache.get("throttle_anon_127.0.0.1", []) == []

    redis_server.start()  # an empty Redis again: the same backend object uses it once it answers
    wait_until(lambda: cache.add("probe", 1), 30, "the cache did not use Redis again")
    cache.set("kept", "back")
    assert cache.get("kept") == "back"
    assert cache.add("count", 1) is True and cache.incr("count") == 2
