"""Meaning-based search over stored sentence embeddings: the registry of embeddable types, the
writes (``embed``), the per-process vector index and its queries.

Types register here (``register``); the catalogue's own types below, tutorials from
``TutorialsConfig.ready`` (this app imports no other). Each type gives its key, its model (or
"app_label.Model"), the text to embed and, optionally, the items it links to (a tutorial's
papers, a paper's citations), which the related items use as reasons.

The index is exact: a float32 matrix of unit vectors, searched with one matrix-vector product;
a kind with at least ``SEMANTIC_APPROXIMATE_ROWS`` vectors (50,000) is searched through an
approximate faiss index (``resources.approximate``) whose candidates are scored exactly.
It is read from the ``Embedding`` table when first needed and kept in step incrementally: every
write (and every save of an embeddable item) bumps a version kept in the shared cache; a query
that finds the version moved reads only the rows written since (by ``updated_at``) and swaps in a
patched copy of the index. Hits are always
filtered against the published rows in SQL, so an unpublished item vanishes at once even from an
index that is not yet read again.
"""

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from resources import embeddings
from resources.models import Book, Community, Course, Embedding, Paper, Status

log = logging.getLogger(__name__)

VERSION_KEY = "semantic:index-version"
#: An index older than this checks the table itself too (a cache that is not shared, e.g. locmem).
RECHECK_SECONDS = 60
#: Below this cosine a neighbour is not "close in meaning" enough to be shown as a search hit.
MIN_SIMILARITY = 0.25
#: Candidates an approximate index proposes per kind, all scored exactly (more than FUSE_DEPTH).
APPROXIMATE_CANDIDATES = 100


@dataclass(frozen=True)
class Embeddable:
    key: str
    model: type | str
    text: Callable[[object], str]
    linked: Callable[[object], set[tuple[str, int]]] | None = None
    prefetch: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model_class(self):
        return apps.get_model(self.model) if isinstance(self.model, str) else self.model

    def published(self) -> QuerySet:
        return self.model_class._default_manager.filter(status=Status.PUBLISHED)


_registry: dict[str, Embeddable] = {}


def register(spec: Embeddable) -> None:
    _registry[spec.key] = spec


def types() -> dict[str, Embeddable]:
    return dict(_registry)


def kind_of(model) -> str | None:
    for spec in _registry.values():
        if spec.model_class is model or spec.model_class is type(model):
            return spec.key
    return None


def _join(*parts) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def _paper_links(paper) -> set[tuple[str, int]]:
    # The detail page has prefetched the first of each (resources.selectors.paper_detail).
    cites = getattr(paper, "published_cites", None)
    cited_by = getattr(paper, "published_cited_by", None)
    cites = paper.cites.all() if cites is None else cites
    cited_by = paper.cited_by.all() if cited_by is None else cited_by
    return {("papers", p.pk) for p in cites} | {("papers", p.pk) for p in cited_by}


register(
    Embeddable(
        "papers",
        Paper,
        lambda p: _join(p.title, p.description_en, p.abstract[:1500], p.description_zh),
        _paper_links,
    )
)
register(Embeddable("books", Book, lambda b: _join(b.title, b.description_en, b.description_zh)))
register(Embeddable("courses", Course, lambda c: _join(c.title, c.description_en, c.description_zh)))
register(Embeddable("communities", Community, lambda c: _join(c.name, c.description_en, c.description_zh)))


# --- writing vectors -----------------------------------------------------------------------------


def bump_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def embed(kind: str, items: Iterable, *, force: bool = False) -> tuple[int, int]:
    """Store the vectors of ``items`` (instances of the type ``kind``) whose text changed:
    (encoded, unchanged). Raises EncoderUnavailable when the model cannot load."""
    spec = _registry[kind]
    items = list(items)
    texts = {item.pk: spec.text(item) for item in items}
    hashes = {pk: embeddings.content_hash(text) for pk, text in texts.items()}
    stored = dict(
        Embedding.objects.filter(
            kind=kind, model=embeddings.MODEL_NAME, object_id__in=list(texts)
        ).values_list("object_id", "content_hash")
    )
    todo = [pk for pk in texts if force or stored.get(pk) != hashes[pk]]
    if not todo:
        return 0, len(texts)
    vectors = embeddings.encode([texts[pk] for pk in todo])
    with transaction.atomic():
        for pk, vector in zip(todo, vectors, strict=True):
            Embedding.objects.update_or_create(
                kind=kind,
                object_id=pk,
                model=embeddings.MODEL_NAME,
                defaults={"content_hash": hashes[pk], "vector": vector.astype(np.float32).tobytes()},
            )
    transaction.on_commit(bump_version)
    return len(todo), len(texts) - len(todo)


def embed_one(kind: str, pk: int) -> str:
    """The Celery task's service: embed one published item (a draft keeps its old vector, which
    search filters out anyway)."""
    spec = _registry.get(kind)
    if spec is None:
        return f"unknown kind {kind}"
    item = spec.published().filter(pk=pk).first()
    if item is None:
        bump_version()
        return f"{kind} #{pk} is not published"
    encoded, _ = embed(kind, [item])
    return f"{kind} #{pk}: {'encoded' if encoded else 'unchanged'}"


