"""Citation verification for any answer text, from any backend.

Each sentence of an answer is checked against the sources it cites: its best embedding
similarity with a sentence of the source plus the share of its key terms the source holds,
and every number and date in it must appear in the source exactly. Citations to sources that
do not exist are removed; a claim its citations do not support is re-cited to a source that
does, or flagged `[unverified]` and listed in `unsupported`. Citations end up numbered in
order of first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.answering.facts import Facts, SourceFacts, key_terms, stated
from assistant.answering.weights import DEFAULT_SUPPORT, SupportRule
from assistant.text.markers import MARKERS, map_markers, numbers_in
from assistant.text.sentences import ABBREVIATIONS, split_sentences

Embed = Callable[[list[str]], np.ndarray]  # texts -> one row per text

# How much support a claim needs is the SupportRule (settings support_*). Checked by
# bench/verify_extractive.py on the shipped model and the question set: verbatim sentences
# score 1.0; cited to a passage of another document, 1.7% pass; with one figure changed, 84%
# are caught (bench/results/verification.json).
# A sentence with fewer key terms (a heading, "In short:") states nothing to check.
MIN_CLAIM_TERMS = 3
FLAG = "[unverified]"

_BOUNDARY = re.compile(
    r"[.!?][\"'”’)]*(?:\s*\[[\d,;\s–-]{1,20}\])*(?:\s+(?=[\"'“‘(£*]?[A-Z0-9]))|\n+"
)
_ABBREV = re.compile(rf"\b({ABBREVIATIONS})$", re.IGNORECASE)
_LIST_PREFIX = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|#+)\s+")


@dataclass(frozen=True, slots=True)
class Source:
    """A numbered source as the answer cites it."""

    n: int
    text: str
    title: str = ""
    locator: str = ""


@dataclass(frozen=True, slots=True)
class SentenceCheck:
    """One sentence of the answer as verified."""

    sentence: str  # as it stands in the verified text (markers renumbered, no flag)
    claim: bool  # states something to check (not a heading, a question or filler)
    supported: bool
    cited: tuple[int, ...]  # original source numbers it cites after verification
    score: float
    note: str = ""  # "", "re-cited", "cited added", "numbers", "weak", "uncited"


@dataclass(frozen=True, slots=True)
class Verification:
    text: str
    checks: tuple[SentenceCheck, ...]
    dangling: tuple[int, ...]  # citation numbers removed: no such source
    numbering: dict[int, int]  # original source number -> number in the verified text
    quotes: dict[int, tuple[str, ...]] = field(default_factory=dict)  # source n -> sentences

    @property
    def unsupported(self) -> tuple[str, ...]:
        return tuple(c.sentence for c in self.checks if c.claim and not c.supported)

    @property
    def claims(self) -> int:
        return sum(c.claim for c in self.checks)

    @property
    def supported(self) -> int:
        return sum(c.claim and c.supported for c in self.checks)


def split_answer(text: str) -> list[str]:
    """Sentences (with their [n] markers and trailing space) whose concatenation is `text`."""
    pieces, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if match.group(0)[0] == "." and _ABBREV.search(text[start : match.start()]):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def claim_text(sentence: str) -> str:
    """The sentence without markers, list bullets or emphasis."""
    plain = MARKERS.sub("", sentence).replace("**", "").replace(FLAG, "")
    return _LIST_PREFIX.sub("", plain).strip()


def is_claim(claim: str) -> bool:
    stripped = claim.rstrip("\"'”’) ")
    if not stripped or stripped.endswith(("?", ":")):
        return False
    return len(key_terms(claim)) >= MIN_CLAIM_TERMS


@dataclass
class _Prepared:
    """Per-source data computed once: sentences, their vectors, terms and facts."""

    sentences: list[str]
    vectors: np.ndarray
    terms: set[str]
    facts: SourceFacts


def _normalised(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


def _prepare(sources: Sequence[Source], embed: Embed) -> dict[int, _Prepared]:
    per_source = {s.n: split_sentences(s.text) or [s.text] for s in sources}
    flat = [t for texts in per_source.values() for t in texts]
    vectors = _normalised(embed(flat)) if flat else np.zeros((0, 1), np.float32)
    out, at = {}, 0
    for s in sources:
        texts = per_source[s.n]
        terms = key_terms(f"{s.title} {s.locator} {s.text}")
        facts = SourceFacts.of(s.text, s.title, s.locator)
        out[s.n] = _Prepared(texts, vectors[at : at + len(texts)], terms, facts)
        at += len(texts)
    return out


def _support(
    vector: np.ndarray, terms: set[str], facts: Facts, chosen: list[_Prepared], rule: SupportRule
) -> tuple[float, bool]:
    """(score, numbers and dates all found) of a claim against the union of `chosen`."""
    if not chosen:
        return 0.0, False
    cosine = max(float((p.vectors @ vector).max()) if len(p.vectors) else 0.0 for p in chosen)
    union = set().union(*(p.terms for p in chosen))
    overlap = len(terms & union) / len(terms) if terms else 0.0
    return rule.cosine * cosine + rule.terms * overlap, stated(
        facts, terms, [p.facts for p in chosen]
    )


def _best_quote(vector: np.ndarray, prepared: _Prepared) -> str:
    return prepared.sentences[int((prepared.vectors @ vector).argmax())]


def _append(sentence: str, addition: str) -> str:
    """`addition` before the sentence's closing punctuation, keeping trailing space."""
    body = sentence.rstrip()
    end = re.search(r"[.!?][\"'”’)]*$", body)
    cut = end.start() if end else len(body)
    return f"{body[:cut].rstrip()} {addition}{body[cut:]}{sentence[len(body) :]}"


