"""BM25 over the same chunks as the dense store, on `assistant.text.tokens`' legal-citation-
aware tokens."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text.tokens import tokenize


def _idf(passages: int, holding: int) -> float:
    """BM25's IDF as bm25s computes it (its default "lucene" variant)."""
    return math.log(1 + (passages - holding + 0.5) / (holding + 0.5))


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

    def _tf_part(self, token: str) -> np.ndarray | None:
        """The term-frequency part of `token`'s BM25 score in each passage (its score over
        its IDF), or None for a token the library does not hold."""
        column = self.model.vocab_dict.get(token)
        if column is None:
            return None
        matrix = self.model.scores
        start, end = matrix["indptr"][column], matrix["indptr"][column + 1]
        out = np.zeros(matrix["num_docs"], dtype=np.float32)
        out[matrix["indices"][start:end]] = matrix["data"][start:end] / _idf(
            matrix["num_docs"], int(end - start)
        )
        return out

    def _concept_scores(self, phrases: Sequence[Sequence[str]]) -> np.ndarray:
        """One group of synonyms scored as one term (see `search`). A phrase of several
        words is present where all of them are, with its weakest word's frequency part."""
        best = np.zeros(self.model.scores["num_docs"], dtype=np.float32)
        most = 0  # passages holding the commonest phrase (Lucene's pseudo-term statistics)
        for phrase in phrases:
            found = [self._tf_part(t) for t in phrase]
            parts = [p for p in found if p is not None]
            if not parts or len(parts) < len(found):
                continue
            present = np.minimum.reduce(parts)
            best = np.maximum(best, present)
            most = max(most, int(np.count_nonzero(present)))
        return best * _idf(len(best), most) if most else best

    def document_frequencies(self) -> dict[str, int]:
        """Passages each term occurs in (from the BM25 postings)."""
        indptr = self.model.scores["indptr"]
        return {
            t: int(indptr[i + 1] - indptr[i])
            for t, i in self.model.vocab_dict.items()
            if i + 1 < len(indptr)
        }

    def search(
        self,
        query: str,
        k: int,
        allowed: np.ndarray | None = None,
        concepts: Sequence[Sequence[str]] = (),
    ) -> list[tuple[str, float]]:
        """Top-k (chunk_id, score) with score > 0; `allowed` is a 0/1 mask over rows.

        `concepts`: groups of phrases that say the same thing (the thesaurus groups the query
        uses). Each group scores as one term, as Lucene's SynonymQuery does: a passage's best
        term-frequency part among the phrases, times the IDF of its commonest phrase. Scored
        as separate terms, a rare synonym ("chosen", "successful bidder") would outweigh the
        question's own words and the common word the library uses ("awarded")."""
        tokens = tokenize(query)
        if not self.chunk_ids or not tokens:
            return []
        groups = [[alt for alt in map(tokenize, group) if alt] for group in concepts]
        held = set(tokens)
        used = {t for group in groups for alt in group if set(alt) <= held for t in alt}
        ids = self.model.get_tokens_ids([t for t in tokens if t not in used])
        scores = np.zeros(self.model.scores["num_docs"], dtype=np.float32)
        if ids:
            scores += self.model.get_scores_from_ids(ids)
        for group in groups:
            if any(set(alt) <= held for alt in group):
                scores += self._concept_scores(group)
        scores = scores[: len(self.chunk_ids)]
        if allowed is not None:
            scores = scores * allowed
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]
