"""Functions that tests share. Tests import them from here, never from a test module or a conftest."""

from contextlib import contextmanager

from django.core import signals
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_client_for(user) -> APIClient:
    """An API client that sends ``user``'s token, as a script would."""
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@contextmanager
def same_connection_for_every_request():
    """The WSGI handler closes "old" connections around each request, which would end the test's
    transaction; Django's test client switches that off in the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
