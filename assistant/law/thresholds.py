"""Regimes and thresholds by date, read from the data tables in the library.

The tables live in an ordinary corpus document (corpus/data/thresholds-by-date.md) as Markdown
tables whose every row names its source, so the figures are indexed, cited and checked like any
other passage. Nothing here knows a figure or a date: `threshold_lead` answers "what threshold
applied on <date> for <kind of contract>" by looking the rows up, and cites the passage that
holds them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from assistant.law.regimes import TITLES, named_regimes
from assistant.text.dates import day_text, parse_day
from assistant.types import Chunk, Citation

# Column headings that mark each kind of table (order as written in the corpus document).
THRESHOLD_COLUMNS = ("regime", "contract", "from", "to", "threshold", "source")
REGIME_COLUMNS = ("regime", "from", "to", "applies to", "source")
REPLACED_COLUMNS = ("item", "mentions", "from", "to", "replaced by", "source")
REGIME_NAMES = {regime: f"the {title}" for regime, title in TITLES.items()}
# Contract kinds as the table names them, with the words a question uses for each. Order
# matters: the first kinds are the more specific ("utilities light touch" before "light touch").
KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("utilities light touch", r"utilit\w*.{0,40}light[- ]touch|light[- ]touch.{0,40}utilit"),
    ("light touch concessions", r"light[- ]touch.{0,40}concession|concession.{0,40}light[- ]touch"),
    ("utilities goods and services", r"utilit"),
    ("defence and security goods and services", r"defen[cs]e"),
    ("concessions", r"concession"),
    (
        "light touch",
        r"light[- ]touch|\bLTR\b|social care|social and other specific|schedule 3"
        r"|\bcare (?:services|contracts?|placements?)|fostering|residential care",
    ),
    ("works", r"\bworks\b|construction"),
    ("goods and services (central government)", r"central government|\bNHS\b|schedule 1 bod"),
    ("goods and services (sub-central)", r"sub-central|council|local authorit|borough|unitary"),
)
KIND_LABELS = {
    "goods and services (central government)": "threshold for goods and services bought by "
    "central government authorities",
    "goods and services (sub-central)": "threshold for goods and services bought by sub-central "
    "authorities such as councils",
}
MAIN_KINDS = (
    "goods and services (central government)",
    "goods and services (sub-central)",
    "works",
    "light touch",
)
# A question asks for a figure (not why figures differ, or how to value a contract).
_ASKS_FIGURE = re.compile(r"\b(what|which|how much)\b", re.I)
_THRESHOLD = re.compile(r"\bthresholds?\b", re.I)
_NOT_A_LOOKUP = re.compile(r"estimat|work out|calculat|valu(e|ing|ation)|aggregat", re.I)
_NO_COLUMN = re.compile(r"\bW(ales|elsh)\b|\bScot(land|tish)\b", re.I)
# "Which SI amended the thresholds?" asks for the instrument, not for the figures.
_ASKS_INSTRUMENT = re.compile(
    r"\b(which|what)\s+(SI|S\.I\.|statutory instrument|instrument|amending|legislation)\b"
    r"|\bwhich\b[^?]*\bamend",
    re.I,
)
_EARLIER = re.compile(r"\b(before|previous\w*|earlier|change[ds]?|used to|old|was it)\b", re.I)


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: its cells by column, and the passage it sits in (for the citation)."""

    cells: dict[str, str]
    line: str
    chunk: Chunk

    def day(self, column: str) -> date | None:
        return parse_day(self.cells.get(column, ""))

    def covers(self, start: date, end: date) -> bool:
        """Whether the row's period overlaps [start, end]."""
        begin, until = self.day("from"), self.day("to")
        return (begin is None or begin <= end) and (until is None or until >= start)

    def period(self) -> str:
        begin, until = self.day("from"), self.day("to")
        if begin and until:
            return f"from {day_text(begin)} to {day_text(until)}"
        if begin:
            return f"from {day_text(begin)}"
        return f"up to {day_text(until)}" if until else "at any date"


@dataclass(frozen=True, slots=True)
class Tables:
    """Every data row in a library, by kind of table."""

    thresholds: tuple[Row, ...]
    regimes: tuple[Row, ...]
    replaced: tuple[Row, ...]

    def regime_on(self, day: date) -> Row | None:
        return next((r for r in self.regimes if r.covers(day, day)), None)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def read_tables(chunks: Iterable[Chunk]) -> Tables:
    """The data rows of every passage holding one of the three tables (by their headings)."""
    found: dict[tuple[str, ...], list[Row]] = {
        THRESHOLD_COLUMNS: [],
        REGIME_COLUMNS: [],
        REPLACED_COLUMNS: [],
    }
    for chunk in chunks:
        if "| from | to |" not in chunk.text:
            continue
        columns: tuple[str, ...] | None = None
        for line in chunk.text.splitlines():
            if not line.startswith("|"):
                columns = None
                continue
            cells = _cells(line)
            if tuple(c.lower() for c in cells) in found:
                columns = tuple(c.lower() for c in cells)
            elif columns and not set("".join(cells)) <= set("-: ") and len(cells) == len(columns):
                found[columns].append(Row(dict(zip(columns, cells, strict=True)), line, chunk))
    return Tables(
        tuple(found[THRESHOLD_COLUMNS]),
        tuple(found[REGIME_COLUMNS]),
        tuple(found[REPLACED_COLUMNS]),
    )


