"""Source markers in answer text: "[3]" cites source 3; "[1, 2]" and "[2–4]" cite several.
The one definition of both patterns (answers, verification, export and the law-as-at notes
all read or renumber them)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

# One source number: "[3]".
MARKER = re.compile(r"\[(\d+)\]")
# A marker with one or more numbers and the space before it: " [1]", "[1, 2]", "[2–4]".
MARKERS = re.compile(r"\s?\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]")


def renumber(text: str, mapping: Mapping[int, int]) -> str:
    """Every single-number marker "[n]" rewritten to "[mapping[n]]" (unmapped ones kept)."""
    return MARKER.sub(lambda m: f"[{mapping.get(int(m[1]), m[1])}]", text)


def numbers_in(marker: str) -> list[int]:
    """The source numbers a marker group cites: "1, 2" -> [1, 2]; "2–4" -> [2, 3, 4]."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker):
        bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
        if len(bounds) == 2 and 0 < bounds[1] - bounds[0] < 10:
            out += range(bounds[0], bounds[1] + 1)
        else:
            out += bounds
    return out


def map_markers(sentence: str, mapping: Callable[[int], int | None]) -> str:
    """Rewrite every [n] group through `mapping`; a group left empty disappears."""

    def sub(match: re.Match[str]) -> str:
        kept = [m for n in numbers_in(match.group(1)) if (m := mapping(n)) is not None]
        lead = " " if match.group(0)[0].isspace() else ""
        return lead + "".join(f"[{n}]" for n in dict.fromkeys(kept)) if kept else ""

    return MARKERS.sub(sub, sentence)
