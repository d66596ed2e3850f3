"""What a question asks for: the expected answer type ("when" wants a date, "how long" a
duration), the cases it names, and its terms widened by the domain thesaurus
(`assistant/data/thesaurus.yaml`). The answer composer prefers a sentence that carries the
expected type and names the same case; the patterns for both live here, in one place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources

import yaml

from assistant.law.query import spell_out
from assistant.text.tokens import CITATION, citation_tokens, tokenize


class AnswerType(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"
    DURATION = "duration"
    MONEY = "money"
    PERCENTAGE = "percentage"
    COUNT = "count"
    FREQUENCY = "frequency"
    PROVISION = "provision"
    PERSON_OR_ORG = "person_or_org"
    REASON = "reason"
    PROCEDURE = "procedure"
    LIST = "list"
    YES_NO = "yes_no"
    DEFINITION = "definition"
    OTHER = "other"


_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty)"
)
_UNIT = r"(?:day|week|month|year|hour)s?"
# Question cues, tried in this order: the first that matches names the type.
_ASKS: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.PHONE, re.compile(r"\b(phone|telephone|tel\.?|mobile|contact number|ring)\b")),
    (AnswerType.EMAIL, re.compile(r"\be-?mail address|\bcontact details\b")),
    (AnswerType.PERCENTAGE, re.compile(r"\b(percent(age)?|per cent|proportion|what share)\b|%")),
    (
        AnswerType.PROVISION,
        re.compile(
            r"\b(which|what) (regulation|reg|section|provision|schedule|article|part|rule|"
            r"paragraph|para|subsection|limb|bit of|power|ground)s?\b|\bunder (which|what)\b"
            r"|\bwhere in the\b|\bpinpoints?\b|\bwhere (is|are) (it|they|that|this)\b"
            r"|\bwhere (is|are) [^?]{0,40}\b(listed|set out|defined)\b"
            r"|\b(which|what) (si|statutory instrument|instrument|act|order|regs)\b"
        ),
    ),
    (
        AnswerType.DURATION,
        re.compile(
            rf"\bhow long\b|\bhow many {_UNIT}\b|\b(time limit|minimum period|standstill period"
            r"|notice period|period of notice|min(imum)? time|min period|term of|length|duration)\b"
            r"|\bhow (soon|quickly)\b|\bminimum window\b|\bhow far (ahead|in advance)\b"
        ),
    ),
    (
        # a date asked for by name outranks a money word in the question ("the SI 2024/716
        # saving for PINs - what's the cut-off date?")
        AnswerType.DATE,
        re.compile(
            r"\bwhat (date|year|day)\b|\bwhich (date|year)\b|\bwhat(?:'s| is| was| were)? "
            r"(the )?(cut-?off|closing|start|end|expiry|go-?live) date\b"
        ),
    ),
    (
        AnswerType.MONEY,
        re.compile(
            r"\bhow much\b|\b(worth|value|cost|costs|budget|threshold|thresholds|savings?"
            r"|funding|grant|salary|salaries|fee|fees|spend)\b|£"
        ),
    ),
    (
        AnswerType.DATE,
        re.compile(
            r"\bwhen (did|was|were|will|has|have|had)\b|^\W*(and |so |but )?when\b(?! (is|are|does|"
            r"do|can|must|should|may)\b)|\bwhat (date|year|day)\b|\bwhich (date|year)\b"
            r"|\b(cut-?off|closing|start|end|expiry|go-?live) date\b"
        ),
    ),
    (AnswerType.COUNT, re.compile(r"\bhow many\b(?! times (a|per|each)\b)|\bnumber of\b")),
    (
        AnswerType.FREQUENCY,
        re.compile(r"\bhow (often|frequently)\b|\bhow many times (a|per|each)\b"),
    ),
    (
        AnswerType.PERSON_OR_ORG,
        re.compile(
            # "who" opening a clause asks for someone; "a bidder who was involved" does not
            r"^\W*(and )?who\b|(^|[,;:?-]\s*|\b(and|but|so|then|me|know|out)\s+)who (won|was|is"
            r"|were|are|did|ran|led|advised)\b|\bwhich (\w+ )?"
            r"(firm|organisation|company|charity|council|body|partner|provider|supplier)s?\b"
        ),
    ),
    (AnswerType.REASON, re.compile(r"\bwhy\b|\bwhat was the reason\b|\bthe rationale\b")),
    (
        AnswerType.PROCEDURE,
        re.compile(r"\bhow (do|does|should|can|could|would|did|to)\b|\bwhat steps\b|\bprocess\b"),
    ),
    (
        AnswerType.LIST,
        re.compile(
            r"\bwhat (are|were) the\b|\b(list|priorities|objectives|conditions|grounds|options"
            r"|requirements|criteria|steps|stages|phases|lessons|enablers|barriers)\b"
            r"|\b(what|which) (\w+ ){0,2}(procedures|notices|codes|bits|things|routes|exemptions"
            r"|documents|duties|types|kinds)\b"
        ),
    ),
    (
        AnswerType.YES_NO,
        re.compile(
            r"^\W*(and |so |but )?(can|could|may|must|do|does|did|is|are|was|were|should|has"
            r"|have|will|would)\b"
        ),
    ),
    (AnswerType.DEFINITION, re.compile(r"\bwhat (is|are|does)\b|\bmean(s|ing)?\b|\bdefin")),
]
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# What a sentence must contain to carry an answer of the type.
_CARRIES: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.PHONE: re.compile(r"(\+44|\b0\d{2,4})[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    AnswerType.EMAIL: re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b"),
    AnswerType.PERCENTAGE: re.compile(r"\d\s*%|\bper ?cent\b", re.I),
    AnswerType.DURATION: re.compile(
        rf"\b(\d+|{_NUMBER_WORD})[\s-]+(working[\s-]+|calendar[\s-]+)?{_UNIT}\b", re.I
    ),
    AnswerType.MONEY: re.compile(r"[£€$]\s?\d|\b\d+(\.\d+)?\s?(m|bn|k)\b|\bmillion\b", re.I),
    AnswerType.DATE: re.compile(
        rf"\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}\b|\b{_MONTH},?\s+\d{{4}}\b"
        r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
        re.I,
    ),
    AnswerType.COUNT: re.compile(rf"\b\d+\b|\b{_NUMBER_WORD}\b|\bboth\b", re.I),
    AnswerType.FREQUENCY: re.compile(
        r"\b(every|each|per|a|once a|twice a) (\w+ )?(year|month|week|quarter|day)s?\b"
        r"|\b(annual(ly)?|yearly|monthly|quarterly|weekly|daily|biennial(ly)?)\b"
        r"|\b(once|twice) (a|an|in|every|each|per)\b|\beach \w+-(year|month|week) period\b",
        re.I,
    ),
    AnswerType.PROVISION: CITATION,
}
# Types whose answer is a figure or a contact detail: a sentence without one cannot answer.
STRICT = frozenset({AnswerType.PHONE, AnswerType.EMAIL})
FIGURES = frozenset(
    {
        AnswerType.DATE,
        AnswerType.DURATION,
        AnswerType.MONEY,
        AnswerType.PERCENTAGE,
        AnswerType.COUNT,
        AnswerType.FREQUENCY,
    }
)
# How the abstention names what is missing.
DESCRIBED = {
    AnswerType.PHONE: "phone numbers or other contact details",
    AnswerType.EMAIL: "email addresses or other contact details",
    AnswerType.DATE: "a date",
    AnswerType.DURATION: "a period",
    AnswerType.MONEY: "an amount",
    AnswerType.PERCENTAGE: "a percentage",
    AnswerType.COUNT: "a number",
    AnswerType.FREQUENCY: "how often",
}


@dataclass(frozen=True, slots=True)
class Thesaurus:
    groups: tuple[tuple[str, ...], ...]
    entities: dict[str, tuple[str, ...]]
    spellings: dict[str, str]
    not_held: dict[str, tuple[str, ...]]
    cases: frozenset[str] = frozenset()
    default_case: str = ""
    attributes: tuple[str, ...] = ()
    regimes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    alternatives: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def load(cls, text: str) -> Thesaurus:
        data = yaml.safe_load(text) or {}
        groups = tuple(tuple(str(p).lower() for p in g) for g in data.get("synonyms") or [])
        entities = {
            str(name): tuple(str(a).lower() for a in aliases)
            for name, aliases in (data.get("entities") or {}).items()
        }
        spellings = {str(k).lower(): str(v) for k, v in (data.get("spellings") or {}).items()}
        not_held = {
            str(kind): tuple(str(w).lower() for w in words)
            for kind, words in (data.get("not_held") or {}).items()
        }
        for group in groups:
            if len(group) < 2:
                raise ValueError(f"thesaurus group {group!r} needs at least two phrases")
        cases = frozenset(str(c) for c in data.get("cases") or [])
        default = str(data.get("default_case") or "")
        unknown = (cases | ({default} if default else set())) - set(entities)
        if unknown:
            raise ValueError(f"thesaurus cases {sorted(unknown)} are not entities")
        attributes = tuple(str(a).lower() for a in data.get("attributes") or [])
        regimes = {
            str(name): tuple(str(a).lower() for a in aliases)
            for name, aliases in (data.get("regimes") or {}).items()
        }
        alternatives = tuple(
            tuple(str(p).lower() for p in g) for g in data.get("alternatives") or []
        )
        return cls(
            groups, entities, spellings, not_held, cases, default, attributes, regimes, alternatives
        )

    def cases_of(self, names: frozenset[str]) -> frozenset[str]:
        """The cases a question naming `names` is about (the default case when it names a
        partner but no case)."""
        named = names & self.cases
        if named or not names or not self.default_case:
            return named
        return frozenset({self.default_case})

    def asks_for_not_held(self, text: str) -> str | None:
        """The kind of fact the library never holds that `text` asks for, if any."""
        low = f" {_words(text)} "
        for kind, words in self.not_held.items():
            if any(f" {_words(w)} " in low for w in words):
                return kind
        return None

    def related(self, stem: str) -> frozenset[str]:
        """`stem` and the stems of every phrase in a group with it ("last" -> "term")."""
        out = {stem}
        for group in _group_stems(self.groups):
            if any(stem in s for s in group):
                out |= set().union(*group)
        return frozenset(out)

    def expansions(self, text: str) -> list[str]:
        """Phrases of every group that `text` uses, other than those it already has."""
        low = f" {_words(text)} "
        out: list[str] = []
        for group in self.groups:
            if any(f" {_words(p)} " in low for p in group):
                out += [p for p in group if f" {_words(p)} " not in low]
        return list(dict.fromkeys(out))

    def concepts(self, text: str) -> tuple[tuple[str, ...], ...]:
        """Every group whose phrases `text` uses, whole: search scores each as one term."""
        low = f" {_words(text)} "
        return tuple(
            tuple(group) for group in self.groups if any(f" {_words(p)} " in low for p in group)
        )

    def without_regimes(self, text: str) -> str:
        """`text` less the names of regimes ("the standstill period under the Procurement Act
        2023" -> "the standstill period under"): a regime a question names is a condition on
        the answer, and its name alone pulls in passages about the regime itself."""
        aliases = sorted({a for names in self.regimes.values() for a in names}, key=len)
        for alias in reversed(aliases):
            text = re.sub(rf"\b{re.escape(alias)}\b", " ", text, flags=re.I)
        return " ".join(text.split())

    def without_attributes(self, text: str) -> str:
        """`text` less the phrases that name what was asked about ("closing date", "how
        long") rather than the subject: what a follow-up asking its own thing carries over."""
        for phrase in sorted(self.attributes, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text, flags=re.I)
        return " ".join(text.split())

    def without_alternatives(self, text: str, question: str) -> str:
        """`text` less the things `question` puts in their place: "and in a restricted
        procedure?" after a question about innovation partnerships asks about the restricted
        procedure instead, so the innovation partnership is not carried over."""
        low = f" {_words(question)} "
        for group in self.alternatives:
            if any(f" {_words(p)} " in low for p in group):
                for phrase in sorted(group, key=len, reverse=True):
                    text = re.sub(rf"\b{re.escape(phrase)}\b", " ", text, flags=re.I)
        return " ".join(text.split())

    def regimes_named(self, text: str) -> frozenset[str]:
        """The regimes `text` names ("under the old rules" -> PCR2015)."""
        return _named(tuple(self.regimes.items()), text)

    def named(self, text: str) -> frozenset[str]:
        """The entities `text` names (by any alias)."""
        return _named(self.entities_key, text)

    @property
    def entities_key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(self.entities.items())

    def respell(self, text: str) -> str:
        for typed, spelled in self.spellings.items():
            text = re.sub(rf"\b{re.escape(typed)}\b", spelled, text, flags=re.I)
        return text


@lru_cache(maxsize=65536)
def _named(entities: tuple[tuple[str, tuple[str, ...]], ...], text: str) -> frozenset[str]:
    low = f" {_words(text)} "
    return frozenset(
        name for name, aliases in entities if any(f" {_words(a)} " in low for a in aliases)
    )


@cache
def _group_stems(groups: tuple[tuple[str, ...], ...]) -> tuple[tuple[frozenset[str], ...], ...]:
    return tuple(tuple(frozenset(tokenize(p)) for p in group) for group in groups)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9£'’]+", text.lower().replace("’", "'")))


@cache
def thesaurus() -> Thesaurus:
    text = resources.files("assistant").joinpath("data/thesaurus.yaml").read_text("utf-8")
    return Thesaurus.load(text)


# Words that only say what kind of answer is wanted ("how much", "what date"): not what the
# answer is about.
CUE_WORDS = frozenset(
    tokenize(
        "how much many long when date day year time period value worth cost price amount "
        "figure number total big large exactly exact roughly approximately whats what's "
        "currently current now today ever separate unrelated another quick question q pls please "
        "slide slides often frequently get gets got"
    )
)

# Words about the asker's purpose or manner ("need it for a chronology", "for my slide", "just
# to be sure"), not about the subject: no answer has to hold them.
FILLER_WORDS = frozenset(
    tokenize(
        "actually actual just really want wants wanted need needs needed sure say says said yet "
        "tell know trying try bit chronology timeline handout briefing contrast quiz delegates "
        "session exercise reading list anyway thanks ok okay para paragraph subsection limb ref "
        "reference deals deal"
    )
)


@dataclass(frozen=True, slots=True)
class Question:
    """A question as the composer sees it."""

    text: str
    answer_type: AnswerType
    entities: frozenset[str]
    terms: frozenset[str]  # stemmed terms of the question and its thesaurus expansions
    expansions: tuple[str, ...]
    concepts: tuple[tuple[str, ...], ...] = ()  # the thesaurus groups it uses (for search)
    own_terms: frozenset[str] = frozenset()  # the question's own stems (no context, no expansions)
    topic_terms: frozenset[str] = frozenset()  # `terms` less the case names
    not_held: str | None = None  # a kind of fact the library never holds, if it asks for one
    regimes: frozenset[str] = frozenset()  # the regimes it names (else those its context names)
    regime_fixed: bool = False  # the answer states the regime in force on the day asked about
    # each ask of a question that asks two things ("how long, and what triggers it?"), analysed
    # alone; empty for a question with one ask
    parts: tuple[Question, ...] = ()
    # the provision whose paragraph it asks for ("which para of reg 31 ...?" -> "reg_31")
    paragraph_of: str = ""

    def anchors(self, df: Mapping[str, int]) -> list[tuple[frozenset[str], float]]:
        """What a figure must be stated next to: the question's content terms known to the
        library, each with its thesaurus relations and its weight (rarer terms weigh more),
        leaving out cue words ("how much") and the case names."""
        names = set(tokenize(" ".join(a for e in self.entities for a in thesaurus().entities[e])))
        total = max(df.values(), default=1) + 1
        return [
            (thesaurus().related(t), math.log(total / df[t]))
            for t in sorted(self.own_terms)
            if t not in CUE_WORDS
            and t not in FILLER_WORDS
            and t not in names
            and not t.isdigit()
            and df.get(t, 0) > 0
        ]


_OPENS_YES_NO = re.compile(
    r"(^\W*(and |so |but )?|^[^?]{0,40}?(,| - |\b(under|for|in) (?:(?!\b(?:what|which|who|when|how"
    r"|why|where)\b)[^?,]){1,30}) ?)(can|could|may|must"
    r"|do|does|did|is|are|was|were|should|has|have|will|would) (we|i|an?|the|it|they|you|this"
    r"|that|there|our|\w+ly)\b(?!.*\b(how (much|many|long)|when|which|what|who)\b)"
)


def answer_type(text: str) -> AnswerType:
    low = text.lower().strip()
    if _OPENS_YES_NO.search(low):
        return AnswerType.YES_NO  # "can it be won on lowest price?" asks yes or no, not a price
    for kind, pattern in _ASKS:
        if pattern.search(low):
            return kind
    return AnswerType.OTHER


# Where a second ask begins: after a "?" with more to come, or at "and"/","/";"/" - " before a
# question word, itself perhaps after a short phrase ("and under s.108 how long ...?").
_SECOND_ASK = re.compile(
    r"\?\s+(?=\S)|(?:,\s*and|\band|[,;]|\s-)\s+(?=(?:(?:from|under|in|for|by|to|at|on)\s+"
    r"[^\s?,]+(?:\s+[^\s?,]+)?\s+)?(?:what|whats|what's|which|who|when|how|why|where|is|are"
    r"|does|do|did|can|could|must|should|has|have|was|were)\b)",
    re.I,
)


def asks(text: str) -> list[str]:
    """The separate asks of a question: "Can the PRU declare an award unlawful? and under
    s.108 how long do we get?" is two. A piece that asks nothing (a topic before a dash, or
    "my slides say october 2024" after a "?") or has under three words joins its neighbour."""
    pieces = [p.strip(" ,;-") for p in _SECOND_ASK.split(text)]
    pieces = [p for p in pieces if p]
    out: list[str] = []
    carry = ""
    for n, piece in enumerate(pieces):
        piece = f"{carry} {piece}".strip()
        carry = ""
        kind = answer_type(piece)
        # a terse ask names its type ("min period for requests"); a piece stating a figure of
        # that type is the asker's own facts ("we signed a £900k contract"), not an ask
        asking = _ASKS_SOMETHING.search(piece) or (
            kind is not AnswerType.OTHER and not carries(piece, kind)
        )
        if len(piece.split()) < 3 or not asking:
            if n + 1 < len(pieces) and not (out and piece.endswith("?")):
                carry = piece  # a topic before the ask: "reg 72 - what are the limbs?"
            elif out:
                out[-1] = f"{out[-1]} {piece}"
            else:
                out.append(piece)
        else:
            out.append(piece)
    return out or [text]


_ASKS_SOMETHING = re.compile(
    r"\?\s*$|^(?:(?:and|so|but|also)\s+)?(?:(?:from|under|in|for|by|to|at|on)\s+[^\s?,]+"
    r"(?:\s+[^\s?,]+)?\s+)?(?:what|whats|what's|which|who|when|how|why|where|is|are|does|do|did"
    r"|can|could|must|should|has|have|was|were)\b",
    re.I,
)


def analyse(text: str, context: str = "", previous: str = "") -> Question:
    """`context`: what a follow-up carries over from the conversation (its cases and terms);
    `previous`: the question it follows, whose answer type a follow-up without one of its own
    keeps ("how long is standstill under PCR?" then "what about under PA23?")."""
    words = thesaurus()
    spelled = words.respell(text)
    expansions = tuple(words.expansions(spelled))
    kind = answer_type(text)
    if kind is AnswerType.OTHER and (previous or context):
        kind = answer_type(previous or context)
    terms = frozenset(tokenize(f"{spelled} {' '.join(expansions)} {context}"))
    own = frozenset(tokenize(spell_out(spelled)))  # "CF" holds no passage's words
    named = words.named(f"{text} {context}")
    names = set(tokenize(" ".join(a for e in named for a in words.entities[e])))
    pieces = asks(text)
    paragraph_of = asks_paragraph_of(text) or (
        asks_paragraph_of(previous) if previous and kind is AnswerType.PROVISION else ""
    )
    parts = tuple(analyse(p, context, previous) for p in pieces) if len(pieces) > 1 else ()
    return Question(
        text=spelled,
        answer_type=kind,
        entities=named,
        terms=terms,
        expansions=expansions,
        concepts=words.concepts(spelled),
        own_terms=own,
        topic_terms=frozenset(terms - names),
        not_held=words.asks_for_not_held(text),
        regimes=words.regimes_named(spelled) or words.regimes_named(context),
        parts=parts,
        paragraph_of=paragraph_of,
    )


# A question asking which paragraph (or subsection, limb) of a provision says something.
_WHICH_PARAGRAPH = re.compile(
    r"\b(which|what|exact)\s+(para|paragraph|subsection|sub-section|sub-paragraph|limb)s?\b"
    r"|\b(para|paragraph) (number|no\.?|ref|reference)\b",
    re.I,
)


def asks_paragraph_of(text: str) -> str:
    """The search token of the one provision whose paragraph `text` asks for ("which para of
    reg 31 deals with IPR?" -> "reg_31"), or ""."""
    if not _WHICH_PARAGRAPH.search(text):
        return ""
    # the one provision named ("which limb of reg 72(1)(b)?"), or, with several mentions, the
    # one they share ("reg 31 ... my slide says reg 31(20)"); a schedule's paragraphs are not
    # told apart in search tokens
    named = [t for t in citation_tokens(text) if t.startswith(("reg_", "sec_"))]
    if not named or len({"_".join(t.split("_")[:2]) for t in named}) > 1:
        return ""
    if len(CITATION.findall(text)) == 1:
        return max(named, key=len)
    return "_".join(named[0].split("_")[:2])


def carries(text: str, kind: AnswerType, asked: str = "") -> bool:
    """Whether `text` states something of the type (a date, a figure, a provision, an
    instrument...) other than what the question `asked` itself states ("they wanted 4
    properties; how many did they get?" is not answered by "four properties"). An amount may be
    a share ("how much can the value rise?" -> "50%")."""
    if kind is AnswerType.PERSON_OR_ORG:
        return bool(_names_beyond(text, asked))
    pattern = _CARRIES.get(kind)
    if pattern is None:
        return False
    if kind is AnswerType.MONEY and carries(text, AnswerType.PERCENTAGE, asked):
        return True
    found = [m.group(0) for m in pattern.finditer(text)]
    if kind is AnswerType.PROVISION:
        found += [m.group(0) for m in _INSTRUMENT.finditer(text)]
    # a count the question gives is what it counts from, not the answer ("they wanted 4; how
    # many did they get?"); other figures in a question are what the answer must state
    given = (
        {_value(m.group(0)) for m in pattern.finditer(asked)} if kind is AnswerType.COUNT else set()
    )
    if kind is AnswerType.PROVISION:
        # nor is a provision or instrument the question names ("which Act inserted s.22G into
        # the Children Act 1989?" is not answered by "Section 22G of the Children Act 1989")
        named = [m.group(0) for m in pattern.finditer(asked)]
        given = {
            _provision_key(f) for f in named + [m.group(0) for m in _INSTRUMENT.finditer(asked)]
        }
        return any(_provision_key(f) not in given for f in found)
    return any(_value(f) not in given for f in found)


# A name: capitalised words (with "of", "and", "for" inside), as in "Dr Julie Harris",
# "Barnardo's", "Stone King"; words any sentence may capitalise are not names.
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z’'A-Z-]+(?:\s+(?:of |and |for )?[A-Z][\w’'-]+)*")
_NOT_NAMES = frozenset(
    "act acts regulations regulation reg section schedule part council councils county "
    "government the a an it this that under in on for and or but if where when what which who "
    "phase stage pcr pa children children's innovation partnership procurement".split()
)


