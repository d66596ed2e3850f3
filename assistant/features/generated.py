"""Trainer-pack items generated from library passages, for a topic or part no learning module
covers. No language model: key points are the best sentence of each passage found; discussion
questions are framed on the passages' headings, each frame used once; quiz questions blank a
figure, period or date in a sentence of law (the paragraph's citation or the passage names a
provision), with distractors of the same kind from the other passages. Every item is cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.extractive import cite
from assistant.features.export import ReferenceList
from assistant.ingest.chunking import HEADING_SEPARATOR
from assistant.text.dates import MONTH_NAMES
from assistant.text.markers import MARKER
from assistant.text.sentences import split_sentences
from assistant.text.tokens import citation_tokens, tokenize
from assistant.types import Hit

KEY_POINTS = 5
DISCUSSION = 3
QUIZ = 4
MIN_WORDS = 8  # shorter sentences make poor key points and give a quiz away
_MONTHS = "|".join(MONTH_NAMES)
# Fact kinds a quiz can ask about; distractors come from facts of the same kind. Money takes
# thousands separators only in threes, so "£663,540," never keeps the comma after it.
FACTS = {
    "money": re.compile(
        r"£\d{1,3}(?:,\d{3})+(?:\.\d+)?|£\d+(?:\.\d+)?(?:\s?(?:m|bn|million|billion)\b)?"
    ),
    "period": re.compile(
        r"\b\d+\s+(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b", re.I
    ),
    "date": re.compile(rf"\b(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+\d{{4}}\b"),
    "percent": re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per cent)"),
}
# A date is worth asking about only where it says when law took effect or applies; when a
# guide was issued or updated is trivia for a session.
_DATE_MEANS_LAW = re.compile(
    r"\b(?:in force|commenc\w*|go-live|took effect|takes? effect|appl(?:y|ies|ied)|"
    r"on or after|before|from|until)\b",
    re.I,
)
_GUIDANCE_HISTORY = re.compile(
    r"\b(?:issued|reissued|updated|published|first issued)\b[^.]*\bguidance\b"
    r"|\bguidance\b[^.]*\b(?:issued|reissued|updated|published)\b",
    re.I,
)
# A sentence opening with one of these leans on the sentence before ("That threshold was ...")
# and cannot stand alone as a key point or a quiz question.
_ANAPHORA = re.compile(
    r"^(?:That|This|These|Those|It|Its|They|Their|Such|The same|Both|Either|Neither|Here)\b"
)
_PARA_NUMBER = re.compile(r"^\(\d+[A-Za-z]*\)(?:\([a-z]{1,4}\))*\s+")
_TRAILING_SOURCE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\.?\s*$")
_LEGAL = re.compile(r"\b(?:regs?\.|reg\b|ss?\.|Sch\.|Art\.|SI \d{4}/|s\.\s?\d)", re.I)
# "(see pcr2015-reg31-innovation-partnership)": an internal id names a library document; a
# reader sees the cited passage's title in the references instead.
_SEE_IDS = re.compile(
    r";?\s*\bsee (?:also )?[a-z0-9]+(?:-[a-z0-9]+)+(?:(?:,| and) [a-z0-9]+(?:-[a-z0-9]+)+)*"
)
_EMPTY_BRACKETS = re.compile(r"\s*\(\s*;?\s*\)")
# How a discussion question is framed on a passage, by kind of document. Each frame is used at
# most once in a pack, so no two questions share a template.
DISCUSSION_FRAMES = {
    "regulation": (
        "Read {pinpoint}: what must the authority do, and what is left to its judgement?",
        "How could an authority go wrong under {pinpoint}, and which record would show it did not?",
        "How would you explain {pinpoint} to a commissioner new to procurement?",
    ),
    "case_study": (
        "What would you copy, and what would you change, from {heading}?",
        "Which conditions made {heading} possible, and do they hold in your authority?",
        "What would a sceptical councillor ask about {heading}, and how would you answer?",
    ),
    "": (
        "{heading}: how would this work in your organisation, and what gets in the way?",
        "Who in your team would own {heading}, and what would they need to do it well?",
        "What is the first practical step you would take on {heading}?",
    ),
}


@dataclass(frozen=True, slots=True)
class Drafted:
    """A generated item: its text (with [n] markers) and the heading it was drawn from."""

    text: str
    source: str


@dataclass(frozen=True, slots=True)
class DraftedQuestion:
    question: str
    options: tuple[str, ...]
    answer: str
    ref: int
    reason: str


def without_ids(text: str) -> str:
    """`text` with "see <doc_id>" cross-references (and brackets left empty) removed."""
    return _EMPTY_BRACKETS.sub("", _SEE_IDS.sub("", text)).strip()


def heading(hit: Hit) -> str:
    return hit.chunk.heading_path[-1] if hit.chunk.heading_path else hit.chunk.title


def _cited(hits: Sequence[Hit], rank: int, sentence: str, refs: ReferenceList) -> str:
    shown = without_ids(_PARA_NUMBER.sub("", sentence))  # "(1) An open framework" -> "An open"
    text, citations = cite(hits, [(rank, shown, sentence)])
    return refs.renumber(text, citations)


def _ref(hits: Sequence[Hit], rank: int, sentence: str, refs: ReferenceList) -> int:
    _, citations = cite(hits, [(rank, sentence)])
    return refs.add(citations[0])


def _paragraph_pinpoint(hit: Hit, sentence: str) -> str:
    """The citation closing the paragraph that holds `sentence`, else the passage's locator."""
    for paragraph in hit.chunk.text.split("\n"):
        if sentence in paragraph:
            closing = _TRAILING_SOURCE.search(paragraph)
            if closing:
                return closing.group(0)
    return hit.chunk.locator


