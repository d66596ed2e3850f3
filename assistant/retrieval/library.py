"""Hybrid retrieval: dense (Chroma) + sparse (BM25), fused by reciprocal rank."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexMissing, InvalidInput
from assistant.index.bm25 import SparseIndex
from assistant.index.sentence_vectors import SentenceVectors, read_sentence_vectors
from assistant.index.store import (
    Manifest,
    check_embedding_path,
    check_model,
    chroma_collection,
    read_chunks,
    read_sparse,
)
from assistant.models.embedding import embed_query, make_embedder
from assistant.retrieval.fusion import Rankings, fuse
from assistant.retrieval.passages import suppress_near_duplicates
from assistant.text.sanitize import shorten
from assistant.text.tokens import citation_tokens
from assistant.types import DOC_TYPES, REGIMES, Chunk, Hit

logger = logging.getLogger(__name__)
Filters = Mapping[str, str | Sequence[str]]
FILTER_KEYS = ("doc_type", "regime", "doc_id")


# The values a filter may take; doc_id takes any id. A value is matched without regard to
# case and stored as the library spells it ("pcr2015" -> "PCR2015").
VOCABULARIES: dict[str, tuple[str, ...]] = {"doc_type": DOC_TYPES, "regime": REGIMES}


def _values(key: str, value: Any) -> list[str]:
    """The filter's values, checked: strings only (a dict such as {"$ne": "x"} would reach
    Chroma as an operator), and within the vocabulary for doc_type and regime."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise InvalidInput(f"Filter '{key}' takes a list of text values.")
    known = VOCABULARIES.get(key)
    if known is None:
        return [v for v in values if v]
    spelled = {k.lower(): k for k in known}
    out = []
    for v in filter(None, values):
        if v.strip().lower() not in spelled:
            raise InvalidInput(
                f"Unknown {key} {shorten(repr(v), 40)}: use one of {', '.join(known)}."
            )
        out.append(spelled[v.strip().lower()])
    return out


def normalise_filters(filters: Filters | None) -> dict[str, list[str]]:
    """Filters as lists of checked values; InvalidInput (a ValueError) for an unknown key,
    a value that is not text, or a doc_type or regime outside the vocabulary."""
    out: dict[str, list[str]] = {}
    if filters is not None and not isinstance(filters, Mapping):
        raise InvalidInput("Filters must map doc_type, regime or doc_id to values.")
    for key, value in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise InvalidInput(
                f"unknown filter {shorten(repr(key), 40)} (use one of {', '.join(FILTER_KEYS)})"
            )
        values = _values(key, value)
        if values:
            out[key] = values
    return out


