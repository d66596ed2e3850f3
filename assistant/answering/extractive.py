"""Extractive answers: the direct answer first, then up to three supporting answer units
(`assistant.answering.units`) from the passages found, each followed by its source number; or an
honest abstention, saying what the library does not give."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answering.question import (
    DESCRIBED,
    FIGURES,
    STRICT,
    AnswerType,
    Question,
    carries,
    thesaurus,
)
from assistant.answering.units import Unit
from assistant.answering.verify import split_answer
from assistant.answering.weights import DEFAULT_WEIGHTS, ComposerWeights
from assistant.law.query import ACRONYMS
from assistant.text.citations import READABLE
from assistant.text.dates import date_mentions
from assistant.text.markers import MARKERS
from assistant.text.tokens import CITATION as _CITATION_SPAN
from assistant.text.tokens import STOPWORDS, citation_tokens, stems, tokenize
from assistant.types import Answer, Citation, Hit

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# Figures and dates in a question ("2028", "14/25", "£5m") must appear in the evidence.
_NUMBER = re.compile(r"\b\d+(?:[/.,]\d+)*\b")
_YEAR = re.compile(r"(19|20)\d\d")

_QUOTED = re.compile(r"^[\"“‘']")
_ABOUT_CLAIMS = re.compile(r"\b(myths?|misconceptions?|claims?|misunderstand\w*|wrong)\b", re.I)
_CALENDAR = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    *"Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split(),
}
ABSTAIN_TEXT = "The library does not cover this question well enough to give a cited answer."


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why we answer or abstain: the best passage's cosine and question terms unknown to the
    library (a named council, case or provision the library has never seen)."""

    best_cosine: float
    unknown_terms: tuple[str, ...]
    known_citations: tuple[str, ...] = ()

    def sufficient(self, threshold: float) -> bool:
        """A pinpoint the library holds ("reg 31(5)") is evidence even when the bare query
        embeds poorly; a named thing it has never seen is not."""
        if self.unknown_terms:
            return False
        return self.best_cosine >= threshold or bool(self.known_citations)


def assess(
    question: str,
    hits: Sequence[Hit],
    best_cosine: float,
    vocabulary: Mapping[str, int],
    weights: ComposerWeights = DEFAULT_WEIGHTS,
) -> Evidence:
    """Unknown terms count only when they name something: capitalised words (but the first,
    which is capitalised anyway) absent from the passages found, figures absent from them, and
    legal citations the library does not hold. Dates the question writes are context (the day
    the asker's notice went out), never a thing the library lacks."""
    evidence_text = " ".join(f"{h.chunk.title} {h.chunk.text}" for h in hits)
    evidence_terms = set(tokenize(evidence_text))
    unknown: list[str] = []
    for raw in _WORD.findall(question)[1:]:
        word = re.sub(r"['’]s$", "", raw)
        stem = tokenize(word)
        if not word[0].isupper() or not stem or word.lower() in STOPWORDS or word in _CALENDAR:
            continue
        if word in ACRONYMS:
            continue  # spelled out in the query ("CCN" -> contract change notice)
        rare = vocabulary.get(stem[0], 0) <= weights.rare_df
        if stem[0] not in vocabulary or (rare and stem[0] not in evidence_terms):
            unknown.append(word)
    plain = _CITATION_SPAN.sub(" ", question)
    for mention in date_mentions(plain):  # a date the asker writes ("on 20/2/25") is context
        plain = plain.replace(mention.text, " ")
    unknown += [
        n
        for n in _NUMBER.findall(plain)
        if len(n) > 1 and n not in evidence_text and not (_YEAR.fullmatch(n) and n in vocabulary)
    ]  # a year the library mentions is context ("let in 2019"), not a thing it lacks
    cited = citation_tokens(question)
    unknown += [t for t in cited if t not in vocabulary]
    known = tuple(t for t in cited if t in vocabulary)
    if not hits:
        return Evidence(0.0, tuple(dict.fromkeys(unknown)))
    return Evidence(best_cosine, tuple(dict.fromkeys(unknown)), known)


