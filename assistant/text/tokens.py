"""The words BM25 and the answer composer see: lowercased tokens, legal-citation tokens
("reg. 31(5)" -> "reg_31", "reg_31_5"), stopwords and stems. The BM25 index over
them is `assistant.index.bm25`."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from assistant.text.citations import TOKEN, kind_of

_WORD = re.compile(r"[a-z0-9£]+(?:['’][a-z]+)?")
# "reg. 31(5)", "regulation 31", "s.20(2)(b)", "section 20", "Sch 5 para 2", "Art. 31(6)";
# not a possessive "s" ("Barnardo's 3 roles" is not section 3).
CITATION = re.compile(
    r"(?<!['’])\b(?P<kind>regulations?|regs?|sections?|ss?|schedule|sch|articles?|art)\.?\s*"
    r"(?P<num>\d{1,3}[a-z]?)\b(?P<groups>(?:\(\w{1,4}\))*)",
    re.IGNORECASE,
)
STOPWORDS = frozenset(
    """
    a an and are as at be by can could did do does for from had has have how i if in into is
    it its may me might must my no not of on or our should so such than that the their them
    then there these they this those to was we were what when where which who whom why will
    with would you your about after also any been before being between both each further here
    more most other over same some under until up very
    """.split()
)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def citation_tokens(text: str) -> list[str]:
    """'reg. 31(5)' -> ['reg_31', 'reg_31_5']: exact pinpoints become searchable terms."""
    tokens: list[str] = []
    for match in CITATION.finditer(text):
        base = f"{TOKEN[kind_of(match['kind'])]}_{match['num'].lower()}"
        tokens.append(base)
        groups = re.findall(r"\((\w+)\)", match["groups"] or "")
        for depth in range(1, len(groups) + 1):
            tokens.append(base + "_" + "_".join(g.lower() for g in groups[:depth]))
    return tokens


def tokenize(text: str) -> list[str]:
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]
    return _stemmer().stemWords(words) + citation_tokens(text)


@lru_cache(maxsize=65536)  # answer units and headings recur across questions
def stems(text: str) -> frozenset[str]:
    """The set of `tokenize(text)`."""
    return frozenset(tokenize(text))
