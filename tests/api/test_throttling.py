"""Rates: anonymous, user and write scopes from settings; 429 with Retry-After in the common body."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings

from portal.api import throttling
from tutorials.api.throttling import LaunchThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Set the rates of the throttles for one test (DRF reads them once, into a class attribute)."""

    def set_rates(**scoped):
        monkeypatch.setattr(
            throttling.SimpleRateThrottle, "THROTTLE_RATES", {**api_settings.DEFAULT_THROTTLE_RATES, **scoped}
        )

    return set_rates


def test_the_defaults_come_from_settings():
    assert set(api_settings.DEFAULT_THROTTLE_RATES) == {"anon", "user", "write", "launch"}


def test_anonymous_clients_get_429_with_retry_after(api, api_catalogue, rates):
    rates(anon="2/minute")
    assert api.get("/api/v1/papers/").status_code == 200
    assert api.get("/api/v1/topics/").status_code == 200
    response = api.get("/api/v1/papers/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["status"] == 429


def test_a_signed_in_user_has_the_user_rate(reader_api, api_catalogue, rates):
    rates(anon="1/minute", user="3/minute")
    assert [reader_api.get("/api/v1/papers/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_writes_have_a_tighter_rate_that_reads_do_not_use(staff_api, api_catalogue, rates):
    rates(user="100/minute", write="2/hour")
    for _ in range(5):
        assert staff_api.get("/api/v1/papers/").status_code == 200
    codes = [
        staff_api.patch("/api/v1/papers/attention/", {"venue": f"V{n}"}, format="json").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]
    assert staff_api.get("/api/v1/papers/").status_code == 200


def test_the_launch_scope_counts_only_writes(rates, rf, staff):
    rates(launch="1/hour")
    throttle = LaunchThrottle()
    get, post = rf.get("/"), rf.post("/")
    get.user = post.user = staff
    assert throttle.allow_request(get, None)
    assert throttle.allow_request(post, None)
    assert LaunchThrottle().allow_request(get, None)
    assert not LaunchThrottle().allow_request(post, None)


def test_the_address_is_not_taken_from_x_forwarded_for_by_default(api, api_catalogue, rates):
    rates(anon="1/minute")
    assert api.get("/api/v1/papers/", HTTP_X_FORWARDED_FOR="10.0.0.1").status_code == 200
    assert api.get("/api/v1/papers/", HTTP_X_FORWARDED_FOR="10.0.0.2").status_code == 429


@pytest.mark.parametrize("value", ["lots", "10/fortnight", "-1/minute", ""])
def test_a_malformed_rate_stops_start_up(monkeypatch, value):
    import portal.settings

    monkeypatch.setenv("API_THROTTLE_ANON", value)
    with pytest.raises(ImproperlyConfigured, match="API_THROTTLE_ANON"):
        portal.settings._throttle_rate("API_THROTTLE_ANON", "120/minute")


def test_anonymous_clients_are_counted_by_the_anon_rate_alone(api, api_catalogue, rates):
    rates(anon="5/minute", user="1/minute")
    assert [api.get("/api/v1/papers/").status_code for _ in range(3)] == [200, 200, 200]


def test_the_count_slides_over_two_windows_and_refusals_are_not_counted(rates, rf, monkeypatch):
    from django.contrib.auth.models import AnonymousUser

    rates(anon="2/minute")
    clock = {"now": 6000.0}  # the start of a minute window
    monkeypatch.setattr(throttling.AnonThrottle, "timer", lambda self: clock["now"])

    def asks(at: float) -> bool:
        clock["now"] = 6000.0 + at
        request = rf.get("/", REMOTE_ADDR="192.0.2.7")
        request.user = AnonymousUser()
        return throttling.AnonThrottle().allow_request(request, None)

    assert [asks(0), asks(1), asks(2), asks(3), asks(59)] == [True, True, False, False, False]
    # The next window starts with the last one's 2 requests at full weight, fading linearly.
    assert asks(60) is False
    assert asks(89) is False  # 2 x (1 - 29/60) + 1 = 2.03 > 2
    assert asks(91) is True  # 2 x (1 - 31/60) + 1 = 1.97: the refusals did not count
    assert asks(92) is False
