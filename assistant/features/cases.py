"""Case studies searchable by what happened: structured attributes from front matter,
filters on them, and "cases like ours" (describe a situation, get the most similar cases with
the attributes that match, each cited to a passage).

Attributes (corpus/README.md): `case_name`, `authority`, `service_area`, `route`, `value`,
`term`, `partner_type`, `outcome`, `year`, plus the document's `regime`. A document holding
several cases gives each attribute as a list, aligned by position; documents naming the same
case are one case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.protocols import Searchable
from assistant.text.tokens import tokenize
from assistant.types import Answer, Chunk, Citation, Hit

ATTRIBUTES = (
    "authority",
    "service_area",
    "route",
    "partner_type",
    "value",
    "term",
    "outcome",
    "year",
)
LABELS = {"service_area": "service area", "partner_type": "partner type"}
NOT_RECORDED = "not recorded"
# Words too common in case attributes to show that two situations are alike (stems).
GENERIC = frozenset(
    tokenize(
        "council city county service contract partnership partner provider tender one across "
        "under with including let area the"
    )
)
_NAME = re.compile(r"\b[A-Z][\w'’]*")  # capitalised words: the names in a case's name
# Weight of one matching attribute against the passage ranking (best passage = 1.0).
ATTRIBUTE_WEIGHT = 0.25
_MONEY = re.compile(r"£\s?(\d[\d,]*(?:\.\d+)?)\s?(bn|billion|m|million|k)?\b", re.I)
_YEAR = re.compile(r"(?<![\w/£.,])((?:19|20)\d{2})(?![\w/])")
_NUMBERS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_TERM = re.compile(r"\b(\d{1,2}|" + "|".join(_NUMBERS) + r")[- ]years?\b", re.I)


@dataclass(frozen=True, slots=True)
class Case:
    """One case: its attributes, regime and the documents that describe it."""

    name: str
    regime: str
    attributes: dict[str, str]
    doc_ids: tuple[str, ...] = ()
    # Per document holding several cases: words that tell this case's passages from the others.
    marks: dict[str, frozenset[str]] = field(default_factory=dict)

    def get(self, key: str) -> str:
        value = self.attributes.get(key, "")
        return "" if value.lower() == NOT_RECORDED else value

    @property
    def year(self) -> int | None:
        value = self.get("year")
        return int(value) if value.isdigit() else None

    @property
    def value_gbp(self) -> float | None:
        amounts = money(self.get("value"))
        return amounts[0] if amounts else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.name,
            "regime": self.regime,
            "doc_ids": list(self.doc_ids),
            **{k: self.get(k) for k in ATTRIBUTES},
        }


def money(text: str) -> list[float]:
    """'£704,000,000' -> 704e6; '£7.7m' -> 7.7e6; '£25m' -> 25e6."""
    scale = {"k": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
    return [
        float(m.group(1).replace(",", "")) * scale.get((m.group(2) or "").lower(), 1.0)
        for m in _MONEY.finditer(text or "")
    ]


def _split(value: str, n: int) -> list[str]:
    parts = [p.strip() for p in value.split("; ")] if value else []
    return parts if len(parts) == n else [value] * n


def _doc_cases(doc_id: str, meta: Mapping[str, str]) -> list[Case]:
    names = [p.strip() for p in meta.get("case_name", "").split("; ") if p.strip()]
    if not names:
        return []
    columns = {k: _split(meta.get(k, ""), len(names)) for k in ATTRIBUTES}
    cases = [
        Case(name, meta.get("regime", ""), {k: columns[k][i] for k in ATTRIBUTES}, (doc_id,))
        for i, name in enumerate(names)
    ]
    if len(cases) == 1:
        return cases
    words = [
        set(tokenize(" ".join(_NAME.findall(f"{c.name} {c.get('authority')}")))) - GENERIC
        for c in cases
    ]
    out = []
    for i, case in enumerate(cases):
        others = set().union(*(w for j, w in enumerate(words) if j != i))
        marks = {doc_id: frozenset(words[i] - others)}
        out.append(Case(case.name, case.regime, case.attributes, case.doc_ids, marks))
    return out


def all_cases(library: Searchable) -> list[Case]:
    """Every case in the library, in document order; one case per name."""
    firsts: dict[str, Chunk] = {}
    for chunk in getattr(library, "chunks", {}).values():
        firsts.setdefault(chunk.doc_id, chunk)
    merged: dict[str, Case] = {}
    for doc_id, chunk in firsts.items():
        for case in _doc_cases(doc_id, chunk.meta):
            known = merged.get(case.name)
            merged[case.name] = (
                Case(
                    known.name,
                    known.regime,
                    known.attributes,
                    (*known.doc_ids, doc_id),
                    {**known.marks, **case.marks},
                )
                if known
                else case
            )
    return list(merged.values())


@dataclass(frozen=True, slots=True)
class CaseFilters:
    """Words that must appear in an attribute (case-insensitive), a regime, and ranges."""

    authority: str = ""
    service_area: str = ""
    route: str = ""
    partner_type: str = ""
    regime: str = ""
    year_from: int | None = None
    year_to: int | None = None
    min_value: float | None = None
    max_value: float | None = None

    def keep(self, case: Case) -> bool:
        for key in ("authority", "service_area", "route", "partner_type"):
            wanted = getattr(self, key).strip().lower()
            if wanted and wanted not in case.get(key).lower():
                return False
        if self.regime and case.regime != self.regime:
            return False
        years = (self.year_from, self.year_to)
        if any(y is not None for y in years) and not _within(case.year, *years):
            return False
        if self.min_value is not None or self.max_value is not None:
            return _within(case.value_gbp, self.min_value, self.max_value)
        return True


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def find_cases(library: Searchable, filters: CaseFilters | None = None) -> list[Case]:
    chosen = filters or CaseFilters()
    return [c for c in all_cases(library) if chosen.keep(c)]


@dataclass(frozen=True, slots=True)
class CaseMatch:
    """A case like the one described: why (the attributes that match) and where (a passage)."""

    case: Case
    score: float
    matched: tuple[tuple[str, str], ...]  # (attribute, the case's value)
    hit: Hit | None

    def to_dict(self) -> dict[str, Any]:
        chunk = self.hit.chunk if self.hit else None
        return {
            **self.case.to_dict(),
            "score": round(self.score, 4),
            "matched": [{"attribute": k, "value": v} for k, v in self.matched],
            "passage": {"doc_id": chunk.doc_id, "locator": chunk.locator, "url": chunk.url}
            if chunk
            else None,
        }


def matching_attributes(
    case: Case, description: str, regime: str | None = None
) -> list[tuple[str, str]]:
    """The case's attributes that the description shares: words (route, service area, partner,
    authority), regime, a year within two, a term in years, a value within a factor of five."""
    words = set(tokenize(description)) - GENERIC
    out: list[tuple[str, str]] = []
    for key in ("route", "service_area", "partner_type", "authority"):
        if words & set(tokenize(case.get(key))):
            out.append((key, case.get(key)))
    if regime and case.regime == regime:
        out.append(("regime", case.regime))
    years = [int(y) for y in _YEAR.findall(description)]
    if case.year and any(abs(case.year - y) <= 2 for y in years):
        out.append(("year", str(case.year)))
    terms = {_years(m) for m in _TERM.findall(description)}
    if terms & {_years(m) for m in _TERM.findall(case.get("term"))}:
        out.append(("term", case.get("term")))
    value = case.value_gbp
    if value and any(value / 5 <= v <= value * 5 for v in money(description)):
        out.append(("value", case.get("value")))
    return out


def _years(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def _belongs(case: Case, chunk: Chunk) -> bool:
    if chunk.doc_id not in case.doc_ids:
        return False
    """Whether a passage is about the case: in a document of several cases, its heading names
    the case, or its text names it at least twice (a name, a place)."""
    marks = case.marks.get(chunk.doc_id)
    if not marks:
        return True
    return bool(marks & set(tokenize(" ".join(chunk.heading_path)))) or (
        len(marks & set(tokenize(chunk.text))) >= 2
    )


def cases_like(
    library: Searchable, description: str, k: int = 3, filters: CaseFilters | None = None
) -> list[CaseMatch]:
    """The `k` cases most like the situation described: the best-ranked case-study passage
    about each, plus ATTRIBUTE_WEIGHT for every attribute that matches."""
    from assistant.law.query import normalise_query
    from assistant.law.regimes import named_regimes
    from assistant.law.thresholds import library_tables
    from assistant.text.dates import question_period

    candidates = find_cases(library, filters)
    if not candidates or not description.strip():
        return []
    query = normalise_query(description)
    depth = getattr(getattr(library, "settings", None), "candidates", 30)
    hits = library.search(query, {"doc_type": ["case_study"]}, depth)
    regime = next(iter(named_regimes(description)), None)
    period = question_period(description)
    if regime is None and period:
        row = library_tables(library).regime_on(period[0])
        regime = row.cells["regime"] if row else None
    matches = []
    for case in candidates:
        ranked = [(i, h) for i, h in enumerate(hits) if _belongs(case, h.chunk)]
        passage = 1.0 / (1 + ranked[0][0]) if ranked else 0.0
        matched = matching_attributes(case, description, regime)
        score = passage + ATTRIBUTE_WEIGHT * len(matched)
        matches.append(CaseMatch(case, score, tuple(matched), ranked[0][1] if ranked else None))
    matches.sort(key=lambda m: -m.score)
    return [m for m in matches if m.score > 0][:k]


def cases_answer(description: str, matches: Sequence[CaseMatch]) -> Answer:
    """The matches as a cited Answer (one line per case), for the CLI and the web app."""
    if not matches:
        return Answer(description, "No case study in the library matches.", (), True)
    lines: list[str] = []
    citations: list[Citation] = []
    for i, m in enumerate(matches, start=1):
        who = ", ".join(x for x in (m.case.get("authority"), m.case.get("year")) if x)
        why = "; ".join(f"{LABELS.get(a, a)}: {v}" for a, v in m.matched) or "similar passages"
        line = f"{i}. {m.case.name} ({who}). Matches on {why}."
        if m.hit is not None:
            cited = next((c for c in citations if c.chunk_id == m.hit.chunk.chunk_id), None)
            if cited is None:
                cited = Citation.of(m.hit.chunk, len(citations) + 1, m.hit.score)
                citations.append(cited)
            line += f" [{cited.n}]"
        lines.append(line)
    return Answer(description, "\n".join(lines), tuple(citations), False)
