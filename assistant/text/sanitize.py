"""Text from documents and users made safe for where it goes: links (http and https only),
Markdown (no live HTML), terminals and questions (no control sequences), logs (bounded).

Documents are data written by others (an upload, a corpus file, a model's reply), so
everything that leaves the core passes through one of these (docs/security.md, items 4-5).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

SAFE_SCHEMES = ("http", "https")
# Escape sequences a terminal acts on: CSI (colours, cursor moves, hidden text), OSC (window
# title, OSC 8 links, clipboard), DCS/SOS/PM/APC strings, two-byte ESC codes, and their
# 8-bit C1 forms.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x9c)?"
)
# Every other C0 and C1 control, DEL and NUL; newline and tab stay.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN_HTML = str.maketrans({"<": "&lt;", ">": "&gt;"})
# Characters that would end or break a Markdown link destination.
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"


def safe_url(url: str | None) -> str:
    """`url` when it is an absolute http(s) address with a host, else "" (javascript:, data:,
    file:, relative and malformed links are dropped, never rendered)."""
    url = (url or "").strip()
    if not url or _CONTROLS.search(url) or any(c.isspace() for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname:
        return ""
    return url


def markdown_url(url: str | None) -> str:
    """A safe URL written so it cannot end a Markdown link early ("(", ")", "<", ">")."""
    return quote(safe_url(url), safe=_URL_SAFE)


def markdown_text(text: str) -> str:
    """Text for a Markdown file: tags are shown, never run (`<script>` -> `&lt;script&gt;`)."""
    return (text or "").translate(_MARKDOWN_HTML)


def markdown_link_text(text: str) -> str:
    """Text inside [...]: also escape brackets, so it cannot close the link early."""
    return markdown_text(text).replace("[", "\\[").replace("]", "\\]")


def strip_controls(text: str) -> str:
    """`text` without terminal escape sequences and other control characters (newline and tab
    kept): safe to print to a terminal, to store and to search."""
    return _CONTROLS.sub("", _SEQUENCES.sub("", text or ""))


def shorten(text: str, limit: int) -> str:
    """At most about `limit` characters, saying how much was cut (for logs)."""
    if limit <= 0 or len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters cut]"
