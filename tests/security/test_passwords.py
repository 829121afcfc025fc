"""Sign-up applies every password validator: each weak password is a field error and no account."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

WEAK = {
    "short": ("kittens", "Xy7!pq"),
    "common": ("kittens", "qwertyuiop"),
    "numeric": ("kittens", "8491027365"),
    "like the username": ("margarethe.lindqvist", "margarethelindqvist"),
}


@pytest.fixture(autouse=True)
def _no_signup_limit(settings):
    settings.ACCOUNTS_POST_LIMITS = {"signup": (1000, 60)}


@pytest.mark.parametrize("kind", sorted(WEAK))
def test_a_weak_password_is_refused_with_a_field_error(client, kind):
    username, password = WEAK[kind]
    data = {"username": username, "email": "k@example.org", "password1": password, "password2": password}
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "password2" in errors, errors
    assert not get_user_model().objects.exists()
    assert "_auth_user_id" not in client.session


def test_a_strong_password_is_accepted(client):
    data = {
        "username": "kittens",
        "email": "k@example.org",
        "password1": "violet-Harbour-lantern-93",
        "password2": "violet-Harbour-lantern-93",
    }
    assert client.post("/accounts/signup/", data).status_code == 302
    assert get_user_model().objects.filter(username="kittens").exists()


def test_the_four_validators_are_configured():
    from django.contrib.auth.password_validation import get_default_password_validators

    names = {type(v).__name__ for v in get_default_password_validators()}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
