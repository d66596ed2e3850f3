"""Law as at a date: which documents and passages were in force on a day, retrieval that
prefers them, and plain notes when an answer cites material that did not apply then.

Everything comes from the library, never from memory (docs/currency.md):
- front matter: `status` (current | historical | superseded), `in_force_from`, `in_force_to`
  and `superseded_by` (the doc_id of the current replacement);
- a heading may date the passages under it: "(in force 1 January 2024 to 23 February 2025)",
  "(in force from 1 January 2026)", or "not in force" (the CLML parser marks legislation.gov.uk
  provisions this way);
- the tables of corpus/data/thresholds-by-date.md say which regime and figures applied.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.config import Settings
from assistant.law import thresholds
from assistant.law.as_at import LawDate, asks_which_law
from assistant.law.regimes import named_regimes
from assistant.text.dates import DATE_PATTERN, day_text, parse_day
from assistant.text.markers import renumber
from assistant.types import Answer, Chunk, Citation, Hit

STATUSES = ("current", "historical", "superseded")
# Rank factors for a passage not in force on the day asked about (settings out_of_force and
# out_of_force_at_date): it drops below in-force passages of similar rank without vanishing.
# Softer when no date was given (current material wins, but an undated question may still be
# about the old rules); measured in docs/currency.md.
_DEFAULTS = Settings.model_construct()
_IN_FORCE = re.compile(
    rf"\bin force (?:from (?P<since>{DATE_PATTERN})"
    rf"|(?P<a>{DATE_PATTERN}) (?:to|–|-) (?P<b>{DATE_PATTERN}))",
    re.I,
)
_NOT_IN_FORCE = re.compile(r"\bnot (?:yet )?in force\b", re.I)


@dataclass(frozen=True, slots=True)
class Period:
    """When a document or passage was in force; `never` for a provision not yet in force in
    the version held (a prospective provision)."""

    start: date | None = None
    end: date | None = None
    never: bool = False

    def covers(self, day: date) -> bool:
        if self.never:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def text(self) -> str:
        if self.never:
            return "not in force in the version held"
        if self.start and self.end:
            return f"in force from {day_text(self.start)} to {day_text(self.end)}"
        if self.start:
            return f"in force from {day_text(self.start)}"
        return f"in force until {day_text(self.end)}" if self.end else "in force"


def passage_period(chunk: Chunk) -> Period | None:
    """The period a heading of this passage states, the innermost one first."""
    for heading in reversed(chunk.heading_path):
        if _NOT_IN_FORCE.search(heading):
            return Period(never=True)
        match = _IN_FORCE.search(heading)
        if match:
            if match.group("since"):
                return Period(parse_day(match.group("since")))
            return Period(parse_day(match.group("a")), parse_day(match.group("b")))
    return None


def document_period(meta: Mapping[str, str]) -> Period | None:
    start, end = parse_day(meta.get("in_force_from")), parse_day(meta.get("in_force_to"))
    return Period(start, end) if start or end else None


def period_of(chunk: Chunk) -> Period | None:
    return passage_period(chunk) or document_period(chunk.meta)


def in_force(chunk: Chunk, day: date | None, today: date | None = None) -> bool | None:
    """Whether the passage was in force on `day`; without a day, whether it is current (a
    dated passage by its dates; a historical or superseded document is not, whatever its
    dates). None when the library holds no dates for it: a case study or commentary describes
    its time, it is not "in force"."""
    passage = passage_period(chunk)
    if passage is not None:
        return passage.covers(day or today or date.today())
    period = document_period(chunk.meta)
    status = chunk.meta.get("status")
    if day is None and (status == "superseded" or (status == "historical" and period)):
        return False
    return period.covers(day or today or date.today()) if period else None


def prefer_in_force(
    hits: Sequence[Hit],
    as_at: date | None,
    question: str = "",
    today: date | None = None,
    factors: tuple[float, float] = (_DEFAULTS.out_of_force, _DEFAULTS.out_of_force_at_date),
) -> list[Hit]:
    """Hits re-ranked so material in force on `as_at` (current material when None) comes
    first; passages of a regime the question names keep their place. `factors` multiply the
    score of a passage not in force: (without a date, at a date)."""
    named = named_regimes(question)
    factor = factors[0] if as_at is None else factors[1]
    scored = []
    for hit in hits:
        out = (
            hit.chunk.meta.get("regime") not in named and in_force(hit.chunk, as_at, today) is False
        )
        scored.append(dataclasses.replace(hit, score=hit.score * factor) if out else hit)
    return sorted(scored, key=lambda h: -h.score)


def fits_date(chunk: Chunk, as_at: date | None, question: str = "") -> bool:
    """Whether a passage may join an answer for the law as at `as_at`: any passage without a
    date; with one, a passage in force then, undated, or of a regime the question names."""
    return (
        as_at is None
        or chunk.meta.get("regime") in named_regimes(question)
        or in_force(chunk, as_at) is not False
    )


def _titles(library: Any, ids: set[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for chunk in getattr(library, "chunks", {}).values():
        if chunk.doc_id in ids and chunk.doc_id not in titles:
            titles[chunk.doc_id] = chunk.title
    return titles


def source_notes(
    citations: Sequence[Citation], library: Any, as_at: date | None, today: date
) -> list[str]:
    """A plain note for each cited document (or dated passage) not in force on the day."""
    chunks: Mapping[str, Chunk] = getattr(library, "chunks", {})
    day = as_at or today
    flagged: list[tuple[Citation, Chunk, Period | None]] = []
    seen: set[tuple[str, str]] = set()
    for c in citations:
        chunk = chunks.get(c.chunk_id)
        if chunk is None or in_force(chunk, as_at, today) is not False:
            continue
        period = period_of(chunk)
        key = (chunk.doc_id, period.text() if period else "")
        if key not in seen:
            seen.add(key)
            flagged.append((c, chunk, period))
    titles = _titles(library, {ch.meta.get("superseded_by", "") for _, ch, _ in flagged})
    return [_note(c, chunk, period, day, as_at is None, titles) for c, chunk, period in flagged]


def _note(
    c: Citation, chunk: Chunk, period: Period | None, day: date, now: bool, titles: dict
) -> str:
    status = chunk.meta.get("status") or "current"
    dated_passage = passage_period(chunk) is not None
    what = f"[{c.n}] " + (f"“{c.locator}” ({c.doc_id})" if dated_passage else c.title)
    label = " is dated," if dated_passage or status == "current" else f" is {status} material,"
    when = "a procurement started today" if now else f"a procurement commenced on {day_text(day)}"
    if period is None:
        text = f"{what} is marked {status} in the library: it may not reflect the law for {when}."
    elif period.never:
        text = (
            f"{what} was not in force in the version held (a prospective provision); "
            "check legislation.gov.uk for its commencement."
        )
    elif period.start and day < period.start:
        text = f"{what}{label} {period.text()}: it did not yet apply to {when}."
    else:
        text = f"{what}{label} {period.text()}: it does not govern {when}."
        if status == "historical":
            text += " It still governs matters begun while it was in force."
    replacement = chunk.meta.get("superseded_by", "")
    if replacement and (period is None or not (period.start and day < period.start)):
        name = titles.get(replacement)
        text += (
            f" For current material see “{name}” ({replacement})."
            if name
            else f" For current material see {replacement}."
        )
    return text


def replaced_mentions(tables: Any, text: str, day: date) -> list[str]:
    """Notes on dates and instruments named in `text` that had been replaced by `day`
    (unless the text also names the replacement)."""
    notes = []
    lowered = text.lower()
    for row in tables.replaced:
        mentions = [m.strip() for m in row.cells.get("mentions", "").split(";") if m.strip()]
        until = row.day("to")
        if not any(m.lower() in lowered for m in mentions) or until is None or until >= day:
            continue
        replacement = row.cells["replaced by"]
        if replacement.split(",")[0].removeprefix("the ").lower() in lowered:
            continue
        notes.append(
            f"The answer mentions the {row.cells['item']}: it was replaced by {replacement} "
            f"({row.cells['source']}; see {row.chunk.doc_id})."
        )
    return notes


def prepend(answer: Answer, sentences: Sequence[tuple[str, Sequence[Citation]]]) -> Answer:
    """`answer` with cited sentences put before its text; the new sources are numbered first
    and the answer's own [n] markers (and `unsupported` sentences) renumbered to match."""
    lead_n: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    first: dict[str, Citation] = {}
    parts = []
    for sentence, cited in sentences:
        marks = []
        for c in cited:
            n = lead_n.setdefault(c.chunk_id, len(lead_n) + 1)
            first.setdefault(c.chunk_id, c)
            quotes.setdefault(c.chunk_id, []).append(c.quote)
            marks.append(n)
        parts.append(sentence + "".join(f" [{n}]" for n in dict.fromkeys(marks)))
    mapping: dict[int, int] = {}
    extra = len(lead_n)
    kept = []
    for c in answer.citations:
        if c.chunk_id in lead_n:
            mapping[c.n] = lead_n[c.chunk_id]
            quotes[c.chunk_id].append(c.quote)
        else:
            extra += 1
            mapping[c.n] = extra
            kept.append(dataclasses.replace(c, n=extra))

    lead = [
        dataclasses.replace(
            first[cid], n=n, quote="\n".join(dict.fromkeys(q for q in quotes[cid] if q))
        )
        for cid, n in lead_n.items()
    ]
    text = " ".join([*parts, renumber(answer.text, mapping)]).strip()
    return dataclasses.replace(
        answer,
        text=text,
        citations=tuple(sorted(lead + kept, key=lambda c: c.n)),
        unsupported=tuple(renumber(s, mapping) for s in answer.unsupported),
    )


