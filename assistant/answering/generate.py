"""Grounded answers: the sources a model sees (with the regime documents for a procurement
question), generation that falls back instead of failing, and citation verification of any
answer, extractive or generated."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answering.extractive import cite
from assistant.answering.prompts import (
    REGIME_DOC_IDS,
    REGIME_QUERY,
    answer_messages,
    concerns_procurement,
)
from assistant.answering.verify import Embed, Source, Verification, verify
from assistant.answering.weights import DEFAULT_SUPPORT, SupportRule
from assistant.index.sentence_vectors import stored_for
from assistant.models.embedding import embed_texts
from assistant.models.llm import ChatModel, LLMUnavailable
from assistant.protocols import Searchable
from assistant.retrieval.library import Filters
from assistant.text.sentences import split_sentences
from assistant.types import Answer, Citation, Hit

logger = logging.getLogger(__name__)


def regime_sources(
    library: Searchable, question: str, query: str, hits: Sequence[Hit], filters: Filters | None
) -> list[Hit]:
    """`hits`, plus the best passage of each regime document when the question concerns a
    procurement, so the model can cite which regime applies. A library without those
    documents contributes its best passage for the regime question instead. User filters
    still apply; a question already limited to certain documents gets nothing added."""
    if not concerns_procurement(f"{question} {query}") or (filters or {}).get("doc_id"):
        return list(hits)
    seen = {h.chunk.chunk_id for h in hits}
    have = {h.chunk.doc_id for h in hits}
    vector = library.embedder.get_query_embedding(REGIME_QUERY)
    extra: list[Hit] = []
    for doc_id in REGIME_DOC_IDS:
        if doc_id not in have:
            found = library.search(REGIME_QUERY, {**(filters or {}), "doc_id": [doc_id]}, 1, vector)
            extra += [h for h in found[:1] if h.chunk.chunk_id not in seen]
    if not extra and not have & set(REGIME_DOC_IDS):
        found = library.search(REGIME_QUERY, filters, len(hits) + 1, vector)
        extra += [h for h in found if h.chunk.chunk_id not in seen][:1]
    return [*hits, *extra]


def sentence_embedder(
    library: Any, hits: Sequence[Hit], shown: Mapping[str, np.ndarray] | None = None
) -> Embed:
    """Embed texts, reusing the index's stored sentence vectors for the sources' sentences
    and `shown`'s for the answer's tidied units (an extractive answer then costs no embedding
    at all)."""
    known: dict[str, np.ndarray] = dict(shown or {})
    stored = getattr(library, "sentence_vectors", {}) or {}
    for hit in hits:
        vectors = stored_for(stored, hit.chunk)
        if vectors is not None:
            known.update(zip(split_sentences(hit.chunk.text), vectors, strict=True))

    def embed(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = embed_texts(library.embedder, missing)
            known.update(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
        return np.asarray([known[t] for t in texts], dtype=np.float32)

    return embed


@dataclass(frozen=True, slots=True)
class Reply:
    """A language model's whole reply; or no text, and why (`note`)."""

    text: str | None
    note: str = ""


def generate(
    generator: ChatModel,
    question: str,
    query: str,
    sources: Sequence[Hit],
    persona: str | None,
    stream: bool,
) -> Generator[str, None, Reply]:
    """Yield the model's text deltas (when streaming); return the whole reply, or no text and
    the reason when the server could not answer."""
    messages = answer_messages(question, query, sources, persona)
    parts: list[str] = []
    try:
        if stream:
            for delta in generator.stream(messages):
                parts.append(delta)
                yield delta
        else:
            parts.append(generator.complete(messages))
    except LLMUnavailable as exc:
        logger.warning("%s", exc)
        return Reply(None, f"{exc} This is the extractive answer instead.")
    return Reply("".join(parts))


def _templates(sources: Sequence[Hit]) -> list[Citation]:
    """One Citation per source, numbered in source order."""
    return cite(sources, [(i, "") for i in range(len(sources))])[1]


def verified(
    text: str,
    question: str,
    citations: Sequence[Citation],
    embed: Embed,
    rule: SupportRule = DEFAULT_SUPPORT,
) -> tuple[Answer, Verification]:
    """`text` verified against `citations` (source n is the citation numbered n): dangling
    citations removed, unsupported sentences flagged, citations renumbered by first use."""
    sources = [Source(c.n, c.text, c.title, c.locator) for c in citations]
    check = verify(text, sources, embed, rule)
    by_n = {c.n: c for c in citations}
    kept = sorted(check.numbering.items(), key=lambda item: item[1])
    cited = tuple(
        dataclasses.replace(
            by_n[old], n=new, quote=by_n[old].quote or "\n".join(check.quotes.get(old, ()))
        )
        for old, new in kept
    )
    answer = Answer(question, check.text, cited, False, unsupported=check.unsupported)
    return answer, check


def verified_generation(
    text: str,
    question: str,
    sources: Sequence[Hit],
    embed: Embed,
    rule: SupportRule = DEFAULT_SUPPORT,
) -> tuple[Answer, Verification]:
    return verified(text, question, _templates(sources), embed, rule)


def verification_notes(check: Verification) -> list[str]:
    notes = []
    if check.dangling:
        gone = ", ".join(f"[{n}]" for n in dict.fromkeys(check.dangling))
        notes.append(f"Removed citations to sources that do not exist: {gone}.")
    if check.unsupported:
        notes.append(
            f"{len(check.unsupported)} of {check.claims} sentences are not supported by the "
            "sources they cite and are marked [unverified]."
        )
    return notes
