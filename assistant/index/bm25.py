"""BM25 over the same chunks as the dense store, on `assistant.text.tokens`' legal-citation-
aware tokens."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text.tokens import tokenize


class SparseIndex:
    """A BM25 index whose row i is chunk_ids[i]."""

    def __init__(self, model: Any, chunk_ids: Sequence[str]) -> None:
        self.model = model
        self.chunk_ids = list(chunk_ids)
        self.position = {cid: i for i, cid in enumerate(self.chunk_ids)}

    @classmethod
    def build(cls, chunk_ids: Sequence[str], texts: Sequence[str]) -> SparseIndex:
        import bm25s

        model = bm25s.BM25()
        # An empty library still gets a (one-row) index, so loading never special-cases it.
        corpus = [tokenize(t) or ["_empty_"] for t in texts] or [["_empty_"]]
        model.index(corpus, show_progress=False)
        return cls(model, chunk_ids)

    def save(self, folder: Path) -> None:
        self.model.save(str(folder))

    @classmethod
    def load(cls, folder: Path, chunk_ids: Sequence[str]) -> SparseIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder)), chunk_ids)

    def document_frequencies(self) -> dict[str, int]:
        """Passages each term occurs in (from the BM25 postings)."""
        indptr = self.model.scores["indptr"]
        return {
            t: int(indptr[i + 1] - indptr[i])
            for t, i in self.model.vocab_dict.items()
            if i + 1 < len(indptr)
        }

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0; `allowed` is a 0/1 mask over rows."""
        tokens = tokenize(query)
        if not self.chunk_ids or not tokens:
            return []
        ids = self.model.get_tokens_ids(tokens)
        if not ids:
            return []
        scores = self.model.get_scores_from_ids(ids)
        scores = scores[: len(self.chunk_ids)]
        if allowed is not None:
            scores = scores * allowed
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]
