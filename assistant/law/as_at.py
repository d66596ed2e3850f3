"""The day the law is judged at: the 'law as at' date given (`as_at`, `--as-at`, the web
app's field), else the date the question writes, else today (docs/currency.md).

A question can write several dates ("a PIN in January 2025, the tender notice in April
2025"). When they fall under different regimes by the library's regimes table, which of them
commenced the procurement is a question of law, so no day is taken from them and a note asks
for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assistant.law import thresholds
from assistant.text.dates import DateMention, date_mentions, day_text


@dataclass(frozen=True, slots=True)
class LawDate:
    """The day the law is judged at: the 'law as at' date given, else the date the question
    writes; `day` None means today's law. `period` is the range a threshold look-up covers
    ("in 2018": the whole year), `when` how the answer names the day, `note` where it came
    from."""

    day: date | None = None
    period: tuple[date, date] | None = None
    when: str = ""
    note: str = ""
    from_question: bool = False  # the day is one the question writes, not the 'law as at' date


# A question that asks which law governs ("are we under the old PCR or the new Act?", "which
# rules apply if the notice went out on 20 Feb 2025?"): only then does a date it writes earn a
# lead stating the regime. "How big was the grant in 2019?" asks about 2019, not about the law.
_ASKS_WHICH_LAW = re.compile(
    r"\b(which|what) (rules?|regime|law|regulations|legislation)\b|\bappl(y|ies)\b|\bgovern"
    r"|\bare we (still )?(under|caught)\b|\b(pcr|regulations|rules) or\b|\bor the (new )?act\b"
    r"|\bold (rules|regime|pcr)\b.*\bnew\b|\btransitional\b|\blegacy\b"
    r"|\b(procurement|tender|competition)s? (that )?(is |was )?(commenc|start|begun|began|begin)"
    r"|\bnotice (went|goes|go|going|was sent|is sent) out\b",
    re.I,
)


# A question about changing a contract already let ("add a new service line in 2026", "extend
# it in 2027"): the date it writes is the change's, not a procurement's commencement.
_CHANGES_A_CONTRACT = re.compile(
    r"\b(modif\w*|vary|varying|variation|extend(ed|ing)? (it|them|the (contract|partnership|"
    r"term))|extension (of|to) (it|the|our|its|their)|add(ing)? (a |an )?(new )?"
    r"(service|lot|line)|change (to )?(the|a|our|their|its) contract|contract change"
    r"|chang(e|es|ing) (it|them|that)|(cover|covers|govern|governs) the change)\b",
    re.I,
)


def asks_which_law(question: str) -> bool:
    """Whether `question` asks which regime or rules govern (see `_ASKS_WHICH_LAW`)."""
    return bool(_ASKS_WHICH_LAW.search(question))


def law_date(question: str, as_at: date | None, library: Any = None, context: str = "") -> LawDate:
    """The law as at `as_at` when given; else as at the date the question (or, for a
    follow-up, the conversation in `context`) writes, when every date it writes falls under
    one regime by the library's regimes table; else today's law."""
    mentions = date_mentions(question) or date_mentions(context)
    first = mentions[0] if mentions else None
    timed = [m for m in mentions if m.as_time]
    if as_at is not None:
        note = f"The law is taken as at {day_text(as_at)}, the 'law as at' date given"
        if timed and not timed[0].start <= as_at <= timed[0].end:
            note += f", not {timed[0].text} as written in the question"
        return LawDate(as_at, (as_at, as_at), f"on {day_text(as_at)}", note + ".")
    if not timed:
        return LawDate(period=first.period if first else None)
    if _CHANGES_A_CONTRACT.search(question):
        return LawDate(
            period=first.period if first else None,
            note="The question is about changing a contract, which is judged by the rules of "
            "the regime the contract was procured under (PCR 2015 reg. 72 or the Act's s. 74), "
            f"so the answer does not take the law as at {timed[0].text}.",
        )
    regimes = _regimes_over(library, timed)
    if len(regimes) > 1:
        written = " and ".join(dict.fromkeys(m.text for m in timed))
        return LawDate(
            period=first.period if first else None,
            note=f"The question names {written}: procurements commenced then fell under "
            f"different regimes ({' and '.join(regimes)}), so the answer gives today's law. "
            "To judge the law as at the day the procurement commenced, set the 'law as at' "
            "date.",
        )
    mention = timed[0]
    since = "" if mention.precision == "day" else f" (from {day_text(mention.start)})"
    return LawDate(
        mention.start,
        mention.period,
        mention.when(),
        f"The law is taken as at {mention.text}{since}, the date in the question; set the "
        "'law as at' date to judge it at another day.",
        from_question=True,
    )


def _regimes_over(library: Any, mentions: Sequence[DateMention]) -> list[str]:
    """The regimes (by the library's table) that the mentioned days fall under, in order."""
    tables = thresholds.library_tables(library) if library is not None else None
    names: dict[str, None] = {}
    for mention in mentions:
        for day in mention.period:
            row = tables.regime_on(day) if tables else None
            if row is not None:
                regime = row.cells["regime"]
                names[thresholds.REGIME_NAMES.get(regime, regime)] = None
    return list(names)