def chroma_where(filters: dict[str, list[str]]) -> dict[str, Any] | None:
    clauses = [{key: {"$in": values}} for key, values in filters.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass
class Library:
    """The loaded index: chunks in memory, BM25 in memory, Chroma for dense search."""

    settings: Settings
    chunks: dict[str, Chunk]
    order: list[str]
    sparse: SparseIndex
    collection: Any
    embedder: Any
    sentence_vectors: SentenceVectors | dict[str, np.ndarray]
    term_df: dict[str, int] = field(default_factory=dict)
    # Built once on first use, so a query costs no pass over every chunk in Python.
    _provisions: list[tuple[int, str, int, frozenset[str]]] | None = field(
        default=None, init=False, repr=False
    )
    _columns: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.term_df:
            self.term_df = self.sparse.document_frequencies()

    def _regulation_provisions(self) -> list[tuple[int, str, int, frozenset[str]]]:
        """(row, chunk id, provisions held, citation tokens) of every regulation passage."""
        if self._provisions is None:
            self._provisions = [
                (
                    i,
                    cid,
                    len(chunk.provisions),
                    frozenset(citation_tokens(" ".join(chunk.provisions))),
                )
                for i, cid in enumerate(self.order)
                if (chunk := self.chunks[cid]).meta.get("doc_type") == "regulation"
            ]
        return self._provisions

    def _column(self, key: str) -> np.ndarray:
        if key not in self._columns:
            self._columns[key] = np.array(
                [
                    self.chunks[cid].doc_id if key == "doc_id" else self.chunks[cid].meta.get(key)
                    for cid in self.order
                ],
                dtype=object,
            )
        return self._columns[key]

    @classmethod
    def open(cls, settings: Settings) -> Library:
        index_dir = Path(settings.index_dir)
        manifest = Manifest.read(index_dir)
        if manifest is None:
            raise IndexMissing(index_dir)
        check_model(manifest, settings)
        check_embedding_path(manifest, settings)
        chunks = read_chunks(index_dir)
        sparse = read_sparse(index_dir, chunks)
        collection = chroma_collection(settings)
        if collection.count() != len(chunks):
            logger.warning(
                "Chroma holds %d chunks but the index lists %d; re-run ingest",
                collection.count(),
                len(chunks),
            )
        return cls(
            settings,
            {c.chunk_id: c for c in chunks},
            [c.chunk_id for c in chunks],
            sparse,
            collection,
            make_embedder(settings),
            read_sentence_vectors(index_dir),
        )

    def pinpoint(self, query: str, filters: dict[str, list[str]]) -> list[str]:
        """Regulation passages that hold the exact provision a query cites ("reg 31(5)"):
        only those matching at the deepest level found, so "reg 31(5)" does not pull in
        every passage of reg. 31."""
        wanted = citation_tokens(query)
        if not wanted:
            return []
        mask = self._mask(filters)
        scored = []
        for i, cid, held, have in self._regulation_provisions():
            if mask is not None and not mask[i]:
                continue
            depth = max((t.count("_") for t in wanted if t in have), default=0)
            if depth:
                scored.append((-depth, held, i, cid))
        if not scored:
            return []
        deepest = min(s[0] for s in scored)
        ranked = [cid for depth, _, _, cid in sorted(scored) if depth == deepest]
        return ranked[: self.settings.candidates]

    def _mask(self, filters: dict[str, list[str]]) -> np.ndarray | None:
        if not filters:
            return None
        mask = np.ones(len(self.order), dtype=bool)
        for key, values in filters.items():
            column, allowed = self._column(key), np.zeros(len(self.order), dtype=bool)
            for value in values:  # elementwise ==: a missing field (None) never matches
                allowed |= column == value
            mask &= allowed
        return mask.astype(np.float32)

    def dense(
        self, vector: list[float], k: int, filters: dict[str, list[str]]
    ) -> list[tuple[str, float]]:
        from llama_index.core.vector_stores.types import VectorStoreQuery

        from assistant.index.store import vector_store

        if not self.order:
            return []
        where = chroma_where(filters)
        query = VectorStoreQuery(query_embedding=vector, similarity_top_k=min(k, len(self.order)))
        result = vector_store(self.collection).query(query, **({"where": where} if where else {}))
        # ChromaVectorStore reports exp(-distance); with cosine space distance = 1 - cos.
        return [
            (cid, 1.0 + math.log(max(sim, 1e-12)))
            for cid, sim in zip(result.ids or [], result.similarities or [], strict=False)
            if cid in self.chunks
        ]

    def rankings(
        self,
        query: str,
        filters: Filters | None = None,
        vector: list[float] | None = None,
        concepts: Sequence[Sequence[str]] = (),
    ) -> Rankings:
        """The component rankings a search fuses: dense, BM25 and exact pinpoints."""
        norm = normalise_filters(filters)
        depth = self.settings.candidates
        vector = vector if vector is not None else embed_query(self.embedder, query)
        return Rankings(
            self.dense(vector, depth, norm),
            self.sparse.search(query, depth, self._mask(norm), concepts),
            self.pinpoint(query, norm),
        )

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        k: int | None = None,
        vector: list[float] | None = None,
        concepts: Sequence[Sequence[str]] = (),
    ) -> list[Hit]:
        """Fused hits, best first; dense_score is the cosine similarity (evidence strength).
        Pass a query already through `normalise_query` (Assistant.ask does). `concepts`: the
        thesaurus groups the query uses; BM25 scores each group as one term."""
        found = self.rankings(query, filters, vector, concepts)
        hits = fuse([found], self.chunks, self.settings)
        return suppress_near_duplicates(
            hits, k or self.settings.top_k, self.settings.duplicate_threshold
        )