def _of_law(hit: Hit, sentence: str) -> bool:
    return bool(
        _LEGAL.search(_paragraph_pinpoint(hit, sentence)) or citation_tokens(hit.chunk.locator)
    )


def _standalone(sentence: str) -> bool:
    body = _PARA_NUMBER.sub("", sentence)
    return (
        len(body.split()) >= MIN_WORDS
        and body[:1].isupper()
        and not _ANAPHORA.match(body)
        and not _GUIDANCE_HISTORY.search(body)
        and len(without_ids(body).split()) >= MIN_WORDS
    )


def key_points(
    hits: Sequence[Hit], topic: str, used: set[str], refs: ReferenceList
) -> list[Drafted]:
    """The sentence sharing most words with the topic from each passage (a sentence of law
    first among equals), one per document first, skipping what the summary already says."""
    terms = set(tokenize(topic))
    picks: list[tuple[int, str]] = []
    docs: set[str] = set()
    for second_pass in (False, True):
        for rank, hit in enumerate(hits):
            if len(picks) == KEY_POINTS:
                break
            if (hit.chunk.doc_id in docs and not second_pass) or any(r == rank for r, _ in picks):
                continue
            best = best_sentence(hit, terms, used | {s for _, s in picks})
            if best:
                picks.append((rank, best))
                docs.add(hit.chunk.doc_id)
    return [Drafted(_cited(hits, rank, s, refs), heading(hits[rank])) for rank, s in picks]


def best_sentence(hit: Hit, terms: set[str], used: set[str]) -> str:
    scored = [
        (len(terms & set(tokenize(s))) + _of_law(hit, s), -pos, s)
        for pos, s in enumerate(split_sentences(hit.chunk.text))
        if _standalone(s) and s not in used
    ]
    return max(scored)[2] if scored else ""


