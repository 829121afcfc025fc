"""The paths' pages: the list, a path with its steps and the learner's states, and the form that
sets a step's state (an account's progress, or a visitor's in the session)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from paths import layout, services
from paths.forms import ProgressForm, QuizForm, StudyPlanForm
from paths.models import LearningPath, Progress, StudyPlan
from resources.models import Deadline
from tutorials.models import Tutorial


@require_safe
def path_list(request):
    paths = list(services.published_paths())
    percentages = services.path_percentages(request, paths)
    for item in paths:
        item.percent = percentages[item.pk]
    return render(request, "paths/path_list.html", {"paths": paths})


def _plan_deadlines():
    """The deadlines a plan may aim at: upcoming ones of published conferences, soonest first
    (the calls for papers out at any time number in the tens to hundreds)."""
    return Deadline.objects.published().upcoming().select_related("edition__series")


def _detail_context(request, slug: str, failed: tuple | None = None, plan_form=None) -> dict:
    try:
        learning_path = services.path_with_steps(slug)
    except LearningPath.DoesNotExist:
        raise Http404("No such path.") from None
    steps = list(learning_path.steps.all())
    entries = services.entries_for(request, [s.pk for s in steps])
    positions = {s.pk: s.position for s in steps}
    done = skipped = 0
    for step in steps:
        entry = entries.get(step.pk, services.Entry())
        step.entry = entry
        step.state_label = Progress(entry.state).label
        step.before = sorted(positions[p.pk] for p in step.prerequisites.all() if p.pk in positions)
        # The template writes the fields of an untouched form itself; a form that failed shows its errors.
        step.form = failed[1] if failed and failed[0] == step.pk else None
        done += entry.state == Progress.DONE
        skipped += entry.state == Progress.SKIPPED
    graph = layout.route(
        steps,
        {s.pk: [p.pk for p in s.prerequisites.all()] for s in steps},
        label=lambda s: f"{s.position}. {s.title}",
    )
    context = {
        "learning_path": learning_path,
        "steps": steps,
        "route": graph,
        "route_states": Progress.choices,
        "node_width": layout.NODE_WIDTH,
        "node_height": layout.NODE_HEIGHT,
        "note_max_length": services.NOTE_MAX_LENGTH,
        "percent": services.percent(done, len(steps), skipped),
        "done": done,
        "signed_in": request.user.is_authenticated,
    }
    if request.user.is_authenticated:
        plan = services.study_plan_of(request.user, learning_path)
        finished = {s.pk for s in steps if s.entry.state in (Progress.DONE, Progress.SKIPPED)}
        schedule = services.schedule(plan, steps, finished) if plan else None
        if schedule is not None:
            for step in steps:
                step.planned = schedule.by_step.get(step.pk)
        initial = {"hours_per_week": plan.hours_per_week, "time_zone": plan.time_zone} if plan else {}
        if plan:
            initial.update(deadline=plan.deadline_id, finish_by=plan.finish_by)
        context.update(
            plan=plan,
            schedule=schedule,
            planned_steps=[s for s in steps if getattr(s, "planned", None)],
            plan_form=plan_form or StudyPlanForm(initial=initial, deadlines=_plan_deadlines()),
        )
    return context


@require_safe
def path_detail(request, slug: str):
    return render(request, "paths/path_detail.html", _detail_context(request, slug))


@require_POST
@login_required
def study_plan(request, slug: str):
    learning_path = LearningPath.objects.published().filter(slug=slug).first()
    if learning_path is None:
        raise Http404("No such path.")
    if request.POST.get("action") == "remove":
        StudyPlan.objects.filter(user=request.user, path=learning_path).delete()
        return redirect(f"{learning_path.get_absolute_url()}#plan")
    form = StudyPlanForm(request.POST, deadlines=_plan_deadlines())
    if not form.is_valid():
        return render(
            request, "paths/path_detail.html", _detail_context(request, slug, plan_form=form), status=400
        )
    StudyPlan.objects.update_or_create(
        user=request.user,
        path=learning_path,
        defaults={
            "deadline": form.cleaned_data["deadline"],
            "finish_by": form.cleaned_data["finish_by"],
            "hours_per_week": form.cleaned_data["hours_per_week"],
            "time_zone": form.cleaned_data["time_zone"],
        },
    )
    return redirect(f"{learning_path.get_absolute_url()}#plan")


@require_POST
def step_progress(request, slug: str, step_id: int):
    step = (
        LearningPath.objects.published()
        .filter(slug=slug)
        .values_list("steps__pk", flat=True)
        .filter(steps__pk=step_id)
        .first()
    )
    if step is None:
        raise Http404("No such step on this path.")
    form = ProgressForm(request.POST, prefix=f"s{step_id}")
    if not form.is_valid():
        context = _detail_context(request, slug, failed=(step_id, form))
        return render(request, "paths/path_detail.html", context, status=400)
    from paths.models import Step

    services.set_progress(
        request, Step.objects.get(pk=step_id), form.cleaned_data["state"], form.cleaned_data["note"]
    )
    return redirect(f"{LearningPath(slug=slug).get_absolute_url()}#step-{step_id}")


def quiz(request, tutorial: str):
    """A tutorial's quiz: the questions (GET), then the graded answers (POST). Every answer right
    marks the learner's steps on the tutorial done; the right answers are shown only after grading."""
    found = Tutorial.objects.published().filter(slug=tutorial).first()
    questions = services.quiz_for(found) if found is not None else []
    if not questions:
        raise Http404("This tutorial has no quiz.")
    context = {"tutorial": found}
    if request.method == "POST":
        form = QuizForm(questions, request.POST)
        if form.is_valid():
            graded = services.grade(questions, form.answers())
            passed = all(item.is_right for item in graded)
            steps_done = services.pass_quiz(request, found) if passed else 0
            context.update(
                graded=graded,
                score=sum(item.is_right for item in graded),
                passed=passed,
                steps_done=steps_done,
            )
            return render(request, "paths/quiz.html", context)
        context["form"] = form
        return render(request, "paths/quiz.html", context, status=400)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    context["form"] = QuizForm(questions)
    return render(request, "paths/quiz.html", context)
