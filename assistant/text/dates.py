"""Dates in questions and documents: '20 February 2025', '2024-03-01', 'March 2024', '2018'.

Finding a date in free text is a short pattern that locates candidate spans (a day, a month
or a year as people write them); reading a span is python-dateutil's parser, so '20th Feb.
2025', 'February 20, 2025' and '20/02/2025' all read as the same day, and '31 February 2025'
is no date at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from dateutil import parser as date_parser

# The one month table (dates here; quiz blanks in assistant.features.generated).
MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_MONTHS = {m[:3].lower(): i for i, m in enumerate(MONTH_NAMES, start=1)}
_DAY = rf"\d{{1,2}} (?:{'|'.join(m[:3] for m in MONTH_NAMES)})[a-z]* \d{{4}}"
# A date as documents write it: ISO or "1 January 2026" (a regex fragment, no groups).
DATE_PATTERN = rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_DAY})"

# Candidate spans in free text; dateutil decides whether each is a date and which.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_SPAN = re.compile(
    rf"(?<![\w/£.,\[])(?:{_ORDINAL}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}"  # 20th of Feb 2025
    rf"|{_MONTH}\s+{_ORDINAL},?\s+{_YEAR}"  # February 20, 2025
    rf"|{_MONTH},?\s+(?:of\s+)?{_YEAR}"  # March 2024
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{4}"  # 2025-02-20, 20/02/2025
    r"|\d{1,2}/\d{1,2}/\d{2}"  # 20/2/25
    rf"|(?P<part>spring|summer|autumn|fall|Q[1-4])\s+(?:of\s+)?(?P<of>{_YEAR})"  # spring 2025
    rf"|(?P<year>{_YEAR}))(?![\w/\]])",
    re.I,
)
# A bare year that names something rather than dating it: "PCR 2015", "the Procurement Act
# 2023", "TUPE 2006", "SI No. 2015", "the 2015 Regulations", "the 2010 guidance".
_NAME_BEFORE = re.compile(
    r"(?:\b(?:Act|Regulations|Rules|Order|Directive|No\.|c\.)|\b[A-Z]{2,}\w*)\s*$"
)
_NAME_AFTER = re.compile(
    r"\s*(?:Act|Regulations|regs|Rules|Order|Directive|NPPS|regime|rules)\b", re.I
)
# Words that make a bare year a time ("in 2018", "since 2019", "a 2018 PCR contract") rather
# than part of a name ("the 2010 guidance").
_TIME_BEFORE = re.compile(
    r"\b(?:in|during|since|from|before|after|until|till|by|of|early|late)\s+$", re.I
)
_TIME_AFTER = re.compile(
    r"\s+(?:[A-Z]{2,}\w*\s+)?(?i:procurements?|contracts?|tenders?|frameworks?|awards?)\b"
)
# dateutil fills what a span does not say from a default; two different defaults show
# which parts the span said (a whole month or year has no day of its own).
_DEFAULTS = (datetime(2000, 1, 1), datetime(2004, 2, 2))

# Parts of a year people plan by, which dateutil does not read: their first and last months
# (winter is left out: it straddles two years).
_PARTS = {
    "spring": (3, 5),
    "summer": (6, 8),
    "autumn": (9, 11),
    "fall": (9, 11),
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
}

Precision = Literal["day", "month", "part", "year"]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date a text writes, as the range of days it covers: one day, a month, a part of a
    year (a season or quarter) or a year."""

    start: date
    end: date
    text: str
    precision: Precision
    # a bare year read as a time ("in 2018"), not as part of a name ("the 2018 notice")
    as_time: bool = True

    @property
    def period(self) -> tuple[date, date]:
        return self.start, self.end

    def when(self) -> str:
        """'on 20 February 2025', 'in March 2024', 'in spring 2025', 'in 2018'."""
        if self.precision == "day":
            return f"on {day_text(self.start)}"
        if self.precision == "month":
            return f"in {self.start:%B %Y}"
        return f"in {self.text}" if self.precision == "part" else f"in {self.start.year}"


def parse_day(text: str | date | None) -> date | None:
    """A day from ISO '2024-01-01', '1 January 2024', '1 Jan 2024' or '01/01/2024'."""
    if isinstance(text, date):
        return text
    value = (text or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})", value)
    if match and match.group(2).lower() in _MONTHS:
        return date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    try:
        return datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        return None


def day_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _read(span: str) -> tuple[date, date, Precision] | None:
    """The range of days a span covers, read by dateutil (UK order: 02/03/2025 is 2 March)."""
    iso = span[:4].isdigit()
    try:
        first, second = (
            date_parser.parse(span, dayfirst=not iso, yearfirst=iso, default=d) for d in _DEFAULTS
        )
    except (date_parser.ParserError, OverflowError, ValueError):
        return None
    if first.year != second.year:
        return None
    if first.month != second.month:
        return date(first.year, 1, 1), date(first.year, 12, 31), "year"
    if first.day != second.day:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return (
            date(first.year, first.month, 1),
            date.fromordinal(following.toordinal() - 1),
            "month",
        )
    return first.date(), first.date(), "day"


def _part(part: str | None, year: str | None) -> tuple[date, date, Precision] | None:
    """'spring 2025' as March to May 2025, 'Q3 2025' as July to September."""
    if not part or not year:
        return None
    first, last = _PARTS[part.lower()]
    end = date(int(year) + last // 12, last % 12 + 1, 1)
    return date(int(year), first, 1), date.fromordinal(end.toordinal() - 1), "part"


def date_mentions(text: str) -> list[DateMention]:
    """Every date `text` writes, in order; years that are part of a name are left out."""
    found = []
    for match in _SPAN.finditer(text):
        before, after = text[: match.start()], text[match.end() :]
        if match.group("year") and (_NAME_BEFORE.search(before) or _NAME_AFTER.match(after)):
            continue
        read = _part(match.group("part"), match.group("of")) or _read(match.group(0))
        if read:
            as_time = read[2] != "year" or bool(
                _TIME_BEFORE.search(before) or _TIME_AFTER.match(after)
            )
            found.append(DateMention(read[0], read[1], match.group(0), read[2], as_time))
    return found


def question_period(question: str) -> tuple[date, date] | None:
    """The first date a question names, as a range: a day, a whole month or a whole year."""
    mentions = date_mentions(question)
    return mentions[0].period if mentions else None