def library_tables(library: Any) -> Tables:
    """The library's tables, read once per loaded library (a new index is a new Library)."""
    chunks = getattr(library, "chunks", {})
    cached = getattr(library, "_data_tables", None)
    if cached is not None and cached[0] is chunks and cached[1] == len(chunks):
        return cached[2]
    tables = read_tables(chunks.values())
    with contextlib.suppress(AttributeError):  # an object without attributes: read each time
        library._data_tables = (chunks, len(chunks), tables)
    return tables


def citation(row: Row, n: int) -> Citation:
    return Citation.of(row.chunk, n, 1.0, row.line)


def asked_kinds(question: str) -> list[str]:
    """The kinds of contract a question names. The buyer (central government, a council)
    matters only for goods and services; with no kind named, the main kinds."""
    return named_kinds(question) or list(MAIN_KINDS)


def named_kinds(question: str) -> list[str]:
    """The kinds of contract a question names, or none."""
    kinds: list[str] = []
    rest = question
    for kind, pattern in KIND_WORDS:
        if kind.startswith("goods and services (") and kinds:
            break
        if re.search(pattern, rest, re.I | re.S):
            kinds.append(kind)
            rest = re.sub(pattern, " ", rest, flags=re.I | re.S)
    return kinds


# A question opening with a verb asks something of the threshold ("does the threshold include
# VAT?"); one with no question word at all is a look-up in shorthand ("PCR sub-central
# threshold as at 1 June 2023?").
_OPENS_WITH_VERB = re.compile(
    r"^\W*(is|are|was|were|does|do|did|can|could|should|must|will|would|has|have|why|how)\b",
    re.I,
)
_QUESTION_WORD = re.compile(r"\b(what|which|who|when|where|why|how)\b", re.I)
# ... but one asking whether a kind's figure moved asks for the figures ("has the light touch
# figure changed as well?"): the figure then, and the one before it
_ASKS_MOVE = re.compile(
    r"^\W*(and |so )?(has|have|did|does|is|was)\b[^?]*\b(moved?|changed?|gone (up|down)"
    r"|go (up|down)|risen|rise|increased?|fallen|fall|altered|the same)\b",
    re.I,
)


def asks_for_threshold(question: str) -> bool:
    shorthand = not _QUESTION_WORD.search(question) and not _OPENS_WITH_VERB.search(question)
    return (
        bool(_THRESHOLD.search(question))
        and bool(
            _ASKS_FIGURE.search(question)
            or shorthand
            or (_ASKS_MOVE.search(question) and named_kinds(question))
        )
        and not _NOT_A_LOOKUP.search(question)
        and not _NO_COLUMN.search(question)
        and not _ASKS_INSTRUMENT.search(question)
    )


# Sentences to put before an answer, each with the table rows it cites.
Lead = tuple[tuple[str, tuple[Row, ...]], ...]


def regime_lead(row: Row, day: date, today: date, when: str = "") -> Lead:
    """One cited sentence: the regime a procurement commenced on `day` (or `when`, such as
    'in 2018') fell under."""
    sentence = _regime_sentence(row, when or f"on {day_text(day)}", today).rstrip(".")
    verb = "covers" if row.covers(today, today) else "covered"
    return ((f"{sentence}, which {verb} {row.cells['applies to']}.", (row,)),)


def lead_citations(lead: Lead) -> list[tuple[str, list[Citation]]]:
    """The lead's sentences with a citation per row (numbered later, by `in_force.prepend`)."""
    return [(sentence, [citation(row, 0) for row in rows]) for sentence, rows in lead]


def threshold_lead(
    tables: Tables,
    question: str,
    start: date,
    end: date,
    today: date,
    kinds: Sequence[str] | None = None,
    regime_first: bool = False,
) -> Lead | None:
    """The threshold figures and the regime for a procurement commenced in [start, end], or
    None when the tables cannot say (a future date, a regime or kind they do not hold). The
    kinds of contract are `kinds` (the table's names) or else those the question names. The
    figures lead an answer to a threshold question; the regime leads when the regime is
    what was asked (`regime_first`, the which-rules check)."""
    if start > today or not tables.thresholds:
        return None
    regime_row = tables.regime_on(start)
    named = named_regimes(question) & {r.cells["regime"] for r in tables.thresholds}
    if len(named) > 1 or regime_row is None:
        return None
    legacy = bool(named) and regime_row.cells["regime"] not in named
    regime = next(iter(named)) if named else regime_row.cells["regime"]
    when = _when(start, end, today)
    sentences = []
    wanted = list(kinds) if kinds else asked_kinds(question)
    for kind, found in _rows(tables.thresholds, regime, wanted, start, end, legacy):
        sentences.append(_figure_sentence(kind, found, when, today))
        earlier = _previous(tables.thresholds, found[0]) if found else None
        if earlier and _EARLIER.search(question):
            sentences.append(_figure_sentence(kind, [earlier], when, today, "Before that, the"))
    # the figure asked for leads; the regime it comes from follows
    if legacy:
        said = _legacy_sentence(tables, regime)
    else:
        said = (_regime_sentence(regime_row, when, today), (regime_row,))
    sentences = [said, *sentences] if regime_first else [*sentences, said]
    return tuple(s for s in sentences if s[0])


