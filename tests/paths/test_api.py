"""/api/v1/paths/ and /api/v1/progress/: steps with prerequisites, cycles refused on the field,
each user's progress their own (another's is 404), bad input answered with field errors."""

import pytest
from rest_framework.test import APIClient

from paths.models import LearningPath, Progress, StepProgress
from tests import factories
from tests.helpers import api_client_for, make_path

pytestmark = pytest.mark.django_db


def test_a_path_lists_its_steps_in_order_with_their_prerequisites(client):
    learning_path = make_path(slug="api", steps=3)
    first, second, third = learning_path.steps.order_by("position")
    body = client.get("/api/v1/paths/api/", HTTP_ACCEPT="application/json").json()
    assert [s["id"] for s in body["steps"]] == [first.pk, second.pk, third.pk]
    assert [s["prerequisites"] for s in body["steps"]] == [[], [first.pk], [second.pk]]
    assert body["steps"][0]["target"] == {
        "type": "paper",
        "slug": first.paper.slug,
        "title": first.paper.title,
        "url": first.paper.get_absolute_url(),
        "published": True,
    }
    listed = client.get("/api/v1/paths/", HTTP_ACCEPT="application/json").json()
    assert [(p["slug"], p["step_count"]) for p in listed["results"]] == [("api", 3)]


def test_drafts_are_not_listed(client):
    make_path(slug="draft", steps=1, status="draft")
    assert client.get("/api/v1/paths/", HTTP_ACCEPT="application/json").json()["count"] == 0
    assert client.get("/api/v1/paths/draft/").status_code == 404


