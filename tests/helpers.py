"""Functions that tests share. Tests import them from here, never from a test module or a conftest."""

from contextlib import contextmanager

from django.core import signals
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from paths.models import LearningPath, Step
from resources.models import Status
from tests import factories


def api_client_for(user=None) -> APIClient:
    """An API client that sends ``user``'s token, as a script would; anonymous without a user."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
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


def session_cookie(user, live_server) -> dict:
    """A cookie that signs ``user`` in on the live server (for ``context.add_cookies``)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def make_path(slug="p", steps=3, status=Status.PUBLISHED, chain=True, **fields) -> LearningPath:
    """A path of ``steps`` paper steps; with ``chain`` each step needs the one before."""
    learning_path = LearningPath.objects.create(
        slug=slug, title_en=f"Path {slug}", title_zh=f"路径 {slug}", status=status, **fields
    )
    previous = None
    for position in range(1, steps + 1):
        paper = factories.PaperFactory(status=Status.PUBLISHED)
        step = Step.objects.create(path=learning_path, position=position, paper=paper, why_en="Read it.")
        if chain and previous is not None:
            step.prerequisites.add(previous)
        previous = step
    return learning_path


def launch_form_data(demo: str, **changes) -> dict:
    """What a browser posts: every field of the demo's form, defaults unless changed."""
    from tutorials.services import demo_spec

    data = {p.name: str(p.default).lower() if p.kind == "bool" else str(p.default) for p in demo_spec(demo)}
    data = {k: v for k, v in data.items() if v != "false"}  # an unticked checkbox is not posted
    return {**data, **{k: str(v) for k, v in changes.items()}}


STRONG = "violet-Quokka-37-river"


def signup_data(**overrides):
    return {
        "username": "ada",
        "email": "ada@example.org",
        "password1": STRONG,
        "password2": STRONG,
    } | overrides
