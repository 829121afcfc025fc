"""In Chromium: press Run on the digits tutorial, watch the chart grow, see the run succeed."""

import time

import pytest

from tests.factories import TutorialFactory, UserFactory
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def signed_in(new_page, live_server, user):
    page = new_page()
    page.context.add_cookies([session_cookie(user, live_server)])
    return page


def test_run_the_digits_demo_and_watch_it_learn(celery_worker_process, live_server, new_page, shot):
    tutorial = TutorialFactory(slug="digits", title_en="Neural networks on digits", demo="mlp_digits")
    page = signed_in(new_page, live_server, UserFactory())

    page.goto(f"{live_server.url}/tutorials/digits/")
    formula = page.locator(".tutorial-body math").first
    assert formula.is_visible()  # MathML, drawn by the browser
    assert "\\theta" not in page.locator(".tutorial-body").inner_text()  # no raw TeX
    shot(page, "tutorial")

    # A default run can finish inside one poll; a learner who wants to watch asks for a longer one.
    page.fill("input[name=epochs]", "60")
    page.fill("input[name=batch_size]", "4")
    page.get_by_role("button", name="Run").click()
    page.wait_for_url("**/tutorials/runs/**")
    assert tutorial.runs.count() == 1
    steps_seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = page.locator("#run-status").inner_text()
        step = int(page.locator("#run-step").inner_text() or 0)
        if not steps_seen or step != steps_seen[-1]:
            steps_seen.append(step)
            if len(steps_seen) == 3:
                shot(page, "training")
        if status in {"Succeeded", "Failed", "Cancelled"}:  # the statuses' labels, as the page shows them
            break
        page.wait_for_timeout(250)
    shot(page, "finished")
    assert status == "Succeeded", celery_worker_process.log()
    assert len(steps_seen) >= 3 and steps_seen == sorted(steps_seen)  # progress arrived while it ran
    assert page.locator("#loss-chart canvas").count() >= 1  # uPlot drew the curve
    accuracy = page.locator("#final-metrics").inner_text()
    assert "Validation accuracy" in accuracy
    assert page.locator("#demo-results table").count() == 1  # the confusion matrix