def test_a_cycle_of_paths_is_a_field_error_and_changes_nothing(staff_api):
    a, _b, _c = (make_path(slug=slug, steps=1) for slug in "abc")
    assert staff_api.patch("/api/v1/paths/b/", {"prerequisites": ["a"]}, format="json").status_code == 200
    assert staff_api.patch("/api/v1/paths/c/", {"prerequisites": ["b"]}, format="json").status_code == 200
    response = staff_api.patch("/api/v1/paths/a/", {"prerequisites": ["c"]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["prerequisites"] == ["These prerequisites would form a cycle: a → c → b → a."]
    assert not a.prerequisites.exists()
    itself = staff_api.patch("/api/v1/paths/a/", {"prerequisites": ["a"]}, format="json")
    assert itself.json()["error"]["fields"]["prerequisites"] == ["a cannot be its own prerequisite."]


def test_a_path_created_through_the_api_is_a_draft(staff_api):
    response = staff_api.post(
        "/api/v1/paths/", {"slug": "new", "title_en": "New", "level": "expert"}, format="json"
    )
    assert response.status_code == 400 and "level" in response.json()["error"]["fields"]
    response = staff_api.post("/api/v1/paths/", {"slug": "new", "title_en": "New"}, format="json")
    assert response.status_code == 201
    assert LearningPath.objects.get(slug="new").status == "draft"


def test_progress_is_set_listed_and_changed_by_its_owner():
    alice = factories.UserFactory(username="alice")
    api = api_client_for(alice)
    step = make_path(slug="p", steps=2).steps.first()
    created = api.post(
        "/api/v1/progress/", {"step": step.pk, "state": "learning", "note": "n"}, format="json"
    )
    assert created.status_code == 201
    assert created["Location"].endswith(f"/api/v1/progress/{created.json()['id']}/")
    again = api.post("/api/v1/progress/", {"step": step.pk, "state": "done"}, format="json")
    assert again.status_code == 200 and again.json()["note"] == "n"
    listed = api.get("/api/v1/progress/?path=p").json()
    assert [(r["step"], r["path"], r["state"]) for r in listed["results"]] == [(step.pk, "p", "done")]
    assert api.get("/api/v1/progress/?path=other").json()["count"] == 0
    row = created.json()["id"]
    changed = api.patch(f"/api/v1/progress/{row}/", {"state": "skipped", "note": "later"}, format="json")
    assert (changed.status_code, changed.json()["state"]) == (200, "skipped")
    assert "private" in changed["Cache-Control"]


def test_another_users_progress_is_404_and_untouched():
    alice, mallory = factories.UserFactory(username="alice"), factories.UserFactory(username="mallory")
    step = make_path(steps=1).steps.get()
    row = StepProgress.objects.create(user=alice, step=step, state=Progress.LEARNING, note="secret")
    thief = api_client_for(mallory)
    assert thief.get(f"/api/v1/progress/{row.pk}/").status_code == 404
    assert thief.patch(f"/api/v1/progress/{row.pk}/", {"note": "mine"}, format="json").status_code == 404
    assert thief.get("/api/v1/progress/").json()["count"] == 0
    row.refresh_from_db()
    assert row.note == "secret"
    assert APIClient().get("/api/v1/progress/").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"step": 987654, "state": "done"}, "step"),
        ({"step": "x", "state": "done"}, "step"),
        ({"step": "STEP", "state": "finished"}, "state"),
        ({"step": "STEP", "note": "x" * 2001}, "note"),
        ({"step": "DRAFT_STEP"}, "step"),
    ],
)
def test_bad_progress_is_a_field_error_and_stores_nothing(body, field):
    api = api_client_for(factories.UserFactory())
    step = make_path(slug="open", steps=1).steps.get()
    hidden = make_path(slug="hidden", steps=1, status="draft").steps.get()
    stand_in = {"STEP": step.pk, "DRAFT_STEP": hidden.pk}
    body = {k: stand_in.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = api.post("/api/v1/progress/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not StepProgress.objects.exists()


def test_the_schema_describes_both_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert {"/api/v1/paths/", "/api/v1/paths/{slug}/", "/api/v1/progress/", "/api/v1/progress/{id}/"} <= set(
        schema["paths"]
    )
    assert "put" not in schema["paths"]["/api/v1/progress/{id}/"]


# path; its topics; its prerequisites; steps with targets; step prerequisites; (list: + count)
def test_api_query_counts_do_not_grow_with_the_steps(client, django_assert_num_queries):
    make_path(slug="small", steps=2)
    make_path(slug="large", steps=40)
    for slug in ("small", "large"):
        with django_assert_num_queries(5):
            assert client.get(f"/api/v1/paths/{slug}/", HTTP_ACCEPT="application/json").status_code == 200


def test_drafts_stay_hidden_inside_a_published_path(client):
    learning_path = make_path(slug="shown", steps=2)
    make_path(slug="draft-before", steps=1, status="draft")
    learning_path.prerequisites.add(LearningPath.objects.get(slug="draft-before"))
    step = learning_path.steps.get(position=2)
    step.paper.status = "draft"
    step.paper.save()
    body = client.get("/api/v1/paths/shown/", HTTP_ACCEPT="application/json").json()
    assert body["prerequisites"] == []
    target = body["steps"][1]["target"]
    assert (target["published"], target["slug"], target["url"]) == (False, None, None)


def _queries(api, method: str, url: str, body=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(api, method)(url, body, format="json") if body else api.get(url)
    assert response.status_code in (200, 201), response.content
    return len(captured)


def test_progress_api_query_counts_do_not_grow_with_the_steps_or_the_paths():
    alice = factories.UserFactory(username="alice")
    api = api_client_for(alice)
    small = make_path(slug="small", steps=2)
    for step in small.steps.all():
        StepProgress.objects.create(user=alice, step=step, state=Progress.DONE)
    first = small.steps.first()
    few = {
        "list": _queries(api, "get", "/api/v1/progress/"),
        "path": _queries(api, "get", "/api/v1/progress/?path=small"),
        "set": _queries(api, "post", "/api/v1/progress/", {"step": first.pk, "state": "learning"}),
        "patch": _queries(api, "patch", f"/api/v1/progress/{first.progress.get().pk}/", {"note": "n"}),
    }
    for n in range(6):  # six more paths of 15 steps, every step with progress
        for step in make_path(slug=f"more-{n}", steps=15).steps.all():
            StepProgress.objects.create(user=alice, step=step, state=Progress.LEARNING, note="x")
    last = LearningPath.objects.get(slug="more-5").steps.last()
    many = {
        "list": _queries(api, "get", "/api/v1/progress/?page_size=100"),
        "path": _queries(api, "get", "/api/v1/progress/?path=more-3"),
        "set": _queries(api, "post", "/api/v1/progress/", {"step": last.pk, "state": "done"}),
        "patch": _queries(api, "patch", f"/api/v1/progress/{last.progress.get().pk}/", {"note": "m"}),
    }
    assert StepProgress.objects.filter(user=alice).count() == 92
    assert many == few
    assert max(few.values()) <= 10  # setting a state: token, step, savepoint, row lock, write, signal
