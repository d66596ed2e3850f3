"""BM25 over the same chunks as the dense store, with legal-citation-aware tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_WORD = re.compile(r"[a-z0-9£]+(?:['’][a-z]+)?")
# "reg. 31(5)", "regulation 31", "s.20(2)(b)", "section 20", "Sch 5 para 2", "Art. 31(6)";
# not a possessive "s" ("Barnardo's 3 roles" is not section 3).
CITATION = re.compile(
    r"(?<!['’])\b(?P<kind>regulations?|regs?|sections?|ss?|schedule|sch|articles?|art)\.?\s*"
    r"(?P<num>\d{1,3}[a-z]?)\b(?P<groups>(?:\(\w{1,4}\))*)",
    re.IGNORECASE,
)
_KIND_TOKEN = {"r": "reg", "s": "sec", "sc": "sch", "a": "art"}
STOPWORDS = frozenset(
    """
    a an and are as at be by can could did do does for from had has have how i if in into is
    it its may me might must my no not of on or our should so such than that the their them
    then there these they this those to was we were what when where which who whom why will
    with would you your about after also any been before being between both each further here
    more most other over same some under until up very
    """.split()
)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def _kind(word: str) -> str:
    word = word.lower()
    if word.startswith("sch"):
        return "sch"
    if word.startswith("art"):
        return "art"
    return _KIND_TOKEN.get(word[0], word[:3])


def citation_tokens(text: str) -> list[str]:
    """'reg. 31(5)' -> ['reg_31', 'reg_31_5']: exact pinpoints become searchable terms."""
    tokens: list[str] = []
    for match in CITATION.finditer(text):
        base = f"{_kind(match['kind'])}_{match['num'].lower()}"
        tokens.append(base)
        groups = re.findall(r"\((\w+)\)", match["groups"] or "")
        for depth in range(1, len(groups) + 1):
            tokens.append(base + "_" + "_".join(g.lower() for g in groups[:depth]))
    return tokens


def tokenize(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words) + citation_tokens(text)


@lru_cache(maxsize=65536)  # answer units and headings recur across questions
def stems(text: str) -> frozenset[str]:
    """The set of `tokenize(text)`."""
    return frozenset(tokenize(text))


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
