"""The figures a sentence states (numbers, dates, quantities) and whether a source states the
same ones in the same context. Used by `assistant.answering.verify`: a claim's numbers and
dates must match its source exactly, and a number only counts where the source says it next to
the claim's own words (so "appointed in 2019" is not supported by a "2019" in a reference list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text.tokens import tokenize

_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(\d{{4}})\b", re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b{_MONTH},?\s+(\d{{4}})\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A number with its unit ("30 days", "a 30-day period", "5 per cent") is one fact: the pair
# must be in the source, not just the digits somewhere in it.
_UNITS = r"day|week|month|year|hour|per cent|percent|million|billion|bn"
_QUANTITY = re.compile(rf"(\d+(?:[.,]\d+)*)\s*-?\s*(%|(?:{_UNITS})(?=s?\b))", re.IGNORECASE)
# Segments of a source: sentences (a full stop before a capital), lines; a table is one segment.
_SEGMENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'“])|\n(?!\s*\|)")
# A figure is in context when its segment shares this many of the claim's key terms.
CONTEXT_TERMS = 2


def key_terms(text: str) -> set[str]:
    """Stemmed content words (no bare numbers) of a text."""
    return {t for t in tokenize(text) if not t.isdigit()}


def _number(raw: str) -> str:
    """'704,000' and '704000' are the same figure; '1.5' stays a decimal."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw):
        raw = raw.replace(",", "")
    return raw.rstrip(".,")


@dataclass(frozen=True, slots=True)
class Facts:
    """Numbers, dates and quantities a text states, normalised so equal values compare equal."""

    numbers: frozenset[str]
    dates: frozenset[str]  # "24 feb 2025" and "feb 2025"
    quantities: frozenset[str] = frozenset()  # "30 day", "5 per cent"

    @classmethod
    def of(cls, text: str) -> Facts:
        dates = {f"{int(d)} {m[:3].lower()} {y}" for d, m, y in _DATE.findall(text)}
        dates |= {f"{m[:3].lower()} {y}" for m, y in _MONTH_YEAR.findall(text)}
        numbers = {_number(n) for n in _NUMBER.findall(text)}
        quantities = {f"{_number(n)} {_unit(u)}" for n, u in _QUANTITY.findall(text)}
        return cls(frozenset(numbers), frozenset(dates), frozenset(quantities))

    def within(self, other: Facts) -> bool:
        return (
            self.numbers <= other.numbers
            and self.dates <= other.dates
            and self.quantities <= other.quantities
        )

    def __bool__(self) -> bool:
        return bool(self.numbers or self.dates)


def _unit(unit: str) -> str:
    unit = unit.lower()
    return "per cent" if unit in ("%", "percent") else unit


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """A source's figures: those of its title and locator (always in context), and those of
    each segment of its text with the segment's key terms."""

    header: Facts
    segments: tuple[tuple[frozenset[str], Facts], ...]
    quantities: frozenset[str]

    @classmethod
    def of(cls, text: str, title: str = "", locator: str = "") -> SourceFacts:
        segments = tuple(
            (frozenset(key_terms(s)), Facts.of(s)) for s in _SEGMENT.split(text) if s.strip()
        )
        return cls(Facts.of(f"{title} {locator}"), segments, Facts.of(text).quantities)


def stated(claim: Facts, terms: set[str], sources: list[SourceFacts]) -> bool:
    """Every number, date and quantity of the claim is in one of `sources`, each number and
    date in the title or locator or in a segment that shares the claim's words."""
    if not claim:
        return True
    need = min(CONTEXT_TERMS, len(terms))
    if not claim.quantities <= frozenset().union(*(s.quantities for s in sources)):
        return False
    pools = [s.header for s in sources] + [
        facts for s in sources for seg_terms, facts in s.segments if len(seg_terms & terms) >= need
    ]
    numbers = frozenset().union(*(f.numbers for f in pools))
    dates = frozenset().union(*(f.dates for f in pools))
    return claim.numbers <= numbers and claim.dates <= dates
