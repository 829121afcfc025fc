"""An approximate nearest-neighbour index (faiss) for a kind with many vectors.

Below ``SEMANTIC_APPROXIMATE_ROWS`` rows of a kind, the exact search of ``resources.semantic``
(one matrix-vector product) is both exact and fast. Above it, this index proposes candidates and
the caller scores them exactly against its own matrix, so a result's cosine is always the true
one and only recall is approximate.

The index is an inverted file (IVF) over √n k-means cells with 8-bit scalar-quantised codes (a
quarter of the matrix's memory); a query visits ``SEMANTIC_APPROXIMATE_PROBES`` cells. Its ids
are row positions of the caller's matrix, which never move: a changed vector keeps its position
(its code is replaced), a new one is appended. One index is shared by successive versions of the
process's ``semantic.Index``; a lock keeps writes and searches apart (faiss does not allow a
search during a write), and a caller drops positions past the end of its own matrix.

faiss is imported on first use, so a catalogue below the threshold never loads it.
"""

import math
import threading

import numpy as np

#: k-means is trained on at most this many rows per cell (faiss warns below 39).
TRAIN_PER_CELL = 40
#: k-means iterations; the cells only need to be roughly right, the scores are exact.
TRAIN_ITERATIONS = 10


class Approximate:
    def __init__(self, vectors: np.ndarray, positions: np.ndarray, probes: int, seed: int = 15):
        import faiss

        faiss.omp_set_num_threads(1)  # a single query is too small to share out; web workers are many
        dimensions = vectors.shape[1]
        cells = max(1, int(math.sqrt(len(vectors))))
        self._quantizer = faiss.IndexFlatIP(dimensions)
        self._index = faiss.IndexIVFScalarQuantizer(
            self._quantizer, dimensions, cells, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        self._index.cp.niter = TRAIN_ITERATIONS
        self._index.cp.seed = seed
        sample = vectors
        if len(vectors) > cells * TRAIN_PER_CELL:
            chosen = np.random.default_rng(seed).choice(len(vectors), cells * TRAIN_PER_CELL, replace=False)
            sample = vectors[np.sort(chosen)]
        self._index.train(np.ascontiguousarray(sample, dtype=np.float32))
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), positions.astype(np.int64))
        self._index.nprobe = min(probes, cells)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._index.ntotal

    @property
    def nbytes(self) -> int:
        """The codes and ids held (the cells' centroids are a few hundred kilobytes more)."""
        return self._index.ntotal * (self._index.code_size + 8)

    def candidates(self, vector: np.ndarray, k: int) -> np.ndarray:
        """Up to ``k`` row positions likely to be closest to ``vector`` (best first, by the
        quantised codes)."""
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        with self._lock:
            _, found = self._index.search(query, k)
        found = found[0]
        return found[found >= 0]

    def put(self, vectors: np.ndarray, positions: np.ndarray) -> None:
        """Add rows, or replace the vectors of rows already in (by position)."""
        import faiss

        positions = positions.astype(np.int64)
        with self._lock:
            self._index.remove_ids(faiss.IDSelectorBatch(positions))
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), positions)
