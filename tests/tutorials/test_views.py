"""Tutorial pages, the launch form, run pages and their visibility (no worker process needed)."""

import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from tests.factories import TrainingRunFactory, TutorialFactory, UserFactory
from tests.helpers import launch_form_data
from tutorials.models import TrainingRun
from tutorials.rendering import render_markdown

pytestmark = pytest.mark.django_db


@pytest.fixture
def tutorial():
    return TutorialFactory(demo_defaults={"epochs": 5})


def test_tutorial_page_renders_math_and_the_form(client, tutorial):
    response = client.get(tutorial.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<math" in html and "\\theta" not in html  # formulas as MathML, not raw TeX
    assert "Log in to run this demo" in html


def test_draft_tutorial_is_404(client):
    draft = TutorialFactory(status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_form_fields_carry_their_bounds(client, tutorial):
    client.force_login(UserFactory())
    html = client.get(tutorial.get_absolute_url()).content.decode()
    assert 'name="learning_rate"' in html and 'step="any"' in html
    assert 'name="epochs"' in html and 'value="5"' in html  # the tutorial's own default


def test_anonymous_launch_goes_to_login(client, tutorial):
    response = client.post(tutorial.get_absolute_url(), {})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not TrainingRun.objects.exists()


def test_out_of_bounds_launch_is_400_with_field_errors(client, tutorial):
    client.force_login(UserFactory())
    response = client.post(
        tutorial.get_absolute_url(), launch_form_data("mlp_digits", learning_rate=-3, epochs=100000)
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "learning_rate" in form.errors and "epochs" in form.errors
    assert not TrainingRun.objects.exists()


def test_valid_launch_creates_a_queued_run_and_redirects(
    client, tutorial, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            tutorial.get_absolute_url(), launch_form_data("mlp_digits", learning_rate=0.05, epochs=3)
        )
    run = TrainingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.owner, run.demo, run.status) == (user, "mlp_digits", "queued")
    assert run.params["learning_rate"] == 0.05 and run.params["epochs"] == 3
    assert run.task_id  # sent to the broker after commit


def test_another_users_private_run_is_404(client):
    run = TrainingRunFactory(owner=UserFactory(), demo="mlp_digits")
    client.force_login(UserFactory())
    for url in (
        run.get_absolute_url(),
        f"/tutorials/runs/{run.pk}/status.json",
        f"/tutorials/runs/{run.pk}/script.py",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/tutorials/runs/{run.pk}/cancel/").status_code == 404
    # ...while its share link works for anyone who has it, and a public run is visible.
    assert client.get(f"/tutorials/shared/{run.share_token}/").status_code == 200
    TrainingRun.objects.filter(pk=run.pk).update(is_public=True)
    assert client.get(run.get_absolute_url()).status_code == 200


def test_status_json_and_cancel_by_owner(client):
    user = UserFactory()
    run = TrainingRunFactory(owner=user, demo="mlp_digits")
    client.force_login(user)
    body = client.get(f"/tutorials/runs/{run.pk}/status.json").json()
    assert body["status"] == "queued" and body["finished"] is False
    assert client.post(f"/tutorials/runs/{run.pk}/cancel/").status_code == 302
    run.refresh_from_db()
    assert run.status == "cancelled"


def test_export_script_is_python(client):
    user = UserFactory()
    run = TrainingRunFactory(owner=user, demo="mlp_digits", params={"epochs": 2})
    client.force_login(user)
    response = client.get(f"/tutorials/runs/{run.pk}/script.py")
    assert response.status_code == 200
    compile(response.content.decode(), "exported.py", "exec")


def test_my_runs_compare_and_leaderboard(client):
    user = UserFactory()
    client.force_login(user)
    runs = [
        TrainingRunFactory(
            owner=user,
            demo="mlp_digits",
            params={"learning_rate": lr},
            status="succeeded",
            is_public=True,
            final_metrics={"val_accuracy": acc},
            metrics=[{"step": 1, "loss": 1.0}, {"step": 2, "loss": 0.5}],
        )
        for lr, acc in ((0.1, 0.98), (0.01, 0.95))
    ]
    assert client.get("/tutorials/runs/").status_code == 200
    response = client.get("/tutorials/runs/compare/", {"ids": [str(r.pk) for r in runs]})
    assert response.status_code == 200
    assert [row[0] for row in response.context["param_rows"] if row[2]] == ["learning_rate"]
    board = client.get("/tutorials/leaderboard/mlp_digits/")
    assert [r.final_metrics["val_accuracy"] for r in board.context["runs"]] == [0.98, 0.95]
    assert client.get("/tutorials/leaderboard/nope/").status_code == 404


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "$\\href{javascript:alert(1)}{x}$",
    "$$\\style{color:red}{x}$$",
    "```html\n<script>alert(1)</script>\n```",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](  javascript:alert(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<object data="javascript:alert(1)">',
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<style>body{display:none}</style>",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>",
    "[a](vbscript:msgbox(1))",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


ALLOWED_SCHEMES = re.compile(r"^(https?:|mailto:|#|/|[^:]*$)", re.IGNORECASE)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendering_neutralises_xss(payload):
    """Parsed as a browser would: no dangerous element, no event handler, style or bad URL."""
    parser = _Elements()
    parser.feed(render_markdown(payload))
    for tag, attrs in parser.elements:
        assert tag not in {
            "script",
            "iframe",
            "object",
            "embed",
            "form",
            "style",
            "link",
            "meta",
            "base",
            "input",
        }
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in {"href", "src", "action", "data"}:
                assert ALLOWED_SCHEMES.match((value or "").strip()), (tag, name, value)


def test_run_history_is_linked_from_the_header_each_run_page_and_the_recent_runs(client, tutorial):
    user = UserFactory()
    client.force_login(user)
    run = TrainingRunFactory(owner=user, demo="mlp_digits", tutorial=tutorial, params={"epochs": 2})
    history = 'href="/tutorials/runs/"'
    assert history in client.get("/").content.decode()  # the site header, on every page
    assert history in client.get(run.get_absolute_url()).content.decode()
    tutorial_page = client.get(tutorial.get_absolute_url()).content.decode()
    recent = tutorial_page[tutorial_page.index("Your recent runs") :]
    assert history in recent


def _finished_run(owner, lr, acc, **params):
    curve = [{"step": 1, "epoch": 1, "loss": 2.0}, {"step": 50, "epoch": 1, "loss": 0.6, "val_loss": 0.5}]
    return TrainingRunFactory(
        owner=owner,
        demo="mlp_digits",
        params={"learning_rate": lr, "epochs": 5, "batch_size": 32, **params},
        status="succeeded",
        final_metrics={"val_accuracy": acc} if acc is not None else {},
        metrics=curve,
    )


def test_compare_labels_runs_by_what_differs_and_shows_their_final_figures(client):
    user = UserFactory()
    client.force_login(user)
    runs = [_finished_run(user, 0.1, 0.98), _finished_run(user, 0.01, None)]
    response = client.get("/tutorials/runs/compare/", {"ids": [str(r.pk) for r in runs]})
    assert response.status_code == 200
    assert [s["label"] for s in response.context["series"]] == ["Learning rate 0.1", "Learning rate 0.01"]
    html = response.content.decode()
    start = html.index('id="compare-finals"')
    finals = html[start : html.index("</table>", start)]
    assert "Learning rate 0.1" in finals and "0.9800" in finals
    assert "0.5000" in finals  # a final figure missing from final_metrics comes from the curve
    assert str(runs[0].pk)[:8] not in html.replace(str(runs[0].pk), "")  # no bare short ids
    assert 'data-label-x="Training step"' in html and 'data-label-y="Training loss"' in html
    assert "at least two runs" not in html


def test_compare_runs_with_the_same_parameters_are_numbered():
    from tutorials.views import run_label

    run = TrainingRun(params={"epochs": 5}, created_at=timezone.now())
    assert run_label(run, [], 2).startswith("Run 2 (")


def test_compare_tells_apart_runs_that_agree_on_every_differing_parameter(client):
    user = UserFactory()
    client.force_login(user)
    runs = [_finished_run(user, lr, 0.9) for lr in (0.1, 0.1, 0.01)]
    response = client.get("/tutorials/runs/compare/", {"ids": [str(r.pk) for r in runs]})
    labels = [s["label"] for s in response.context["series"]]
    assert labels == ["Learning rate 0.1 (#1)", "Learning rate 0.1 (#2)", "Learning rate 0.01"]


@pytest.mark.parametrize("count", [0, 1])
def test_compare_says_what_to_do_with_fewer_than_two_runs(client, count):
    user = UserFactory()
    client.force_login(user)
    ids = [str(_finished_run(user, 0.1, 0.9).pk) for _ in range(count)]
    response = client.get("/tutorials/runs/compare/", {"ids": ids})
    html = response.content.decode()
    assert response.status_code == 200
    assert "A comparison needs at least two runs." in html and 'href="/tutorials/runs/"' in html


def test_the_run_list_shows_each_runs_key_parameters(client):
    user = UserFactory()
    client.force_login(user)
    _finished_run(user, 0.05, 0.9, hidden_size=64, seed=0)
    html = client.get("/tutorials/runs/").content.decode()
    cell = html[html.index('class="key-params"') :]
    cell = cell[: cell.index("</td>")]
    assert "Learning rate&nbsp;0.05" in cell and "Epochs&nbsp;5" in cell and "Hidden size&nbsp;64" in cell
    assert "Seed" not in cell  # left at its default: not what tells this run apart


def test_a_refused_launch_puts_an_error_summary_at_the_top_of_the_form(client, tutorial):
    client.force_login(UserFactory())
    response = client.post(tutorial.get_absolute_url(), launch_form_data("mlp_digits", learning_rate=5))
    html = response.content.decode()
    assert response.status_code == 400
    form = html[html.index('<form method="post" action="#launch" id="launch-form"') :]
    summary = form.index('id="launch-errors"')
    assert summary < form.index('class="param-grid"')  # before every field
    assert 'href="#id_learning_rate"' in form[summary : form.index("</ul>", summary)]


def test_a_queued_runs_page_and_status_say_its_place_in_line(client):
    from datetime import timedelta

    user = UserFactory()
    end = timezone.now() - timedelta(hours=1)
    TrainingRunFactory(
        owner=user,
        demo="mlp_digits",
        queue="training",
        status="succeeded",
        started_at=end - timedelta(seconds=60),
        finished_at=end,
    )
    TrainingRunFactory(owner=user, demo="mlp_digits", queue="training", status="running")
    ahead = TrainingRunFactory(owner=UserFactory(), demo="mlp_digits", queue="training")
    run = TrainingRunFactory(owner=user, demo="mlp_digits", queue="training")
    TrainingRun.objects.filter(pk=ahead.pk).update(created_at=run.created_at - timedelta(seconds=1))
    client.force_login(user)
    page = client.get(run.get_absolute_url()).content.decode()
    # The running one frees its trainer in about 60 s, then the one ahead takes 60 s more.
    assert re.search(r'<p id="run-queue"[^>]*>2nd in line, about 2 minutes</p>', page)
    status = client.get(f"/tutorials/runs/{run.pk}/status.json").json()
    assert status["queue"] == {"position": 2, "wait_seconds": 120, "text": "2nd in line, about 2 minutes"}

    TrainingRun.objects.filter(pk=run.pk).update(status="running")
    status = client.get(f"/tutorials/runs/{run.pk}/status.json").json()
    assert status["queue"] is None
    assert re.search(r'<p id="run-queue"[^>]*hidden', client.get(run.get_absolute_url()).content.decode())
