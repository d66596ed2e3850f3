"""Legal query normalisation: spell out the abbreviations practitioners type, so both the
dense and the BM25 retriever see the words the library uses."""

from __future__ import annotations

import re

from assistant.law.regimes import TITLES

# Acronyms (matched case-sensitively as whole words) -> the words the library uses.
ACRONYMS = {
    "PCR": TITLES["PCR2015"],
    "PA": TITLES["PA2023"],
    "LTR": "light touch regime",
    "CIP": "Children's Innovation Partnership",
    "LAC": "looked after children",
    "CFP": "competitive flexible procedure",
    "CPN": "competitive procedure with negotiation",
    "PME": "preliminary market engagement",
    "CAN": "contract award notice",
    "CDN": "contract details notice",
    "CCN": "contract change notice",
    "LA": "local authority",
    "LAs": "local authorities",
    "IP": "innovation partnership",
    "LT": "light touch",
    "PIN": "prior information notice",
    "NPPS": "National Procurement Policy Statement",
    "PRU": "Procurement Review Unit",
    "PSR": "Provider Selection Regime",
    "RCC": "Regional Care Cooperative",
    "RCCs": "Regional Care Cooperatives",
    "MEAT": "most economically advantageous tender",
    "IPR": "intellectual property rights",
    "VCSE": "voluntary, community and social enterprise",
    "SME": "small and medium-sized enterprises",
    "CMA": "Competition and Markets Authority",
    "DfE": "Department for Education",
    "LCC": "Leicestershire County Council",
    "FTS": "Find a Tender",
    "CF": "Contracts Finder",
    "PSM": "public service mutual",
    "PSMs": "public service mutuals",
    "DPS": "dynamic purchasing system",
    "HAF": "Holiday Activities and Food",
    "OJEU": "Official Journal of the European Union",
    "MSP": "Most Suitable Provider",
    "SSWbA": "Social Services and Well-being (Wales) Act 2014",
    "ICB": "integrated care board",
    "ICBs": "integrated care boards",
    "TN": "transparency notice",
    "PTN": "procurement termination notice",
    "DA": "direct award",
    "CN": "contract notice",
    "CD": "competitive dialogue",
    "ITT": "invitation to tender (tender documents)",
    "SQ": "selection questionnaire (conditions of participation)",
    "PQQ": "pre-qualification questionnaire (selection)",
    "CYP": "children and young people",
}
# "reg 31(5)" / "s20(2)" / "Sch 5 para 2" -> the library's own spelling.
_PROVISIONS = [
    (re.compile(r"\bregs?\.?\s*(?=\d)", re.I), "regulation "),
    (re.compile(r"\bss?\.\s*(?=\d)"), "section "),
    (re.compile(r"\bsec\.?\s*(?=\d)", re.I), "section "),
    (re.compile(r"\bsch\.?\s*(?=\d)", re.I), "Schedule "),
    (re.compile(r"\bpara\.?\s*(?=\d)", re.I), "paragraph "),
    (re.compile(r"\bart\.?\s*(?=\d)", re.I), "Article "),
]
_ACRONYM = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, ACRONYMS), key=len, reverse=True)) + r")\b"
)


def spell_out(text: str) -> str:
    """`text` with each acronym replaced by the words the library uses ("the CF notice" ->
    "the Contracts Finder notice"), for matching a question's terms against passages."""
    return _ACRONYM.sub(lambda m: ACRONYMS[m.group(0)], text)


def normalise_query(query: str) -> str:
    """The query with provision abbreviations spelled out and acronyms expanded in brackets
    (the acronym itself is kept, since the library uses both)."""
    text = query
    for pattern, replacement in _PROVISIONS:
        text = pattern.sub(replacement, text)
    expansions = list(dict.fromkeys(ACRONYMS[m] for m in _ACRONYM.findall(query)))
    missing = [e for e in expansions if e.lower() not in text.lower()]
    return f"{text} ({'; '.join(missing)})" if missing else text
