"""Reading and writing a learner's progress: in the database for an account, in the session for a
visitor without one. The web views, the API, the template tags and the signal receivers all go
through these functions.

A path's percentage counts its done steps against its steps less the skipped ones: skipping an
optional reading neither helps nor hurts, and a path whose every step was skipped stands at 0.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from paths.models import LearningPath, Progress, QuizQuestion, Step, StepProgress

logger = logging.getLogger(__name__)

#: Where a visitor's progress lives in the session: {"<step id>": {"state", "note", "at"}}.
SESSION_KEY = "paths_progress"
#: At most this many steps are remembered for a visitor (a session is not a database).
SESSION_LIMIT = 500
NOTE_MAX_LENGTH = StepProgress._meta.get_field("note").max_length
FINISHED = (Progress.DONE, Progress.SKIPPED)


@dataclass
class Entry:
    state: str = Progress.NOT_STARTED
    note: str = ""


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated)


def _session_progress(request) -> dict:
    session = getattr(request, "session", None)
    # Reading an empty, cookieless session costs no query; only a visitor with a session pays one.
    if session is None or (session.session_key is None and not session.modified):
        return {}
    stored = session.get(SESSION_KEY)
    return stored if isinstance(stored, dict) else {}


# --- reading -------------------------------------------------------------------------------------


def entries_for(request, step_ids) -> dict[int, Entry]:
    """The learner's entry for each of ``step_ids`` that has one (one query for an account)."""
    step_ids = list(step_ids)
    if _signed_in(request):
        rows = StepProgress.objects.filter(user=request.user, step_id__in=step_ids).values_list(
            "step_id", "state", "note"
        )
        return {step_id: Entry(state, note) for step_id, state, note in rows}
    stored = _session_progress(request)
    wanted = {str(i): i for i in step_ids}
    return {
        wanted[key]: Entry(value.get("state", Progress.NOT_STARTED), value.get("note", ""))
        for key, value in stored.items()
        if key in wanted and isinstance(value, dict)
    }


def percent(done: int, total: int, skipped: int) -> int:
    counted = total - skipped
    return round(100 * done / counted) if counted > 0 and done > 0 else 0


def path_percentages(request, paths) -> dict[int, int]:
    """path id -> percentage for the learner, for paths annotated with ``step_count`` (one query)."""
    totals = {p.pk: p.step_count for p in paths}
    done: dict[int, int] = dict.fromkeys(totals, 0)
    skipped: dict[int, int] = dict.fromkeys(totals, 0)
    if _signed_in(request):
        rows = (
            StepProgress.objects.filter(user=request.user, step__path_id__in=totals)
            .filter(state__in=[Progress.DONE, Progress.SKIPPED])
            .values_list("step__path_id", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
    else:
        stored = _session_progress(request)
        counted = {
            int(key): value.get("state")
            for key, value in stored.items()
            if key.isdigit()
            and isinstance(value, dict)
            and value.get("state") in (Progress.DONE, Progress.SKIPPED)
        }
        rows = []
        if counted:
            pairs = Step.objects.filter(pk__in=counted, path_id__in=totals).values_list("pk", "path_id")
            tally: dict = {}
            for step_id, path_id in pairs:
                tally[(path_id, counted[step_id])] = tally.get((path_id, counted[step_id]), 0) + 1
            rows = [(path_id, state, n) for (path_id, state), n in tally.items()]
    for path_id, state, n in rows:
        (done if state == Progress.DONE else skipped)[path_id] = n
    return {pk: percent(done[pk], totals[pk], skipped[pk]) for pk in totals}


def published_paths():
    """Published paths in their curated order, with their step count and topics."""
    from resources.models import Topic

    return (
        LearningPath.objects.published()
        .annotate(step_count=Count("steps", distinct=True))
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.only("id", "slug", "name_en", "name_zh")))
        .order_by("position", "title_en", "pk")
    )


TARGET_RELATIONS = ("course", "book", "paper", "community", "conference", "tutorial")


