"""The one API that the CLI and the web app sit on."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answer import abstain, assess, cite, select_sentences
from assistant.chunking import split_sentences
from assistant.config import Settings, get_settings, offline_environment
from assistant.embedding import embed_texts
from assistant.errors import AssistantError
from assistant.ingest import IngestReport, Progress, build_index
from assistant.retrieve import Filters, Library
from assistant.store import Manifest
from assistant.types import Answer

logger = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 2000
# Words that mark a question as leaning on the previous one ("and how long did it last?").
_FOLLOW_UP = re.compile(r"\b(it|its|they|them|their|that|this|those|these|he|she|there)\b", re.I)


def standalone_query(question: str, history: Sequence[dict[str, str]] | None) -> str:
    """Without an LLM, a follow-up is made standalone by carrying the last user question."""
    if not history:
        return question
    previous = [m.get("content", "") for m in history if m.get("role") == "user"]
    if not previous:
        return question
    short = len(question.split()) <= 8
    if short or _FOLLOW_UP.search(question):
        return f"{question} {previous[-1]}"
    return question


class Assistant:
    """Ask questions of the library; build or update it."""

    def __init__(self, settings: Settings | None = None) -> None:
        offline_environment()
        self.settings = settings or get_settings()
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = Library.open(self.settings)
        return self._library

    def has_index(self) -> bool:
        return Manifest.read(Path(self.settings.index_dir)) is not None

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        report = build_index(self.settings, paths, rebuild, progress)
        self._library = None  # reload on next question
        return report

    def ensure_index(self, progress: Progress | None = None) -> IngestReport | None:
        """Build the index from the corpus when there is none yet."""
        if self.has_index():
            return None
        return self.ingest(progress=progress)

    def ask(
        self,
        question: str,
        filters: Filters | None = None,
        history: Sequence[dict[str, str]] | None = None,
        top_k: int | None = None,
    ) -> Answer:
        """Answer from the library with numbered citations, or abstain."""
        question = (question or "").strip()
        if not question:
            raise AssistantError("Please type a question.")
        if len(question) > MAX_QUESTION_CHARS:
            raise AssistantError(f"Questions are limited to {MAX_QUESTION_CHARS} characters.")
        timings: dict[str, float] = {}
        start = time.perf_counter()
        library = self.library
        query = standalone_query(question, history)
        vector = np.asarray(library.embedder.get_query_embedding(query), dtype=np.float32)
        timings["embed_ms"] = _ms(start)
        mark = time.perf_counter()
        hits = library.search(query, filters, top_k or self.settings.top_k, vector.tolist())
        timings["retrieve_ms"] = _ms(mark)
        mark = time.perf_counter()
        best = max((h.dense_score for h in hits if h.dense_score is not None), default=0.0)
        evidence = assess(question, hits, best, library.term_df)
        if not evidence.sufficient(self.settings.abstain_threshold):
            answer = abstain(question, hits, evidence)
        else:
            answer = self._compose(question, query, vector, hits)
        timings["compose_ms"] = _ms(mark)
        timings["total_ms"] = _ms(start)
        timings["evidence"] = round(evidence.best_cosine, 4)
        return Answer(
            answer.question,
            answer.text,
            answer.citations,
            answer.abstained,
            timings,
            answer.nearest,
        )

    def _compose(
        self, question: str, query: str, vector: np.ndarray, hits: Sequence[Any]
    ) -> Answer:
        candidates = [
            (rank, pos, sentence)
            for rank, hit in enumerate(hits)
            for pos, sentence in enumerate(split_sentences(hit.chunk.text))
        ]
        vectors = self._sentence_vectors(hits, candidates)
        chosen = select_sentences(
            query, vector, candidates, vectors, self.settings.answer_sentences
        )
        text, citations = cite(hits, [(candidates[i][0], candidates[i][2]) for i in chosen])
        return Answer(question, text, tuple(citations), False)

    def _sentence_vectors(self, hits: Sequence[Any], candidates: list) -> np.ndarray:
        """Stored sentence vectors when the index has them; embed now otherwise."""
        stored = [self.library.sentence_vectors.get(h.chunk.chunk_id) for h in hits]
        counts = [sum(1 for c in candidates if c[0] == r) for r in range(len(hits))]
        if all(v is not None and len(v) == n for v, n in zip(stored, counts, strict=True)):
            parts = [v for v, n in zip(stored, counts, strict=True) if n]
            if parts:
                return np.concatenate(parts).astype(np.float32)
        texts = [c[2] for c in candidates]
        return np.asarray(embed_texts(self.library.embedder, texts), dtype=np.float32).reshape(
            len(candidates), -1
        )

    def info(self) -> dict[str, Any]:
        manifest = Manifest.read(Path(self.settings.index_dir))
        docs = manifest.docs if manifest else {}
        return {
            "index_dir": str(Path(self.settings.index_dir).resolve()),
            "store": self.settings.chroma_url or "embedded (PersistentClient)",
            "embed_model": manifest.embed_model if manifest else self.settings.embed_model,
            "documents": len(docs),
            "chunks": sum(int(d.get("chunks", 0)) for d in docs.values()),
            "by_doc_type": _count(docs, "doc_type"),
            "by_regime": _count(docs, "regime"),
            "built_at": manifest.built_at if manifest else None,
        }


def _count(docs: dict[str, dict[str, Any]], key: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for entry in docs.values():
        out[entry.get(key) or "?"] = out.get(entry.get(key) or "?", 0) + 1
    return dict(sorted(out.items()))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
