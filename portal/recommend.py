"""Recommendations "for you": what a signed-in learner may want next, learned from what they
already keep - bookmarks, steps of learning paths they studied or finished (a paper step done is
a paper read), and the tutorials whose demo they ran.

The learner's model is a weighted centroid of the vectors of those items (a linear scorer over
the embeddings: an item's score is the dot product of its unit vector with the centroid). Each
recommendation names the kept item it is closest to ("because you saved X"). A learner with
nothing that has a vector gets the items most bookmarked by others in the topics they follow,
else across the catalogue. What the learner already keeps is never recommended; only published
items are, checked in SQL.

This spans accounts, paths, tutorials and notifications, so it lives in ``portal``.
"""

from dataclasses import dataclass

import numpy as np
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.models import Bookmark
from notifications.models import Follow
from paths.models import Progress, StepProgress
from resources import semantic
from tutorials.models import TrainingRun

#: How much each kind of signal pulls the learner's centroid.
WEIGHTS = {"saved": 1.0, "read": 0.9, "ran": 0.7, "studied": 0.5}
#: Step targets (paths.models.TARGET_FIELDS) -> semantic type keys.
STEP_KINDS = {
    "paper": "papers",
    "book": "books",
    "course": "courses",
    "tutorial": "tutorials",
    "community": "communities",
}


@dataclass
class Recommendation:
    kind: str
    item: object
    score: float
    reason: str


@dataclass(frozen=True)
class Signal:
    kind: str
    pk: int
    verb: str  # saved, read, studied, ran


def signals(user) -> list[Signal]:
    """What the learner keeps, strongest verb first per item (three queries)."""
    found: dict[tuple[str, int], Signal] = {}

    def add(kind, pk, verb):
        key = (kind, pk)
        if kind and (key not in found or WEIGHTS[verb] > WEIGHTS[found[key].verb]):
            found[key] = Signal(kind, pk, verb)

    for bookmark in Bookmark.objects.filter(user=user).select_related("content_type"):
        add(semantic.kind_of(bookmark.content_type.model_class()), bookmark.object_id, "saved")
    progress = StepProgress.objects.filter(
        user=user, state__in=[Progress.DONE, Progress.LEARNING]
    ).select_related("step")
    for row in progress:
        step = row.step
        for field, kind in STEP_KINDS.items():
            pk = getattr(step, f"{field}_id", None)
            if pk is not None:
                read = field == "paper" and row.state == Progress.DONE
                add(kind, pk, "read" if read else "studied")
    for tutorial_id in (
        TrainingRun.objects.filter(owner=user).values_list("tutorial_id", flat=True).distinct()
    ):
        if tutorial_id is not None:
            add("tutorials", tutorial_id, "ran")
    return list(found.values())


def _reason(verb: str, title: str) -> str:
    return {
        "saved": _("because you saved “%(title)s”"),
        "read": _("because you read “%(title)s”"),
        "studied": _("because you studied “%(title)s”"),
        "ran": _("because you ran the demo of “%(title)s”"),
    }[verb] % {"title": title}


def _title(item) -> str:
    return getattr(item, "title", None) or getattr(item, "name", "") or str(item)


def _load(pairs) -> dict[tuple[str, int], object]:
    """Published rows by (kind, id): one query per kind."""
    by_kind: dict[str, list[int]] = {}
    for kind, pk in pairs:
        by_kind.setdefault(kind, []).append(pk)
    rows = {}
    for kind, pks in by_kind.items():
        for item in semantic.types()[kind].published().filter(pk__in=pks):
            rows[(kind, item.pk)] = item
    return rows


def recommend(user, *, limit: int = 8) -> tuple[str, list[Recommendation]]:
    """(strategy, recommendations): strategy "profile" (from the learner's items), "topics"
    (followed topics, nothing with a vector kept yet) or "popular"."""
    kept = signals(user)
    owned = {(s.kind, s.pk) for s in kept}
    index = semantic.index()
    known = [(s, index.vector(s.kind, s.pk)) for s in kept]
    known = [(s, v) for s, v in known if v is not None]
    if not known:
        return _cold_start(user, owned, limit)
    vectors = np.vstack([v for _, v in known])
    weights = np.array([WEIGHTS[s.verb] for s, _ in known], dtype=np.float32)
    centroid = (weights[:, None] * vectors).sum(0)
    centroid /= np.linalg.norm(centroid) or 1.0
    candidates = [h for h in index.nearest(centroid, limit * 4 + len(owned)) if (h[0], h[1]) not in owned]
    rows = _load((k, pk) for k, pk, _ in candidates)
    sources = _load((s.kind, s.pk) for s, _ in known)
    found = []
    for kind, pk, score in candidates:
        item = rows.get((kind, pk))
        if item is None:
            continue
        closeness = vectors @ index.vector(kind, pk)
        source, _ = known[int(np.argmax(closeness * weights))]
        source_item = sources.get((source.kind, source.pk))
        reason = _reason(source.verb, _title(source_item)) if source_item else _("close to what you keep")
        found.append(Recommendation(kind, item, score, reason))
        if len(found) == limit:
            break
    return "profile", found


def _cold_start(user, owned, limit) -> tuple[str, list[Recommendation]]:
    topics = list(
        Follow.objects.filter(user=user, topic__isnull=False)
        .select_related("topic")
        .values_list("topic_id", flat=True)
    )
    strategy = "topics" if topics else "popular"
    found = []
    for kind, spec in semantic.types().items():
        rows = spec.published()
        if topics:
            rows = rows.filter(topics__in=topics).distinct()
        model = spec.model_class
        if model._meta.label_lower in {f"resources.{m}" for m in ("paper", "book", "course", "community")}:
            saves = dict(
                Bookmark.objects.filter(
                    content_type__app_label="resources", content_type__model=model._meta.model_name
                )
                .values_list("object_id")
                .annotate(n=Count("pk"))
                .order_by("-n")[:200]
            )
        else:
            saves = {}
        for item in rows.order_by("-pk")[:200]:
            if (kind, item.pk) not in owned:
                found.append(Recommendation(kind, item, float(saves.get(item.pk, 0)), ""))
    found.sort(key=lambda r: -r.score)
    found = found[:limit]
    for rec in found:
        rec.reason = _("popular in the topics you follow") if topics else _("popular with learners")
    return strategy, found