#: How many of a learner's latest step changes the library lists as recent activity.
RECENT_ACTIVITY = 8


def recent_activity(user, limit: int = RECENT_ACTIVITY) -> list[StepProgress]:
    """The learner's latest changes of state or note on steps of published paths, newest first,
    each with its step, the step's target and its path loaded (one query)."""
    return list(
        StepProgress.objects.filter(user=user, step__path__in=LearningPath.objects.published())
        .select_related("step__path", *(f"step__{name}" for name in TARGET_RELATIONS))
        .order_by("-updated_at", "-id")[:limit]
    )


def path_with_steps(slug: str) -> LearningPath:
    """A published path with its topics, prerequisite paths and steps (targets and prerequisites
    loaded): five queries, whatever the number of steps."""
    from resources.models import Topic

    has_quiz = Exists(QuizQuestion.objects.filter(tutorial_id=OuterRef("tutorial_id")))
    steps = (
        Step.objects.select_related(*TARGET_RELATIONS)
        .annotate(has_quiz=has_quiz)
        .prefetch_related(Prefetch("prerequisites", queryset=Step.objects.only("id", "path_id", "position")))
    )
    return (
        LearningPath.objects.published()
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.only("id", "slug", "name_en", "name_zh")),
            Prefetch(
                "prerequisites",
                queryset=LearningPath.objects.published().only("id", "slug", "title_en", "title_zh"),
            ),
            Prefetch("steps", queryset=steps.order_by("position", "id")),
        )
        .get(slug=slug)
    )


#: How many of the paths touched last "continue where you left off" looks through.
RESUME_CANDIDATES = 3


def _recent_path_ids(request) -> list[int]:
    """Published paths the learner touched, most recent first (one query)."""
    if _signed_in(request):
        rows = (
            StepProgress.objects.filter(user=request.user, step__path__status="published")
            .order_by("-updated_at", "-id")
            .values_list("step__path_id", flat=True)[:200]
        )
    else:
        stored = _session_progress(request)
        recent = sorted(
            ((value.get("at", ""), int(key)) for key, value in stored.items()
             if key.isdigit() and isinstance(value, dict)),
            reverse=True,
        )  # fmt: skip
        if not recent:
            return []
        paths = dict(
            Step.objects.filter(pk__in=[pk for _at, pk in recent], path__status="published").values_list(
                "pk", "path_id"
            )
        )
        rows = [paths[pk] for _at, pk in recent if pk in paths]
    return list(dict.fromkeys(rows))


def continue_learning(request) -> dict | None:
    """Of the paths the learner touched last, the most recent one not yet through: the path, its
    next step and its percentage. At most 1 + 3 × RESUME_CANDIDATES queries; none for a visitor
    without a session."""
    for path_id in _recent_path_ids(request)[:RESUME_CANDIDATES]:
        path = LearningPath.objects.get(pk=path_id)
        steps = list(path.steps.select_related(*TARGET_RELATIONS).order_by("position", "id"))
        entries = entries_for(request, [s.pk for s in steps])
        states = [entries.get(s.pk, Entry()).state for s in steps]
        pending = [s for s, state in zip(steps, states, strict=True) if state not in FINISHED]
        if pending:
            done, skipped = states.count(Progress.DONE), states.count(Progress.SKIPPED)
            return {"path": path, "next_step": pending[0], "percent": percent(done, len(steps), skipped)}
    return None


# --- writing -------------------------------------------------------------------------------------