# --- the index -----------------------------------------------------------------------------------


class Index:
    def __init__(
        self, version: str, kinds: np.ndarray, ids: np.ndarray, matrix: np.ndarray, latest, approximate=None
    ):
        self.version, self.kinds, self.ids, self.matrix, self.latest = version, kinds, ids, matrix, latest
        self.read_at = time.monotonic()
        self.kind_names = sorted(_registry)
        self.position = {
            (self.kind_names[k], int(i)): n for n, (k, i) in enumerate(zip(kinds, ids, strict=True))
        }
        # The rows of each kind, once: a query then selects within them without a mask.
        self.rows_of = {name: np.flatnonzero(kinds == n) for n, name in enumerate(self.kind_names)}
        #: {kind: resources.approximate.Approximate} for the kinds with many rows (see build_approximate).
        self.approximate: dict = dict(approximate or {})

    def build_approximate(self, threshold: int, probes: int) -> None:
        """An approximate index for each kind of at least ``threshold`` rows (none when 0)."""
        from resources.approximate import Approximate

        for name, rows in self.rows_of.items():
            if threshold and len(rows) >= threshold:
                self.approximate[name] = Approximate(self.matrix[rows], rows, probes)

    @property
    def nbytes(self) -> int:
        extra = sum(a.nbytes for a in self.approximate.values())
        return self.matrix.nbytes + self.ids.nbytes + self.kinds.nbytes + extra

    def __len__(self) -> int:
        return len(self.ids)

    def vector(self, kind: str, pk: int) -> np.ndarray | None:
        n = self.position.get((kind, pk))
        return None if n is None else self.matrix[n]

    def _top(self, vector: np.ndarray, name: str, k: int, scores: np.ndarray | None):
        """(row positions, cosines) of the ``k`` rows of kind ``name`` closest to ``vector``,
        best first: exact, or the approximate index's candidates scored exactly."""
        approximate = self.approximate.get(name)
        if approximate is not None:
            rows = approximate.candidates(vector, max(k, APPROXIMATE_CANDIDATES))
            rows = rows[rows < len(self.ids)]  # rows appended by a newer version of the index
            kind_scores = self.matrix[rows] @ vector
        else:
            rows = self.rows_of[name]
            if scores is None:
                kind_scores = self.matrix[rows] @ vector
            else:
                kind_scores = scores if len(rows) == len(scores) else scores[rows]
        top = np.argpartition(-kind_scores, k - 1)[:k] if len(rows) > k else np.arange(len(rows))
        top = top[np.argsort(-kind_scores[top])]
        return rows[top], kind_scores[top]

    def _scores(self, vector: np.ndarray) -> np.ndarray | None:
        """Every row's cosine at once (one product), unless a kind is searched approximately."""
        return None if self.approximate else self.matrix @ vector

    def nearest_by_kind(self, vector: np.ndarray, k: int, minimum: float = -1.0) -> dict[str, list[int]]:
        """{kind: the ids of the ``k`` rows of that kind closest to ``vector``, best first, none
        under ``minimum``}: one matrix-vector product (or an approximate index's candidates for
        a large kind), then a partial sort per kind."""
        scores = self._scores(vector)
        found = {}
        for name, rows in self.rows_of.items():
            if not len(rows):
                continue
            top, top_scores = self._top(vector, name, k, scores)
            top = top[top_scores >= minimum]
            if len(top):
                found[name] = [int(pk) for pk in self.ids[top]]
        return found

    def nearest(
        self, vector: np.ndarray, k: int, kinds: Iterable[str] | None = None
    ) -> list[tuple[str, int, float]]:
        """The ``k`` rows closest to ``vector`` (of the given kinds): (kind, id, cosine), best first."""
        if not len(self.ids):
            return []
        scores = self._scores(vector)
        wanted = [n for n in self.kind_names if kinds is None or n in kinds]
        found = [self._top(vector, name, k, scores) for name in wanted if len(self.rows_of[name])]
        if not found:
            return []
        rows = np.concatenate([f[0] for f in found])
        row_scores = np.concatenate([f[1] for f in found])
        order = np.argsort(-row_scores, kind="stable")[:k]
        return [
            (self.kind_names[self.kinds[n]], int(self.ids[n]), float(row_scores[o]))
            for n, o in zip(rows[order], order, strict=True)
        ]


_index: Index | None = None
_index_lock = threading.Lock()
#: Rows are read again from a little before the newest one the index holds, so that a row whose
#: transaction committed late (an earlier ``updated_at``) is not missed.
OVERLAP = dt.timedelta(minutes=5)