def _term_overlap(query_terms: frozenset[str] | set[str], sentence: str) -> float:
    if not query_terms:
        return 0.0
    return len(query_terms & stems(sentence)) / len(query_terms)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An answer unit of passage `rank` with its vector (that of its best-matching sentence)
    and its cosine with the query."""

    rank: int
    position: int
    unit: Unit
    vector: np.ndarray
    cosine: float
    heading: str = ""  # the passage's title and locator


def _novelty(question: Question, text: str) -> float:
    """Share of the unit's terms that the question does not already have: a sentence that only
    restates the question ("The CIP was set up in 2018") tells the asker little."""
    terms = stems(text)
    return len(terms - question.terms) / len(terms) if terms else 0.0


def unit_score(
    question: Question,
    candidate: Candidate,
    passage_names: frozenset[str],
    weights: ComposerWeights = DEFAULT_WEIGHTS,
) -> float:
    """Meaning first, then shared terms; then whether the unit carries what the question asks
    for (a date for "when", the items of a list) and is about the case it names."""
    unit, w = candidate.unit, weights
    score = w.cosine * candidate.cosine + w.terms * _term_overlap(question.topic_terms, unit.text)
    score += w.rank / (1 + candidate.rank)
    score += w.novel * _novelty(question, unit.text)
    kind = question.answer_type
    if (kind is AnswerType.LIST and unit.items) or carries(unit.text, kind, question.text):
        score += w.type
    if unit.announces and not unit.items:
        score -= w.dangling  # "... in one of two ways." without the ways
    if question.entities:
        words = thesaurus()
        named = passage_names | words.named(unit.text)
        if named & question.entities:
            score += w.entity
        cases = words.cases_of(question.entities)
        if named & words.cases and not named & cases:
            score -= w.other_case  # about Newport when the question asks about Leicestershire
    if question.regimes:
        said = thesaurus().regimes_named(unit.text) or thesaurus().regimes_named(candidate.heading)
        if said and not said & question.regimes:
            # with the regime stated for the day asked about, the other one's rules mislead
            score -= w.wrong_day if question.regime_fixed else w.other_regime
    if _QUOTED.match(unit.text) and not _ABOUT_CLAIMS.search(question.text):
        score -= w.quoted  # a quoted claim (a myth the passage then corrects) is no answer
    return score


def select_units(
    question: Question,
    candidates: Sequence[Candidate],
    names: Sequence[frozenset[str]],
    limit: int,
    df: Mapping[str, int] | None = None,
    weights: ComposerWeights = DEFAULT_WEIGHTS,
    uploads: frozenset[int] = frozenset(),
) -> list[int]:
    """Indices into `candidates`: the direct answer first, then up to `limit - 1` supporting
    units in order of relevance (maximal marginal relevance against those already chosen),
    none repeating one already chosen. `uploads`: the ranks of passages from the user's own
    documents (a unit there never counts as repeating the library's, nor the other way)."""
    if not candidates:
        return []
    scores = np.array([unit_score(question, c, names[c.rank], weights) for c in candidates])
    vectors = np.stack([c.vector for c in candidates])
    chosen: list[int] = []
    best = float(scores.max())
    anchors = question.anchors(df) if df else []
    chosen.append(_lead(question, candidates, scores, anchors, weights))
    while len(chosen) < limit:
        if chosen:
            redundancy = (vectors @ vectors[chosen].T).max(axis=1)
            mmr = scores - weights.mmr_lambda * np.clip(redundancy - 0.5, 0, None)
        else:
            mmr = scores.copy()
        mmr[chosen] = -np.inf
        while True:  # the best unit that repeats none already chosen (on its own side)
            pick = int(mmr.argmax())
            side = candidates[pick].rank in uploads
            shown = [candidates[k] for k in chosen if (candidates[k].rank in uploads) == side]
            if not np.isfinite(mmr[pick]) or not _repeats(
                candidates[pick], shown, weights.repeat_share
            ):
                break
            mmr[pick] = -np.inf
        if not np.isfinite(mmr[pick]) or (chosen and scores[pick] < weights.keep_ratio * best):
            break
        chosen.append(pick)
    return chosen


def _repeats(candidate: Candidate, chosen: Sequence[Candidate], share: float) -> bool:
    """Whether a supporting unit's words are mostly those of one unit already chosen (the
    same limit stated by a module and by the guide), with no figure that one lacks: it is
    left out for the next one. A unit stating another figure is a difference, not a repeat."""
    own = stems(candidate.unit.text)
    if not own:
        return False
    figures = {t for t in own if any(ch.isdigit() for ch in t)}
    for c in chosen:
        theirs = stems(c.unit.text)
        if figures <= theirs and len(own & theirs) >= share * len(own):
            return True
    return False


def _anchor_share(anchors: Sequence[tuple[frozenset[str], float]], text: str) -> float:
    """Rarity-weighted share of the question's anchor terms that `text` holds."""
    total = sum(w for _, w in anchors)
    if not total:
        return 0.0
    held = stems(text)
    return sum(w for related, w in anchors if held & related) / total


def _lead(
    question: Question,
    candidates: Sequence[Candidate],
    scores: np.ndarray,
    anchors: Sequence[tuple[frozenset[str], float]],
    weights: ComposerWeights = DEFAULT_WEIGHTS,
) -> int:
    """The direct answer: of the units scoring within `lead_ratio` of the best, one that states
    the wanted kind of figure or provision (or, for a list question, a list with its items),
    then one that holds what the question asks about (its anchor terms), then the best
    scoring."""
    kind = question.answer_type
    typed = kind in FIGURES or kind in (
        AnswerType.PROVISION,
        AnswerType.LIST,
        AnswerType.PERSON_OR_ORG,
    )
    floor = weights.lead_ratio * float(scores.max())
    near = [i for i in range(len(candidates)) if scores[i] >= floor]

    def key(i: int) -> tuple[bool, bool, float, float]:
        unit = candidates[i].unit
        share = _anchor_share(anchors, f"{unit.raw} {candidates[i].heading}")
        held = share >= weights.anchor_share
        return (
            typed and _states(unit, kind, question.text) and (kind is not AnswerType.LIST or held),
            held,
            round(share * 4) / 4,  # more of what is asked about, in quarters
            float(scores[i]),
        )

    pick = max(near, key=key)
    if typed and not key(pick)[0]:
        # none of the near-best states the figure: the best unit that states it for what the
        # question asks about leads, if it is not far behind
        stated = [
            i
            for i in range(len(candidates))
            if scores[i] >= weights.lead_typed_floor * float(scores.max()) and all(key(i)[:2])
        ]
        if stated:
            return max(stated, key=lambda i: float(scores[i]))
    return pick


def _states(unit: Unit, kind: AnswerType, asked: str) -> bool:
    """Whether `unit` states an answer of the kind asked for: a figure or provision of it, or,
    for a list question, the items of a list."""
    if kind is AnswerType.LIST:
        return unit.items >= 2
    return carries(unit.text, kind, asked)


_ITEM_BREAK = re.compile(r";\s+|\n")


def missing_type(
    question: Question,
    candidates: Sequence[Candidate],
    df: Mapping[str, int],
    weights: ComposerWeights = DEFAULT_WEIGHTS,
) -> str | None:
    """What the library does not give, or None. A question that asks for a kind of fact the
    library never holds (a salary, a phone number), or for a figure (a date, an amount) that
    no unit of the evidence states next to the question's own rarest terms, is not answered
    with figures about something else."""
    if question.not_held:
        return question.not_held
    if question.parts:
        # a question asking two things is answered if the evidence holds either: the part it
        # lacks is for the reader to see, not a reason to give nothing
        lacks = [missing_type(part, candidates, df, weights) for part in question.parts]
        return next((lack for lack in lacks if lack), None) if all(lacks) else None
    if question.paragraph_of:
        # "which paragraph of reg 31 deals with IPR?": a unit citing one of its paragraphs
        # beside what is asked about, or the library does not give it
        anchors = question.anchors(df)
        inside = f"{question.paragraph_of}_"
        pieces = [p for c in candidates for p in _ITEM_BREAK.split(c.unit.raw)]  # a list's items
        if not any(
            any(t.startswith(inside) for t in citation_tokens(piece))
            and (not anchors or _anchor_share(anchors, piece) >= weights.anchor_share)
            for piece in pieces
        ):
            part = "subsection" if question.paragraph_of.startswith("sec_") else "paragraph"
            return f"the {part} of {readable_citation(question.paragraph_of)} that says this"
    kind = question.answer_type
    if kind in STRICT and not any(carries(c.unit.text, kind) for c in candidates):
        return DESCRIBED[kind]
    if kind not in FIGURES:
        return None
    anchors = question.anchors(df)
    if not anchors:
        return None
    for c in candidates:
        held = _anchor_share(anchors, f"{c.unit.raw} {c.heading}") >= weights.anchor_share
        if held and carries(c.unit.text, kind, question.text):
            return None
    return f"{DESCRIBED[kind]} for what this question asks about"


# A unit that says the library's sources do not establish something ("What the letters E3M
# stand for is unconfirmed.", "..., which is not known").
_NOT_ESTABLISHED = re.compile(
    r"\b(unconfirmed|not confirmed|(is|are|was|were) not known|not publicly known"
    r"|no \w+(?: \w+)? (is|are|was|were) known|no known evidence|(sources|they) give no"
    r"|as unknown)\b",
    re.I,
)


def states_not_known(question: Question, lead: Candidate) -> bool:
    """Whether the direct answer only says that what is asked is not established: it says so
    and does not state the kind of fact asked for (a caveated figure, "about £1.9m ... is
    unconfirmed against the report", still answers a "how much")."""
    text = lead.unit.text
    if not _NOT_ESTABLISHED.search(text):
        return False
    kind = question.answer_type
    stated = kind in FIGURES or kind is AnswerType.PROVISION or kind is AnswerType.LIST
    return not (stated and (carries(text, kind, question.text) or bool(lead.unit.items)))


# A source's own bracketed numbers (footnotes, or a planted "[7]" / "[1, 2]") would read as
# answer citations, dangling or pointing at another source: the answer text drops them; the
# quote and the passage keep them. Same shape as the markers verify.py reads.


def cite(
    hits: Sequence[Hit], picks: Sequence[tuple[int, str] | tuple[int, str, str]]
) -> tuple[str, list[Citation]]:
    """Number sources in order of first use; every [n] in the text has its Citation. A pick
    is (passage rank, text to show) or (rank, text to show, the passage's own words to quote)."""
    numbers: dict[int, int] = {}
    quotes: dict[int, list[str]] = {}
    parts: list[str] = []
    for rank, sentence, *quote in picks:
        n = numbers.setdefault(rank, len(numbers) + 1)
        quotes.setdefault(rank, []).append(quote[0] if quote else sentence)
        shown = split_answer(MARKERS.sub("", sentence))
        parts.append(" ".join(f"{piece.strip()} [{n}]" for piece in shown if piece.strip()))
    citations = [
        Citation.of(hits[rank].chunk, n, hits[rank].score, "\n".join(quotes[rank]))
        for rank, n in numbers.items()
    ]
    return " ".join(parts), sorted(citations, key=lambda c: c.n)


_READABLE = READABLE  # search token -> locator abbreviation


def readable_citation(token: str) -> str:
    """'reg_31_5' -> 'reg. 31(5)'; other terms unchanged."""
    parts = token.split("_")
    if len(parts) < 2 or parts[0] not in _READABLE:
        return token
    return f"{_READABLE[parts[0]]} {parts[1]}" + "".join(f"({p})" for p in parts[2:])


def abstain(
    question: str, hits: Sequence[Hit], evidence: Evidence, lacking: str | None = None
) -> Answer:
    nearest = list(dict.fromkeys(f"{h.chunk.title} ({h.chunk.locator})" for h in hits))[:3]
    text = ABSTAIN_TEXT
    if lacking:
        text = f"The library does not give {lacking}."
    elif evidence.unknown_terms:
        named = [readable_citation(t) for t in evidence.unknown_terms[:5]]
        text += " It has nothing on: " + ", ".join(named) + "."
    if nearest:
        text += " The nearest passages are: " + "; ".join(nearest) + "."
    return Answer(question, text, (), True, {}, tuple(nearest))
