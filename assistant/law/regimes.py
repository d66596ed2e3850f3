"""The regimes of UK public procurement law by name, and the words that name each one in a
question ("PCR", "reg. 31", "the Act", "Article 4"). A question that names a regime asks for
its passages, in force or not (`assistant.law.in_force`, `assistant.law.thresholds`)."""

from __future__ import annotations

import re

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
