"""The approximate vector index (faiss IVF) used for a kind with many vectors: close to the exact
search, exact scores, and kept in step with new and changed vectors like the exact index.

The vectors are synthetic (clusters of unit vectors around 60 centres, fixed seeds): these tests
are about the index, not the model."""

import numpy as np
import pytest
from django.test import override_settings

from resources import embeddings, semantic
from resources.models import Embedding

DIM = embeddings.DIMENSIONS


def clustered(count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(60, DIM)).astype(np.float32)
    vectors = centres[rng.integers(60, size=count)] + rng.normal(0, 0.35, size=(count, DIM)).astype(
        np.float32
    )
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def build(vectors: np.ndarray, books: int = 20) -> semantic.Index:
    names = sorted(semantic.types())
    kinds = np.array(
        [names.index("papers")] * (len(vectors) - books) + [names.index("books")] * books, np.int8
    )
    ids = np.arange(1, len(vectors) + 1, dtype=np.int64)
    return semantic.Index("v", kinds, ids, vectors, None)


def test_the_approximate_index_finds_nearly_what_the_exact_search_finds():
    vectors = clustered(4000, seed=1)
    exact, approximate = build(vectors), build(vectors)
    approximate.build_approximate(threshold=1000, probes=16)
    assert set(approximate.approximate) == {"papers"}  # 20 books stay exact
    queries = clustered(60, seed=2)
    found = []
    for query in queries:
        want = exact.nearest_by_kind(query, 10)
        got = approximate.nearest_by_kind(query, 10)
        assert got["books"] == want["books"]
        found.append(len(set(got["papers"]) & set(want["papers"])) / 10)
        # Scores are exact: the list across kinds agrees with the matrix.
        for _kind, pk, score in approximate.nearest(query, 5):
            assert score == pytest.approx(float(vectors[pk - 1] @ query), abs=1e-5)
    assert np.mean(found) >= 0.9, np.mean(found)
    assert approximate.nbytes < exact.nbytes * 1.3  # 8-bit codes: a quarter of the matrix, plus ids


@pytest.mark.django_db
@override_settings(SEMANTIC_APPROXIMATE_ROWS=500, SEMANTIC_APPROXIMATE_PROBES=8)
def test_new_and_changed_vectors_reach_the_approximate_index(discovery_index_fresh):
    vectors = clustered(800, seed=3)

    def row(pk, vector):
        return Embedding(
            kind="papers",
            object_id=pk,
            model=embeddings.MODEL_NAME,
            content_hash="t",
            vector=vector.tobytes(),
        )

    Embedding.objects.bulk_create([row(pk, v) for pk, v in enumerate(vectors, start=1)])
    first = semantic.index()
    assert "papers" in first.approximate and len(first) == 800

    query = clustered(1, seed=4)[0]
    assert 5000 not in first.nearest_by_kind(query, 5)["papers"]
    Embedding.objects.create(
        kind="papers", object_id=5000, model=embeddings.MODEL_NAME, content_hash="t", vector=query.tobytes()
    )
    changed = clustered(1, seed=5)[0]
    seventh = Embedding.objects.get(kind="papers", object_id=7)
    seventh.vector = changed.tobytes()
    seventh.save()  # as semantic.embed writes it
    semantic.bump_version()

    second = semantic.index()
    assert second is not first and second.approximate["papers"] is first.approximate["papers"]
    assert second.nearest_by_kind(query, 5)["papers"][0] == 5000
    assert second.nearest_by_kind(changed, 5)["papers"][0] == 7
    # The older index, still in use by a query begun before, ignores the row appended after it.
    assert 5000 not in first.nearest_by_kind(query, 5)["papers"]
