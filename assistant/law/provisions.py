"""Legal structure: recognising provisions in headings and text, formatting locators, links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.text.citations import HEADING_WORDS, LOCATOR

LEGISLATION_BASE = "https://www.legislation.gov.uk"

# Heading words -> the abbreviation used in locators (OSCOLA style).
_KINDS = {word: LOCATOR[kind] for kind, words in HEADING_WORDS.items() for word in words}
_HEADING_RE = re.compile(
    r"^(?P<kind>regulations?|regs?|sections?|ss?|articles?|art|rules?|recital)\.?\s*"
    r"(?P<num>\d+[A-Z]*)(?P<groups>(?:\(\w+\))*)",
    re.IGNORECASE,
)
_SCHEDULE_RE = re.compile(
    r"^(?:schedule|sch)\.?\s*(?P<num>\d+[A-Z]*)"
    r"(?:,?\s*(?:paragraph|para)\.?\s*(?P<para>\d+[A-Z]*)(?P<groups>(?:\(\w+\))*))?",
    re.IGNORECASE,
)
# A paragraph that opens with its number: "(5) ...", "(2)(b) ...", "**(5)** ...".
_PARA_RE = re.compile(r"^\**\((?P<first>\d+[A-Z]*)\)(?P<rest>(?:\([a-z]{1,4}\))*)\**\s+")
_GROUPS_RE = re.compile(r"\(([^()]+)\)")


@dataclass(frozen=True, slots=True)
class Provision:
    """A parsed locator: base ("reg. 31", "Sch. 5 para. 2") plus paragraph groups ("5", "b")."""

    base: str
    groups: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.base + "".join(f"({g})" for g in self.groups)


def parse_provision(locator: str) -> Provision:
    head, _, _ = locator.partition("(")
    return Provision(head.strip(), tuple(_GROUPS_RE.findall(locator[len(head) :])))


def provision_from_heading(heading: str) -> str | None:
    """'Regulation 31 — Innovation partnership' -> 'reg. 31'; 'Schedule 5, paragraph 2' -> ..."""
    text = heading.strip().lstrip("#").strip().strip("*").strip()
    match = _SCHEDULE_RE.match(text)
    if match:
        base = f"Sch. {match['num']}"
        if match["para"]:
            base += f" para. {match['para']}"
        return base + (match["groups"] or "")
    match = _HEADING_RE.match(text)
    if not match:
        return None
    word = match["kind"].lower()
    kind = _KINDS.get(word) or _KINDS[word.rstrip("s")]
    return f"{kind} {match['num']}{match['groups'] or ''}"


def paragraph_number(text: str) -> tuple[str, ...] | None:
    """The paragraph groups a passage opens with: '(2)(b) ...' -> ('2', 'b')."""
    match = _PARA_RE.match(text.lstrip())
    if not match:
        return None
    return (match["first"], *_GROUPS_RE.findall(match["rest"]))


def join_provision(base_locator: str, groups: Sequence[str]) -> str:
    """Attach paragraph groups to the base of a heading's provision."""
    return str(Provision(parse_provision(base_locator).base, tuple(groups)))


def span_locator(locators: Sequence[str]) -> str:
    """One locator for a run of provisions: ['s. 20(1)', 's. 20(2)(a)'] -> 's. 20(1)–(2)'."""
    unique = list(dict.fromkeys(locators))
    if len(unique) == 1:
        return unique[0]
    parsed = [parse_provision(loc) for loc in unique]
    if len({p.base for p in parsed}) > 1:
        return f"{unique[0]} – {unique[-1]}"
    common: list[str] = []
    for level in zip(*(p.groups for p in parsed), strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    depth = len(common)
    first, last = parsed[0].groups, parsed[-1].groups
    if len(first) <= depth or len(last) <= depth:
        return str(Provision(parsed[0].base, tuple(common)))
    prefix = str(Provision(parsed[0].base, tuple(common)))
    return f"{prefix}({first[depth]})–({last[depth]})"


_URL_KIND = {"reg.": "regulation", "s.": "section", "Art.": "article", "r.": "rule"}


def provision_url(legislation: str, locator: str) -> str | None:
    """Link to a provision on legislation.gov.uk, e.g. ('uksi/2015/102', 'reg. 31(5)')."""
    if not legislation:
        return None
    provision = parse_provision(locator)
    base = f"{LEGISLATION_BASE}/{legislation.strip('/')}"
    match = re.match(r"^Sch\. (\w+)(?: para\. (\w+))?$", provision.base)
    if match:
        path = f"schedule/{match[1]}" + (f"/paragraph/{match[2]}" if match[2] else "")
        return f"{base}/{path}"
    kind, _, num = provision.base.partition(" ")
    if kind in _URL_KIND and num:
        return f"{base}/{_URL_KIND[kind]}/{num}"
    return None