def discussion(hits: Sequence[Hit], refs: ReferenceList) -> list[Drafted]:
    """Questions framed on the passages' own headings, by kind of document, each frame once."""
    out: list[Drafted] = []
    seen: set[str] = set()
    frames_used: set[str] = set()
    for rank, hit in enumerate(hits):
        title = heading(hit).split(HEADING_SEPARATOR)[-1]
        kind = hit.chunk.meta.get("doc_type", "")
        frames = [f for f in (*DISCUSSION_FRAMES.get(kind, ()), *DISCUSSION_FRAMES[""])]
        frame = next((f for f in frames if f not in frames_used), None)
        if title.lower() in seen or frame is None:
            continue
        seen.add(title.lower())
        frames_used.add(frame)
        sentence = best_sentence(hit, set(), set()) or hit.chunk.text[:200]
        n = _ref(hits, rank, sentence, refs)
        pinpoint = hit.chunk.locator if citation_tokens(hit.chunk.locator) else f"“{title}”"
        text = frame.format(heading=f"“{title}”", pinpoint=pinpoint)
        out.append(Drafted(f"{text[0].upper()}{text[1:]} [{n}]", title))
        if len(out) == DISCUSSION:
            break
    return out


def _facts(hits: Sequence[Hit]) -> list[tuple[str, str, int, str]]:
    """(kind, fact, rank, sentence) for every figure, period or date in a sentence of law."""
    found = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit.chunk.text):
            if not _standalone(sentence) or not _of_law(hit, sentence):
                continue
            body = _question_body(sentence)
            for kind, pattern in FACTS.items():
                if kind == "date" and not _DATE_MEANS_LAW.search(body):
                    continue
                found += [(kind, m.group(0), rank, sentence) for m in pattern.finditer(body)]
    return found


def _question_body(sentence: str) -> str:
    return without_ids(_TRAILING_SOURCE.sub("", _PARA_NUMBER.sub("", sentence)))


def quiz(hits: Sequence[Hit], refs: ReferenceList) -> list[DraftedQuestion]:
    """Fill-the-gap questions: one fact per sentence, different answers, at most two per
    passage, options A-D whose distractors do not appear in the question itself."""
    facts = _facts(hits)
    items: list[DraftedQuestion] = []
    asked: set[str] = set()
    per_passage: dict[int, int] = {}
    for kind, fact, rank, sentence in facts:
        body = _question_body(sentence)
        if sentence in asked or fact in asked or per_passage.get(rank, 0) == 2:
            continue
        if body.count(fact) != 1:
            continue
        others = [f for k, f, *_ in facts if k == kind and f != fact and f not in body]
        others = list(dict.fromkeys(others))
        if len(others) < 2:
            continue  # too few same-kind answers to make a fair multiple choice
        shift = len(items) % len(others)  # vary the distractors from question to question
        chosen = (others[shift:] + others[:shift])[:3]
        options = tuple(sorted([fact, *chosen], key=lambda o: (len(o), o)))
        question = body.replace(fact, "_____", 1).rstrip(".") + "."
        reason = f"The cited passage says: “{body.rstrip('.')}.”"
        items.append(
            DraftedQuestion(question, options, fact, _ref(hits, rank, sentence, refs), reason)
        )
        asked |= {sentence, fact}
        per_passage[rank] = per_passage.get(rank, 0) + 1
        if len(items) == QUIZ:
            break
    return items


def clean_summary(text: str) -> tuple[str, set[int]]:
    """An extractive answer for a pack's summary: sentences that only point to another
    document ("For the PCR regime see pcr2015-...") dropped, ids removed from the rest;
    with the [n] numbers still used."""
    kept = []
    for piece in re.split(r"(?<=\])\s+", text.strip()):
        shown = without_ids(piece)
        words = re.sub(r"\[\d+\]", "", shown).split()
        if len(words) >= MIN_WORDS - 3 and not (piece != shown and len(words) < MIN_WORDS):
            kept.append(shown)
    kept = kept or [text]
    return " ".join(kept), {int(n) for n in MARKER.findall(" ".join(kept))}
