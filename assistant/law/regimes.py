"""The regimes of UK public procurement law: their names, the day the Procurement Act 2023
took over, and the words that name each one in a question ("PCR", "reg. 31", "the Act",
"Article 4"). A question that names a regime asks for its passages, in force or not
(`assistant.law.in_force`, `assistant.law.thresholds`). The one home of these names and this
date: the thresholds tables, the "which rules apply?" helper, the query spell-outs and the
prompts all read them here."""

from __future__ import annotations

import re
from datetime import date

# Regime id (as the corpus's front matter and data tables write it) -> its title.
TITLES = {
    "PCR2006": "Public Contracts Regulations 2006",
    "PCR2015": "Public Contracts Regulations 2015",
    "PA2023": "Procurement Act 2023",
}
# Names without figures: the answer composer treats a figure in a question as a fact the
# passages must contain, and "2015" is not in every relevant passage.
PLAIN_NAMES = {"PCR2015": "the Public Contracts Regulations", "PA2023": "the Procurement Act"}
# SI 2024/716 reg. 5 as amended by SI 2024/959: the main provisions of the Procurement Act 2023
# took effect on 24 February 2025; procurements commenced before it stay under PCR 2015.
COMMENCEMENT = date(2025, 2, 24)
COMMENCEMENT_TEXT = "24 February 2025"

# Regimes a question names: their passages are what was asked for, in force or not.
NAMED_REGIMES = {
    "PCR2015": re.compile(
        r"\bPCR\b|Public Contracts Regulations|\b2015 Regulations|\breg(?:ulation)?s?\.? ?\d"
        # procedures only the 2015 Regulations (and the Directive) define
        r"|innovation partnership|light touch regime|\bLTR\b|competitive dialogue|\bCPN\b"
        r"|competitive procedure with negotiation|restricted procedure|\bOJEU\b",
        re.I,
    ),
    "PA2023": re.compile(r"Procurement Act|\bPA ?2023\b|\bthe Act\b|\bs(?:ection)?s?\.? ?\d", re.I),
    "EU2014": re.compile(r"\bDirective\b|\bArt(?:icle)?s?\.? ?\d|innovation partnership", re.I),
}


def named_regimes(question: str) -> set[str]:
    return {regime for regime, pattern in NAMED_REGIMES.items() if pattern.search(question)}
