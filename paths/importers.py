"""The shipped learning paths: paths/data/paths.yml (its header describes the format).

``load_paths()`` is what ``manage.py load_paths`` calls, after ``load_catalogue`` and
``load_tutorials``: every step names an item those loaders made, by the key the catalogue itself
uses (an arXiv id, a conference's short name, a slug), and an unknown one fails the file with
the path, the step and the reference. The file is imported in one transaction through
``resources.importers.base.run_files`` (any error stores nothing) with an idempotent upsert of
each path and of each step (by path and position), so loading it again creates and updates
nothing. The file owns the steps of the paths it ships: a step past the file's last one is
removed. A path's ``status`` is set when the loader creates it and is the curators' afterwards.
"""

from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from paths.graph import check_acyclic
from paths.models import TARGET_FIELDS, LearningPath, Level, QuizChoice, QuizQuestion, Step
from resources import models as catalogue
from resources import validators
from resources.importers.base import CREATED, UPDATED, EntryError, FileReport, ImportReport, run_files, upsert
from resources.importers.catalogue import Entry
from tutorials.models import Tutorial

DATA_FILE = Path(settings.BASE_DIR) / "paths" / "data" / "paths.yml"
QUIZ_FILE = DATA_FILE.with_name("quizzes.yml")

PATH_FIELDS = {
    "slug": str,
    "position": int,
    "level": str,
    "status": str,
    "topics": list,
    "prerequisites": list,
    "title_en": str,
    "title_zh": str,
    "summary_en": str,
    "summary_zh": str,
    "steps": list,
}
PATH_REQUIRED = ["slug", "level", "title_en", "title_zh", "summary_en", "summary_zh", "steps"]
STEP_FIELDS = {
    **dict.fromkeys(TARGET_FIELDS, str),
    "url": str,
    "title_en": str,
    "title_zh": str,
    "why_en": str,
    "why_zh": str,
    "hours": int,
    "required": bool,
    "after": list,
}
STEP_REQUIRED = ["why_en", "why_zh", "hours"]

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_paths(
    *,
    dry_run: bool = False,
    data_file: Path | str | None = None,
    quiz_file: Path | str | None = None,
    progress: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Load the paths of ``data_file`` (default paths/data/paths.yml) and the quizzes of
    ``quiz_file`` (default paths/data/quizzes.yml; only with the default paths file); one report."""
    files = [(Path(data_file) if data_file else DATA_FILE, _import_file)]
    if quiz_file or not data_file:
        files.append((Path(quiz_file) if quiz_file else QUIZ_FILE, _import_quizzes))
    importers = {str(path): importer for path, importer in files}
    return run_files(
        [path for path, _importer in files],
        lambda path, report: importers[str(path)](path, report),
        dry_run=dry_run,
        progress=progress,
    )


def _read(path: Path, key: str = "paths") -> list:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise EntryError("(file)", "the file does not exist") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise EntryError("(file)", f"not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get(key), list):
        raise EntryError("(file)", f"expected a mapping with a list under {key}:")
    return raw[key]


def _import_file(path: Path, report: FileReport) -> None:
    entries = []
    for index, raw in enumerate(_read(path)):
        label = raw.get("slug") if isinstance(raw, dict) else None
        entries.append(
            Entry(raw, f"path #{index + 1}" + (f" ({label})" if label else ""), PATH_FIELDS, PATH_REQUIRED)
        )
    slugs = [entry.text("slug") for entry in entries]
    if len(set(slugs)) != len(slugs):
        raise EntryError("(file)", "a path slug appears twice")

    saved: dict[str, LearningPath] = {}
    created: set[str] = set()
    for entry in entries:
        saved[entry.text("slug")], outcome = _import_path(entry, report)
        if outcome == CREATED:
            created.add(entry.text("slug"))

    # Prerequisite paths, once every path of the file exists: they may name a later one.
    for entry in entries:
        learning_path = saved[entry.text("slug")]
        wanted = []
        for slug in entry.strings("prerequisites"):
            other = saved.get(slug) or LearningPath.objects.filter(slug=slug).first()
            if other is None:
                raise EntryError(entry.name, f"prerequisites: no path {slug!r}")
            wanted.append(other)
        current = set(learning_path.prerequisites.values_list("pk", flat=True))
        if current != {p.pk for p in wanted}:
            _check_paths_acyclic(entry, learning_path, wanted)
            learning_path.prerequisites.set(wanted)
            if learning_path.slug not in created:  # a new path's links are part of its creation
                report.count(UPDATED, f"path {learning_path.slug}: prerequisites")


def _check_paths_acyclic(entry: Entry, learning_path: LearningPath, wanted: list) -> None:
    from paths import services

    try:
        check_acyclic(
            learning_path.pk,
            [p.pk for p in wanted],
            services.path_prerequisites_of,
            label=services.path_label,
        )
    except ValidationError as exc:
        raise EntryError(entry.name, " ".join(exc.messages)) from None


def _import_path(entry: Entry, report: FileReport) -> tuple[LearningPath, str]:
    slug = entry.text("slug")
    level = entry.text("level")
    if level not in Level.values:
        raise EntryError(entry.name, f"level: expected one of {', '.join(Level.values)}")
    topic_slugs = entry.strings("topics")
    topics = list(catalogue.Topic.objects.filter(slug__in=topic_slugs))
    missing = sorted(set(topic_slugs) - {t.slug for t in topics})
    if missing:
        raise EntryError(entry.name, f"topics: not in the catalogue: {', '.join(missing)}")

    steps = []
    for index, raw in enumerate(entry.get("steps", [])):
        steps.append(Entry(raw, f"{entry.name} step {index + 1}", STEP_FIELDS, STEP_REQUIRED))
    if not steps:
        raise EntryError(entry.name, "steps: a path needs at least one step")
    values = {
        "level": level,
        "position": entry.get("position", 0),
        "estimated_hours": sum(step.get("hours", 0) for step in steps),
        **{key: entry.text(key) for key in ("title_en", "title_zh", "summary_en", "summary_zh")},
    }
    status = entry.text("status") or catalogue.Status.PUBLISHED
    if status not in catalogue.Status.values:
        raise EntryError(entry.name, f"status: expected one of {', '.join(catalogue.Status.values)}")
    if not LearningPath.objects.filter(slug=slug).exists():
        values["status"] = status
    learning_path, outcome = upsert(
        LearningPath, {"slug": slug}, values, entry=entry.name, m2m={"topics": topics}
    )
    report.count(outcome, f"path {slug}")

    stored: list[Step] = []
    new_steps: set[int] = set()
    for position, step_entry in enumerate(steps, start=1):
        step_values = {
            **_target(step_entry),
            "title_en": step_entry.text("title_en"),
            "title_zh": step_entry.text("title_zh"),
            "why_en": step_entry.text("why_en"),
            "why_zh": step_entry.text("why_zh"),
            "estimated_hours": step_entry.get("hours"),
            "required": step_entry.get("required", True),
        }
        step, step_outcome = upsert(
            Step, {"path": learning_path, "position": position}, step_values, entry=step_entry.name
        )
        report.count(step_outcome, f"path {slug} step {position}")
        stored.append(step)
        if step_outcome == CREATED:
            new_steps.add(step.pk)
    removed, _ = Step.objects.filter(path=learning_path, position__gt=len(steps)).delete()
    if removed:
        report.count(UPDATED, f"path {slug}: steps past {len(steps)} removed")

    for step, step_entry in zip(stored, steps, strict=True):
        after = step_entry.get("after", [])
        if not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n < step.position for n in after):
            raise EntryError(
                step_entry.name, "after: list positions of earlier steps of this path (1, 2, ...)"
            )
        wanted = {stored[n - 1].pk for n in after}
        if set(step.prerequisites.values_list("pk", flat=True)) != wanted:
            step.prerequisites.set(wanted)
            if step.pk not in new_steps:
                report.count(UPDATED, f"path {slug} step {step.position}: prerequisites")
    return learning_path, outcome


def _target(step: Entry) -> dict:
    """The step's target as ``<field>_id`` values (all others None) and its outside address."""
    named = [name for name in (*TARGET_FIELDS, "url") if step.text(name)]
    if len(named) != 1:
        raise EntryError(step.name, f"name exactly one of {', '.join((*TARGET_FIELDS, 'url'))}")
    kind, reference = named[0], step.text(named[0])
    values = {f"{name}_id": None for name in TARGET_FIELDS}
    values["external_url"] = ""
    if kind == "url":
        try:
            validators.validate_web_url(reference)
        except ValidationError as exc:
            raise EntryError(step.name, f"url: {' '.join(exc.messages)}") from None
        values["external_url"] = reference
        return values
    pk = _find(kind, reference)
    if pk is None:
        raise EntryError(
            step.name, f"{kind}: {reference!r} is not in the catalogue (load it first, or fix the reference)"
        )
    values[f"{kind}_id"] = pk
    return values


def _find(kind: str, reference: str) -> int | None:
    if kind == "paper":
        try:
            arxiv_id = validators.normalize_arxiv_id(reference)
        except ValidationError:
            return None
        return catalogue.Paper.objects.filter(arxiv_id=arxiv_id).values_list("pk", flat=True).first()
    if kind == "conference":
        found = list(
            catalogue.ConferenceSeries.objects.filter(short_name=reference).values_list("pk", flat=True)[:2]
        )
        return found[0] if len(found) == 1 else None
    model = {
        "course": catalogue.Course,
        "book": catalogue.Book,
        "community": catalogue.Community,
        "tutorial": Tutorial,
    }[kind]
    return model.objects.filter(slug=reference).values_list("pk", flat=True).first()


# --- quizzes -------------------------------------------------------------------------------------

QUIZ_FIELDS = {"tutorial": str, "questions": list}
QUESTION_FIELDS = {"text_en": str, "text_zh": str, "choices": list}
CHOICE_FIELDS = {"en": str, "zh": str, "correct": bool}


def _import_quizzes(path: Path, report: FileReport) -> None:
    seen = set()
    for index, raw in enumerate(_read(path, "quizzes")):
        label = raw.get("tutorial") if isinstance(raw, dict) else None
        entry = Entry(raw, f"quiz #{index + 1}" + (f" ({label})" if label else ""), QUIZ_FIELDS, QUIZ_FIELDS)
        slug = entry.text("tutorial")
        if slug in seen:
            raise EntryError(entry.name, "a second quiz for the same tutorial")
        seen.add(slug)
        tutorial = Tutorial.objects.filter(slug=slug).first()
        if tutorial is None:
            raise EntryError(entry.name, f"tutorial: {slug!r} does not exist (run load_tutorials first)")
        questions = entry.get("questions")
        for position, raw_question in enumerate(questions, start=1):
            _import_question(Entry(raw_question, f"{entry.name} question {position}", QUESTION_FIELDS,
                                   QUESTION_FIELDS), tutorial, position, report)  # fmt: skip
        removed, _ = QuizQuestion.objects.filter(tutorial=tutorial, position__gt=len(questions)).delete()
        if removed:
            report.count(UPDATED, f"quiz {slug}: questions past {len(questions)} removed")


def _import_question(entry: Entry, tutorial, position: int, report: FileReport) -> None:
    choices = [
        Entry(raw, f"{entry.name} answer {n}", CHOICE_FIELDS, ["en", "zh"])
        for n, raw in enumerate(entry.get("choices"), start=1)
    ]
    right = [n for n, choice in enumerate(choices, start=1) if choice.get("correct", False)]
    if len(choices) < 2 or len(right) != 1:
        raise EntryError(entry.name, "choices: give two or more answers, exactly one with correct: true")
    question, outcome = upsert(
        QuizQuestion,
        {"tutorial": tutorial, "position": position},
        {"text_en": entry.text("text_en"), "text_zh": entry.text("text_zh")},
        entry=entry.name,
    )
    report.count(outcome, f"quiz {tutorial.slug} question {position}")
    QuizChoice.objects.filter(question=question, position__gt=len(choices)).delete()
    # Wrong answers first, so that a right answer moving to another position never meets the
    # old one still marked right (one right answer per question is a database constraint).
    order = sorted(range(1, len(choices) + 1), key=lambda n: n in right)
    for n in order:
        choice = choices[n - 1]
        values = {"text_en": choice.text("en"), "text_zh": choice.text("zh"), "correct": n in right}
        _, outcome = upsert(QuizChoice, {"question": question, "position": n}, values, entry=choice.name)
        report.count(outcome, f"quiz {tutorial.slug} question {position} answer {n}")
