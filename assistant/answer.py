"""Extractive answers: the sentences of the top passages that best answer the question,
each followed by its source number, or an honest abstention."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.sparse import CITATION as _CITATION_SPAN
from assistant.sparse import STOPWORDS, citation_tokens, tokenize
from assistant.types import Answer, Citation, Hit

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# Figures and dates in a question ("2028", "14/25", "£5m") must appear in the evidence.
_NUMBER = re.compile(r"\b\d+(?:[/.,]\d+)*\b")

# Weights of the sentence score: meaning first, shared terms second, source rank a tie-break.
W_COSINE, W_TERMS, W_RANK = 1.0, 0.35, 0.05
# A sentence must score this share of the best one to join the answer (keeps answers tight).
KEEP_RATIO = 0.72
# Redundancy penalty in the maximal-marginal-relevance selection.
MMR_LAMBDA = 0.6
# A name used in at most this many passages is specific (a council, a case): the passages
# found must mention it. Commoner names (England, NPPS) need only be in the library.
RARE_DF = 3
_CALENDAR = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}
ABSTAIN_TEXT = "The library does not cover this question well enough to give a cited answer."


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why we answer or abstain: the best passage's cosine and question terms unknown to the
    library (a named council, case or provision the library has never seen)."""

    best_cosine: float
    unknown_terms: tuple[str, ...]
    known_citations: tuple[str, ...] = ()

    def sufficient(self, threshold: float) -> bool:
        """A pinpoint the library holds ("reg 31(5)") is evidence even when the bare query
        embeds poorly; a named thing it has never seen is not."""
        if self.unknown_terms:
            return False
        return self.best_cosine >= threshold or bool(self.known_citations)


def assess(
    question: str, hits: Sequence[Hit], best_cosine: float, vocabulary: Mapping[str, int]
) -> Evidence:
    """Unknown terms count only when they name something: capitalised words (but the first,
    which is capitalised anyway) absent from the passages found, figures and dates absent from
    them, and legal citations the library does not hold."""
    evidence_text = " ".join(f"{h.chunk.title} {h.chunk.text}" for h in hits)
    evidence_terms = set(tokenize(evidence_text))
    unknown: list[str] = []
    for raw in _WORD.findall(question)[1:]:
        word = re.sub(r"['’]s$", "", raw)
        stem = tokenize(word)
        if not word[0].isupper() or not stem or word.lower() in STOPWORDS or word in _CALENDAR:
            continue
        rare = vocabulary.get(stem[0], 0) <= RARE_DF
        if stem[0] not in vocabulary or (rare and stem[0] not in evidence_terms):
            unknown.append(word)
    plain = _CITATION_SPAN.sub(" ", question)
    unknown += [n for n in _NUMBER.findall(plain) if len(n) > 1 and n not in evidence_text]
    cited = citation_tokens(question)
    unknown += [t for t in cited if t not in vocabulary]
    known = tuple(t for t in cited if t in vocabulary)
    if not hits:
        return Evidence(0.0, tuple(dict.fromkeys(unknown)))
    return Evidence(best_cosine, tuple(dict.fromkeys(unknown)), known)


def _term_overlap(query_terms: set[str], sentence: str) -> float:
    if not query_terms:
        return 0.0
    return len(query_terms & set(tokenize(sentence))) / len(query_terms)


def select_sentences(
    question: str,
    query_vec: np.ndarray,
    candidates: Sequence[tuple[int, int, str]],
    vectors: np.ndarray,
    limit: int,
) -> list[int]:
    """Indices into `candidates` ((hit rank, position, sentence)) chosen by MMR."""
    if not candidates:
        return []
    terms = set(tokenize(question))
    cos = vectors @ query_vec
    scores = np.array(
        [
            W_COSINE * cos[i] + W_TERMS * _term_overlap(terms, s) + W_RANK / (1 + rank)
            for i, (rank, _, s) in enumerate(candidates)
        ]
    )
    chosen: list[int] = []
    best = float(scores.max())
    while len(chosen) < limit:
        if chosen:
            redundancy = (vectors @ vectors[chosen].T).max(axis=1)
            mmr = scores - MMR_LAMBDA * np.clip(redundancy - 0.5, 0, None)
        else:
            mmr = scores.copy()
        mmr[chosen] = -np.inf
        pick = int(mmr.argmax())
        if not np.isfinite(mmr[pick]) or (chosen and scores[pick] < KEEP_RATIO * best):
            break
        chosen.append(pick)
    return sorted(chosen, key=lambda i: candidates[i][:2])


# A source's own bracketed numbers (footnotes, or a planted "[7]" / "[1, 2]") would read as
# answer citations, dangling or pointing at another source: the answer text drops them; the
# quote and the passage keep them. Same shape as the markers verify.py reads.
_SOURCE_MARKERS = re.compile(r"\s?\[\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*\]")


def cite(hits: Sequence[Hit], picks: Sequence[tuple[int, str]]) -> tuple[str, list[Citation]]:
    """Number sources in order of first use; every [n] in the text has its Citation."""
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    for rank, sentence in picks:
        n = numbers.setdefault(rank, len(numbers) + 1)
        quotes.setdefault(rank, []).append(sentence)
        parts.append(f"{_SOURCE_MARKERS.sub('', sentence)} [{n}]")
    citations = [
        Citation(
            n=n,
            chunk_id=hits[rank].chunk.chunk_id,
            doc_id=hits[rank].chunk.doc_id,
            title=hits[rank].chunk.title,
            locator=hits[rank].chunk.locator,
            source_url=hits[rank].chunk.url or hits[rank].chunk.meta.get("source_url", ""),
            score=round(float(hits[rank].score), 4),
            text=hits[rank].chunk.text,
            doc_type=hits[rank].chunk.meta.get("doc_type", ""),
            regime=hits[rank].chunk.meta.get("regime", ""),
            quote="\n".join(quotes[rank]),
        )
        for rank, n in numbers.items()
    ]
    return " ".join(parts), sorted(citations, key=lambda c: c.n)


_READABLE = {"reg": "reg.", "sec": "s.", "sch": "Sch.", "art": "Art."}


def readable_citation(token: str) -> str:
    """'reg_31_5' -> 'reg. 31(5)'; other terms unchanged."""
    parts = token.split("_")
    if len(parts) < 2 or parts[0] not in _READABLE:
        return token
    return f"{_READABLE[parts[0]]} {parts[1]}" + "".join(f"({p})" for p in parts[2:])


def abstain(question: str, hits: Sequence[Hit], evidence: Evidence) -> Answer:
    nearest = list(dict.fromkeys(f"{h.chunk.title} ({h.chunk.locator})" for h in hits))[:3]
    text = ABSTAIN_TEXT
    if evidence.unknown_terms:
        named = [readable_citation(t) for t in evidence.unknown_terms[:5]]
        text += " It has nothing on: " + ", ".join(named) + "."
    if nearest:
        text += " The nearest passages are: " + "; ".join(nearest) + "."
    return Answer(question, text, (), True, {}, tuple(nearest))
