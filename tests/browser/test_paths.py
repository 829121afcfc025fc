"""Learning paths in Chromium: a visitor marks steps, sees the percentage, signs up and finds the
progress in the account and on the home page; a quiz answered wrongly, then rightly; a succeeded
demo run marks its step done with no click on the path; the route drawing and its list in English
and Chinese at 1280 and 390 px (screenshots under test-artifacts/screenshots/)."""

import time

import pytest
from django.contrib.auth import get_user_model

from paths.models import Progress, Step, StepProgress
from tests import factories
from tests.helpers import make_path, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
PASSWORD = "a-long-Passphrase-for-paths-42"


def long_path():
    learning_path = make_path(slug="phone", steps=6)
    Step.objects.filter(path=learning_path, position=1).update(
        why_en="A very long explanation " * 12 + "https://example.org/" + "a" * 80,
        why_zh="一段很长的中文说明，" * 20,
    )
    learning_path.topics.add(factories.TopicFactory(name_en="Transformers", name_zh="Transformer 模型"))
    return learning_path


@pytest.mark.parametrize("language", ["en-GB", "zh-CN"])
def test_a_path_fits_a_390px_phone_and_takes_progress(live_server, new_page, language):
    learning_path = long_path()
    page = new_page(viewport=PHONE_390, locale=language)
    for path in ("/paths/", learning_path.get_absolute_url()):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone ({language})"
    first = learning_path.steps.get(position=1)
    step = page.locator(f"#step-{first.pk}")
    step.locator("select").select_option("done")
    step.locator("textarea").fill("chapter 3 next")
    step.locator("button[type=submit]").first.click()
    page.wait_for_url(f"**{learning_path.get_absolute_url()}#step-{first.pk}")
    assert page.locator(f"#step-{first.pk}").get_attribute("data-state") == "done"
    assert page.locator("#path-progress progress").get_attribute("value") == "17"
    assert page.locator(f"#step-{first.pk} textarea").input_value() == "chapter 3 next"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_visitors_progress_follows_them_into_a_new_account(live_server, new_page):
    learning_path = long_path()
    first, second = learning_path.steps.get(position=1), learning_path.steps.get(position=2)
    page = new_page(viewport=PHONE_390)
    page.goto(live_server.url + learning_path.get_absolute_url())
    for step, state in ((first, "done"), (second, "learning")):
        page.locator(f"#step-{step.pk} select").select_option(state)
        page.locator(f"#step-{step.pk} button[type=submit]").first.click()
        page.wait_for_url(f"**#step-{step.pk}")
    assert page.locator(f".route-node[href='#step-{first.pk}']").get_attribute("data-state") == "done"

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=username]", "learner")
    page.fill("input[name=email]", "learner@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    user = get_user_model().objects.get(username="learner")
    assert sorted(StepProgress.objects.filter(user=user).values_list("step_id", "state")) == [
        (first.pk, "done"),
        (second.pk, "learning"),
    ]
    page.goto(live_server.url + "/")
    resume = page.locator(".continue-learning")
    assert "Path phone" in resume.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{first.pk}").get_attribute("data-state") == "done"
    assert page.locator(f"#step-{second.pk}").get_attribute("data-state") == "learning"
    assert page.locator("#path-progress progress").get_attribute("value") == "17"


def test_a_quiz_at_phone_width_grades_and_marks_the_step_done(live_server, new_page):
    from paths.models import QuizChoice, QuizQuestion

    tutorial = factories.TutorialFactory(slug="quizzed")
    learning_path = make_path(slug="quiz-path", steps=1)
    step = Step.objects.create(path=learning_path, position=2, tutorial=tutorial)
    question = QuizQuestion.objects.create(
        tutorial=tutorial, position=1, text_en="Which activation zeroes negative inputs?", text_zh="哪个？"
    )
    QuizChoice.objects.create(question=question, position=1, text_en="Sigmoid", text_zh="Sigmoid")
    QuizChoice.objects.create(question=question, position=2, text_en="ReLU", text_zh="ReLU", correct=True)
    page = new_page(viewport=PHONE_390)
    page.goto(live_server.url + learning_path.get_absolute_url())
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_label("Sigmoid").check()
    page.get_by_role("button", name="Check my answers").click()
    assert "0 of 1 right." in page.locator(".quiz-score").inner_text()
    assert "the right answer: ReLU" in page.locator(".steps").inner_text()  # shown only once graded
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{step.pk}").get_attribute("data-state") == "not_started"
    page.get_by_role("link", name="Take the quiz").click()
    page.get_by_label("ReLU").check()
    page.get_by_role("button", name="Check my answers").click()
    assert "1 of 1 right." in page.locator(".quiz-score").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{step.pk}").get_attribute("data-state") == "done"


@pytest.mark.services
def test_a_succeeded_demo_run_marks_its_step_done_without_a_click(
    celery_worker_process, live_server, new_page
):
    learner = factories.UserFactory()
    tutorial = factories.TutorialFactory(slug="digits", title_en="Digits", demo="mlp_digits")
    learning_path = make_path(slug="with-demo", steps=1)
    step = Step.objects.create(path=learning_path, position=2, tutorial=tutorial, why_en="Train it.")
    page = new_page()
    page.context.add_cookies([session_cookie(learner, live_server)])
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{step.pk}").get_attribute("data-state") == "not_started"
    page.locator(f"#step-{step.pk} h2 a").click()
    page.get_by_role("button", name="Run").click()  # the demo's own button: nothing on the path
    page.wait_for_url("**/tutorials/runs/**")
    deadline = time.monotonic() + 240
    while page.locator("#run-status").inner_text() not in {"Succeeded", "Failed", "Cancelled"}:
        assert time.monotonic() < deadline, celery_worker_process.log()
        page.wait_for_timeout(250)
    assert page.locator("#run-status").inner_text() == "Succeeded", celery_worker_process.log()
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{step.pk}").get_attribute("data-state") == "done"
    assert page.locator(f".route-node[href='#step-{step.pk}']").get_attribute("data-state") == "done"
    assert StepProgress.objects.get(user=learner, step=step).state == Progress.DONE


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": PHONE_390}


def branching_path():
    """Foundations first, then two reads side by side, then a demo that needs both: a route with a
    fork and a join, titled in both languages."""
    learning_path = make_path(slug="route", steps=1)
    learning_path.title_en, learning_path.title_zh = "Transformers, step by step", "一步一步学 Transformer"
    learning_path.save()
    first = learning_path.steps.get(position=1)
    titles = [
        ("Attention Is All You Need", "注意力机制就是你所需要的一切"),
        ("BERT: Pre-training of Deep Bidirectional Transformers", "BERT：深度双向 Transformer 的预训练"),
    ]
    middle = []
    for position, (english, chinese) in enumerate(titles, start=2):
        paper = factories.PaperFactory(title=english)
        step = Step.objects.create(
            path=learning_path, position=position, paper=paper, title_en=english, title_zh=chinese
        )
        middle.append(step)
        middle[-1].prerequisites.add(first)
    tutorial = factories.TutorialFactory(
        title_en="Fine-tune a BERT classifier", title_zh="微调一个 BERT 分类器"
    )
    last = Step.objects.create(path=learning_path, position=4, tutorial=tutorial)
    last.prerequisites.add(*middle)
    return learning_path, [first, *middle, last]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["en-GB", "zh-CN"])