def set_progress(request, step: Step, state: str, note: str | None = None) -> Entry:
    """Store the learner's state (and note, when given) on a step: their account, or the session."""
    if state not in Progress.values:
        raise ValueError(f"unknown state {state!r}")
    if note is not None:
        note = note[:NOTE_MAX_LENGTH]
    if _signed_in(request):
        row = set_user_progress(request.user, step, state=state, note=note)
        return Entry(row.state, row.note)
    stored = dict(_session_progress(request))
    key = str(step.pk)
    old = stored.get(key) if isinstance(stored.get(key), dict) else {}
    stored[key] = {
        "state": state,
        "note": old.get("note", "") if note is None else note,
        "at": timezone.now().isoformat(),
    }
    if len(stored) > SESSION_LIMIT:
        oldest = sorted(stored, key=lambda k: stored[k].get("at", "") if isinstance(stored[k], dict) else "")
        for gone in oldest[: len(stored) - SESSION_LIMIT]:
            stored.pop(gone)
    request.session[SESSION_KEY] = stored
    return Entry(stored[key]["state"], stored[key]["note"])


def set_user_progress(user, step: Step, *, state: str | None = None, note: str | None = None) -> StepProgress:
    """Create or change a user's row for a step; only the fields given are changed."""
    with transaction.atomic():
        row, _created = StepProgress.objects.select_for_update().get_or_create(user=user, step=step)
        changed = []
        if state is not None and row.state != state:
            row.state, changed = state, [*changed, "state"]
        if note is not None and row.note != note:
            row.note, changed = note, [*changed, "note"]
        if changed:
            row.save(update_fields=[*changed, "updated_at"])
    return row


def move_session_progress(request, user) -> int:
    """On sign-in or sign-up: the visitor's progress becomes the account's; returns the steps moved.

    A state the visitor set replaces the account's, except that a step done stays done; a note
    replaces the account's only when the visitor wrote one.
    """
    stored = _session_progress(request)
    if not stored:
        return 0
    by_id = {int(k): v for k, v in stored.items() if k.isdigit() and isinstance(v, dict)}
    steps = Step.objects.in_bulk(list(by_id))
    existing = {row.step_id: row for row in StepProgress.objects.filter(user=user, step_id__in=steps)}
    moved = 0
    with transaction.atomic():
        for step_id, step in steps.items():
            value = by_id[step_id]
            state = value.get("state")
            if state not in Progress.values:
                continue
            note = str(value.get("note", ""))[:NOTE_MAX_LENGTH]
            row = existing.get(step_id)
            if row is not None and row.state == Progress.DONE:
                state = Progress.DONE
            set_user_progress(user, step, state=state, note=note or None)
            moved += 1
    request.session.pop(SESSION_KEY, None)
    return moved


def record_succeeded_run(owner_id: int, demo: str) -> int:
    """A succeeded training of ``demo`` marks done, for its owner, every step whose tutorial
    offers that demo. Returns the rows written."""
    if not demo:
        return 0
    step_ids = list(Step.objects.filter(tutorial__demo=demo).values_list("pk", flat=True))
    if not step_ids:
        return 0
    with transaction.atomic():
        updated = (
            StepProgress.objects.filter(user_id=owner_id, step_id__in=step_ids)
            .filter(~Q(state=Progress.DONE))
            .update(state=Progress.DONE, updated_at=timezone.now())
        )
        have = set(
            StepProgress.objects.filter(user_id=owner_id, step_id__in=step_ids).values_list(
                "step_id", flat=True
            )
        )
        missing = [
            StepProgress(user_id=owner_id, step_id=i, state=Progress.DONE) for i in step_ids if i not in have
        ]
        StepProgress.objects.bulk_create(missing, ignore_conflicts=True)
    return updated + len(missing)


def path_prerequisites_of(path_id: int) -> list[int]:
    """The stored prerequisite paths of a path, by id (for ``paths.graph.check_acyclic``)."""
    through = LearningPath.prerequisites.through
    return list(
        through.objects.filter(from_learningpath_id=path_id).values_list("to_learningpath_id", flat=True)
    )


def path_label(path_id: int) -> str:
    return LearningPath.objects.filter(pk=path_id).values_list("slug", flat=True).first() or str(path_id)


# --- quizzes -------------------------------------------------------------------------------------


@dataclass
class GradedQuestion:
    question: object
    chosen: object
    right: object

    @property
    def is_right(self) -> bool:
        return self.chosen.pk == self.right.pk


