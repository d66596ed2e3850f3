"""Answer units: what the extractive composer quotes. Mostly one sentence of a passage, but a
sentence that introduces a list ("... two initial priorities:", "... in one of two ways.") is
one unit with its items, and a sentence that leans on the one before ("It used mixed methods")
is one unit with it. Each unit keeps the passage sentences it is made of, so the index's
stored sentence vectors score it, and its display text is tidied for reading: paragraph
numbers off the front, internal document ids and secondary-source notes out (the source card
keeps them), legal pinpoints in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from assistant.text.sentences import split_sentences
from assistant.text.tokens import CITATION

# "(1)", "(1)(a)", "(2A)" at the start of a sentence: the passage's paragraph numbering.
_PARAGRAPH_MARK = re.compile(r"^\s*(?:\(\d+[A-Z]?\))+(?:\([a-z]{1,4}\))*\s*")
# "(1)(a) " or "Under (1)(b) " before a list item: the numbering, not the item.
_ITEM_MARK = re.compile(r"^\s*(?:(?:Under|In|By) )?(?:\(\d+[A-Z]?\))+(?:\([a-z]{1,4}\))+\s*,?\s*")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
# An item of an enumeration: "(a) ...", "(1)(b) ...", "Under (1)(b) ...", "Second, ...".
_ITEM = re.compile(
    r"^\s*(?:(?:Under|In|By) )?(?:\(\d+[A-Z]?\))*\([a-z]{1,4}\)\s|^\s*(?:First|Second|Third|"
    r"Fourth|Fifth|Finally|The (?:first|second|third|fourth|fifth|sixth|last))\b",
)
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
# "... four things.", "... in one of two ways.", "... three conditions apply."
_ANNOUNCES = re.compile(
    r"\b(?:of )?(two|three|four|five|six|seven|eight|[2-8])\s+(?:main\s+|key\s+|initial\s+|"
    r"broad\s+|separate\s+|further\s+)?(things|ways|conditions|grounds|routes|options|"
    r"objectives|priorities|purposes|limbs|tests|steps|stages|phases|types|kinds|elements|"
    r"requirements|criteria|questions|lessons|points|parts|tiers|situations|cases|exceptions"
    r"|categories|features|changes)\b",
    re.IGNORECASE,
)
_FOLLOWING = re.compile(r"\b(the following|as follows|these are|include|including):?\s*$", re.I)
# A sentence that opens with one of these continues the one before it.
_ANAPHOR = re.compile(
    r"^(It|Its|This|These|They|Their|That|Those|He|She|His|Her|Such|The latter|The former|"
    r"Both|Neither|There)\b"
    # ... or points back after an opening word ("Applying this to ...", "On that view, ...")
    r"|^(\w+ing|On|In|For|By|Under|With|After|Before|Without|Despite|Given|From) (this|that"
    r"|these|those|it|them|such)\b(?! (is|are|was|were|means)\b)"
)
_ID = r"[a-z0-9]+(?:-[a-z0-9]+)+"  # a library document id ("leics-cip-overview")
_SEE_ID = re.compile(rf"\s*\(see {_ID}(?:,? (?:and )?{_ID})*\)")
_SEE_BARE = re.compile(rf"\bsee {_ID}")  # a pointer to another library document, by its id
_SEE_PART = re.compile(r"^\s*see\b", re.I)
_DOC_ID = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b")
MAX_ITEMS = 8
_PINPOINT_END = re.compile(
    r"\s*\((?:reg|regs|s|ss|sch|art|para|paras)\.? [^()]*(?:\([^()]*\)[^()]*)*\)(?=[.;,]?$)", re.I
)
_ORDINARY_OPENERS = frozenset(
    "the a an it its this these they their that those he she his her such there both neither "
    "first second third fourth fifth finally under in on for where when if each every any no "
    "some all one two three after before during by with without from to as at because although "
    "so once while until since unless instead also however but and or only not most many "
    "several despite given".split()
)
# A glossary-style line opens with the term it defines, too short to be a sentence of its own.
_LABEL = re.compile(r"^\s*([^.:]{2,60}?)\.\s+(?=[A-Z])")
# A bracketed pinpoint after the full stop: "... four things. (s. 12(1))"
_TRAILING_NOTE = re.compile(r"\s*\((?:[^()]|\([^()]*\))*\)\.?$")
_ABOUT_DOCUMENT = re.compile(
    r"^(This|The) (pack|playbook|guide|note|document|page|table|glossary|index|module|"
    r"library|FAQ)\b|^In practice you will use this\b|^It then (explains|sets out|describes)\b"
    # "This section covers ..." is about the page; "The section was added by ..." is the law's
    r"|^(This|The) section (covers|explains|sets out|describes|lists|gives|summarises|brings"
    r"|looks|is about)\b"
    r"|^The (later|following|next|first|last) sections?\b|^Cited from\b"
)
# A whole unit that is one bracketed source note: it belongs on the citation card.
_SOURCE_NOTE = re.compile(r"\([^()]*(?:\([^()]*\)[^()]*)*\)\.?")
_ADDRESS = re.compile(r"https?://|\bwww\.")
# A unit shorter than this is a heading or a label ("Innovative partnership vs innovation
# partnership."), not an answer.
MIN_UNIT_WORDS = 6
_PROMPT = re.compile(
    r"^(Name|List|Explain|Discuss|Identify|Compare|Suggested answer|Question|Q\d+)\b"
)


@dataclass(frozen=True, slots=True)
class Unit:
    """Sentences `members` (indices into `split_sentences(passage)`, which the index stores
    vectors for; -1 for a list item too short to have one) and the text to show."""

    members: tuple[int, ...]
    text: str
    raw: str  # the passage's own words, for the citation's quote
    items: int = 0  # list items joined to a lead-in
    announces: bool = False  # a lead-in ("... two ways:")

    @property
    def is_prompt(self) -> bool:
        """A question or an exercise in the passage ("What is the minimum period...?",
        "Name the two procedures."): teaching material, never an answer."""
        return self.text.rstrip().endswith("?") or bool(_PROMPT.match(self.text))

    @property
    def is_about_document(self) -> bool:
        """Not an answer: a sentence about the document itself ("This pack supports a half-day
        session"), a pointer to another document or a web address, a table row, a heading."""
        return bool(
            len(self.text.split()) < MIN_UNIT_WORDS
            or _ABOUT_DOCUMENT.match(self.text)
            or _ADDRESS.search(self.text)
            or _SEE_BARE.search(self.text)
            or self.text.count(" | ") >= 2  # a table row: read in its table, on the card
            or _SOURCE_NOTE.fullmatch(self.text.strip()) is not None  # "(PA 2023 ss. 13, 14)"
        )


@dataclass(frozen=True, slots=True)
class _Piece:
    text: str
    sentence: int  # index in split_sentences(passage), or -1
    bullet: bool
    paragraph: int
    label: str = ""  # a term the line defines ("CIP (Children's Innovation Partnership).")
    opens: bool = False  # the line goes on to a lead-in too short to be a sentence ("These
    # include:", "It had three parts:"): this sentence leads the list that follows


@lru_cache(maxsize=8192)
def sentence_count(text: str) -> int:
    """How many sentences the index stores vectors for in this passage."""
    return len(split_sentences(text))


def _pieces(text: str) -> list[_Piece]:
    """The passage's sentences in order, with where each stands (bullet, paragraph)."""
    indexed = {s: i for i, s in enumerate(split_sentences(text))}
    out: list[_Piece] = []
    for p, line in enumerate(x for x in text.split("\n") if x.strip()):
        bullet = bool(_BULLET.match(line))
        body = _BULLET.sub("", line) if bullet else line
        label = _LABEL.match(body)
        sentences = split_sentences(body) or ([body.strip()] if bullet else [])
        for k, raw in enumerate(sentences):
            term = label.group(1) if label and k == 0 and not raw.startswith(label.group(1)) else ""
            out.append(_Piece(raw, indexed.get(raw, -1), bullet, p, term))
        if sentences and not bullet and _ends_with_short_lead_in(body, sentences[-1]):
            out[-1] = replace(out[-1], opens=True)
    return out


def _ends_with_short_lead_in(line: str, last: str) -> bool:
    """Whether `line` ends in a lead-in after its last sentence `last` ("... considerations.
    These include:"), one too short for the splitter to keep as a sentence."""
    tail = line.rstrip()[line.rfind(last) + len(last) :].strip() if last in line else ""
    return bool(tail) and tail.endswith(":") and len(tail.split()) < 8


def announced(sentence: str) -> int:
    """How many items a lead-in announces: 0 when it is not a lead-in, -1 for an open list."""
    stripped = _TRAILING_NOTE.sub("", sentence.rstrip())
    match = _ANNOUNCES.search(stripped)
    if match and re.fullmatch(r"[^:]{0,40}[:.]", stripped[match.end() :]):
        word = match.group(1).lower()
        return _COUNT_WORDS.get(word) or int(word)
    if stripped.endswith(":") or _FOLLOWING.search(stripped):
        return -1
    return 0


def _items(pieces: list[_Piece], start: int, count: int) -> list[int]:
    """Indices of the items that a lead-in just before `start` introduces: bullets or marked
    items ("(a)", "Under (1)(b)", "The second is"); for a counted lead-in without such marks,
    the next `count` sentences. An open list ends at its first line that is not an item."""
    limit = count if count > 0 else MAX_ITEMS
    window = range(start, min(len(pieces), start + 3 * limit + 2))
    marked = [j for j in window if pieces[j].bullet or _ITEM.match(pieces[j].text)]
    if count < 0:
        run = [j for k, j in enumerate(marked) if j == start + k]
        return run[:limit]
    return (marked or list(window))[:limit]


@lru_cache(maxsize=8192)  # passages are immutable and recur across questions
def build_units(text: str) -> tuple[Unit, ...]:
    """The passage as answer units, in passage order."""
    pieces = _pieces(text)
    used: set[int] = set()
    units: list[Unit] = []
    for i, piece in enumerate(pieces):
        if i in used:
            continue
        count = announced(piece.text) or (-1 if piece.opens else 0)
        items = _items(pieces, i + 1, count) if count else []
        if items:
            used.update(items)
            members = (piece.sentence, *(pieces[j].sentence for j in items))
            listed = [pieces[j].text for j in items]
            shown = join_list(tidy(piece.text), [tidy(_ITEM_MARK.sub("", t), True) for t in listed])
            raw = "\n".join([piece.text, *listed])
            units.append(Unit(members, shown, raw, len(items), True))
            continue
        shown = tidy(piece.text)
        if piece.label and len(piece.label.split()) <= 4:
            shown = f"{piece.label}: {shown}"
        unit = Unit((piece.sentence,), shown, piece.text, 0, bool(count))
        previous = units[-1] if units else None
        if (
            previous is not None
            and _ANAPHOR.match(piece.text)
            and not _ABOUT_DOCUMENT.match(piece.text)
            and not (previous.is_prompt or previous.items)
            and len(previous.members) == 1  # one sentence of context, not a chain
            and pieces[i - 1].paragraph == piece.paragraph
        ):
            units[-1] = Unit(
                (*previous.members, piece.sentence),
                join_continuation(previous.text, unit.text),
                f"{previous.raw} {piece.text}",
                0,
                previous.announces,
            )
            continue
        units.append(unit)
    return tuple(u for u in units if u.text)


# "...; and" / "...; or" closing an item before the last: the joined list has its own "; ".
_LAST_ITEM_JOIN = re.compile(r"[;,]?\s+(?:and|or)$")


def join_list(lead: str, items: list[str]) -> str:
    """One sentence: 'Lead: a; b; c.' (so the items stand with the sentence that announces
    them, under one citation)."""
    parts = [
        _lower_first(_LAST_ITEM_JOIN.sub("", _PINPOINT_END.sub("", item).rstrip(";.,: ")))
        for item in items
    ]
    lead = _PINPOINT_END.sub("", lead).rstrip(":. ") if len(items) > 1 else lead.rstrip(":. ")
    return f"{lead}: {'; '.join(parts)}."


def join_continuation(first: str, second: str) -> str:
    """'A. It B.' -> 'A; it B.': one sentence, so the pair is cited and read as one."""
    return f"{first.rstrip('. ')}; {_lower_first(second)}"


def _lower_first(text: str) -> str:
    """Lower-case the first word if it is an ordinary capitalised word ("The", "It")."""
    word = text.split(" ", 1)[0]
    rest_lower = word[1:].islower() or not word[1:]  # "The", and "A"
    ordinary = word.lower() in _ORDINARY_OPENERS or (word.endswith("ing") and len(word) > 5)
    if word[:1].isupper() and rest_lower and ordinary:  # and a gerund ("Applying this ...")
        return text[:1].lower() + text[1:]
    return text


def tidy(sentence: str, keep_letter: bool = False) -> str:
    """A sentence as the answer shows it: no leading paragraph number, no internal ids, and of
    a closing bracketed note only its legal pinpoints."""
    text = sentence.strip()
    if not keep_letter:
        text = _PARAGRAPH_MARK.sub("", text)
    text = _SEE_ID.sub("", text)
    text = _trim_note(text)
    if text.count("(") > text.count(")"):  # a note cut off mid-way ("(notice, ref.")
        text = text[: text.rfind("(")].rstrip(" ,;") + "."
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    return text[:1].upper() + text[1:] if text and not keep_letter else text


def _trim_note(text: str) -> str:
    """Of a bracketed note that closes the sentence, keep the pinpoints ("reg. 31(5)")."""
    end = text.rstrip(".")
    if not end.endswith(")"):
        return text
    depth, start = 0, -1
    for k in range(len(end) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(end[k], 0)
        if depth == 0:
            start = k
            break
    if start <= 0:
        return text
    note = end[start + 1 : -1]
    parts = [p.strip() for p in re.split(r";", note)]
    bare = not (CITATION.match(parts[0]) or _SEE_PART.match(parts[0]))
    if len(parts) == 1 and bare and not _looks_like_source(parts[0]):
        return text  # a bracket that is part of the sentence ("(SEND)")
    keep = [p for p in parts if CITATION.match(p) and not _DOC_ID.search(p)]
    head = end[:start].rstrip().rstrip(".")
    tail = f" ({'; '.join(keep)})" if keep else ""
    return f"{head}{tail}."


_SOURCE_WORDS = re.compile(
    r"\b(case study|blog|guidance|notice|report|article|commentary|briefing|summary|"
    r"evaluation|website|press release|minutes|inference|LGC|E3M|gov\.uk|\w+\.(?:uk|org|com))\b"
    r"|\b\d{1,2} \w{3,9} \d{4}\b",
    re.IGNORECASE,
)


def _looks_like_source(note: str) -> bool:
    return bool(_SOURCE_WORDS.search(note)) and len(note.split()) <= 14
