"""Sentences: where a passage's sentences end, with the abbreviations whose full stop does
not end one ("s. 20", "reg. 31", "paras. 3-4"). The one list of those abbreviations: passages
are split here (chunking, answer units, verification of sources) and answers are split by
`assistant.answering.verify.split_answer` on the same list."""

from __future__ import annotations

import re
from functools import lru_cache

# Abbreviations whose full stop does not end a sentence (a regex alternation, any case).
ABBREVIATIONS = (
    r"regs?|ss?|paras?|sch|art|arts|no|nos|pp?|cf|e\.g|i\.e|v|vs|c|approx|mr|mrs|ms|dr|st"
)
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9£])|\n+")
_ABBREV = re.compile(rf"\b({ABBREVIATIONS})\.\s", re.IGNORECASE)
_HOLD = "\u2024"  # one-dot leader stands in for a protected full stop while splitting
MIN_SENTENCE_WORDS = 5


def _is_reference(piece: str) -> bool:
    """Table rows, bare bracketed citations and cross-references are not answer sentences."""
    return (
        piece.startswith(("|", "See ", "see ", "This page ", "This document ", "This note "))
        or (
            piece.startswith("(")
            and piece.endswith((")", ")."))
            and piece.count("(") <= 3
            and not piece[1:3].strip(")").isdigit()
        )
        or piece.lower().startswith(("http", "www."))
    )


def split_sentences(text: str) -> list[str]:
    return list(_split_sentences(text))


@lru_cache(maxsize=16384)  # passages recur across questions (answers, verification)
def _split_sentences(text: str) -> tuple[str, ...]:
    out = []
    protected = _ABBREV.sub(lambda m: m.group(0).replace(". ", _HOLD + " "), text)
    for raw in _SPLIT.split(protected):
        piece = raw.replace(_HOLD, ".").strip().lstrip("-*• ").strip()
        if len(piece.split()) >= MIN_SENTENCE_WORDS and not _is_reference(piece):
            out.append(piece)
    return tuple(out)