def _read_rows(since=None):
    """(kinds, ids, vectors, newest updated_at) of the stored vectors changed since ``since``
    (all of them without it): one query."""
    kind_names = sorted(_registry)
    rows = Embedding.objects.filter(model=embeddings.MODEL_NAME, kind__in=kind_names)
    if since is not None:
        rows = rows.filter(updated_at__gte=since - OVERLAP)
    kinds, ids, vectors, latest = [], [], [], since
    for kind, pk, blob, updated in rows.values_list("kind", "object_id", "vector", "updated_at").iterator(
        chunk_size=2000
    ):
        kinds.append(kind_names.index(kind))
        ids.append(pk)
        vectors.append(np.frombuffer(bytes(blob), dtype=np.float32))
        latest = updated if latest is None or updated > latest else latest
    return kinds, ids, vectors, latest


def _read_index(version: str) -> Index:
    kinds, ids, vectors, latest = _read_rows()
    matrix = np.vstack(vectors) if vectors else np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
    index = Index(version, np.array(kinds, dtype=np.int8), np.array(ids, dtype=np.int64), matrix, latest)
    index.build_approximate(settings.SEMANTIC_APPROXIMATE_ROWS, settings.SEMANTIC_APPROXIMATE_PROBES)
    return index


def _updated(current: Index, version: str) -> Index:
    """A new index: ``current`` with the rows written since it was read replaced or added (one
    query, a few rows); ``current`` is left as it was for the queries still using it."""
    kinds, ids, vectors, latest = _read_rows(current.latest)
    if not ids:
        fresh = Index.__new__(Index)
        fresh.__dict__.update(current.__dict__)
        fresh.version, fresh.read_at = version, time.monotonic()
        return fresh
    matrix, all_kinds, all_ids = current.matrix, current.kinds, current.ids
    replaced = [
        (current.position.get((current.kind_names[k], pk)), v)
        for k, pk, v in zip(kinds, ids, vectors, strict=True)
    ]
    if any(n is not None for n, _ in replaced):
        matrix = matrix.copy()
        for n, vector in replaced:
            if n is not None:
                matrix[n] = vector
    new = [(k, pk, v) for (n, v), k, pk in zip(replaced, kinds, ids, strict=True) if n is None]
    if new:
        matrix = np.vstack([matrix, np.vstack([v for _, _, v in new])])
        all_kinds = np.concatenate([all_kinds, np.array([k for k, _, _ in new], dtype=np.int8)])
        all_ids = np.concatenate([all_ids, np.array([pk for _, pk, _ in new], dtype=np.int64)])
    updated = Index(version, all_kinds, all_ids, matrix, latest, current.approximate)
    for name, approximate in updated.approximate.items():
        # The written rows of this kind, at their (old or new) positions.
        positions = np.array(
            [
                updated.position[(name, pk)]
                for k, pk in zip(kinds, ids, strict=True)
                if updated.kind_names[k] == name
            ],
            dtype=np.int64,
        )
        if len(positions):
            approximate.put(matrix[positions], positions)
    return updated


def index() -> Index:
    """This process's index. Read whole the first time; afterwards brought up to date from the rows
    written since (one query) when the shared version moved, when it is empty, or every
    RECHECK_SECONDS (for a cache that other processes do not share)."""
    global _index
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    current = _index
    if (
        current is not None
        and current.version == version
        and len(current)
        and time.monotonic() - current.read_at < RECHECK_SECONDS
    ):
        return current
    with _index_lock:
        _index = _read_index(version) if current is None or not len(current) else _updated(current, version)
        return _index


def forget_index() -> None:
    global _index
    _index = None


def published_ids(kind: str, ids: Iterable[int]) -> set[int]:
    """The ids among ``ids`` whose rows are published now (one query)."""
    ids = list(ids)
    if not ids:
        return set()
    return set(_registry[kind].published().filter(pk__in=ids).values_list("pk", flat=True))


def search(query: str, *, kinds: Iterable[str] | None = None, k: int = 50) -> list[tuple[str, int, float]]:
    """Published items closest in meaning to ``query``: (kind, id, cosine), best first, at most
    ``k``, none under MIN_SIMILARITY. Raises EncoderUnavailable when the model cannot load."""
    vector = embeddings.encode_query(query)
    hits = [h for h in index().nearest(vector, k * 2, kinds) if h[2] >= MIN_SIMILARITY]
    return _only_published(hits)[:k]


def _only_published(hits: list[tuple[str, int, float]]) -> list[tuple[str, int, float]]:
    by_kind: dict[str, list[int]] = {}
    for kind, pk, _ in hits:
        by_kind.setdefault(kind, []).append(pk)
    alive = {(kind, pk) for kind, pks in by_kind.items() for pk in published_ids(kind, pks)}
    return [h for h in hits if (h[0], h[1]) in alive]


def neighbours(kind: str, pk: int, *, k: int = 20) -> list[tuple[str, int, float]]:
    """Published items closest to one item (itself excluded); empty when it has no vector."""
    idx = index()
    vector = idx.vector(kind, pk)
    if vector is None:
        return []
    hits = [h for h in idx.nearest(vector, k * 2 + 1) if (h[0], h[1]) != (kind, pk)]
    return _only_published(hits)[:k]
