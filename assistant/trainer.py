"""Trainer tools: a learning-session pack for a topic, built only from cited library passages.

No language model: the summary is the assistant's extractive answer; key points are the best
sentence of each further passage found; discussion questions are framed on those passages'
headings; quiz questions blank out a figure, period or date in a cited sentence, with
distractors of the same kind taken from the other passages. Every item carries [n] markers
into one reference list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assistant.answer import cite
from assistant.chunking import HEADING_SEPARATOR, split_sentences
from assistant.errors import AssistantError
from assistant.export import Block, ReferenceList, Report
from assistant.retrieve import Filters
from assistant.sparse import citation_tokens, tokenize
from assistant.types import Hit

KEY_POINTS = 5
DISCUSSION = 3
QUIZ = 4
SEARCH_DEPTH = 12  # passages searched for key points and quiz facts
MIN_WORDS = 8  # shorter sentences make poor key points and give a quiz away
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Fact kinds a quiz can ask about; distractors come from facts of the same kind.
FACTS = {
    "money": re.compile(r"£\d[\d,]*(?:\.\d+)?(?:\s?(?:m|bn|million|billion)\b)?"),
    "period": re.compile(
        r"\b\d+\s+(?:working\s+|calendar\s+)?(?:days?|weeks?|months?|years?)\b", re.I
    ),
    "date": re.compile(rf"\b(?:\d{{1,2}}\s+)?(?:{_MONTHS})\s+\d{{4}}\b"),
    "percent": re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per cent)"),
}
_TRAILING_SOURCE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\.?\s*$")
# How a discussion question is framed on a passage, by the passage's kind of document.
DISCUSSION_FRAMES = {
    "case_study": "What would you copy, and what would you change, from {heading}?",
    "regulation": "Read {pinpoint}: what must the authority do, and what is left to its judgement?",
    "": "{heading}: how would this work in your organisation, and what gets in the way?",
}
SUGGESTED_TOPICS = (
    "setting up an innovation partnership",
    "the light touch regime",
    "which regime applies to a procurement",
    "market engagement before a tender",
    "modifying a contract during its term",
    "lessons from the Leicestershire Children's Innovation Partnership",
)


@dataclass(frozen=True, slots=True)
class PackItem:
    text: str  # with [n] markers into the pack's references
    source: str = ""  # the passage's heading, for discussion questions


@dataclass(frozen=True, slots=True)
class QuizItem:
    question: str
    options: tuple[str, ...]
    answer: str
    ref: int

    @property
    def letter(self) -> str:
        return "ABCD"[self.options.index(self.answer)] if self.answer in self.options else ""


@dataclass(frozen=True, slots=True)
class TrainerPack:
    topic: str
    summary: str
    key_points: tuple[PackItem, ...]
    discussion: tuple[PackItem, ...]
    quiz: tuple[QuizItem, ...]
    refs: ReferenceList


def build_pack(assistant: Any, topic: str, filters: Filters | None = None) -> TrainerPack:
    """A cited learning-session pack for `topic`; AssistantError if the library lacks it."""
    topic = (topic or "").strip().rstrip("?.")
    if len(topic) < 3:
        raise AssistantError("Type a topic, for example 'the light touch regime'.")
    summary = assistant.ask(topic, filters)
    if summary.abstained:
        raise AssistantError(
            f"The library does not cover '{topic}' well enough for a cited pack. {summary.text}"
        )
    refs = ReferenceList()
    summary_text = refs.renumber(summary.text, summary.citations)
    hits = assistant.library.search(topic, filters, SEARCH_DEPTH)
    used = {s for c in summary.citations for s in c.quote.splitlines()}
    points = _key_points(hits, topic, used)
    key_points = tuple(
        PackItem(_cited(hits, rank, s, refs), _heading(hits[rank])) for rank, s in points
    )
    discussion = tuple(_discussion(hits, [r for r, _ in points], refs))
    quiz = tuple(_quiz(hits, refs))
    return TrainerPack(topic, summary_text, key_points, discussion, quiz, refs)


def _cited(hits: Sequence[Hit], rank: int, sentence: str, refs: ReferenceList) -> str:
    text, citations = cite(hits, [(rank, sentence)])
    return refs.renumber(text, citations)


def _ref(hits: Sequence[Hit], rank: int, sentence: str, refs: ReferenceList) -> int:
    _, citations = cite(hits, [(rank, sentence)])
    return refs.add(citations[0])


def _heading(hit: Hit) -> str:
    return hit.chunk.heading_path[-1] if hit.chunk.heading_path else hit.chunk.title


def _key_points(hits: Sequence[Hit], topic: str, used: set[str]) -> list[tuple[int, str]]:
    """The sentence sharing most words with the topic from each passage, one per document
    first, skipping what the summary already says."""
    terms = set(tokenize(topic))
    picks: list[tuple[int, str]] = []
    docs: set[str] = set()
    for second_pass in (False, True):
        for rank, hit in enumerate(hits):
            if len(picks) == KEY_POINTS:
                return picks
            if hit.chunk.doc_id in docs and not second_pass:
                continue
            if any(r == rank for r, _ in picks):
                continue
            best = _best_sentence(hit, terms, used | {s for _, s in picks})
            if best:
                picks.append((rank, best))
                docs.add(hit.chunk.doc_id)
    return picks


def _best_sentence(hit: Hit, terms: set[str], used: set[str]) -> str:
    scored = [
        (len(terms & set(tokenize(s))), -pos, s)
        for pos, s in enumerate(split_sentences(hit.chunk.text))
        if len(s.split()) >= MIN_WORDS and s not in used
    ]
    return max(scored)[2] if scored else ""


def _discussion(hits: Sequence[Hit], ranks: Sequence[int], refs: ReferenceList) -> list[PackItem]:
    """Questions framed on the passages' own headings, by kind of document."""
    out: list[PackItem] = []
    seen: set[str] = set()
    for rank in ranks:
        hit = hits[rank]
        heading = _heading(hit).split(HEADING_SEPARATOR)[-1]
        if heading.lower() in seen:
            continue
        seen.add(heading.lower())
        sentence = _best_sentence(hit, set(), set()) or hit.chunk.text[:200]
        n = _ref(hits, rank, sentence, refs)
        pinpoint = hit.chunk.locator if citation_tokens(hit.chunk.locator) else f"“{heading}”"
        frame = DISCUSSION_FRAMES.get(hit.chunk.meta.get("doc_type", ""), DISCUSSION_FRAMES[""])
        text = frame.format(heading=f"“{heading}”", pinpoint=pinpoint) + f" [{n}]"
        out.append(PackItem(text, heading))
        if len(out) == DISCUSSION:
            break
    return out


