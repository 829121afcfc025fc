"""The paths' pages: bilingual, states and percentages shown, query counts that do not grow with
the steps or the paths; "continue where you left off" on the home page, percentages in the library."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from paths.models import Progress, Step, StepProgress
from resources.models import Status
from tests import factories
from tests.helpers import make_path

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_paths_only(client):
    make_path(slug="open", steps=2)
    make_path(slug="hidden", steps=2, status=Status.DRAFT)
    page = client.get(reverse("paths:list")).content.decode()
    assert "Path open" in page and "Path hidden" not in page
    assert client.get("/paths/hidden/").status_code == 404


def test_the_path_page_in_chinese(client):
    learning_path = make_path(slug="zh", steps=2)
    Step.objects.filter(path=learning_path, position=1).update(why_zh="先读这篇。")
    page = client.get(learning_path.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "路径 zh" in page
    assert "先读这篇。" in page
    assert "学习路径" in page  # the heading's link, translated


def test_states_prerequisites_and_unpublished_targets_are_shown(client):
    alice = factories.UserFactory(username="alice")
    learning_path = make_path(steps=3)
    first, second, third = learning_path.steps.order_by("position")
    third.paper.status = Status.DRAFT
    third.paper.save()
    StepProgress.objects.create(user=alice, step=first, state=Progress.DONE)
    StepProgress.objects.create(user=alice, step=second, state=Progress.LEARNING, note="half way")
    client.force_login(alice)
    page = client.get(learning_path.get_absolute_url()).content.decode()
    assert "33% done (1 of 3 steps)" in page
    assert f'id="step-{first.pk}" data-state="done"' in page
    assert f'id="step-{second.pk}" data-state="learning"' in page
    assert "after step 1" in page and "after step 2" in page
    assert "half way" in page
    assert "not available yet" in page and third.paper.get_absolute_url() not in page
    # The route drawing: one box per step in the learner's state, one arrow per prerequisite.
    assert page.count('class="route-node"') == 3
    assert f'<a href="#step-{first.pk}" class="route-node" data-state="done">' in page
    assert f'<a href="#step-{third.pk}" class="route-node" data-state="not_started">' in page
    assert page.count('class="route-edge"') == 2


def _grow(learning_path, extra: int):
    last = learning_path.steps.order_by("-position").first()
    for n in range(extra):
        step = Step.objects.create(
            path=learning_path,
            position=last.position + 1 + n,
            tutorial=factories.TutorialFactory(),
            why_en="More.",
        )
        step.prerequisites.add(last)


# path; its topics; its prerequisite paths; its steps with their targets; the steps' prerequisites
ANONYMOUS_DETAIL = 5
# + the session; the user; the learner's progress on the steps; their study plan of the path; the
# upcoming deadlines the plan form offers; the paths they follow (the follow button)
SIGNED_IN_DETAIL = ANONYMOUS_DETAIL + 6


def test_the_path_page_query_count_does_not_grow_with_the_steps(client, django_assert_num_queries):
    small = make_path(slug="small", steps=2)
    with django_assert_num_queries(ANONYMOUS_DETAIL):
        assert client.get(small.get_absolute_url()).status_code == 200
    large = make_path(slug="large", steps=30)
    _grow(large, 20)
    with django_assert_num_queries(ANONYMOUS_DETAIL):
        assert client.get(large.get_absolute_url()).status_code == 200
    alice = factories.UserFactory(username="alice")
    for step in large.steps.all()[:10]:
        StepProgress.objects.create(user=alice, step=step, state=Progress.DONE)
    client.force_login(alice)
    with django_assert_num_queries(SIGNED_IN_DETAIL):
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_num_queries(SIGNED_IN_DETAIL):
        assert "20% done (10 of 50 steps)" in client.get(large.get_absolute_url()).content.decode()


# the paths with their step counts; their topics; (signed in: session, user, progress counts, the
# paths they follow)
def test_the_list_query_count_does_not_grow_with_the_paths(client, django_assert_num_queries):
    make_path(slug="a", steps=2)
    with django_assert_num_queries(2):
        client.get(reverse("paths:list"))
    for n in range(15):
        make_path(slug=f"more-{n}", steps=3).topics.add(factories.TopicFactory())
    with django_assert_num_queries(2):
        client.get(reverse("paths:list"))
    client.force_login(factories.UserFactory())
    with django_assert_num_queries(6):
        client.get(reverse("paths:list"))


def test_home_page_continues_where_the_learner_left_off(client):
    learning_path = make_path(slug="resume", steps=3)
    first, second, _third = learning_path.steps.order_by("position")
    assert "Continue where you left off" not in client.get("/").content.decode()
    step_url = reverse("paths:step-progress", args=[learning_path.slug, first.pk])
    client.post(step_url, {f"s{first.pk}-state": "done"})
    page = client.get("/").content.decode()
    assert "Continue where you left off" in page
    assert f"{learning_path.get_absolute_url()}#step-{second.pk}" in page
    assert "33% done" in page


def test_home_page_for_a_signed_in_learner_and_a_finished_path(client):
    alice = factories.UserFactory(username="alice")
    learning_path = make_path(slug="done", steps=2)
    client.force_login(alice)
    for step in learning_path.steps.all():
        StepProgress.objects.create(user=alice, step=step, state=Progress.LEARNING)
    assert "Continue where you left off" in client.get("/").content.decode()
    StepProgress.objects.filter(user=alice).update(state=Progress.DONE)
    assert "Continue where you left off" not in client.get("/").content.decode()


def test_the_library_shows_each_started_paths_percentage(client):
    alice = factories.UserFactory(username="alice")
    started = make_path(slug="started", steps=4)
    make_path(slug="untouched", steps=2)
    StepProgress.objects.create(user=alice, step=started.steps.first(), state=Progress.DONE)
    client.force_login(alice)
    page = client.get(reverse("accounts:library")).content.decode()
    assert "Your learning paths" in page
    assert "Path started" in page and "25% done" in page
    assert "Path untouched" not in page


def test_the_library_lists_recent_activity_newest_first_and_only_published_paths(client):
    alice, bob = factories.UserFactory(username="alice"), factories.UserFactory(username="bob")
    first, second = make_path(slug="one", steps=2).steps.order_by("position")
    hidden = make_path(slug="hidden", steps=1, status=Status.DRAFT).steps.get()
    StepProgress.objects.create(user=alice, step=first, state=Progress.DONE)
    StepProgress.objects.create(user=alice, step=second, state=Progress.LEARNING, note="later")
    StepProgress.objects.create(user=alice, step=hidden, state=Progress.DONE)
    StepProgress.objects.create(user=bob, step=first, state=Progress.SKIPPED)
    StepProgress.objects.filter(user=alice, step=first).update(updated_at=timezone.now() - timedelta(days=1))
    client.force_login(alice)
    page = client.get(reverse("accounts:library")).content.decode()
    recent = page[page.index("Recent activity") :]
    assert recent.index(f"#step-{second.pk}") < recent.index(f"#step-{first.pk}")
    assert "Learning" in recent and "Done" in recent and "Skipped" not in recent
    assert f"#step-{hidden.pk}" not in recent


def test_resume_skips_a_finished_path_for_the_next_one_touched(client):
    alice = factories.UserFactory(username="alice")
    older = make_path(slug="older", steps=2)
    finished = make_path(slug="finished", steps=1)
    StepProgress.objects.create(user=alice, step=older.steps.first(), state=Progress.DONE)
    StepProgress.objects.create(user=alice, step=finished.steps.get(), state=Progress.DONE)  # the latest
    client.force_login(alice)
    page = client.get("/").content.decode()
    assert "Continue where you left off" in page and "Path older" in page and "Path finished" not in page


def test_resume_for_a_visitor_costs_bounded_queries(client, django_assert_max_num_queries):
    learning_path = make_path(slug="visitor", steps=3)
    step = learning_path.steps.first()
    client.post(reverse("paths:step-progress", args=["visitor", step.pk]), {f"s{step.pk}-state": "learning"})
    session = client.session
    stored = session["paths_progress"]
    for n in range(300):  # stale entries of steps since deleted
        stored[str(900000 + n)] = {"state": "done", "note": "", "at": "2000-01-01T00:00:00"}
    session["paths_progress"] = stored
    session.save()
    # the home page's own 10, the session, the recent steps' paths, then path, steps, (no) progress
    with django_assert_max_num_queries(14):
        page = client.get("/").content.decode()
    assert "Path visitor" in page


def test_an_outside_address_written_past_validation_is_never_a_link(client):
    learning_path = make_path(slug="links", steps=1)
    Step.objects.create(path=learning_path, position=2, external_url="https://example.org/a", title_en="Good")
    bad = Step.objects.create(
        path=learning_path, position=3, external_url="https://example.org/b", title_en="Bad"
    )
    Step.objects.filter(pk=bad.pk).update(external_url="javascript:alert(1)")  # as raw SQL would
    page = client.get(learning_path.get_absolute_url()).content.decode()
    assert '<a href="https://example.org/a" rel="noopener noreferrer">Good</a>' in page
    assert "javascript:" not in page
    body = client.get("/api/v1/paths/links/", HTTP_ACCEPT="application/json").json()
    assert [s["target"]["url"] for s in body["steps"]][1:] == ["https://example.org/a", None]
    assert f'id="step-{bad.pk}"' in page and "3. Bad</h2>" in page  # shown, as plain text
