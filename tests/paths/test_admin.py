"""The admin: a path with its ordered steps inline, targets by autocomplete, cycles refused on the
prerequisites field (paths and steps), a warning for a step whose item is unpublished."""

import pytest
from django.urls import reverse

from paths.models import LearningPath, Step
from resources.models import Status
from tests import factories
from tests.helpers import make_path

pytestmark = pytest.mark.django_db


def form_data(learning_path: LearningPath, *, prerequisites=(), step_prerequisites=None) -> dict:
    """The change form as the admin would post it back, with some prerequisites changed."""
    steps = list(learning_path.steps.order_by("position"))
    data = {
        "slug": learning_path.slug,
        "title_en": learning_path.title_en,
        "title_zh": learning_path.title_zh,
        "summary_en": "",
        "summary_zh": "",
        "level": learning_path.level,
        "estimated_hours": learning_path.estimated_hours,
        "status": learning_path.status,
        "position": learning_path.position,
        "prerequisites": [p.pk for p in prerequisites],
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for index, step in enumerate(steps):
        prefix = f"steps-{index}-"
        data.update(
            {
                f"{prefix}id": step.pk,
                f"{prefix}path": learning_path.pk,
                f"{prefix}position": step.position,
                f"{prefix}paper": step.paper_id or "",
                f"{prefix}tutorial": step.tutorial_id or "",
                f"{prefix}estimated_hours": step.estimated_hours,
                f"{prefix}required": "on",
                f"{prefix}why_en": step.why_en,
                f"{prefix}prerequisites": (step_prerequisites or {}).get(
                    step.position, [p.pk for p in step.prerequisites.all()]
                ),
            }
        )
    return data


def change_url(learning_path):
    return reverse("admin:paths_learningpath_change", args=[learning_path.pk])


def test_the_change_form_orders_steps_and_offers_autocomplete(superuser_client):
    learning_path = make_path(steps=3)
    page = superuser_client.get(change_url(learning_path)).content.decode()
    for index in range(3):
        for target in ("paper", "tutorial", "course", "conference"):
            assert f'id="id_steps-{index}-{target}" class="admin-autocomplete"' in page
    positions = [page.index(f'name="steps-{i}-position" value="{i + 1}"') for i in range(3)]
    assert positions == sorted(positions)


def test_a_cycle_of_paths_is_refused_on_the_field(superuser_client):
    a, b = make_path(slug="a", steps=1), make_path(slug="b", steps=1)
    b.prerequisites.add(a)
    response = superuser_client.post(change_url(a), form_data(a, prerequisites=[b]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["prerequisites"] == ["These prerequisites would form a cycle: a → b → a."]
    assert not a.prerequisites.exists()


def test_a_cycle_of_steps_is_refused_on_the_steps_field(superuser_client):
    learning_path = make_path(steps=3)  # 3 needs 2 needs 1
    first = learning_path.steps.get(position=1)
    third = learning_path.steps.get(position=3)
    response = superuser_client.post(
        change_url(learning_path), form_data(learning_path, step_prerequisites={1: [third.pk]})
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    messages = [e for form in formset.forms for e in form.errors.get("prerequisites", [])]
    assert messages == ["These prerequisites would form a cycle: step 1 → step 3 → step 2 → step 1."]
    assert not first.prerequisites.exists()


def test_a_valid_change_saves_and_warns_of_unpublished_items(superuser_client):
    learning_path = make_path(steps=2, chain=False)
    second = learning_path.steps.get(position=2)
    second.paper.status = Status.DRAFT
    second.paper.save()
    first = learning_path.steps.get(position=1)
    response = superuser_client.post(
        change_url(learning_path), form_data(learning_path, step_prerequisites={2: [first.pk]}), follow=True
    )
    assert response.status_code == 200
    assert list(second.prerequisites.all()) == [first]
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and second.paper.title in warnings[0]


def test_two_targets_on_one_step_are_field_errors(superuser_client):
    learning_path = make_path(steps=1)
    data = form_data(learning_path)
    data["steps-0-tutorial"] = factories.TutorialFactory().pk
    response = superuser_client.post(change_url(learning_path), data)
    assert response.status_code == 200
    form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert set(form.errors) >= {"paper", "tutorial"}
    assert Step.objects.get(pk=learning_path.steps.get().pk).tutorial_id is None
