"""Tutorial pages, the launch form, run pages with live progress, comparisons and leaderboards."""

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from resources import related
from tutorials import services, vocabulary
from tutorials.forms import LaunchForm
from tutorials.models import TrainingRun, Tutorial
from tutorials.rendering import render_markdown

#: The metric a leaderboard ranks by, and whether higher is better.
LEADERBOARD_METRIC = {"tiny_gpt": ("val_loss", False)}
DEFAULT_LEADERBOARD_METRIC = ("val_accuracy", True)
MAX_COMPARED = 6


@require_GET
def tutorial_list(request):
    tutorials = Tutorial.objects.published().prefetch_related("topics")
    return render(request, "tutorials/tutorial_list.html", {"tutorials": tutorials})


def tutorial_detail(request, slug):
    tutorial = get_object_or_404(
        Tutorial.objects.published().prefetch_related("topics", "papers", "books", "courses"), slug=slug
    )
    form, status = None, 200
    if tutorial.demo:
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect(f"{_login_url()}?next={request.path}")
            form = LaunchForm(tutorial.demo, request.POST, initial_params=tutorial.demo_defaults)
            if form.is_valid():
                try:
                    run = services.launch_run(
                        request.user,
                        tutorial.demo,
                        form.params,
                        tutorial=tutorial,
                        is_public=form.cleaned_data["is_public"],
                    )
                except services.InvalidParams as exc:
                    form.add_param_errors(exc.errors)
                    status = 400
                except services.LaunchRefused as exc:
                    form.add_error(None, exc.message)
                    status = exc.status
                else:
                    return redirect(run)
            else:
                status = 400
        else:
            form = LaunchForm(tutorial.demo, initial_params=tutorial.demo_defaults)
    elif request.method == "POST":
        return HttpResponse(status=405)
    context = {
        "tutorial": tutorial,
        "body": render_markdown(tutorial.localized("body")),
        "form": form,
        "recent_runs": _recent_runs(request, tutorial),
        "similar": related.related_or_nothing(tutorial),
    }
    return render(request, "tutorials/tutorial_detail.html", context, status=status)


def _login_url():
    from django.conf import settings
    from django.shortcuts import resolve_url

    return resolve_url(settings.LOGIN_URL)


def _recent_runs(request, tutorial):
    if not request.user.is_authenticated:
        return []
    return list(TrainingRun.objects.filter(owner=request.user, tutorial=tutorial)[:5])


