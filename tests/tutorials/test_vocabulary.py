"""The demos' words on the Chinese pages: parameter labels and help texts, run status, metric
names (tutorials/vocabulary.py), and the deadline names and filter button of the catalogue."""

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from tests import factories
from tutorials import vocabulary
from tutorials.demos import DEMO_NAMES, get_params
from tutorials.models import TrainingRun

CJK = re.compile(r"[\u4e00-\u9fff]")
DEMOS_DIR = Path(vocabulary.__file__).resolve().parent / "demos"


def in_chinese(function, *args) -> str:
    with translation.override("zh-hans"):
        return str(function(*args))


def metric_keys(demo: str) -> set[str]:
    """The keys of every ``metrics = {...}`` dict literal and every reported ``"loss"``."""
    keys = {"loss"}
    for node in ast.walk(ast.parse((DEMOS_DIR / f"{demo}.py").read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Assign)
            and any(getattr(target, "id", None) == "metrics" for target in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            keys |= {key.value for key in node.value.keys if isinstance(key, ast.Constant)}
    return keys


@pytest.mark.parametrize("demo", DEMO_NAMES)
def test_every_parameter_and_metric_of_a_demo_reads_in_chinese(demo):
    params = get_params(demo)
    unlabelled = [p.name for p in params if p.name not in vocabulary.PARAM_LABELS]
    assert not unlabelled, f"add labels to tutorials/vocabulary.py for {unlabelled}"
    unlisted = [p.help for p in params if p.help not in vocabulary.PARAM_HELP]
    assert not unlisted, f"list these help texts in tutorials/vocabulary.py: {unlisted}"
    for param in params:
        assert CJK.search(in_chinese(vocabulary.param_label, param.name)), param.name
        assert CJK.search(in_chinese(vocabulary.param_help, param.help)), param.help
    metrics = metric_keys(demo)
    assert {"train_loss", "val_loss", "val_accuracy"} <= metrics, metrics
    for key in metrics:
        assert key in vocabulary.METRIC_LABELS, f"add a label for the metric {key!r}"
        assert CJK.search(in_chinese(vocabulary.metric_label, key)), key


def test_english_pages_keep_their_english_words():
    with translation.override("en"):
        assert vocabulary.param_label("learning_rate") == "Learning rate"
        assert vocabulary.metric_label("val_accuracy") == "Validation accuracy"
        assert vocabulary.choice_label("momentum") == "momentum"
        assert vocabulary.param_label("new_knob") == "New knob"


@pytest.fixture
def finished_run():
    learner = factories.UserFactory(username="learner")
    tutorial = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    run = factories.TrainingRunFactory(
        owner=learner,
        tutorial=tutorial,
        demo="mlp_digits",
        status=TrainingRun.Status.SUCCEEDED,
        params={"epochs": 2, "learning_rate": 0.01},
        metrics=[{"step": 1, "epoch": 1, "loss": 1.2}, {"step": 2, "epoch": 2, "loss": 0.6}],
        final_metrics={"val_accuracy": 0.9, "val_loss": 0.4},
        total_steps=2,
        step=2,
        progress=1.0,
    )
    return run


ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.mark.django_db
def test_the_chinese_training_pages_name_parameters_status_and_metrics_in_chinese(client, finished_run):
    client.force_login(finished_run.owner)

    tutorial_page = client.get(finished_run.tutorial.get_absolute_url(), **ZH).content.decode()
    for english, chinese in [
        ("Learning rate", "学习率"),
        ("Neurons in the hidden layer", "隐藏层的神经元个数"),
        ("Plain gradient descent, with momentum 0.9, or Adam", "普通梯度下降"),
    ]:
        assert chinese in tutorial_page and english not in tutorial_page, english
    assert ">动量法</option>" in tutorial_page and ">adam</option>" in tutorial_page
    assert "成功" in tutorial_page, "the recent run's status"

    run_page = client.get(finished_run.get_absolute_url(), **ZH).content.decode()
    assert re.search(r"状态: <strong id=\"run-status\">成功</strong>", run_page)
    assert '<th scope="row">训练轮数</th><td>2</td>' in run_page
    assert '<th scope="row">验证准确率</th><td>0.9000</td>' in run_page
    assert "Succeeded" not in run_page and "val_accuracy</th>" not in run_page

    status = client.get(f"{finished_run.get_absolute_url()}status.json", **ZH).json()
    assert status["status"] == "succeeded" and status["status_label"] == "成功"

    runs_page = client.get("/tutorials/runs/", **ZH).content.decode()
    assert '<td class="run-status" data-label="状态">成功</td>' in runs_page
    assert "学习率&nbsp;0.01" in runs_page and "<span>验证准确率&nbsp;0.9000</span>" in runs_page

    other = factories.TrainingRunFactory(
        owner=finished_run.owner,
        demo="mlp_digits",
        status=TrainingRun.Status.SUCCEEDED,
        params={"epochs": 3, "learning_rate": 0.01},
    )
    compare = client.get(f"/tutorials/runs/compare/?ids={finished_run.pk}&ids={other.pk}", **ZH)
    assert [series["label"] for series in compare.context["series"]] == ["训练轮数 2", "训练轮数 3"]
    assert '<th scope="row">学习率</th>' in compare.content.decode()

    leaderboard = client.get("/tutorials/leaderboard/mlp_digits/", **ZH).content.decode()
    assert "按 验证准确率 排名" in leaderboard


@pytest.mark.django_db
def test_the_chinese_deadline_list_names_each_deadline_and_its_filter_button_in_chinese(client):
    edition = factories.ConferenceEditionFactory(year=2099)
    future = dt.datetime(2099, 1, 10, 12, tzinfo=dt.UTC)
    kind = factories.DeadlineFactory._meta.model.Kind
    factories.DeadlineFactory(edition=edition, kind=kind.PAPER, label="Paper submission deadline", at=future)
    factories.DeadlineFactory(edition=edition, kind=kind.ABSTRACT, label="", at=future - dt.timedelta(days=7))
    factories.DeadlineFactory(
        edition=edition, kind=kind.NOTIFICATION, label="Round 2 decisions", at=future + dt.timedelta(days=60)
    )

    chinese = client.get("/deadlines/", **ZH).content.decode()
    assert '<button type="submit">筛选</button>' in chinese
    assert "<td>论文提交" in chinese and "Paper submission deadline" not in chinese
    assert "<td>摘要提交" in chinese
    # A label that says more than its kind stays, marked as English, after the translated kind.
    assert '<td>录用通知 <span lang="en">(Round 2 decisions)</span>' in chinese

    # The edition's history of changes names the deadline the same way.
    from resources.models import DeadlineChange

    paper = edition.deadlines.get(kind=kind.PAPER)
    DeadlineChange.objects.create(
        edition=edition,
        deadline=paper,
        kind=paper.kind,
        label=paper.label,
        change="moved",
        old_at=future - dt.timedelta(days=3),
        new_at=future,
        source="hf",
    )
    history = client.get(edition.get_absolute_url(), **ZH).content.decode()
    assert "论文提交" in history and "Paper submission deadline" not in history
    english_history = client.get(edition.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Paper submission deadline moved from" in english_history

    english = client.get("/deadlines/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<td>Paper submission deadline" in english and "<td>Abstract" in english
    assert '<button type="submit">Apply</button>' in english
