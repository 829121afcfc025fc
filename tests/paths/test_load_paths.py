"""The shipped paths: loaded after the shipped catalogue and tutorials, every step resolves, the
load is idempotent and all-or-nothing."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from paths.importers import DATA_FILE, load_paths
from paths.models import LearningPath, Step
from resources.importers.base import CREATED, UPDATED

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    """The shipped catalogue and tutorials, loaded once for the module (about 4 s) inside a
    transaction that is rolled back when the module ends. Each test runs in a savepoint within it
    (pytest-django's ``db``), so what one test writes is undone before the next one starts."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_catalogue", verbosity=0)
        call_command("load_tutorials", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_every_shipped_step_resolves_and_a_second_load_changes_nothing(shipped):
    out = StringIO()
    call_command("load_paths", stdout=out)
    assert "stored:" in out.getvalue()
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["paths"]
    assert len(raw) >= 5
    assert LearningPath.objects.published().count() == len(raw)
    for entry in raw:
        learning_path = LearningPath.objects.get(slug=entry["slug"])
        steps = list(learning_path.steps.order_by("position"))
        assert len(steps) == len(entry["steps"]) >= 6, entry["slug"]
        assert learning_path.title_zh and learning_path.summary_zh and learning_path.summary_en
        assert learning_path.estimated_hours == sum(s["hours"] for s in entry["steps"])
        for step, written in zip(steps, entry["steps"], strict=True):
            assert step.why_en and step.why_zh, step
            assert step.target is not None and step.target_published, step
            if "paper" in written:
                assert step.paper.arxiv_id == written["paper"]
            elif "conference" in written:
                assert step.conference.short_name == written["conference"]
            else:
                (kind,) = {"course", "book", "community", "tutorial"} & set(written)
                assert getattr(step, kind).slug == written[kind]
            assert sorted(p.position for p in step.prerequisites.all()) == sorted(written.get("after", []))

    again = load_paths()
    assert again.ok and (again.total(CREATED), again.total(UPDATED)) == (0, 0)


def test_the_paths_the_issue_asks_for_lead_through_their_demos(shipped):
    load_paths()
    demos = {
        slug: set(
            Step.objects.filter(path__slug=slug, tutorial__demo__gt="").values_list(
                "tutorial__demo", flat=True
            )
        )
        for slug in ("foundations", "transformers-and-bert", "large-language-models")
    }
    assert demos == {
        "foundations": {"mlp_digits"},
        "transformers-and-bert": {"tiny_gpt", "bert_finetune"},
        "large-language-models": {"tiny_gpt"},
    }
    bert = Step.objects.filter(path__slug="transformers-and-bert", paper__isnull=False)
    assert {"1706.03762", "1810.04805"} <= set(bert.values_list("paper__arxiv_id", flat=True))


def test_a_curators_unpublish_survives_a_reload(shipped):
    load_paths()
    LearningPath.objects.filter(slug="foundations").update(status="draft")
    load_paths()
    assert LearningPath.objects.get(slug="foundations").status == "draft"


BAD = """
paths:
  - slug: good
    level: beginner
    title_en: Good
    title_zh: 好
    summary_en: Fine.
    summary_zh: 好的。
    steps:
      - community: github
        hours: 1
        why_en: Code.
        why_zh: 代码。
  - slug: bad
    level: beginner
    title_en: Bad
    title_zh: 坏
    summary_en: Not fine.
    summary_zh: 不好。
    steps:
      - paper: "9999.99999"
        hours: 1
        why_en: Missing.
        why_zh: 不存在。
"""


def test_an_unknown_reference_names_the_step_and_stores_nothing(shipped, tmp_path):
    data = tmp_path / "paths.yml"
    data.write_text(BAD, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 entries rejected in 1 files; nothing was stored"):
        call_command("load_paths", data_file=str(data), stderr=err, stdout=StringIO())
    assert "path #2 (bad) step 1: paper: '9999.99999' is not in the catalogue" in err.getvalue()
    assert not LearningPath.objects.exists()


def test_a_cycle_between_shipped_paths_is_refused(shipped, tmp_path):
    text = (
        BAD.replace('paper: "9999.99999"', "community: github")
        .replace("  - slug: bad\n", "  - slug: bad\n    prerequisites: [good]\n")
        .replace("  - slug: good\n", "  - slug: good\n    prerequisites: [bad]\n")
    )
    data = tmp_path / "paths.yml"
    data.write_text(text, encoding="utf-8")
    report = load_paths(data_file=data)
    assert not report.ok
    assert "would form a cycle: bad → good → bad" in report.errors[0][2]
    assert not LearningPath.objects.exists()


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("      - community: github\n        paper: '1706.03762'\n", "name exactly one of"),
        ("      - url: 'javascript:alert(1)'\n        title_en: x\n", "url:"),
        ("      - community: github\n        after: [1]\n", "after: list positions of earlier steps"),
    ],
)
def test_bad_steps_are_refused_with_their_reason(shipped, tmp_path, step, message):
    text = (
        "paths:\n  - slug: x\n    level: beginner\n    title_en: X\n    title_zh: 叉\n"
        "    summary_en: X.\n    summary_zh: 叉。\n    steps:\n" + step + "        hours: 1\n"
        "        why_en: W.\n        why_zh: 因。\n"
    )
    data = tmp_path / "paths.yml"
    data.write_text(text, encoding="utf-8")
    report = load_paths(data_file=data)
    assert not report.ok and message in report.errors[0][2], report.errors
    assert not LearningPath.objects.exists()
