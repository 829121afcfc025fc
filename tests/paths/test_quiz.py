"""The quiz at the end of a tutorial: graded on the server, right answers never on the question
page, every answer right marks the learner's steps on the tutorial done; bad answers are field
errors; the admin keeps exactly one right answer per question."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from paths import services
from paths.importers import load_paths
from paths.models import QuizChoice, QuizQuestion, Step, StepProgress
from tests import factories
from tests.helpers import make_path

pytestmark = pytest.mark.django_db


def make_quiz(tutorial, questions=2):
    for position in range(1, questions + 1):
        question = QuizQuestion.objects.create(
            tutorial=tutorial,
            position=position,
            text_en=f"Question {position}?",
            text_zh=f"问题 {position}？",
        )
        for n, (text, correct) in enumerate([("Wrong", False), ("Right", True), ("Also wrong", False)], 1):
            QuizChoice.objects.create(
                question=question,
                position=n,
                text_en=f"{text} {position}",
                text_zh=f"答 {n}",
                correct=correct,
            )


@pytest.fixture
def quiz_path():
    tutorial = factories.TutorialFactory(slug="quizzed")
    make_quiz(tutorial)
    learning_path = make_path(slug="with-quiz", steps=1)
    step = Step.objects.create(path=learning_path, position=2, tutorial=tutorial)
    return tutorial, step


def answers(tutorial, right=True) -> dict:
    data = {}
    for question in tutorial.quiz_questions.all():
        choice = (
            question.choices.get(correct=True) if right else question.choices.filter(correct=False).first()
        )
        data[f"q{question.pk}"] = choice.pk
    return data


def test_the_question_page_does_not_carry_the_right_answers(client, quiz_path):
    tutorial, _step = quiz_path
    page = client.get(reverse("paths:quiz", args=[tutorial.slug])).content.decode()
    assert "Question 1?" in page and "Right 1" in page and "Wrong 1" in page
    # Every choice is written the same way: nothing tells the right one apart.
    right = QuizChoice.objects.get(question__position=1, correct=True)
    wrong = QuizChoice.objects.get(question__position=1, position=1)
    for choice in (right, wrong):
        start = page.index(f'value="{choice.pk}"')
        snippet = page[page.rindex("<input", 0, start) : page.index(">", start) + 1]
        assert "correct" not in snippet.lower() and "right" not in snippet.lower()
    assert "the right answer" not in page


def test_all_right_marks_the_step_done_for_a_visitor_and_shows_the_score(client, quiz_path):
    tutorial, step = quiz_path
    response = client.post(reverse("paths:quiz", args=[tutorial.slug]), answers(tutorial))
    page = response.content.decode()
    assert response.status_code == 200 and "2 of 2 right." in page
    detail = client.get(step.path.get_absolute_url()).content.decode()
    assert f'id="step-{step.pk}" data-state="done"' in detail
    assert reverse("paths:quiz", args=[tutorial.slug]) in detail


def test_a_wrong_answer_is_graded_and_reveals_the_right_one_after_submission(client, quiz_path):
    tutorial, step = quiz_path
    alice = factories.UserFactory(username="alice")
    client.force_login(alice)
    data = answers(tutorial)
    first = tutorial.quiz_questions.get(position=1)
    data[f"q{first.pk}"] = first.choices.get(position=1).pk
    page = client.post(reverse("paths:quiz", args=[tutorial.slug]), data).content.decode()
    assert "1 of 2 right." in page
    assert "the right answer: Right 1" in page
    assert not StepProgress.objects.filter(user=alice).exists()
    client.post(reverse("paths:quiz", args=[tutorial.slug]), answers(tutorial))
    assert StepProgress.objects.get(user=alice, step=step).state == "done"


@pytest.mark.parametrize("bad", ["missing", "other-question", "not-a-number"])
def test_bad_answers_are_field_errors_and_grade_nothing(client, quiz_path, bad):
    tutorial, _step = quiz_path
    data = answers(tutorial)
    first, second = tutorial.quiz_questions.order_by("position")
    if bad == "missing":
        del data[f"q{first.pk}"]
    elif bad == "other-question":
        data[f"q{first.pk}"] = second.choices.get(correct=True).pk
    else:
        data[f"q{first.pk}"] = "x"
    response = client.post(reverse("paths:quiz", args=[tutorial.slug]), data)
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert services.SESSION_KEY not in client.session


def test_no_quiz_or_an_unpublished_tutorial_is_404(client):
    plain = factories.TutorialFactory(slug="plain")
    hidden = factories.TutorialFactory(slug="hidden", status="draft")
    make_quiz(hidden)
    assert client.get(reverse("paths:quiz", args=[plain.slug])).status_code == 404
    assert client.get(reverse("paths:quiz", args=[hidden.slug])).status_code == 404
    assert client.put(reverse("paths:quiz", args=[hidden.slug])).status_code == 404


def test_the_database_allows_one_right_answer_per_question(quiz_path):
    tutorial, _step = quiz_path
    question = tutorial.quiz_questions.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        question.choices.filter(correct=False).update(correct=True)


def test_the_admin_moves_the_right_answer_and_refuses_two(client, quiz_path):
    tutorial, _step = quiz_path
    client.force_login(factories.UserFactory(username="curator", is_staff=True, is_superuser=True))
    question = tutorial.quiz_questions.get(position=1)
    choices = list(question.choices.order_by("position"))
    url = reverse("admin:paths_quizquestion_change", args=[question.pk])

    def post(correct_positions):
        data = {
            "tutorial": tutorial.pk, "position": 1, "text_en": question.text_en, "text_zh": question.text_zh,
            "choices-TOTAL_FORMS": 3, "choices-INITIAL_FORMS": 3, "choices-MIN_NUM_FORMS": 0,
            "choices-MAX_NUM_FORMS": 1000,
        }  # fmt: skip
        for index, choice in enumerate(choices):
            data.update(
                {
                    f"choices-{index}-id": choice.pk,
                    f"choices-{index}-question": question.pk,
                    f"choices-{index}-position": choice.position,
                    f"choices-{index}-text_en": choice.text_en,
                    f"choices-{index}-text_zh": choice.text_zh,
                }
            )
            if choice.position in correct_positions:
                data[f"choices-{index}-correct"] = "on"
        return client.post(url, data)

    refused = post({1, 2})
    assert refused.status_code == 200
    assert "exactly one of them marked correct" in refused.content.decode()
    # The mark moves from the second answer to the first, an earlier row.
    assert post({1}).status_code == 302
    assert list(question.choices.filter(correct=True).values_list("position", flat=True)) == [1]


def test_the_shipped_quizzes_load_once_and_name_real_tutorials(django_db_blocker):
    from django.core.management import call_command

    call_command("load_catalogue", verbosity=0)
    call_command("load_tutorials", verbosity=0)
    first = load_paths()
    assert first.ok, first.errors
    for question in QuizQuestion.objects.all():
        assert question.text_zh and question.choices.count() >= 2
        assert question.choices.filter(correct=True).count() == 1
    assert {q.tutorial.slug for q in QuizQuestion.objects.select_related("tutorial")} == {
        "neural-networks-and-gradient-descent",
        "attention-and-the-transformer",
    }
    again = load_paths()
    assert (again.total("created"), again.total("updated")) == (0, 0)
