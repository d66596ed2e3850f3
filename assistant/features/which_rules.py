"""The "which rules apply?" helper: a start date and a kind of contract in, the regime and the
relevant provisions out, every statement cited from the library.

The only fact written here is the Procurement Act 2023's go-live date, and even that is shown
only with a library passage that states it. Everything else (thresholds, procedures, notices,
health care, modifications) is retrieved and cited by `Assistant.ask`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.answering.extractive import cite
from assistant.errors import AssistantError
from assistant.features.export import Block, ReferenceList, Report, to_markdown
from assistant.law.in_force import date_notes, prepend
from assistant.law.regimes import COMMENCEMENT, COMMENCEMENT_TEXT, PLAIN_NAMES, TITLES
from assistant.law.thresholds import MAIN_KINDS, lead_citations, library_tables, threshold_lead
from assistant.protocols import Asker
from assistant.text.dates import day_text
from assistant.text.sentences import split_sentences
from assistant.text.tokens import citation_tokens, tokenize
from assistant.types import Answer, Hit

REGIME_NAMES = {r: TITLES[r] for r in ("PCR2015", "PA2023")}  # the two this helper chooses from
# Kind of contract -> the words we search with (retrieval vocabulary, not statements of law).
CONTRACT_KINDS: dict[str, str] = {
    "Goods or services": "supply and services contracts",
    "Works": "works contracts",
    "Light touch services (social care, education, health-related)": "light touch services",
    "Innovation partnership (develop, then buy)": "an innovation partnership",
    "Health care services": "health care services",
    "Changing an existing contract": "modifying an existing contract",
}
# Kind of contract -> the contract kinds of the thresholds table (corpus/data/
# thresholds-by-date.md) its figures are read from. An innovation partnership, health care
# services or a change may concern any of the main kinds.
_GOODS = ("goods and services (central government)", "goods and services (sub-central)")
TABLE_KINDS: dict[str, tuple[str, ...]] = {
    "Goods or services": _GOODS,
    "Works": ("works",),
    "Light touch services (social care, education, health-related)": ("light touch",),
    "Innovation partnership (develop, then buy)": MAIN_KINDS,
    "Health care services": MAIN_KINDS,
    "Changing an existing contract": MAIN_KINDS,
}
# Extra questions for some kinds; {regime} is filled with the regime's plain name.
_EXTRA = {
    "Health care services": (
        "Provider Selection Regime",
        "When does the Provider Selection Regime apply to health care services?",
        False,
    ),
    "Changing an existing contract": (
        "Changing the contract",
        "When can a contract be modified without a new procurement under {regime}?",
        True,
    ),
    "Innovation partnership (develop, then buy)": (
        "The innovation partnership route",
        "How is an innovation partnership procured under {regime}?",
        True,
    ),
}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


@dataclass(frozen=True, slots=True)
class Finding:
    heading: str
    answer: Answer
    # for the law as at the start date: sources not in force then, figures that did not apply
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RegimeAdvice:
    start: date
    kind: str
    regime: str
    basis: Answer  # the cited passages that state the commencement rule
    findings: tuple[Finding, ...]

    @property
    def regime_name(self) -> str:
        return REGIME_NAMES[self.regime]

    def provisions(self) -> list[tuple[str, str, str]]:
        """(pinpoint, title, link) of every provision cited, in order, once each."""
        seen: dict[tuple[str, str], str] = {}
        for answer in [self.basis, *(f.answer for f in self.findings)]:
            for c in answer.citations:
                if c.doc_type == "regulation" and citation_tokens(c.locator):
                    seen.setdefault((c.locator, c.title), c.source_url)
        return [(loc, title, url) for (loc, title), url in seen.items()]

    def report(self) -> Report:
        """The advice as an exportable report with one numbered reference list."""
        return advice_report(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able data: the web app's /which_rules endpoint."""
        report = self.report()
        return {
            "regime": self.regime,
            "regime_name": self.regime_name,
            "markdown": to_markdown(report),
            "provisions": [{"pinpoint": p, "title": t, "url": u} for p, t, u in self.provisions()],
            "references": [
                {"n": r.n, "title": r.title, "locator": r.locator, "url": r.url}
                for r in report.references
            ],
        }


