"""Learning paths in Chromium at a phone's width: a visitor marks steps, sees the percentage,
signs up and finds the progress in the account and on the home page."""

import pytest
from django.contrib.auth import get_user_model

from paths.models import Step, StepProgress
from tests import factories
from tests.paths.conftest import make_path

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
    second = learning_path.steps.get(position=2)
    page = new_page(viewport=PHONE_390)
    page.goto(live_server.url + learning_path.get_absolute_url())
    page.locator(f"#step-{second.pk} select").select_option("learning")
    page.locator(f"#step-{second.pk} button[type=submit]").first.click()
    page.wait_for_url(f"**#step-{second.pk}")

    page.goto(live_server.url + "/accounts/signup/")
    page.fill("input[name=username]", "learner")
    page.fill("input[name=email]", "learner@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    user = get_user_model().objects.get(username="learner")
    assert list(StepProgress.objects.filter(user=user).values_list("step_id", "state")) == [
        (second.pk, "learning")
    ]
    page.goto(live_server.url + "/")
    resume = page.locator(".continue-learning")
    assert "Path phone" in resume.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


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
    page.get_by_label("ReLU").check()
    page.get_by_role("button", name="Check my answers").click()
    assert "1 of 1 right." in page.locator(".quiz-score").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(live_server.url + learning_path.get_absolute_url())
    assert page.locator(f"#step-{step.pk}").get_attribute("data-state") == "done"