def _rows(
    rows: Sequence[Row], regime: str, kinds: list[str], start: date, end: date, legacy: bool
) -> list[tuple[str, list[Row]]]:
    mine = sorted(
        (r for r in rows if r.cells["regime"] == regime), key=lambda r: r.day("from") or date.min
    )
    out = []
    for kind in kinds:
        of_kind = [r for r in mine if r.cells["contract"] == kind]
        if legacy:  # a named regime no longer open on that date: its last figures before it
            found = [r for r in of_kind if (r.day("from") or date.min) <= end][-1:]
        else:
            found = [r for r in of_kind if r.covers(start, end)]
        out.append((kind, found))
    return out


def _when(start: date, end: date, today: date) -> str:
    """'today (25 November 2026)', 'on 1 March 2024', 'in March 2024', 'in 2018'."""
    if start == end:
        return f"today ({day_text(start)})" if start == today else f"on {day_text(start)}"
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"in {start.year}"
    if start.day == 1 and (end + timedelta(days=1)).day == 1 and start.month == end.month:
        return f"in {start:%B %Y}"
    return f"from {day_text(start)} to {day_text(end)}"


def _regime_sentence(row: Row, when: str, today: date) -> str:
    name = REGIME_NAMES.get(row.cells["regime"], row.cells["regime"])
    verb = "falls" if row.covers(today, today) else "fell"
    return f"A procurement commenced {when} {verb} under {name}."


def _legacy_sentence(tables: Tables, regime: str) -> tuple[str, tuple[Row, ...]]:
    row = next((r for r in tables.regimes if r.cells["regime"] == regime), None)
    if row is None:
        return ("", ())
    name = REGIME_NAMES.get(regime, regime)
    return (f"{name[0].upper()}{name[1:]} cover {row.cells['applies to']}.", (row,))


def _figure_sentence(
    kind: str, rows: list[Row], when: str, today: date, opening: str = "The"
) -> tuple[str, tuple[Row, ...]]:
    label = KIND_LABELS.get(kind, f"{kind} threshold")
    if not rows:
        return (
            f"The library's table holds no verified {label} for a procurement commenced {when}.",
            (),
        )
    parts = [
        f"{r.cells['threshold']} for procurements commenced {r.period()} ({r.cells['source']})"
        for r in rows
    ]
    verb = "is" if any(r.covers(today, today) for r in rows) else "was"
    return (f"{opening} {label} {verb} " + "; and ".join(parts) + ".", tuple(rows))


def _previous(rows: Sequence[Row], row: Row) -> Row | None:
    """The row for the same kind of contract in force the day before `row` began."""
    begin = row.day("from")
    if begin is None:
        return None
    day = begin - timedelta(days=1)
    same = (r for r in rows if r.cells["contract"] == row.cells["contract"])
    return next((r for r in same if r.covers(day, day)), None)


def stale_figures(tables: Tables, text: str, day: date) -> list[str]:
    """Notes on threshold figures in `text` that applied to no kind of contract on `day`: an
    older figure (with the one in force then), or one the table has only from a later date."""
    notes = []
    for amount in dict.fromkeys(re.findall(r"£\d{1,3}(?:,\d{3})+", text)):
        rows = [r for r in tables.thresholds if r.cells["threshold"] == amount]
        if not rows or any(r.covers(day, day) for r in rows):
            continue
        kind = rows[-1].cells["contract"]
        label = KIND_LABELS.get(kind, f"{kind} threshold")
        begin = min(r.day("from") or date.min for r in rows if r.cells["contract"] == kind)
        until = max(r.day("to") or date.max for r in rows if r.cells["contract"] == kind)
        if begin > day:
            notes.append(
                f"The library's table gives {amount} as the {label} only for "
                f"procurements commenced from {day_text(begin)}, after "
                f"{day_text(day)}: check the figure that applied then."
            )
            continue
        note = f"{amount} was the {label} for procurements commenced from {day_text(begin)} to "
        note += day_text(until)
        now = [r for r in tables.thresholds if r.cells["contract"] == kind and r.covers(day, day)]
        if now:
            note += (
                f"; for one commenced on {day_text(day)} it is {now[0].cells['threshold']} "
                f"({now[0].cells['source']})"
            )
        notes.append(note + ".")
    return notes