def parse_start_date(value: str | date | datetime | float | None) -> date:
    """A date from the form: ISO 'YYYY-MM-DD', UK '24/02/2025' or '24 February 2025'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).date()
    text = (value or "").strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    raise AssistantError("Enter the start date as YYYY-MM-DD, for example 2025-03-01.")


def regime_for(start: date) -> str:
    return "PA2023" if start >= COMMENCEMENT else "PCR2015"


def which_rules_apply(assistant: Asker, start: date | str, kind: str) -> RegimeAdvice:
    """The regime for a procurement commenced on `start`, and the cited rules for `kind`."""
    start = parse_start_date(start)
    if kind not in CONTRACT_KINDS:
        raise AssistantError(f"Choose a kind of contract: {', '.join(CONTRACT_KINDS)}.")
    regime = regime_for(start)
    basis = _commencement_basis(assistant, regime)
    findings = []
    for heading, question, filters in _questions(kind, regime):
        answer: Answer | None = None
        notes: list[str] = []
        if heading == "Thresholds":
            answer, notes = _thresholds_on(assistant, question, start, kind)
        answer = answer or assistant.ask(question, filters)
        notes += date_notes(answer, assistant.library, start)
        findings.append(Finding(heading, answer, tuple(dict.fromkeys(notes))))
    return RegimeAdvice(start, kind, regime, basis, tuple(findings))


def _thresholds_on(
    assistant: Asker, question: str, start: date, kind: str
) -> tuple[Answer | None, list[str]]:
    """The figures in force on `start` for `kind`, each cited to its row of the library's
    thresholds table (or stated to be unverified for that day); None without such a table.
    A start after today gets today's figures, with a note saying so."""
    today = date.today()
    day = min(start, today)
    tables = library_tables(assistant.library)
    # the regime is the one in force on the day: the lookup is given no words that name one
    kinds = TABLE_KINDS.get(kind, MAIN_KINDS)
    lead = threshold_lead(tables, "", day, day, today, kinds, regime_first=True)
    if lead is None:
        return None, []
    answer = prepend(Answer(question, "", (), False), lead_citations(lead))
    if start <= today:
        return answer, []
    return answer, [
        f"The start date, {day_text(start)}, is after today: these are the figures in force "
        "today. Check that they still apply on the start date."
    ]


def _questions(kind: str, regime: str) -> list[tuple[str, str, dict[str, list[str]]]]:
    words, name = CONTRACT_KINDS[kind], PLAIN_NAMES[regime]
    only = {"regime": [regime]}
    asked = [
        ("Thresholds", f"What is the threshold amount for {words} under {name}?", only),
        (
            "Procedure",
            f"Which competitive tendering procedures can be used for {words} under {name}?",
            only,
        ),
        (
            "Award notices and standstill",
            f"What award notice and standstill apply under {name}?",
            only,
        ),
    ]
    if kind in _EXTRA:
        heading, question, scoped = _EXTRA[kind]
        asked.insert(0, (heading, question.format(regime=name), only if scoped else {}))
    return asked


def _commencement_basis(assistant: Asker, regime: str) -> Answer:
    """Cite the library's own statement of the go-live rule for this side of the date."""
    side = "before" if regime == "PCR2015" else "on or after"
    question = (
        f"Which rules apply to a procurement commenced {side} {COMMENCEMENT_TEXT}: "
        f"{REGIME_NAMES['PCR2015']} or {REGIME_NAMES['PA2023']}?"
    )
    hits = assistant.library.search(question, None, 12)
    picks = _date_sentences(hits, question, side)
    if not picks:
        raise AssistantError(
            f"The library holds no passage stating the {COMMENCEMENT_TEXT} commencement rule, "
            "so the helper cannot cite which rules apply; ingest the corpus first."
        )
    text, citations = cite(hits, picks)
    return Answer(question, text, tuple(citations), False)


def _date_sentences(hits: Sequence[Hit], question: str, side: str) -> list[tuple[int, str]]:
    """Up to two sentences stating the commencement date, best matching the question first."""
    terms = set(tokenize(question)) | set(tokenize(side))
    scored = []
    for rank, hit in enumerate(hits):
        for sentence in split_sentences(hit.chunk.text):
            if COMMENCEMENT_TEXT not in sentence:
                continue
            overlap = len(terms & set(tokenize(sentence)))
            on_side = bool(re.search(rf"\b{side}\b", sentence))
            scored.append((-on_side, -overlap, rank, sentence))
    scored.sort()
    chosen: list[tuple[int, str]] = []
    for *_, rank, sentence in scored:
        if sentence not in (s for _, s in chosen):
            chosen.append((rank, sentence))
        if len(chosen) == 2:
            break
    return chosen


def advice_report(advice: RegimeAdvice) -> Report:
    """The advice as an exportable report with one numbered reference list."""
    refs = ReferenceList()
    blocks = [
        Block("heading", "Regime"),
        Block(
            "paragraph",
            f"By its start date alone, a procurement commenced on {advice.start:%d %B %Y} "
            f"falls under the {advice.regime_name}.",
        ),
        Block("paragraph", refs.renumber(advice.basis.text, advice.basis.citations)),
    ]
    for finding in advice.findings:
        blocks.append(Block("heading", finding.heading))
        blocks.append(
            Block("paragraph", refs.renumber(finding.answer.text, finding.answer.citations))
        )
        blocks.extend(
            Block("bullet", "Note: " + refs.renumber(note, finding.answer.citations))
            for note in finding.notes
        )
    provisions = advice.provisions()
    if provisions:
        blocks.append(Block("heading", "Provisions cited"))
        blocks.extend(Block("bullet", f"{loc} — {title}") for loc, title, _ in provisions)
    title = f"Which rules apply: {advice.kind}, {advice.start:%d %b %Y}"
    return Report(title, tuple(blocks), tuple(refs.references), advice.regime_name)
