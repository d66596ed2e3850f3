"""Trainer packs: a learning session on a topic, built from the library's learning modules.

A topic is matched to the learning modules a trainer wrote (`assistant/features/modules.py`;
by their topic and keyword phrases, helped by retrieval). The pack takes the module's summary,
objectives, key points, worked scenarios, discussion questions and quiz, and cites each item
to the passage of the library document it names, or to the module's own passage. Only a part
no module has is generated from library passages (`assistant/features/generated.py`), and the
pack says so; a topic no module covers gets a wholly generated pack, marked as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.features import generated
from assistant.features.attribution import Attributor
from assistant.features.export import Block, ReferenceList, Report, to_markdown
from assistant.features.modules import (
    Cited,
    Module,
    ModuleSet,
    is_module,
    load_modules,
    match_modules,
)
from assistant.index.store import Manifest
from assistant.law.query import normalise_query
from assistant.protocols import Asker, Searchable
from assistant.retrieval.library import Filters
from assistant.types import Hit

SEARCH_DEPTH = 12  # passages searched to match modules and to draft missing parts
NO_QUIZ = (
    "the passages found hold too few figures, periods or dates of one kind set by law to make "
    "a fair multiple-choice question."
)
# The topics of the shipped learning modules, offered as suggestions in the app; a test checks
# that each one matches its module.
SUGGESTED_TOPICS = (
    "which regime applies to a procurement",
    "the light touch regime",
    "the innovation partnership procedure",
    "lessons from the Leicestershire Children's Innovation Partnership",
    "market engagement before a care partnership tender",
    "modifying a partnership contract",
    "notices and standstill under the Procurement Act 2023",
    "governance and evaluation of a partnership",
)


@dataclass(frozen=True, slots=True)
class PackItem:
    text: str  # with [n] markers into the pack's references
    source: str = ""  # where it came from: the module's title, or the passage's heading
    generated: bool = False  # drafted from library passages, not written by a trainer


@dataclass(frozen=True, slots=True)
class QuizItem:
    question: str
    options: tuple[str, ...]
    answer: str
    ref: int  # the reference that supports the answer
    reason: str = ""  # why the answer is right
    generated: bool = False

    @property
    def letter(self) -> str:
        return "ABCD"[self.options.index(self.answer)] if self.answer in self.options else ""


@dataclass(frozen=True, slots=True)
class PackScenario:
    title: str
    setup: tuple[str, ...]
    question: str
    debrief: str  # with [n] markers


@dataclass(frozen=True, slots=True)
class TrainerPack:
    topic: str
    summary: str
    key_points: tuple[PackItem, ...]
    discussion: tuple[PackItem, ...]
    quiz: tuple[QuizItem, ...]
    refs: ReferenceList
    objectives: tuple[str, ...] = ()
    scenarios: tuple[PackScenario, ...] = ()
    modules: tuple[str, ...] = ()  # titles of the learning modules the pack is built from
    notes: tuple[str, ...] = ()  # what was generated, what is missing and why

    def report(self) -> Report:
        """The pack as an exportable report."""
        return pack_report(self)

    def to_dict(self) -> dict[str, Any]:
        """Every part of the pack as JSON-able data (`assistant pack --json`)."""
        return pack_dict(self)

    def summary_dict(self) -> dict[str, Any]:
        """The pack as Markdown with its quiz: the web app's /trainer_pack endpoint."""
        return {
            "topic": self.topic,
            "markdown": to_markdown(self.report()),
            "quiz": [
                {"question": q.question, "options": list(q.options), "answer": q.answer}
                for q in self.quiz
            ],
            "references": len(self.refs.references),
        }


def build_pack(assistant: Asker, topic: str, filters: Filters | None = None) -> TrainerPack:
    """A cited learning-session pack for `topic`; AssistantError if the library lacks it.
    `filters` narrow the passages searched (for matching and for generated items)."""
    topic = (topic or "").strip().rstrip("?.")
    if len(topic) < 3:
        raise AssistantError("Type a topic, for example 'the light touch regime'.")
    hits = assistant.library.search(normalise_query(topic), filters, SEARCH_DEPTH)
    found = library_modules(assistant.settings)
    chosen = match_modules(topic, found.modules, hits)
    notes = [
        f"The learning module “{p.path.stem}” was left out: {p.reason}" for p in found.problems
    ]
    if chosen:
        return _module_pack(topic, chosen, assistant.library, hits, notes)
    return _generated_pack(assistant, topic, filters, hits, found, notes)


