"""Tutorial, run and comparison pages in Chromium, as a newcomer meets them (issue 18).

Coloured code, errors shown where the learner is looking, and pages that fit a phone.
"""

import pytest

from tests.factories import TrainingRunFactory, TutorialFactory, UserFactory
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "```python\nimport torch\n\ndef step(x):  # one update\n    return x * 0.5\n```\n"


def signed_in(new_page, live_server, user, **options):
    page = new_page(**options)
    page.context.add_cookies([session_cookie(user, live_server)])
    return page


def colour(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).color")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tutorial_code_is_coloured(live_server, new_page, scheme):
    tutorial = TutorialFactory(body_en=CODE)
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + tutorial.get_absolute_url())
    text = colour(page, ".tutorial-body pre code")
    keyword, comment = colour(page, ".tutorial-body .k"), colour(page, ".tutorial-body .c1")
    assert keyword != text and comment != text and keyword != comment
    background = page.locator(".tutorial-body pre").evaluate("e => getComputedStyle(e).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert (sum(channels) / 3 > 128) == (scheme == "light"), background


# Records what uPlot writes on its canvases (axis labels, tick values), then draws it as usual.
RECORD_CANVAS_TEXT = """
window.__drawnText = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  window.__drawnText.push(String(text));
  return fillText.call(this, text, ...rest);
};
"""


def finished_run(owner, learning_rate, accuracy):
    curve = [{"step": s, "epoch": 1, "loss": 2.0 / s} for s in range(1, 40)]
    curve[-1].update(val_loss=0.4, val_accuracy=accuracy)
    return TrainingRunFactory(
        owner=owner,
        demo="mlp_digits",
        params={"learning_rate": learning_rate, "epochs": 5, "batch_size": 32},
        status="succeeded",
        final_metrics={"val_accuracy": accuracy, "val_loss": 0.4},
        metrics=curve,
        total_steps=39,
        step=39,
        progress=1.0,
    )


def test_the_comparison_names_its_axes_and_runs(live_server, new_page):
    user = UserFactory()
    runs = [finished_run(user, 0.1, 0.97), finished_run(user, 0.01, 0.91)]
    page = signed_in(new_page, live_server, user)
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.goto(f"{live_server.url}/tutorials/runs/compare/?ids={runs[0].pk}&ids={runs[1].pk}")
    page.locator("#compare-chart canvas").wait_for()
    drawn = page.evaluate("window.__drawnText")
    assert "Training step" in drawn and "Training loss" in drawn
    legend = page.locator("#compare-chart .u-legend").inner_text()
    assert "Learning rate 0.1" in legend and "Learning rate 0.01" in legend
    finals = page.locator("#compare-finals").inner_text()
    assert "0.9700" in finals and "0.9100" in finals


LONG_BODY = "\n\n".join(f"Paragraph {n}: gradient descent takes one small step at a time." for n in range(80))


def in_viewport(page, selector: str) -> bool:
    return page.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_refused_launch_shows_its_errors_where_the_learner_is_looking(
    live_server, new_page, page_problems, javascript
):
    tutorial = TutorialFactory(slug="digits", demo="mlp_digits", body_en=LONG_BODY)
    page_problems.allow(400, r"/tutorials/digits/")
    page = signed_in(new_page, live_server, UserFactory(), java_script_enabled=javascript)
    page.goto(f"{live_server.url}/tutorials/digits/")
    assert page.locator("#launch-form").evaluate("e => e.getBoundingClientRect().top") > 2000
    if javascript:
        page.evaluate("window.__samePage = true")
    page.fill("input[name=learning_rate]", "5")
    page.get_by_role("button", name="Run").click()

    summary = page.locator("#launch-errors")
    summary.wait_for()
    assert "Learning rate" in summary.inner_text()
    assert in_viewport(page, "#launch-errors")
    if javascript:
        assert page.evaluate("window.__samePage === true")  # no full reload
        assert page.evaluate("document.activeElement.id") == "launch-errors"
    else:
        assert page.url.endswith("/tutorials/digits/#launch")
    assert not tutorial.runs.exists()

    # A corrected form still launches, from the form the server sent back.
    page.fill("input[name=learning_rate]", "0.01")
    page.fill("input[name=epochs]", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Run").click()
    assert "/tutorials/runs/" in page.url and tutorial.runs.count() == 1


PHONE_390 = {"width": 390, "height": 844}


def digits_run_with_results(owner):
    run = finished_run(owner, 0.1, 0.97)
    run.results = {"confusion_matrix": [[100 + i + j for j in range(10)] for i in range(10)]}
    run.is_public = True
    run.save()
    return run


@pytest.mark.parametrize("language", ["en-GB", "zh-CN"])
def test_run_pages_fit_a_phone(live_server, new_page, language):
    user = UserFactory()
    run = digits_run_with_results(user)
    other = finished_run(user, 0.01, 0.91)
    tutorial = TutorialFactory(body_en=CODE + "\n    " + "x = 1; " * 40 + "\n")
    run.tutorial = tutorial
    run.save()
    page = signed_in(new_page, live_server, user, viewport=PHONE_390, locale=language)
    for path in (
        tutorial.get_absolute_url(),
        "/tutorials/runs/",
        run.get_absolute_url(),
        f"/tutorials/runs/compare/?ids={run.pk}&ids={other.pk}",
    ):
        page.goto(live_server.url + path)
        if path == run.get_absolute_url():
            page.locator("#demo-results table").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone ({language})"


def test_the_run_page_draws_its_chart_and_results_in_chinese(live_server, new_page):
    user = UserFactory()
    run = digits_run_with_results(user)
    page = signed_in(new_page, live_server, user, locale="zh-CN")
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.goto(live_server.url + run.get_absolute_url())
    page.locator("#demo-results table").wait_for()
    assert page.locator("#demo-results h3").first.inner_text().startswith("混淆矩阵")
    drawn = page.evaluate("window.__drawnText")
    assert "训练步数" in drawn and "损失" in drawn and "准确率" in drawn
