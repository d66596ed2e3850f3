"""Learning modules: teaching material a trainer wrote, kept in the library as Markdown.

A module is a library document whose doc_id starts with `module-` (corpus/README.md,
"Learning modules"). Under its title come a summary, then these sections:

    ## Learning objectives        a list
    ## Key points                 a list; each item ends with its citation
    ## Scenario: <title>          setup paragraphs, "**Question:** ...", "**Debrief:** ..."
    ## Discussion questions       a list of questions, each ending with its citation
    ## Quiz                       items under "### ...": a question, options "- [ ]" and one
                                  "- [x]", then "**Why:** ..." ending with its citation

A citation closes its paragraph in brackets and names the library documents that hold the
fact: "(s. 74(2); see pa2023-modifications)". `parse_module` checks all of this and raises
`ModuleError` naming the file, the line and what to fix; `match_modules` picks the modules a
trainer's topic asks for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import ModuleError
from assistant.text.tokens import CITATION, citation_tokens, tokenize
from assistant.types import Hit

logger = logging.getLogger(__name__)

MODULE_PREFIX = "module-"
OBJECTIVES, KEY_POINTS, SCENARIO = "Learning objectives", "Key points", "Scenario:"
DISCUSSION, QUIZ, SOURCES = "Discussion questions", "Quiz", "Sources"
SECTIONS = (OBJECTIVES, KEY_POINTS, DISCUSSION, QUIZ, SOURCES)
MAX_OPTIONS = 4  # quiz options are lettered A-D
# Topic matching: a module matches on its topic and keyword phrases (every word of a phrase in
# the trainer's topic; longer phrases count more), helped by its own passages leading the search.
MIN_PHRASE_WORDS = 2  # phrase words needed to match on keywords alone
MATCH_DEPTH = 10  # search hits looked at for the module's own passages
RETRIEVAL_WEIGHT = 2.0  # one module passage at rank 1 counts as two phrase words
RETRIEVAL_SUPPORT = 0.5  # a module passage at rank 1 or 2: enough with one phrase word
SECOND_MODULE_SHARE = 0.75  # a second module joins only with this share of the best score
MAX_MODULES = 2

_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*+])\s+(.*)$")
_OPTION = re.compile(r"^\s*[-*+]\s+\[( |x|X)\]\s+(.+)$")
# The closing citation: a bracket at the very end (one level of nested brackets, "31(5)").
_CLOSING = re.compile(r"\s*\(((?:[^()]|\([^()]*\))*)\)\s*\.?\s*$")
_DOC_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")
_SEE = re.compile(r"^see (?:also )?(.+)$")
_SEE_INLINE = re.compile(r"\bsee (?:also )?[a-z0-9]+(?:-[a-z0-9]+)+")
_POSSESSIVE = re.compile(r"['’]s\b")
_LABEL = re.compile(r"^\*\*(Question|Debrief|Why):\*\*\s*(.*)$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Cited:
    """An authored statement and its closing citation."""

    text: str  # the authored words, without the closing citation
    pinpoint: str  # the citation without its cross-references: "s. 74(2); Cabinet Office"
    docs: tuple[str, ...]  # the library documents it names ("see pa2023-modifications")
    where: str  # its place in the module: "Key points, item 3"

    @property
    def shown(self) -> str:
        """The statement with its pinpoint, as a pack shows it (no internal ids)."""
        if not self.pinpoint:
            return self.text
        if self.text.endswith(("?", "!", ".")):
            return f"{self.text} ({self.pinpoint})"
        return f"{self.text} ({self.pinpoint})."


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    setup: tuple[str, ...]
    question: str
    debrief: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class QuizQuestion:
    question: str
    options: tuple[str, ...]
    answer: str
    why: Cited


@dataclass(frozen=True, slots=True)
class Module:
    doc_id: str
    title: str
    topic: str
    keywords: tuple[str, ...]
    path: str
    source_url: str
    last_reviewed: str
    summary: tuple[Cited, ...]
    objectives: tuple[str, ...]
    key_points: tuple[Cited, ...]
    scenarios: tuple[Scenario, ...] = ()
    discussion: tuple[Cited, ...] = ()
    quiz: tuple[QuizQuestion, ...] = ()

    @property
    def docs(self) -> frozenset[str]:
        """Every library document the module cites."""
        cited = [*self.summary, *self.key_points, *self.discussion]
        cited += [d for s in self.scenarios for d in s.debrief] + [q.why for q in self.quiz]
        return frozenset(doc for c in cited for doc in c.docs)


@dataclass(frozen=True, slots=True)
class _Block:
    line: int  # 1-based line of the block's first line in the file
    text: str


def is_module(doc_id: str) -> bool:
    return doc_id.startswith(MODULE_PREFIX)


def parse_module(path: Path | str) -> Module:
    """The module in `path`; ModuleError (file, line, what to fix) if it is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModuleError(path, f"cannot be read ({exc})") from exc
    return _parse(path, text)