def _flag(sentence: str) -> str:
    body = sentence.rstrip()
    return f"{body} {FLAG}{sentence[len(body) :]}"


def _check(
    vector: np.ndarray,
    claim: str,
    valid: list[int],
    prepared: dict[int, _Prepared],
    rule: SupportRule,
) -> tuple[bool, list[int], float, str]:
    """(supported, sources it cites now, score, note): its own citations first, then the best
    single source for a claim they do not support."""
    terms, facts = key_terms(claim), Facts.of(claim)
    score, note = 0.0, "uncited"
    if valid:
        score, exact = _support(vector, terms, facts, [prepared[n] for n in valid], rule)
        if exact and score >= rule.minimum:
            return True, valid, score, ""
        note = "weak" if exact else "numbers"
    ranked = sorted(
        (
            (*_support(vector, terms, facts, [p], rule), n)
            for n, p in prepared.items()
            if n not in valid
        ),
        key=lambda r: (r[1], r[0]),
        reverse=True,
    )
    if ranked and ranked[0][1] and ranked[0][0] >= rule.minimum:
        return True, [ranked[0][2]], ranked[0][0], "re-cited" if valid else "cited added"
    return False, valid, score, note


def verify(
    text: str, sources: Sequence[Source], embed: Embed, rule: SupportRule = DEFAULT_SUPPORT
) -> Verification:
    """Check every sentence of `text` against the sources it cites (see the module doc)."""
    prepared = _prepare(sources, embed)
    pieces = split_answer(text.replace(f" {FLAG}", ""))  # re-verifying gives the same text
    claims = [claim_text(p) for p in pieces]
    wanted = [c for c in claims if is_claim(c)]
    vectors = iter(_normalised(embed(wanted)) if wanted else ())
    dangling: list[int] = []
    rows: list[_Row] = []
    quotes: dict[int, list[str]] = {}
    for piece, claim in zip(pieces, claims, strict=True):
        cited = [n for m in MARKERS.finditer(piece) for n in numbers_in(m.group(1))]
        valid = list(dict.fromkeys(n for n in cited if n in prepared))
        dangling += [n for n in cited if n not in prepared]
        kept = map_markers(piece, lambda n: n if n in prepared else None)
        if not is_claim(claim):
            rows.append((kept, False, True, valid, 0.0, ""))
            continue
        vector = next(vectors)
        supported, final, score, note = _check(vector, claim, valid, prepared, rule)
        if final != valid:
            kept = _append(map_markers(piece, lambda n: None), "".join(f"[{n}]" for n in final))
        for n in final if supported else ():
            quotes.setdefault(n, []).append(_best_quote(vector, prepared[n]))
        rows.append((kept, True, supported, final, score, note))
    return _assemble(rows, dangling, quotes)


# (sentence, is a claim, supported, sources cited, score, note), before renumbering
_Row = tuple[str, bool, bool, list[int], float, str]


def _assemble(rows: list[_Row], dangling: list[int], quotes: dict[int, list[str]]) -> Verification:
    """Renumber citations by first use, flag unsupported claims, join the text again."""
    numbering = _first_use(r[0] for r in rows)
    checks, out = [], []
    for kept, claim, supported, final, score, note in rows:
        renumbered = map_markers(kept, numbering.get)
        out.append(renumbered if supported or not claim else _flag(renumbered))
        checks.append(
            SentenceCheck(renumbered.strip(), claim, supported, tuple(final), round(score, 4), note)
        )
    quoted = {n: tuple(dict.fromkeys(q)) for n, q in quotes.items()}
    return Verification("".join(out).strip(), tuple(checks), tuple(dangling), numbering, quoted)


def _first_use(pieces: Iterable[str]) -> dict[int, int]:
    """Original source number -> its number in order of first use."""
    numbering: dict[int, int] = {}
    for piece in pieces:
        for match in MARKERS.finditer(piece):
            for n in numbers_in(match.group(1)):
                numbering.setdefault(n, len(numbering) + 1)
    return numbering


def has_citations(text: str) -> bool:
    return bool(MARKERS.search(text))
