"""Where an answer's sentences come from: the library, or a document the user uploaded.

An upload can say anything about itself ("Public Contracts Regulations 2015 (official)",
a legislation.gov.uk link) and state any figure. So a sentence drawn from an upload is marked
"(your document)" in the answer text, and when an upload's figure for the question differs
from the figure the library's cited sources give, the answer says so (docs/security.md,
item 3: OWASP LLM01, LLM04, LLM09).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.facts import Facts
from assistant.answering.question import AnswerType
from assistant.answering.verify import claim_text, split_answer
from assistant.types import UPLOAD_DOC_TYPE, Answer, Citation

MARK = "your document"
# One or more adjacent citation markers: "[2]", "[2][3]", "[2] [3]", "[2, 3]".
_GROUP = re.compile(r"\[\d+(?:\s*[,;]\s*\d+)*\](?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])*")
_NUMBERS = re.compile(r"\d+")
_WORD_NUMBER = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty)"
_UNIT = r"(?:day|week|month|year|hour)"
# The figures of each kind a sentence can state, as (pattern, normaliser).
_MONEY = re.compile(
    r"[£€$]\s?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?(?:m|bn|k|million|billion)\b)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per ?cent\b)", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b(\d+|{_WORD_NUMBER})[\s-]+(?:(working|calendar)[\s-]+)?({_UNIT})s?\b", re.IGNORECASE
)
_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
} | {"fifteen": "15", "twenty": "20", "thirty": "30"}


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An upload's figure for the question that none of the library's cited sources gives."""

    upload: tuple[str, ...]  # the upload's figures, as written
    upload_n: int
    library: tuple[str, ...]  # the library's figures, as written
    library_n: int


def is_upload(citation: Citation) -> bool:
    return citation.doc_type == UPLOAD_DOC_TYPE


def figures(text: str, kind: AnswerType) -> dict[str, str]:
    """Normalised figure -> the figure as written, for the figure kinds a question can ask
    for (amounts, shares, periods, dates); empty for other kinds."""
    if kind is AnswerType.MONEY:
        found = [m.group(0) for m in _MONEY.finditer(text)]
        return {re.sub(r"[\s,]", "", f.lower()): f.strip() for f in found}
    if kind is AnswerType.PERCENTAGE:
        found = [m.group(0) for m in _PERCENT.finditer(text)]
        return {re.sub(r"\s|%|per ?cent", "", f.lower()) + "%": f.strip() for f in found}
    if kind is AnswerType.DURATION:
        return {
            " ".join(
                filter(None, (_WORDS.get(m[1].lower(), m[1]), (m[2] or "").lower(), m[3]))
            ).lower(): m[0]
            for m in _DURATION.finditer(text)
        }
    if kind is AnswerType.DATE:
        return {d: d for d in Facts.of(text).dates}
    return {}


def _cited(piece: str) -> set[int]:
    return {int(n) for group in _GROUP.findall(piece) for n in _NUMBERS.findall(group)}


def disagreement(text: str, citations: Sequence[Citation], kind: AnswerType) -> Disagreement | None:
    """The first upload figure of the asked-for kind that the library's cited sentences do not
    state, when they state one of that kind; None when they agree or one side is silent."""
    uploads = {c.n for c in citations if is_upload(c)}
    if not uploads or len(uploads) == len(citations):
        return None
    library: dict[str, str] = {}
    library_n = 0
    stated: list[tuple[int, dict[str, str]]] = []
    for piece in split_answer(text):
        cited = _cited(piece)
        found = figures(claim_text(piece), kind)
        if not cited or not found:
            continue
        if cited & uploads:
            stated.append((min(cited & uploads), found))
        if cited - uploads:
            library_n = library_n or min(cited - uploads)
            library |= found
    for upload_n, found in stated:
        if library and not found.keys() & library.keys():
            return Disagreement(tuple(found.values()), upload_n, tuple(library.values()), library_n)
    return None


def disagreement_sentence(found: Disagreement) -> str:
    theirs = " and ".join(found.upload)
    ours = " and ".join(found.library)
    return (
        f"Note: your document [{found.upload_n}] gives {theirs}, but the library gives {ours} "
        f"[{found.library_n}]. The library's figure is cited to its own source; check your "
        "document before relying on it."
    )


def mark_uploads(text: str, citations: Sequence[Citation]) -> str:
    """Put "(your document)" before the markers of every sentence drawn from an upload (before
    the sentence's full stop when the markers follow it)."""
    uploads = {c.n for c in citations if is_upload(c)}
    if not uploads:
        return text
    out, last = [], 0
    for match in _GROUP.finditer(text):
        cited = {int(n) for n in _NUMBERS.findall(match.group(0))}
        mine = sorted(cited & uploads)
        if not mine:
            continue
        label = f" ({MARK})" if len(mine) == len(cited) else f" (source {mine[0]}: {MARK})"
        cut = match.start()
        while cut > last and text[cut - 1].isspace():
            cut -= 1
        if cut > last and text[cut - 1] in ".!?":
            cut -= 1
        out += [text[last:cut], label, text[cut : match.end()]]
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def with_provenance(answer: Answer, kind: AnswerType) -> Answer:
    """The answer with its upload sentences marked and, when an upload's figure differs from
    the library's, a closing note saying so."""
    if answer.abstained or not any(is_upload(c) for c in answer.citations):
        return answer
    found = disagreement(answer.text, answer.citations, kind)
    text = mark_uploads(answer.text, answer.citations)
    if found is not None:
        text = f"{text}\n\n{disagreement_sentence(found)}"
    return dataclasses.replace(answer, text=text)