def _parse(path: Path, text: str) -> Module:
    import yaml

    match = _FRONT.match(text)
    if not match:
        raise ModuleError(path, "no YAML front matter (--- ... ---) at the top")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise ModuleError(path, f"invalid YAML front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise ModuleError(path, "front matter must be a YAML mapping of key: value")
    doc_id = str(meta.get("doc_id") or "")
    if not is_module(doc_id):
        raise ModuleError(path, f"doc_id '{doc_id}' must start with '{MODULE_PREFIX}'")
    topic = str(meta.get("topic") or "").strip()
    keywords = meta.get("keywords")
    if not topic:
        raise ModuleError(path, "front matter needs 'topic:', the topic as a trainer names it")
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise ModuleError(path, "front matter needs 'keywords:', a list of phrases")
    first_line = text[: match.end()].count("\n") + 1
    title, sections = _sections(path, text[match.end() :], first_line)
    return _module(path, meta, str(meta.get("title") or title), sections)


def _sections(path: Path, body: str, first_line: int) -> tuple[str, dict[str, list[_Block]]]:
    """The H1 title and the blocks under each '##' section ('' holds the summary); a '###'
    heading inside a section opens a block of its own, marked with a leading '###'."""
    title, current = "", ""
    sections: dict[str, list[_Block]] = {"": []}
    lines: list[str] = []
    start = first_line

    def close() -> None:
        if lines:
            sections[current].append(_Block(start, "\n".join(lines)))
            lines.clear()

    for number, line in enumerate(body.splitlines(), start=first_line):
        heading = _HEADING.match(line)
        if heading:
            close()
            level, name = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                title = name
            elif level == 2:
                current = _section_name(path, number, name)
                if current in sections and not current.startswith(SCENARIO):
                    raise ModuleError(path, f"line {number}: a second '## {current}' section")
                sections.setdefault(current, [])
            else:
                sections[current].append(_Block(number, f"### {name}"))
            continue
        if not line.strip():
            close()
            continue
        if not lines:
            start = number
        lines.append(line)
    close()
    return title, sections


def _section_name(path: Path, line: int, name: str) -> str:
    if name.startswith(SCENARIO):
        if not name[len(SCENARIO) :].strip():
            raise ModuleError(path, f"line {line}: name the scenario: '## Scenario: <title>'")
        return name
    for known in SECTIONS:
        if name.lower() == known.lower():
            return known
    allowed = ", ".join(f"'## {s}'" for s in (*SECTIONS[:2], "Scenario: <title>", *SECTIONS[2:]))
    raise ModuleError(path, f"line {line}: unknown section '## {name}' (use {allowed})")


def _module(path: Path, meta: dict, title: str, sections: dict[str, list[_Block]]) -> Module:
    for required in (OBJECTIVES, KEY_POINTS):
        if not sections.get(required):
            raise ModuleError(path, f"the module needs a '## {required}' section with a list")
    summary = tuple(
        _cited(path, b, f"summary, paragraph {i}") for i, b in enumerate(sections[""], 1)
    )
    if not summary:
        raise ModuleError(path, "put a summary paragraph, with its citation, under the title")
    objectives = tuple(item for _, item in _list(path, sections[OBJECTIVES], OBJECTIVES))
    key_points = tuple(
        _cited(path, _Block(line, item), f"{KEY_POINTS}, item {i}")
        for i, (line, item) in enumerate(_list(path, sections[KEY_POINTS], KEY_POINTS), 1)
    )
    discussion = tuple(
        _question(path, line, item, i)
        for i, (line, item) in enumerate(_list(path, sections.get(DISCUSSION), DISCUSSION), 1)
    )
    scenarios = tuple(
        _scenario(path, name[len(SCENARIO) :].strip(), blocks)
        for name, blocks in sections.items()
        if name.startswith(SCENARIO)
    )
    quiz = tuple(_quiz(path, sections.get(QUIZ, [])))
    return Module(
        doc_id=str(meta["doc_id"]),
        title=title,
        topic=str(meta["topic"]).strip(),
        keywords=tuple(str(k) for k in meta["keywords"]),
        path=str(path),
        source_url=str(meta.get("source_url") or ""),
        last_reviewed=str(meta.get("last_reviewed") or ""),
        summary=summary,
        objectives=objectives,
        key_points=key_points,
        scenarios=scenarios,
        discussion=discussion,
        quiz=quiz,
    )


def _list(path: Path, blocks: list[_Block] | None, section: str) -> list[tuple[int, str]]:
    """The items of a section's list; a paragraph ending in ':' may introduce it."""
    items: list[tuple[int, str]] = []
    for block in blocks or []:
        lines = block.text.splitlines()
        if not _ITEM.match(lines[0]):
            if block.text.rstrip().endswith(":") and not items:
                continue  # a lead-in: "By the end of the session participants can:"
            raise ModuleError(path, f"line {block.line}: '## {section}' takes a list only")
        for offset, line in enumerate(lines):
            item = _ITEM.match(line)
            if item:
                items.append((block.line + offset, item.group(1).strip()))
            else:  # a wrapped line continues the item above
                last_line, last = items[-1]
                items[-1] = (last_line, f"{last} {line.strip()}")
    if blocks is not None and not items:
        raise ModuleError(path, f"'## {section}' has no list items")
    return items


def _cited(path: Path, block: _Block, where: str) -> Cited:
    text = " ".join(line.strip() for line in block.text.splitlines())
    closing = _CLOSING.search(text)
    if not closing:
        raise ModuleError(
            path,
            f"line {block.line} ({where}): end with its citation in brackets, e.g. "
            "'(s. 74(2); see pa2023-modifications)'",
        )
    words = text[: closing.start()].strip()
    if _SEE_INLINE.search(words):
        raise ModuleError(
            path, f"line {block.line} ({where}): name documents only in the closing citation"
        )
    pinpoint, docs = [], []
    for part in (p.strip() for p in closing.group(1).split(";")):
        see = _SEE.match(part)
        if see:
            docs += _DOC_ID.findall(see.group(1))
        elif part:
            pinpoint.append(part)
    if not docs:
        raise ModuleError(
            path,
            f"line {block.line} ({where}): the citation names no library document; add "
            "'see <doc_id>' for the document that holds the fact",
        )
    return Cited(words, "; ".join(pinpoint), tuple(dict.fromkeys(docs)), where)


def _question(path: Path, line: int, item: str, number: int) -> Cited:
    cited = _cited(path, _Block(line, item), f"{DISCUSSION}, item {number}")
    if not cited.text.endswith("?"):
        raise ModuleError(path, f"line {line}: a discussion question ends with '?'")
    return cited


def _scenario(path: Path, title: str, blocks: list[_Block]) -> Scenario:
    setup: list[str] = []
    question = ""
    debrief: list[Cited] = []
    where = f"Scenario: {title}"
    for block in blocks:
        label = _LABEL.match(block.text.strip())
        kind = label.group(1) if label else ("Debrief" if debrief else "")
        body = label.group(2) if label else block.text
        if kind == "Question":
            question = " ".join(body.split())
        elif kind == "Debrief":
            debrief.append(_cited(path, _Block(block.line, body), f"{where}, debrief"))
        elif kind or question:
            raise ModuleError(
                path,
                f"line {block.line}: in '{where}' put the facts before '**Question:**' and the "
                "answer in '**Debrief:**' paragraphs",
            )
        else:
            setup.append(" ".join(block.text.split()))
    line = blocks[0].line if blocks else 0
    if not setup or not question.endswith("?") or not debrief:
        raise ModuleError(
            path,
            f"line {line}: '{where}' needs facts, a '**Question:** ...?' paragraph and at "
            "least one '**Debrief:** ...' paragraph with its citation",
        )
    return Scenario(title, tuple(setup), question, tuple(debrief))


def _quiz(path: Path, blocks: list[_Block]) -> list[QuizQuestion]:
    items: list[list[_Block]] = []
    for block in blocks:
        if block.text.startswith("### "):
            items.append([block])
        elif not items:
            raise ModuleError(path, f"line {block.line}: start each quiz item with '### ...'")
        else:
            items[-1].append(block)
    if blocks and not items:
        raise ModuleError(path, "'## Quiz' has no items")
    return [_quiz_item(path, item) for item in items]


def _quiz_item(path: Path, blocks: list[_Block]) -> QuizQuestion:
    """'### heading', the question, the options, then one '**Why:**' paragraph, in that order."""
    heading, rest = blocks[0], blocks[1:]
    where = f"{QUIZ}, {heading.text[4:]}"
    at = f"{where} (line {heading.line})"
    first = next((i for i, b in enumerate(rest) if _is_options(b)), len(rest))
    last = max((i for i, b in enumerate(rest) if _is_options(b)), default=first)
    question = " ".join(" ".join(b.text.split()) for b in rest[:first])
    options = [_OPTION.match(line) for b in rest[first : last + 1] for line in b.text.splitlines()]
    after = rest[last + 1 :]
    if not question.endswith("?") or any(_LABEL.match(b.text) for b in rest[:first]):
        raise ModuleError(path, f"{at}: write the question as a sentence ending with '?'")
    if any(o is None for o in options) or not 3 <= len(options) <= MAX_OPTIONS:
        raise ModuleError(
            path,
            f"{at}: give 3 to {MAX_OPTIONS} options, one a line, as '- [ ] wrong answer' "
            "or '- [x] right answer'",
        )
    texts = [" ".join(o.group(2).split()) for o in options if o]
    right = [t for o, t in zip(options, texts, strict=True) if o and o.group(1) != " "]
    if len(right) != 1:
        raise ModuleError(path, f"{at}: {len(right)} options are marked [x]; mark exactly one")
    if len(set(texts)) != len(texts):
        raise ModuleError(path, f"{at}: two options are the same")
    reason = _LABEL.match(after[0].text) if len(after) == 1 else None
    if reason is None or reason.group(1) != "Why":
        raise ModuleError(
            path, f"{at}: after the options give one '**Why:** ...' paragraph with its citation"
        )
    cited = _cited(path, _Block(after[0].line, reason.group(2)), where)
    return QuizQuestion(question, tuple(texts), right[0], cited)


def _is_options(block: _Block) -> bool:
    return bool(_OPTION.match(block.text.splitlines()[0]))


@dataclass(frozen=True, slots=True)
class ModuleSet:
    modules: tuple[Module, ...]
    problems: tuple[ModuleError, ...] = ()


def load_modules(paths: Sequence[Path | str]) -> ModuleSet:
    """The modules in `paths`; a malformed one is logged and reported, the rest still load."""
    modules: list[Module] = []
    problems: list[ModuleError] = []
    for path in paths:
        try:
            modules.append(_cached(str(path), Path(path).stat().st_mtime_ns))
        except OSError as exc:
            problems.append(ModuleError(path, f"cannot be read ({exc.strerror or exc})"))
        except ModuleError as exc:
            logger.warning("learning module skipped: %s", exc)
            problems.append(exc)
    return ModuleSet(tuple(modules), tuple(problems))


@lru_cache(maxsize=64)
def _cached(path: str, mtime_ns: int) -> Module:  # the mtime keys the cache to the file's state
    return parse_module(path)


def _terms(text: str) -> frozenset[str]:
    """Stemmed words, with a legal citation as one term ('regulation 31' == 'reg 31') and no
    possessive ("Leicestershire's" == "Leicestershire")."""
    words = _POSSESSIVE.sub("", CITATION.sub(" ", text))
    return frozenset(tokenize(words)) | frozenset(citation_tokens(text))


def phrase_score(topic: str, module: Module) -> int:
    """Words of the module's topic and keyword phrases found whole in the trainer's topic."""
    asked = _terms(topic)
    phrases = {_terms(p) for p in (module.topic, *module.keywords)}
    return sum(len(p) for p in phrases if p and p <= asked)


def retrieval_score(module: Module, hits: Sequence[Hit]) -> float:
    """How strongly the search for the topic leads to the module's own passages."""
    return sum(
        1.0 / rank
        for rank, hit in enumerate(hits[:MATCH_DEPTH], start=1)
        if hit.chunk.doc_id == module.doc_id
    )


def match_modules(topic: str, modules: Sequence[Module], hits: Sequence[Hit]) -> list[Module]:
    """The modules for `topic`, best first: on whole phrases, or on one phrase word with the
    module's own passages near the top of the search (never on the search alone, so a topic
    the library lacks is not dressed up as a module); a second module only when it scores
    nearly as well."""
    scored = []
    for module in modules:
        words, found = phrase_score(topic, module), retrieval_score(module, hits)
        if words >= MIN_PHRASE_WORDS or (words and found >= RETRIEVAL_SUPPORT):
            scored.append((words + RETRIEVAL_WEIGHT * found, module.doc_id, module))
    scored.sort(key=lambda s: (-s[0], s[1]))
    if not scored:
        return []
    best = scored[0][0]
    return [m for score, _, m in scored[:MAX_MODULES] if score >= best * SECOND_MODULE_SHARE]
