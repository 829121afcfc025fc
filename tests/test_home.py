"""The home page and the language switch."""

import pytest


@pytest.mark.django_db
def test_home_in_english(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Learn about large AI models" in response.content.decode()


def test_favicon_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
