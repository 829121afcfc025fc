"""A step points at exactly one thing (database and clean()); prerequisites never form a cycle."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from paths.graph import check_acyclic, find_cycle
from paths.models import LearningPath, Step
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning_path():
    return LearningPath.objects.create(slug="p", title_en="P")


def test_the_database_refuses_a_step_with_two_targets(learning_path):
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(
            path=learning_path, position=1, paper=factories.PaperFactory(), book=factories.BookFactory()
        )


def test_the_database_refuses_a_step_with_no_target(learning_path):
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(path=learning_path, position=1)


def test_the_database_refuses_a_target_and_an_outside_address(learning_path):
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(
            path=learning_path,
            position=1,
            paper=factories.PaperFactory(),
            external_url="https://example.org/",
        )


def test_one_target_or_one_address_is_accepted(learning_path):
    Step.objects.create(path=learning_path, position=1, tutorial=factories.TutorialFactory())
    Step.objects.create(path=learning_path, position=2, external_url="https://example.org/", title_en="Ex")
    assert learning_path.steps.count() == 2


def test_clean_names_every_target_field_that_is_set(learning_path):
    step = Step(
        path=learning_path, position=1, paper=factories.PaperFactory(), course=factories.CourseFactory()
    )
    with pytest.raises(ValidationError) as caught:
        step.full_clean()
    assert {"paper", "course"} <= set(caught.value.message_dict)


def test_clean_asks_for_a_target(learning_path):
    with pytest.raises(ValidationError) as caught:
        Step(path=learning_path, position=1).full_clean()
    assert "Point the step at one item" in " ".join(caught.value.messages)


def test_an_outside_address_needs_a_title_and_a_web_scheme(learning_path):
    with pytest.raises(ValidationError) as caught:
        Step(path=learning_path, position=1, external_url="https://example.org/").full_clean()
    assert "title_en" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        Step(path=learning_path, position=1, external_url="javascript:alert(1)", title_en="x").full_clean()
    assert "external_url" in caught.value.message_dict


GRAPH = {1: [2], 2: [3], 3: [], 4: [3]}


def test_find_cycle_names_the_cycle_in_order():
    # 3 would need 1, which needs 2, which needs 3.
    assert find_cycle(3, [1], lambda n: GRAPH.get(n, [])) == [3, 1, 2, 3]


def test_find_cycle_accepts_a_diamond():
    assert find_cycle(5, [1, 4], lambda n: GRAPH.get(n, [])) is None


def test_a_node_cannot_need_itself():
    with pytest.raises(ValidationError) as caught:
        check_acyclic(1, [1], lambda n: GRAPH.get(n, []), label=lambda n: f"n{n}")
    assert caught.value.message_dict == {"prerequisites": ["n1 cannot be its own prerequisite."]}


def test_the_cycle_error_is_on_the_field_and_names_the_cycle():
    with pytest.raises(ValidationError) as caught:
        check_acyclic(3, [1], lambda n: GRAPH.get(n, []), label=lambda n: f"n{n}")
    assert caught.value.message_dict == {
        "prerequisites": ["These prerequisites would form a cycle: n3 → n1 → n2 → n3."]
    }


def test_a_long_chain_does_not_hit_the_recursion_limit():
    chain = {n: [n + 1] for n in range(5000)}
    assert find_cycle(5000, [0], lambda n: chain.get(n, [])) == [5000, *range(5000), 5000]