def _facts(hits: Sequence[Hit]) -> list[tuple[str, str, int, str]]:
    """(kind, fact, rank, sentence) for every figure, period or date in the passages."""
    found = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit.chunk.text):
            if len(sentence.split()) < MIN_WORDS:
                continue
            body = _TRAILING_SOURCE.sub("", sentence)
            for kind, pattern in FACTS.items():
                found += [(kind, m.group(0), rank, sentence) for m in pattern.finditer(body)]
    return found


def _quiz(hits: Sequence[Hit], refs: ReferenceList) -> list[QuizItem]:
    """Fill-the-gap questions: one fact per sentence, different answers, at most two per
    passage, options A-D whose distractors do not appear in the question itself."""
    facts = _facts(hits)
    items: list[QuizItem] = []
    asked: set[str] = set()
    per_passage: dict[int, int] = {}
    for kind, fact, rank, sentence in facts:
        body = _TRAILING_SOURCE.sub("", sentence)
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
        items.append(QuizItem(question, options, fact, _ref(hits, rank, sentence, refs)))
        asked |= {sentence, fact}
        per_passage[rank] = per_passage.get(rank, 0) + 1
        if len(items) == QUIZ:
            break
    return items


def pack_report(pack: TrainerPack) -> Report:
    blocks = [Block("heading", "Summary"), Block("paragraph", pack.summary)]
    blocks.append(Block("heading", "Key points"))
    blocks += [Block("bullet", p.text) for p in pack.key_points]
    blocks.append(Block("heading", "Discussion questions"))
    blocks += [Block("bullet", p.text) for p in pack.discussion]
    if pack.quiz:
        blocks.append(Block("heading", "Quiz"))
        for i, item in enumerate(pack.quiz, start=1):
            options = "   ".join(f"{'ABCD'[j]}) {o}" for j, o in enumerate(item.options))
            blocks.append(Block("paragraph", f"{i}. {item.question} [{item.ref}]"))
            blocks.append(Block("quote", options))
        blocks.append(Block("heading", "Quiz answers"))
        blocks += [
            Block("bullet", f"Question {i}: {item.letter}) {item.answer} [{item.ref}]")
            for i, item in enumerate(pack.quiz, start=1)
        ]
    title = f"Trainer pack: {pack.topic}"
    return Report(title, tuple(blocks), tuple(pack.refs.references), "Learning session")