def quiz_for(tutorial) -> list:
    """The tutorial's questions with their choices (two queries)."""
    from paths.models import QuizChoice

    return list(
        tutorial.quiz_questions.order_by("position", "id").prefetch_related(
            Prefetch("choices", queryset=QuizChoice.objects.order_by("position", "id"))
        )
    )


def grade(questions: list, answers: dict) -> list[GradedQuestion]:
    """Grade ``answers`` (question id -> chosen choice id, already checked to belong to it)."""
    graded = []
    for question in questions:
        choices = {c.pk: c for c in question.choices.all()}
        right = next(c for c in choices.values() if c.correct)
        graded.append(GradedQuestion(question, choices[answers[question.pk]], right))
    return graded


def pass_quiz(request, tutorial) -> int:
    """Every answer right: the learner's steps on this tutorial, in published paths, become done."""
    steps = list(Step.objects.filter(tutorial=tutorial, path__status="published"))
    for step in steps:
        set_progress(request, step, Progress.DONE)
    return len(steps)


# --- study plans ---------------------------------------------------------------------------------


def plan_finish_by(plan):
    """The day a study plan must be finished by: the last whole day before its deadline in its
    time zone, or its own date. None when its deadline is gone and it has no date."""
    import zoneinfo

    from paths.planning import finish_by_for

    if plan.deadline_id is not None and plan.deadline is not None and plan.deadline.at is not None:
        try:
            zone = zoneinfo.ZoneInfo(plan.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return finish_by_for(plan.deadline.at, zone)
    return plan.finish_by


def schedule(plan, steps, finished: set[int], today=None):
    """The dates of ``plan`` over ``steps`` (a path's steps, prerequisites loaded), leaving out
    the ``finished`` ones; None when the plan has no day to finish by."""
    from paths.planning import plan_backwards

    finish_by = plan_finish_by(plan)
    if finish_by is None:
        return None
    ids = {s.pk for s in steps}
    prerequisites = {s.pk: {p.pk for p in s.prerequisites.all() if p.pk in ids} for s in steps}
    return plan_backwards(
        [(s.pk, s.position, s.estimated_hours) for s in steps],
        prerequisites,
        finished=finished,
        finish_by=finish_by,
        today=today or timezone.localdate(),
        hours_per_week=plan.hours_per_week,
    )


def study_plan_of(user, learning_path):
    from paths.models import StudyPlan

    if not getattr(user, "is_authenticated", False):
        return None
    return (
        StudyPlan.objects.select_related("deadline__edition__series")
        .filter(user=user, path=learning_path)
        .first()
    )


def plan_events(user, today=None) -> list[dict]:
    """The reader's study plans as calendar entries: one per planned step (its days, all day),
    for the personal calendar feed. A fixed number of queries, whatever the plans hold."""
    from paths.models import StudyPlan

    plans = list(
        StudyPlan.objects.filter(user=user, path__status="published").select_related(
            "path", "deadline__edition__series"
        )
    )
    if not plans:
        return []
    steps = list(
        Step.objects.filter(path_id__in=[p.path_id for p in plans])
        .select_related(*TARGET_RELATIONS)
        .prefetch_related(Prefetch("prerequisites", queryset=Step.objects.only("id", "path_id", "position")))
        .order_by("path_id", "position", "id")
    )
    finished = set(
        StepProgress.objects.filter(
            user=user, step__in=steps, state__in=[Progress.DONE, Progress.SKIPPED]
        ).values_list("step_id", flat=True)
    )
    events = []
    for plan in plans:
        own = [s for s in steps if s.path_id == plan.path_id]
        scheduled = schedule(plan, own, finished, today)
        if scheduled is None:
            continue
        titles = {s.pk: s for s in own}
        for item in scheduled.steps:
            events.append(
                {
                    "uid": f"plan-{plan.pk}-step-{item.step_id}",
                    "start": item.start,
                    "end": item.end,
                    "path": plan.path,
                    "step": titles[item.step_id],
                    "hours": item.hours,
                }
            )
    return events
