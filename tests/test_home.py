"""The home page and the language switch."""

import pytest


@pytest.mark.django_db
def test_home_in_english(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Learn about large AI models" in response.content.decode()
