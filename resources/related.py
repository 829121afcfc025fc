"""Related items of one catalogue item or tutorial: its nearest neighbours in meaning across
every embedded type, plus what it links to (a paper's tutorials and citations), grouped by type,
each with a one-line reason.

Reasons, strongest first: the two link to each other (a tutorial teaching the paper, a
citation), they share a topic, two papers appeared at the same conference series, else "close in
meaning". Works without any vector too: the links alone are then the related items.
"""

import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from resources import embeddings, semantic

log = logging.getLogger(__name__)

GROUP_ORDER = ("papers", "tutorials", "courses", "books", "communities")
PER_GROUP = 5


@dataclass
class Related:
    kind: str
    item: object
    reason: str
    score: float  # cosine of the two vectors; 0 when unknown
    rank: float  # the score with a bonus for the reason: links first, then topics, then venue


def _topic_ids(item) -> set[int]:
    topics = getattr(item, "topics", None)
    return {t.pk for t in topics.all()} if topics is not None else set()  # prefetched on the pages


def _series_id(item):
    edition = getattr(item, "venue_edition", None)
    return edition.series_id if edition is not None else None


def _links(kind: str, item) -> set[tuple[str, int]]:
    spec = semantic.types()[kind]
    found = set(spec.linked(item)) if spec.linked else set()
    # The other side of a link: whatever registered a link to this type (tutorials → papers...).
    for other in semantic.types().values():
        accessor = getattr(item, other.key, None) if other.key != kind else None
        if accessor is not None and hasattr(accessor, "values_list") and other.model_class is accessor.model:
            found |= {
                (other.key, pk) for pk in accessor.filter(status="published").values_list("pk", flat=True)
            }
    return found


SORTS = ("relevance", "recent")


def _newest_first(row: Related):
    """Papers and books by their year, the rest by when they entered the catalogue; relevance
    breaks ties."""
    year = getattr(row.item, "year", None)
    added = getattr(row.item, "created_at", None)
    return (-(year or 0), -(added.timestamp() if added else 0.0), -row.rank)


def related(item, *, per_group: int = PER_GROUP, sort: str = "relevance") -> dict[str, list[Related]]:
    """{kind: [Related, ...]} in GROUP_ORDER, empty kinds left out; never fails for want of vectors.
    Each group holds its ``per_group`` most related items: by relevance (``sort="relevance"``), or
    the same items newest first (``sort="recent"``)."""
    kind = semantic.kind_of(item)
    if kind is None:
        return {}
    links = _links(kind, item)
    try:
        near = semantic.neighbours(kind, item.pk, k=per_group * 6)
    except embeddings.EncoderUnavailable:
        near = []
    scores = {(k, pk): s for k, pk, s in near}
    for key in links:
        scores.setdefault(key, 0.0)
    by_kind: dict[str, list[int]] = {}
    for k, pk in scores:
        by_kind.setdefault(k, []).append(pk)
    mine_topics, mine_series = _topic_ids(item), _series_id(item)
    groups: dict[str, list[Related]] = {}
    for k, pks in by_kind.items():
        spec = semantic.types()[k]
        rows = spec.published().filter(pk__in=pks).exclude(pk=item.pk if k == kind else None)
        if k == "papers":
            rows = rows.select_related("venue_edition")
        for other in rows.prefetch_related("topics"):
            key = (k, other.pk)
            if key in links:
                reason = _("linked: it teaches, cites or is cited by this")
                if kind == "papers" and k == "tutorials":
                    reason = _("a tutorial on this paper")
                elif k == "papers" and kind == "papers":
                    reason = _("cites or is cited by this paper")
                bonus = 1.0
            elif mine_topics & {t.pk for t in other.topics.all()}:
                shared = next(t for t in other.topics.all() if t.pk in mine_topics)
                reason, bonus = _("shares the topic “%(topic)s”") % {"topic": shared.name}, 0.1
            elif mine_series and _series_id(other) == mine_series:
                reason, bonus = _("same conference series"), 0.05
            else:
                reason, bonus = _("close in meaning"), 0.0
            groups.setdefault(k, []).append(Related(k, other, str(reason), scores[key], scores[key] + bonus))
    found = {k: sorted(groups[k], key=lambda r: -r.rank)[:per_group] for k in GROUP_ORDER if groups.get(k)}
    if sort == "recent":
        found = {k: sorted(rows, key=_newest_first) for k, rows in found.items()}
    return found


def related_or_nothing(item) -> dict[str, list[Related]]:
    """``related`` for a page: a failure here (index, model, database hiccup) never breaks it."""
    try:
        return related(item)
    except Exception:
        log.warning("related items of %r failed", item, exc_info=True)
        return {}
