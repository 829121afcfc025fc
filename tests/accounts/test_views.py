"""Sign-up, log in and out, password change and reset, the post limits and CSRF."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests import factories
from tests.helpers import STRONG, signup_data

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_signup_page_has_a_csrf_protected_form(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'type="email"' in body and 'name="password2"' in body


def test_signup_creates_the_account_logs_in_and_returns_to_next(client):
    response = client.post("/accounts/signup/", signup_data(next="/papers/?page=2"))
    assert response.status_code == 302
    assert response["Location"] == "/papers/?page=2"
    user = User.objects.get(username="ada")
    assert user.email == "ada@example.org"
    assert user.check_password(STRONG)
    assert client.get("/accounts/library/").status_code == 200


def test_signup_without_next_lands_in_the_library(client):
    response = client.post("/accounts/signup/", signup_data())
    assert response["Location"] == "/accounts/library/"


def test_signup_ignores_a_next_on_another_site(client):
    response = client.post("/accounts/signup/", signup_data(next="https://evil.example/"))
    assert response["Location"] == "/accounts/library/"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "ada-lovelace-ada", "password2": "ada-lovelace-ada", "username": "ada-lovelace-ada"},
         "password2", "too similar"),
        ({"password2": STRONG + "x"}, "password2", "didn’t match"),
        ({"email": "not-an-address"}, "email", "valid email"),
        ({"email": ""}, "email", "required"),
        ({"username": "has space"}, "username", "valid username"),
    ],
)  # fmt: skip
def test_bad_signup_shows_field_errors_and_creates_nothing(client, overrides, field, fragment):
    response = client.post("/accounts/signup/", signup_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_signup_refuses_an_email_already_in_use_whatever_its_case(client):
    factories.UserFactory(username="first", email="Ada@Example.org")
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert User.objects.count() == 1


def test_signup_refuses_a_taken_username(client):
    factories.UserFactory(username="ada", email="other@example.org")
    response = client.post("/accounts/signup/", signup_data(email="new@example.org"))
    assert response.status_code == 400
    assert "username" in response.context["form"].errors


def test_forms_refuse_posts_without_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/signup/", signup_data()).status_code == 403
    assert strict.post("/accounts/login/", {"username": "a", "password": "b"}).status_code == 403
    assert not User.objects.exists()


def test_log_in_and_log_out(client):
    factories.UserFactory(username="grace")
    response = client.post(
        "/accounts/login/",
        {"username": "grace", "password": "correct-horse-battery-staple", "next": "/deadlines/"},
    )
    assert response.status_code == 302 and response["Location"] == "/deadlines/"
    assert client.get("/accounts/logout/").status_code == 405  # log out is a POST (CSRF-protected)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


def test_wrong_password_is_an_error_on_the_form(client):
    factories.UserFactory(username="grace")
    response = client.post("/accounts/login/", {"username": "grace", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_library_asks_visitors_to_log_in(client):
    response = client.get("/accounts/library/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/library/"


def test_change_password(client):
    user = factories.UserFactory(username="grace")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "correct-horse-battery-staple", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert client.get("/accounts/library/").status_code == 200  # the session survived the change


def test_change_password_with_a_wrong_old_password_changes_nothing(client):
    user = factories.UserFactory(username="grace")
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password("correct-horse-battery-staple")


def test_reset_password_by_email(client):
    user = factories.UserFactory(username="grace", email="grace@example.org")
    response = client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.org"]
    assert "\n" not in message.subject
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)  # Django swaps the token for a session key, then redirects
    assert response.status_code == 200 and response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/complete/"
    user.refresh_from_db()
    assert user.check_password(STRONG)
    assert client.get(link, follow=True).context["validlink"] is False  # a link works once


def test_reset_does_not_reveal_whether_an_address_has_an_account(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_too_many_login_posts_get_429_and_a_retry_after(client, settings):
    settings.ACCOUNTS_POST_LIMITS = {"login": (2, 60)}
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert client.get("/accounts/login/").status_code == 200  # reading the form is never limited


def test_too_many_signups_create_nothing_more(client, settings):
    settings.ACCOUNTS_POST_LIMITS = {"signup": (1, 3600)}
    client.post("/accounts/signup/", signup_data())
    client.post("/accounts/logout/")
    response = client.post("/accounts/signup/", signup_data(username="bob", email="bob@example.org"))
    assert response.status_code == 429
    assert list(User.objects.values_list("username", flat=True)) == ["ada"]


def test_password_reset_posts_are_limited(client, settings):
    settings.ACCOUNTS_POST_LIMITS = {"password_reset": (1, 900)}
    factories.UserFactory(username="grace", email="grace@example.org")
    client.post("/accounts/password/reset/", {"email": "grace@example.org"})
    assert client.post("/accounts/password/reset/", {"email": "grace@example.org"}).status_code == 429
    assert len(mail.outbox) == 1


def test_the_admin_password_change_still_works_with_these_templates(client):
    curator = factories.UserFactory(username="curator", is_staff=True)
    client.force_login(curator)
    response = client.get("/admin/password_change/")
    assert response.status_code == 200
    assert 'name="old_password"' in response.content.decode()
    response = client.post(
        "/admin/password_change/",
        {"old_password": "correct-horse-battery-staple", "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    curator.refresh_from_db()
    assert curator.check_password(STRONG)