def date_notes(answer: Answer, library: Any, day: date, today: date | None = None) -> list[str]:
    """Notes for the law as at `day` on an answer's cited sources, threshold figures and
    replaced dates (what `at_date` adds, without a lead)."""
    tables = thresholds.library_tables(library)
    notes = source_notes(answer.citations, library, day, today or date.today())
    notes += thresholds.stale_figures(tables, answer.text, day)
    return notes + replaced_mentions(tables, answer.text, day)


def future_thresholds(answer: Answer, tables: Any, start: date, when: str) -> Answer:
    """A threshold asked for a day still to come: the figures then are not yet set, so the
    answer says so, with the latest figures' start and the nearest passages, rather than
    giving today's figures as that day's."""
    latest = max((r.day("from") for r in tables.thresholds if r.day("from")), default=None)
    text = (
        f"The library does not give threshold figures for a procurement commenced "
        f"{when or 'on ' + day_text(start)}: that date is still to come, and the figures in "
        f"force then are not yet known."
    )
    if latest is not None:
        text += f" The latest figures it holds apply from {day_text(latest)}."
    nearest = tuple(dict.fromkeys(f"{c.title} ({c.locator})" for c in answer.citations))[:3]
    if nearest:
        text += " The nearest passages are: " + "; ".join(nearest) + "."
    return Answer(answer.question, text, (), True, dict(answer.timings), nearest)