def _names_beyond(text: str, asked: str) -> list[str]:
    """The names `text` gives that the question `asked` does not ("Barnardo's" for "which
    charity became the partner?"); a sentence's first word is only a name if it is not
    ordinary ("Barnardo's became ..." counts, "The council ..." does not)."""
    low = asked.lower()
    out = []
    for m in _NAME.finditer(text):
        words = [w for w in m.group(0).split() if w.lower() not in _NOT_NAMES]
        if words and not any(w.lower().rstrip("’'s") in low for w in words):
            out.append(m.group(0))
    first = text.split(" ", 1)[0]
    possessive = "'" in first or "’" in first  # "Barnardo's became ...": a name opening it
    if possessive and first[:1].isupper() and first.lower().rstrip("’'s") not in low:
        out.append(first)
    return out


def _provision_key(found: str) -> str:
    """'s.22G' and 'Section 22G' alike; an instrument by its words."""
    tokens = citation_tokens(found)
    return tokens[-1] if tokens else _value(found)


_INSTRUMENT = re.compile(
    r"\b(W?SSI|WSI|SI|S\.I\.) \d{4}/\d+|\b[A-Z][\w']*(?: [A-Z(][\w()']*| and| of| for)* "
    r"(Act|Regulations|Order) \d{4}\b"
)
_DIGITS = dict(
    zip(
        _NUMBER_WORD.strip("(?:)").split("|"),
        "1 2 3 4 5 6 7 8 9 10 11 12 15 20 30".split(),
        strict=True,
    )
)


def _value(figure: str) -> str:
    """A stated figure compared as a value: "four" == "4", "£704m" == "£704 m"."""
    words = figure.lower().split()
    return "".join(_DIGITS.get(w, w) for w in words)
