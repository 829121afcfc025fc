"""After sign-up: a welcome message on the next page, and the user's name in the header."""

import pytest
from django.contrib.auth.models import User

from tests import factories
from tests.helpers import signup_data

pytestmark = pytest.mark.django_db


def test_signing_up_says_welcome_once(client):
    response = client.post("/accounts/signup/", signup_data(next="/papers/"), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/papers/"
    assert 'class="site-messages"' in body
    assert "Welcome, ada!" in body
    assert "Welcome, ada!" not in client.get("/papers/").content.decode()  # shown once


def test_the_welcome_is_in_chinese_on_the_chinese_site(client):
    response = client.post(
        "/accounts/signup/", signup_data(), follow=True, HTTP_ACCEPT_LANGUAGE="zh-Hans,zh;q=0.9"
    )
    assert "欢迎你，ada！" in response.content.decode()
    assert User.objects.filter(username="ada").exists()


def test_the_header_names_the_signed_in_user(client):
    client.force_login(factories.UserFactory(username="grace"))
    header = client.get("/").content.decode().split("</header>")[0]
    assert "Signed in as <strong>grace</strong>" in header
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode().split("</header>")[0]
    assert "已登录：<strong>grace</strong>" in chinese


def test_a_name_in_the_header_is_escaped(client):
    client.force_login(factories.UserFactory(username="a<b>&c"))
    header = client.get("/").content.decode().split("</header>")[0]
    assert "<strong>a&lt;b&gt;&amp;c</strong>" in header
