"""Dates in questions and documents: '1 March 2024', '2024-03-01', 'March 2024', '2018'."""

from __future__ import annotations

import re
from datetime import date, datetime

_MONTHS = {
    m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)
}
_DAY = r"\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}"
# A date as documents write it: ISO or "1 January 2026" (a regex fragment, no groups).
DATE_PATTERN = rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|{_DAY})"

# Dates written in a question: "1 March 2024", "2024-03-01", "01/03/2024", "March 2024", "2018".
_Q_DAY = re.compile(rf"\b({_DAY}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{4}})\b", re.I)
_Q_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{4})\b")
_Q_YEAR = re.compile(
    r"(?<![\w/£.,])((?:19|20)\d{2})(?![\w/])(?! (?:Regulations|Act|Directive|Order|NPPS))"
)
_NOT_A_YEAR = re.compile(r"(Act|Regulations|PCR|PA|SI|Directive|No\.|c\.)\s*$", re.I)


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


def question_period(question: str) -> tuple[date, date] | None:
    """The first date a question names, as a range: a day, a whole month or a whole year."""
    match = _Q_DAY.search(question)
    if match and parse_day(match.group(1)):
        day = parse_day(match.group(1))
        return (day, day) if day else None
    match = _Q_MONTH.search(question)
    if match:
        start = date(int(match.group(2)), _MONTHS[match.group(1).lower()], 1)
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, date.fromordinal(following.toordinal() - 1)
    for match in _Q_YEAR.finditer(question):
        if not _NOT_A_YEAR.search(question[: match.start()]):
            year = int(match.group(1))
            return date(year, 1, 1), date(year, 12, 31)
    return None