def _visible_run(request, run_id) -> TrainingRun:
    """The run if the user may see it; another user's private run is a 404, never a 403."""
    run = (
        TrainingRun.objects.visible_to(request.user)
        .select_related("tutorial", "owner")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise Http404
    return run


@require_GET
def run_detail(request, run_id):
    run = _visible_run(request, run_id)
    return render(request, "tutorials/run_detail.html", _run_context(request, run))


@require_GET
def run_shared(request, token):
    run = get_object_or_404(TrainingRun.objects.select_related("tutorial", "owner"), share_token=token)
    return render(request, "tutorials/run_detail.html", _run_context(request, run))


def _run_context(request, run):
    return {
        "run": run,
        "is_owner": request.user.is_authenticated and run.owner_id == request.user.pk,
        "share_url": request.build_absolute_uri(f"/tutorials/shared/{run.share_token}/"),
        "status_payload": status_payload(request, run),
        "metric_labels": vocabulary.metric_labels(),
    }


def status_payload(request, run: TrainingRun) -> dict:
    """The run's state for its page and its polling script: the API's own run detail."""
    from tutorials.api.serializers import RunDetailSerializer

    return RunDetailSerializer(run, context={"request": request}).data


@never_cache
@require_GET
def run_status(request, run_id):
    return JsonResponse(status_payload(request, _visible_run(request, run_id)))


@login_required
@require_POST
def run_cancel(request, run_id):
    run = get_object_or_404(TrainingRun, pk=run_id, owner=request.user)
    services.cancel_run(run)
    return redirect(run)


@require_GET
def run_script(request, run_id):
    from tutorials.demos.export import export_script

    run = _visible_run(request, run_id)
    response = HttpResponse(export_script(run.demo, run.params), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.demo}_{str(run.pk)[:8]}.py"'
    return response


@login_required
@require_GET
def my_runs(request):
    runs = list(TrainingRun.objects.filter(owner=request.user).select_related("tutorial")[:100])
    for run in runs:
        run.key_params = key_params(run)
    return render(request, "tutorials/my_runs.html", {"runs": runs})


#: Shown for every run in the list of runs, whatever their value; other parameters only where
#: the learner changed them from the demo's default.
ALWAYS_SHOWN = ("learning_rate", "epochs", "steps", "batch_size")


def key_params(run: TrainingRun) -> list[tuple[str, object]]:
    """The parameters that tell a run from its neighbours in a list: (name, value) pairs."""
    try:
        defaults = {param.name: param.default for param in services.demo_spec(run.demo)}
    except KeyError:
        defaults = {}
    return [
        (name, value)
        for name, value in run.params.items()
        if name in ALWAYS_SHOWN or name not in defaults or defaults[name] != value
    ]


def _last_value(run: TrainingRun, key: str):
    """A final metric, or else the last one the curve recorded (a cancelled or failed run)."""
    if isinstance(run.final_metrics.get(key), int | float):
        return run.final_metrics[key]
    for point in reversed(run.metrics or []):
        if isinstance(point.get(key), int | float):
            return point[key]
    return None


@require_GET
def compare_runs(request):
    ids = []
    for raw in request.GET.getlist("ids")[:MAX_COMPARED]:
        try:
            ids.append(uuid.UUID(raw))
        except ValueError:
            continue
    runs = list(TrainingRun.objects.visible_to(request.user).filter(pk__in=ids).order_by("created_at"))
    demos = {run.demo for run in runs}
    error = _("Pick runs of the same demo to compare them.") if len(demos) > 1 else ""
    keys = sorted({key for run in runs for key in run.params})
    differing = [key for key in keys if len({repr(run.params.get(key)) for run in runs}) > 1]
    labels = [run_label(run, differing, number) for number, run in enumerate(runs, 1)]
    for number, (run, label) in enumerate(zip(runs, labels, strict=True), 1):
        # Among three runs or more, two can agree on every parameter that differs somewhere.
        run.label = label if labels.count(label) == 1 else f"{label} (#{number})"
        run.final_accuracy = _last_value(run, "val_accuracy")
        run.final_loss = _last_value(run, "val_loss")
    context = {
        "runs": runs,
        "error": error,
        "too_few": len(runs) < 2,
        "param_rows": [(key, [run.params.get(key) for run in runs], key in differing) for key in keys],
        "series": [{"id": str(run.pk), "label": run.label, "metrics": run.metrics} for run in runs],
    }
    return render(request, "tutorials/compare.html", context, status=400 if error else 200)


def run_label(run: TrainingRun, differing: list[str], number: int) -> str:
    """Name a compared run by what sets it apart: ``Learning rate 0.1, Epochs 5`` (the
    parameters' labels in the active language).

    Runs with the same parameters are told apart by their number and start time.
    """
    if differing:
        return ", ".join(f"{vocabulary.param_label(key)} {run.params.get(key, '—')}" for key in differing)
    started = timezone.localtime(run.created_at).strftime("%Y-%m-%d %H:%M")
    return _("Run %(number)d (%(started)s)") % {"number": number, "started": started}


@require_GET
def leaderboard(request, demo):
    if demo not in services.demo_names():
        raise Http404
    metric, higher_is_better = LEADERBOARD_METRIC.get(demo, DEFAULT_LEADERBOARD_METRIC)
    order = f"-final_metrics__{metric}" if higher_is_better else f"final_metrics__{metric}"
    runs = (
        TrainingRun.objects.filter(demo=demo, is_public=True, status=TrainingRun.Status.SUCCEEDED)
        .select_related("owner")
        .order_by(order, "finished_at")[:50]
    )
    return render(request, "tutorials/leaderboard.html", {"demo": demo, "metric": metric, "runs": runs})