def library_modules(settings: Any) -> ModuleSet:
    """The learning modules in the library's index (their files, as the manifest records)."""
    manifest = Manifest.read(Path(settings.index_dir))
    docs = manifest.docs if manifest else {}
    return load_modules([d["path"] for doc_id, d in sorted(docs.items()) if is_module(doc_id)])


def _module_pack(
    topic: str,
    modules: Sequence[Module],
    library: Searchable,
    hits: Sequence[Hit],
    notes: list[str],
) -> TrainerPack:
    refs = ReferenceList()
    citer = Attributor(library, refs)

    def shown(item: Cited, module: Module, strict: bool = True) -> str:
        return f"{item.shown} [{citer.cite(item, module, strict)}]"

    summary = " ".join(shown(c, m) for m in modules for c in m.summary)
    key_points = tuple(PackItem(shown(c, m), m.title) for m in modules for c in m.key_points)
    scenarios = tuple(
        PackScenario(s.title, s.setup, s.question, " ".join(shown(d, m) for d in s.debrief))
        for m in modules
        for s in m.scenarios
    )
    discussion = tuple(
        PackItem(shown(c, m, strict=False), m.title) for m in modules for c in m.discussion
    )
    quiz = tuple(
        QuizItem(q.question, q.options, q.answer, citer.cite(q.why, m), q.why.shown)
        for m in modules
        for q in m.quiz
    )
    pack = TrainerPack(
        topic,
        summary,
        key_points,
        discussion,
        quiz,
        refs,
        objectives=tuple(o for m in modules for o in m.objectives),
        scenarios=scenarios,
        modules=tuple(m.title for m in modules),
    )
    return _with_missing_parts(pack, hits, notes)


def _with_missing_parts(pack: TrainerPack, hits: Sequence[Hit], notes: list[str]) -> TrainerPack:
    """The pack with a part its modules lack generated from passages, and notes that say so."""
    names = " and ".join(_quoted(pack.modules))
    discussion, quiz = pack.discussion, pack.quiz
    if not pack.scenarios:
        notes.append(f"No worked scenario: {names} has none, and scenarios are never generated.")
    if not discussion:
        discussion = _drafted_discussion(hits, pack.refs)
        notes.append(_missing_note(names, "discussion questions", len(discussion)))
    if not quiz:
        quiz = _drafted_quiz(hits, pack.refs)
        notes.append(_missing_note(names, "quiz questions", len(quiz)))
        notes += [] if quiz else [f"None could be generated either: {NO_QUIZ}"]
    return replace(pack, discussion=discussion, quiz=quiz, notes=tuple(notes))


def _missing_note(names: str, part: str, count: int) -> str:
    if not count:
        return f"No {part}: {names} has none."
    return (
        f"{names} has no {part}; the {count} below are generated from library passages, not "
        "written by a trainer: check each against its source."
    )


def _drafted_discussion(hits: Sequence[Hit], refs: ReferenceList) -> tuple[PackItem, ...]:
    return tuple(PackItem(d.text, d.source, True) for d in generated.discussion(hits, refs))


def _drafted_quiz(hits: Sequence[Hit], refs: ReferenceList) -> tuple[QuizItem, ...]:
    return tuple(
        QuizItem(q.question, q.options, q.answer, q.ref, q.reason, True)
        for q in generated.quiz(hits, refs)
    )


