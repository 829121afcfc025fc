"""Rate limits on logging in and on launching runs, counted in the configured cache (local memory
on the embedded stack, Redis on the services stack).

tests/accounts/test_views.py and tests/api/test_throttling.py check the mechanics; here the limits
are shown to stop the attack they exist for: password guessing is cut off even when the guess is
finally right, and launches beyond the rate are refused with Retry-After and create no run.
"""

import pytest
from django.test import Client
from rest_framework.settings import api_settings

from portal.api import throttling
from tests import factories
from tests.helpers import api_client_for
from tutorials import services
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def test_repeated_failed_logins_are_throttled_even_for_the_right_password(settings):
    settings.ACCOUNTS_POST_LIMITS = {"login": (3, 300)}
    factories.UserFactory(username="alice")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for guess in ("123456", "password", "letmein"):
        response = guesser.post("/accounts/login/", {"username": "alice", "password": guess})
        assert response.status_code == 200 and response.context["form"].errors
    refused = guesser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 300
    assert "_auth_user_id" not in guesser.session
    # Another address is not affected: the limit is per client, not a lock-out of the account.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_admin_login_is_not_a_way_around_it(settings):
    """The admin's log-in form accepts staff only, so guessing a reader's password there fails."""
    factories.UserFactory(username="alice")
    client = Client()
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.fixture
def launch_rate(monkeypatch, settings):
    settings.TRAINING_MAX_ACTIVE_PER_USER = 100
    settings.TRAINING_MAX_PER_HOUR = 100
    monkeypatch.setattr(
        throttling.SimpleRateThrottle,
        "THROTTLE_RATES",
        {**api_settings.DEFAULT_THROTTLE_RATES, "launch": "2/hour"},
    )


def test_api_launches_beyond_the_rate_are_429_with_retry_after(launch_rate, alice):
    client = api_client_for(alice)
    body = {"demo": "mlp_digits", "params": {"epochs": 1}}
    codes = [client.post("/api/v1/runs/", body, format="json").status_code for _ in range(2)]
    assert codes == [201, 201]
    refused = client.post("/api/v1/runs/", body, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["error"]["code"] == "throttled"
    assert TrainingRun.objects.filter(owner=alice).count() == 2


def test_the_fair_use_limit_also_answers_429_with_retry_after(settings, alice):
    settings.TRAINING_MAX_ACTIVE_PER_USER = 1
    client = api_client_for(alice)
    body = {"demo": "mlp_digits", "params": {"epochs": 1}}
    assert client.post("/api/v1/runs/", body, format="json").status_code == 201
    refused = client.post("/api/v1/runs/", body, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert TrainingRun.objects.filter(owner=alice).count() == 1
    # The tutorial page's form is held to the same limit.
    tutorial = factories.TutorialFactory(demo="mlp_digits")
    site = Client()
    site.force_login(alice)
    form = {p.name: p.default for p in services.demo_spec("mlp_digits") if p.kind != "bool"}
    page = site.post(f"/tutorials/{tutorial.slug}/", form)
    assert page.status_code == 429
    assert TrainingRun.objects.filter(owner=alice).count() == 1