def test_the_route_drawing_and_its_list_in_both_languages(live_server, new_page, shot, language, viewport):
    learning_path, steps = branching_path()
    learner = factories.UserFactory()
    StepProgress.objects.create(user=learner, step=steps[0], state=Progress.DONE)
    StepProgress.objects.create(user=learner, step=steps[1], state=Progress.LEARNING)
    accept = "zh-hans" if language == "zh-CN" else "en"
    page = new_page(
        viewport=VIEWPORTS[viewport], locale=language, extra_http_headers={"Accept-Language": accept}
    )
    page.context.add_cookies([session_cookie(learner, live_server)])
    page.goto(live_server.url + learning_path.get_absolute_url())
    graph = page.locator("svg.route-graph")
    box = graph.bounding_box()
    assert box["width"] > 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    nodes = graph.locator(".route-node")
    assert nodes.count() == 4 and graph.locator(".route-edge").count() == 4
    states = [nodes.nth(i).get_attribute("data-state") for i in range(4)]
    assert states == ["done", "learning", "not_started", "not_started"]
    # The boxes are coloured by state, as drawn by the browser.
    fills = [nodes.nth(i).locator("rect").evaluate("r => getComputedStyle(r).fill") for i in range(4)]
    assert (
        fills[0] == "rgb(46, 125, 50)"
        and fills[1] == "rgb(21, 101, 192)"
        and fills[2] == "rgb(255, 255, 255)"
    )
    # The fork sits side by side, the join below both.
    rects = [nodes.nth(i).locator("rect").bounding_box() for i in range(4)]
    for i, rect in enumerate(rects):  # each label stays inside its box
        text = nodes.nth(i).locator("text").bounding_box()
        assert rect["x"] <= text["x"] and text["x"] + text["width"] <= rect["x"] + rect["width"], i
    assert rects[1]["y"] == rects[2]["y"] and rects[1]["x"] != rects[2]["x"]
    assert rects[3]["y"] > rects[1]["y"] > rects[0]["y"]
    labels = graph.locator("text").all_text_contents()
    heading = page.locator("h1").inner_text()
    if language == "zh-CN":
        assert heading == "一步一步学 Transformer"
        assert any("注意力机制" in label for label in labels)
        assert "完成" in page.locator(".route-legend").inner_text()
    else:
        assert heading == "Transformers, step by step"
        assert labels[1].startswith("2. Attention Is All You")
        assert labels[2].endswith("…")  # a long title is cut to fit its box, and whole in its tooltip
        tooltip = nodes.nth(2).locator("title").text_content()
        assert tooltip == "3. BERT: Pre-training of Deep Bidirectional Transformers (Not started)"
        assert "Done" in page.locator(".route-legend").inner_text()
    # The list equivalent holds the same steps in the same states.
    items = page.locator("ol.steps > li.step")
    assert [items.nth(i).get_attribute("data-state") for i in range(4)] == states
    shot(page, "path")
    page.goto(live_server.url + "/paths/")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    shot(page, "list")
