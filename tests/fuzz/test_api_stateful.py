"""Schemathesis in stateful mode: chains of API calls that follow the schema's links.

Where the stateless test in tests/api/test_schema.py sends one generated request at a time, this
one lets Schemathesis walk the links it infers from the schema (a POST's response feeds the
GET, PATCH, PUT and DELETE of what it created; a launched run feeds its detail and its cancel),
so that generated requests reach rows that generated requests made. Every answer must be free
of 5xx and match the schema (status code, content type, headers, body).

Two identities: a staff user for the catalogue, so that writes reach validation and the
database, and a plain user for what belongs to a user (runs and bookmarks). A launched run is
created in the test's transaction; its task is sent "on commit", which never comes inside the
test's transaction, so the test checks that each accepted launch queued exactly one send.

Each scenario runs inside a savepoint that is rolled back at its end, so that every scenario
starts from the same rows: Hypothesis replays scenarios and needs the API to answer a replay as
it answered the first time.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.helpers import same_connection_for_every_request
from tutorials.demos import DEMO_NAMES
from tutorials.models import TrainingRun

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Scenarios, and calls per scenario at most: about 2,000 requests, under a minute on 2 cores.
SCENARIOS = 200
STEPS_PER_SCENARIO = 12
MINIMUM_REQUESTS = 1500
#: Paths that belong to the signed-in user rather than to the curators.
USER_PATHS = ("/api/v1/runs/", "/api/v1/bookmarks/")


@pytest.fixture
def api_rows(db):
    """Published items of each kind for GETs and bookmarks to find, and a tutorial with a demo."""
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers")
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips")
    series.topics.add(topic)
    edition = factories.ConferenceEditionFactory(series=series, year=2026)
    factories.DeadlineFactory(edition=edition)
    for n in range(3):
        factories.PaperFactory(year=2017 + n, venue_edition=edition).topics.add(topic)
    factories.BookFactory(slug="deep-learning").topics.add(topic)
    factories.CourseFactory(slug="cs224n").topics.add(topic)
    factories.CommunityFactory(slug="hf-forum").topics.add(topic)
    factories.TutorialFactory(slug="first-steps")


def _launch_sends() -> int:
    """The on-commit callbacks that send a launched run to the broker (a catalogue write queues
    others: the semantic index's version bump)."""
    return sum("launch_run" in getattr(func, "__qualname__", "") for _, func, _ in connection.run_on_commit)


@pytest.mark.django_db
@pytest.mark.fuzz
def test_chains_of_linked_calls_get_answers_the_schema_describes(api_rows):
    from portal.wsgi import application

    staff = factories.UserFactory(username="fuzz-curator", is_staff=True)
    learner = factories.UserFactory(username="fuzz-learner")
    staff_headers = {"Authorization": f"Token {Token.objects.create(user=staff).key}"}
    learner_headers = {"Authorization": f"Token {Token.objects.create(user=learner).key}"}
    sent: Counter = Counter()

    with same_connection_for_every_request():
        schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
        base = schema.as_state_machine()
        assert schema.statistic.transitions.total >= 50, "too few links for a stateful walk"

        class Machine(base):
            def setup(self):
                self.savepoint = transaction.savepoint()
                self.sends_before = _launch_sends()
                self.launches = 0

            def teardown(self):
                # Each accepted launch left one row and queued one send to the broker (on commit).
                runs = TrainingRun.objects.filter(owner=learner).count()
                sends = _launch_sends() - self.sends_before
                transaction.savepoint_rollback(self.savepoint)
                sent["launches accepted"] += self.launches
                assert runs == self.launches, (runs, self.launches)
                assert sends == self.launches, (sends, self.launches)

            def before_call(self, case):
                cache.clear()  # throttle counters: this test is about answers, not rates
                body = case.body
                if (
                    case.method == "POST"
                    and case.operation.path == "/api/v1/runs/"
                    and isinstance(body, dict)
                    and body.get("demo") in DEMO_NAMES
                ):
                    # Random parameters almost never pass a demo's bounds: a launch that names a
                    # demo takes its defaults, so that the walk goes on to runs that exist. The
                    # choice depends on the generated case alone, so Hypothesis replays it alike.
                    case.body = {"demo": body["demo"], "params": {}, "is_public": bool(body.get("is_public"))}

            def get_call_kwargs(self, case):
                path = case.operation.path
                return {"headers": learner_headers if path.startswith(USER_PATHS) else staff_headers}

            def after_call(self, response, case):
                super().after_call(response, case)
                sent["requests"] += 1
                sent[f"{response.status_code // 100}xx"] += 1
                sent[f"{case.method} {case.operation.path}"] += 1
                if case.method == "POST" and case.operation.path == "/api/v1/runs/":
                    self.launches += response.status_code == 201

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                case.validate_response(
                    response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder
                )

        Machine.run(
            settings=settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS_PER_SCENARIO,
                phases=[Phase.generate],
                deadline=None,
                database=None,
                derandomize=settings.get_current_profile_name() != "wide",
                suppress_health_check=list(HealthCheck),
            )
        )

    print("stateful walk:", *sorted(sent.items()), sep="\n  ")
    assert sent["requests"] >= MINIMUM_REQUESTS, sent
    assert sent["5xx"] == 0
    # The walk went past the first call of a chain: items created, then read or changed by slug/id.
    linked = [key for key in sent if "{" in key and not key.startswith("GET ")]
    assert len(linked) >= 5, sent
    assert sent["launches accepted"] >= 1, sent