def at_date(
    answer: Answer,
    library: Any,
    question: str,
    law: LawDate,
    parts: Sequence[str] = (),
    today: date | None = None,
) -> tuple[Answer, list[str]]:
    """What the law date adds to an answer: a note on the day used; a cited lead stating the
    regime (when the law is judged at a day) and, for a threshold question, the exact
    figures; and notes on cited material not in force then. `parts`: the question's separate
    asks, of which one may ask for a threshold ("the works threshold in Feb 2026, and which
    SI amended Sch 1?")."""
    today = today or date.today()
    # a date the question writes states the regime only when the question asks which law
    # applies; the 'law as at' date given always does
    regime_asked = law.day is not None and (not law.from_question or asks_which_law(question))
    first = [law.note] if law.note and (regime_asked or not law.from_question) else []
    if answer.abstained:
        return answer, first
    tables = thresholds.library_tables(library)
    start, end = law.period or (law.day or today, law.day or today)
    threshold = next((p for p in (parts or [question]) if thresholds.asks_for_threshold(p)), "")
    if start > today and tables.thresholds and threshold:
        return future_thresholds(answer, tables, start, law.when), first
    notes = thresholds.stale_figures(tables, answer.text, start)
    notes += replaced_mentions(tables, answer.text, law.day or today)
    lead = None
    if threshold:
        # "did it go up in Jan 2026?" after a light touch question: the kind the conversation
        # names, when the asking part names none
        kinds = thresholds.named_kinds(threshold) or next(
            (k for p in parts if (k := thresholds.named_kinds(p))), []
        )
        lead = thresholds.threshold_lead(tables, threshold, start, end, today, kinds)
    if lead is None and regime_asked and law.day is not None:  # regime_asked implies a day
        row = tables.regime_on(law.day)
        if row is None:
            notes.append(
                f"The library holds no table of regimes by date, so this answer cannot say "
                f"which regime applied on {day_text(law.day)}."
            )
        else:
            lead = thresholds.regime_lead(row, law.day, today, law.when)
    lead_ids: set[str] = set()
    if lead is not None:
        if law.from_question and law.note and not first:
            first = [law.note]  # a threshold figure for the day the question writes
        answer = prepend(answer, thresholds.lead_citations(lead))
        lead_ids = {row.chunk.chunk_id for _, rows in lead for row in rows}
    cited = [c for c in answer.citations if c.chunk_id not in lead_ids]
    return answer, first + source_notes(cited, library, law.day, today) + notes
