"""Progress: an account's rows, a visitor's session, the move on sign-in and sign-up, and the
evidence of a succeeded demo training."""

import pytest
from django.urls import reverse

from paths import services
from paths.models import Progress, Step, StepProgress
from tests import factories
from tests.helpers import make_path
from tutorials import services as tutorial_services
from tutorials.models import TrainingRun

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-staple"


def post_state(client, step, state, note=""):
    url = reverse("paths:step-progress", args=[step.path.slug, step.pk])
    return client.post(url, {f"s{step.pk}-state": state, f"s{step.pk}-note": note})


def test_a_visitor_keeps_progress_in_the_session(client):
    learning_path = make_path(steps=4)
    first, second = learning_path.steps.order_by("position")[:2]
    assert post_state(client, first, "done", "my note").status_code == 302
    post_state(client, second, "skipped")
    assert not StepProgress.objects.exists()
    page = client.get(learning_path.get_absolute_url()).content.decode()
    # one done of the four steps less the skipped one
    assert "33% done (1 of 4 steps)" in page
    assert "my note" in page
    assert "33% done" in client.get(reverse("paths:list")).content.decode()


def test_the_session_progress_moves_to_the_account_on_sign_in(client):
    alice = factories.UserFactory(username="alice")
    learning_path = make_path(steps=3)
    first, second, third = learning_path.steps.order_by("position")
    StepProgress.objects.create(user=alice, step=second, state=Progress.DONE, note="kept")
    post_state(client, first, "learning", "from the session")
    post_state(client, second, "learning")  # done in the account stays done
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    rows = {row.step_id: (row.state, row.note) for row in StepProgress.objects.filter(user=alice)}
    assert rows == {first.pk: ("learning", "from the session"), second.pk: ("done", "kept")}
    assert services.SESSION_KEY not in client.session
    assert third.pk not in rows


def test_the_session_progress_moves_to_a_new_account_on_sign_up(client):
    learning_path = make_path(steps=2)
    step = learning_path.steps.first()
    post_state(client, step, "done")
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newcomer",
            "email": "n@example.org",
            "password1": PASSWORD + "X",
            "password2": PASSWORD + "X",
        },
    )
    assert response.status_code == 302, response.content[:500]
    row = StepProgress.objects.get(user__username="newcomer")
    assert (row.step_id, row.state) == (step.pk, "done")


def test_a_signed_in_learner_writes_to_the_account(client):
    alice = factories.UserFactory(username="alice")
    client.force_login(alice)
    step = make_path(steps=2).steps.first()
    post_state(client, step, "learning", "n1")
    post_state(client, step, "done", "n2")
    assert list(StepProgress.objects.filter(user=alice).values_list("state", "note")) == [("done", "n2")]


def test_a_bad_state_is_a_field_error_and_stores_nothing(client):
    step = make_path(steps=2).steps.first()
    response = post_state(client, step, "finished")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert services.SESSION_KEY not in client.session


def test_a_step_of_another_or_an_unpublished_path_is_404(client):
    one = make_path(slug="one", steps=1)
    other = make_path(slug="other", steps=1)
    draft = make_path(slug="draft", steps=1, status="draft")
    step = other.steps.get()
    url = reverse("paths:step-progress", args=[one.slug, step.pk])
    assert client.post(url, {f"s{step.pk}-state": "done"}).status_code == 404
    hidden = draft.steps.get()
    url = reverse("paths:step-progress", args=[draft.slug, hidden.pk])
    assert client.post(url, {f"s{hidden.pk}-state": "done"}).status_code == 404


def test_mark_read_on_a_paper_step_marks_it_done(client):
    step = make_path(steps=1).steps.get()
    url = reverse("paths:step-progress", args=[step.path.slug, step.pk])
    # The select says "not started"; the button's value, sent last, wins.
    data = f"s{step.pk}-state=not_started&s{step.pk}-note=&s{step.pk}-state=done"
    client.post(url, data, content_type="application/x-www-form-urlencoded")
    page = client.get(step.path.get_absolute_url()).content.decode()
    assert "100% done (1 of 1 steps)" in page
    assert "Mark read" not in page


@pytest.mark.services
def test_a_succeeded_demo_run_marks_the_tutorial_steps_done(django_capture_on_commit_callbacks):
    alice = factories.UserFactory(username="alice")
    digits = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    gpt = factories.TutorialFactory(slug="gpt", demo="tiny_gpt")
    learning_path = make_path(steps=1)
    on_digits = Step.objects.create(path=learning_path, position=2, tutorial=digits)
    on_gpt = Step.objects.create(path=learning_path, position=3, tutorial=gpt)
    StepProgress.objects.create(user=alice, step=on_digits, state=Progress.SKIPPED)
    other = make_path(slug="other", steps=0)
    elsewhere = Step.objects.create(path=other, position=1, tutorial=digits)

    failed = factories.TrainingRunFactory(owner=alice, demo="mlp_digits", params={"epochs": 0})
    tutorial_services.execute_run(str(failed.pk), worker="w")
    assert TrainingRun.objects.get(pk=failed.pk).status == "failed"
    assert StepProgress.objects.get(user=alice, step=on_digits).state == "skipped"

    run = factories.TrainingRunFactory(owner=alice, demo="mlp_digits", params={"epochs": 1}, tutorial=digits)
    assert tutorial_services.execute_run(str(run.pk), worker="w") == "succeeded"
    states = dict(StepProgress.objects.filter(user=alice).values_list("step_id", "state"))
    assert states == {on_digits.pk: "done", elsewhere.pk: "done"}
    assert on_gpt.pk not in states