def _generated_pack(
    assistant: Asker,
    topic: str,
    filters: Filters | None,
    hits: Sequence[Hit],
    found: ModuleSet,
    notes: list[str],
) -> TrainerPack:
    summary = assistant.ask(topic, filters)
    if summary.abstained:
        raise AssistantError(
            f"The library does not cover '{topic}' well enough for a cited pack. {summary.text}"
        )
    refs = ReferenceList()
    text, numbers = generated.clean_summary(summary.text)
    summary_text = refs.renumber(text, [c for c in summary.citations if c.n in numbers])
    used = {s for c in summary.citations for s in c.quote.splitlines()}
    key_points = tuple(
        PackItem(d.text, d.source, True) for d in generated.key_points(hits, topic, used, refs)
    )
    discussion = _drafted_discussion(hits, refs)
    quiz = _drafted_quiz(hits, refs)
    covered = "; ".join(f"“{m.topic}”" for m in found.modules)
    notes.insert(
        0,
        "No learning module covers this topic, so nothing in this pack was written by a "
        "trainer: the summary is the assistant's answer, the key points are sentences of the "
        "passages found, the discussion questions are framed on their headings and the quiz "
        "blanks figures the law sets. Check each item against its source before a session."
        + (f" Learning modules cover: {covered}." if covered else ""),
    )
    if not quiz:
        notes.append(f"No quiz: {NO_QUIZ}")
    return TrainerPack(topic, summary_text, key_points, discussion, quiz, refs, notes=tuple(notes))


def pack_report(pack: TrainerPack) -> Report:
    blocks = [Block("heading", "About this pack")]
    blocks += [
        Block(
            "bullet",
            f"Built from {m}, teaching material in the library written by a trainer. Each item "
            "is cited to the library passage that states it.",
        )
        for m in _quoted(pack.modules)
    ]
    blocks += [Block("bullet", note) for note in pack.notes]
    blocks += [Block("heading", "Summary"), Block("paragraph", pack.summary)]
    blocks += _section("Learning objectives", pack.objectives)
    blocks += _section("Key points", [p.text for p in pack.key_points])
    if pack.scenarios:
        blocks.append(Block("heading", "Worked scenarios"))
    for scenario in pack.scenarios:
        blocks.append(Block("heading", f"Scenario: {scenario.title}", 3))
        blocks += [Block("paragraph", text) for text in scenario.setup]
        blocks.append(Block("paragraph", f"Question: {scenario.question}"))
        blocks.append(Block("paragraph", f"Debrief: {scenario.debrief}"))
    blocks += _section("Discussion questions", [p.text for p in pack.discussion])
    if pack.quiz:
        blocks.append(Block("heading", "Quiz"))
        for i, item in enumerate(pack.quiz, start=1):
            blocks.append(Block("paragraph", f"{i}. {item.question}"))
            blocks += [Block("bullet", f"{'ABCD'[j]}) {o}") for j, o in enumerate(item.options)]
        blocks.append(Block("heading", "Quiz answers"))
        blocks += [
            Block(
                "bullet", f"Question {i}: {item.letter}) {item.answer}. {item.reason} [{item.ref}]"
            )
            for i, item in enumerate(pack.quiz, start=1)
        ]
    title = f"Trainer pack: {pack.topic}"
    return Report(title, tuple(blocks), tuple(pack.refs.references), "Learning session")


def _quoted(titles: Iterable[str]) -> list[str]:
    return [f"“{t}”" for t in titles]


def _section(name: str, texts: Sequence[str]) -> list[Block]:
    return [Block("heading", name), *(Block("bullet", t) for t in texts)] if texts else []


def pack_dict(pack: TrainerPack) -> dict[str, Any]:
    """The pack as JSON-able data (for `assistant pack --json`)."""
    return {
        "topic": pack.topic,
        "modules": list(pack.modules),
        "notes": list(pack.notes),
        "summary": pack.summary,
        "objectives": list(pack.objectives),
        "key_points": [{"text": p.text, "generated": p.generated} for p in pack.key_points],
        "scenarios": [
            {"title": s.title, "setup": list(s.setup), "question": s.question, "debrief": s.debrief}
            for s in pack.scenarios
        ],
        "discussion": [{"text": p.text, "generated": p.generated} for p in pack.discussion],
        "quiz": [
            {
                "question": q.question,
                "options": list(q.options),
                "answer": q.answer,
                "letter": q.letter,
                "reason": q.reason,
                "ref": q.ref,
                "generated": q.generated,
            }
            for q in pack.quiz
        ],
        "references": [
            {"n": r.n, "title": r.title, "locator": r.locator, "url": r.url, "quote": r.quote}
            for r in pack.refs.references
        ],
    }
