"""PDF parser: sections per paragraph, each carrying its 1-based page number as the locator."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.ingest.parsers._common import clean, make_doc
from assistant.ingest.parsers.limits import NO_LIMITS, ParseLimits, check_count
from assistant.types import Section, SourceDoc

logger = logging.getLogger(__name__)

# Running headers and footers live in the first/last few lines of a page.
EDGE_LINES = 3
# A line shorter than this share of a full line of body text ends its paragraph.
SHORT_LINE = 0.6
# Numbered headings are short; a longer numbered line is a numbered paragraph.
MAX_HEADING_WORDS = 10
# Keep pypdf's messages readable in a one-line ingest report.
MAX_REASON = 160

_LIST_START = re.compile(r"^(?:[•◼▪●○■□◦‣∙·*–-]\s|\d+(?:\.\d+)*[.)]\s|\(\w{1,4}\)\s)")
# "1. Introduction", "3.1. What we mean": at most two levels, no four-digit years.
_HEADING = re.compile(r"^(\d{1,2})(?:\.(\d{1,2}))?\.?\s+[A-Z]")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?$|^[-–]\s*\d+\s*[-–]$", re.I)
# Word's Symbol/Wingdings bullets come out as private-use characters.
_PUA_BULLET = re.compile(r"^[\ue000-\uf8ff]\s*")
_SENTENCE_END = (".", "!", "?", ":", ";")
_WORD = re.compile(r"[A-Za-z]+")


def parse_pdf(path: Path, data: bytes, limits: ParseLimits = NO_LIMITS) -> SourceDoc:
    reader = _open(path, data)
    check_count(path, len(reader.pages), limits.pages, "pages")
    pages = _page_lines(path, reader)
    if not any(any(lines) for lines in pages):
        raise IngestError(path, "no text layer (scanned image?)")
    running = _running_lines(pages)
    pages = [_strip_edges(lines, running) for lines in pages]
    vocab = _vocabulary(pages)
    width = _line_width(pages)
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    title: str | None = None
    for page_no, lines in enumerate(pages, start=1):
        paras = [_join(p, vocab) for p in _paragraphs(lines, width)]
        title = title or _first_line_title(paras)
        sections.extend(_page_sections(paras, page_no, stack))
    return make_doc(path, data, sections, _meta_title(reader, path) or title)


def _reason(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__)[:MAX_REASON]


def _open(path: Path, data: bytes) -> Any:
    from pypdf import PdfReader

    # pypdf raises many exception types (and some builtins) on malformed files.
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _decrypt(path, reader)
        if len(reader.pages) == 0:
            raise IngestError(path, "not a readable PDF: no pages")
    except IngestError:
        raise
    except Exception as exc:
        raise IngestError(path, f"not a readable PDF: {_reason(exc)}") from exc
    return reader


def _decrypt(path: Path, reader: Any) -> None:
    """Open an owner-password-only PDF (empty user password); refuse a locked one."""
    try:
        opened = reader.decrypt("")
    except Exception as exc:
        raise IngestError(path, f"encrypted PDF (cannot decrypt: {_reason(exc)})") from exc
    if not opened:
        raise IngestError(path, "encrypted PDF (password protected)")


def _page_lines(path: Path, reader: Any) -> list[list[str]]:
    """Stripped lines per page ("" for blank lines); a page pypdf cannot read is left empty."""
    pages: list[list[str]] = []
    failures = 0
    for index, page in enumerate(reader.pages):
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            logger.warning("%s: cannot extract page %d (%s)", path, index + 1, _reason(exc))
            failures += 1
            text = ""
        pages.append([_PUA_BULLET.sub("• ", clean(line)) for line in text.splitlines()])
    if failures == len(pages):
        raise IngestError(path, "not a readable PDF: text extraction failed on every page")
    return pages


def _norm(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _edge_indexes(lines: list[str]) -> set[int]:
    filled = [i for i, line in enumerate(lines) if line]
    return set(filled[:EDGE_LINES] + filled[-EDGE_LINES:])


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Normalised lines repeated at the top or bottom of most pages (headers, footers)."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_norm(lines[i]) for i in _edge_indexes(lines)})
    need = max(3, (len(pages) + 1) // 2)
    return {line for line, n in counts.items() if n >= need}


def _strip_edges(lines: list[str], running: set[str]) -> list[str]:
    edges = _edge_indexes(lines)
    return [
        line
        for i, line in enumerate(lines)
        if i not in edges or not (_norm(line) in running or _PAGE_NUMBER.match(line))
    ]


def _vocabulary(pages: list[list[str]]) -> set[str]:
    text = "\n".join("\n".join(lines) for lines in pages).lower()
    return set(_WORD.findall(text))


def _line_width(pages: list[list[str]]) -> int:
    """The length of a full line of body text: most lines are shorter, a few longer."""
    lengths = sorted(len(line) for lines in pages for line in lines if line)
    return lengths[int(len(lengths) * 0.8)] if lengths else 0


def _paragraphs(lines: list[str], width: int) -> list[list[str]]:
    """Group a page's lines: break at blank lines, list items, sentence ends and short lines."""
    paras: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if current and (not line or _starts_paragraph(current[-1], line, width)):
            paras.append(current)
            current = []
        if line:
            current.append(line)
    if current:
        paras.append(current)
    return paras


def _starts_paragraph(prev: str, line: str, width: int) -> bool:
    if _LIST_START.match(line):
        return True
    starts_upper = line[0].isupper() or line[0].isdigit()
    if prev.endswith(_SENTENCE_END) and starts_upper:
        return True
    return starts_upper and len(prev) < SHORT_LINE * width


def _join(lines: list[str], vocab: set[str]) -> str:
    """Join wrapped lines. A line-end hyphen is dropped only when the joined word occurs
    elsewhere in the document ("procure-" + "ment"): Word-made PDFs, most of our corpus,
    break lines at real hyphens ("self-" + "cleaning", "in-" + "house")."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("\u00ad"):  # soft hyphen: always a line-break artefact
            text = text[:-1] + line
            continue
        head = re.search(r"([A-Za-z]+)-$", text)
        if not head:
            text = f"{text} {line}"
            continue
        tail = re.match(r"[A-Za-z]*", line).group()  # type: ignore[union-attr]
        joined = (head.group(1) + tail).lower()
        drop = tail[:1].islower() and joined in vocab  # "Sub-" + "Lot" keeps its hyphen
        text = (text[:-1] if drop else text) + line
    return text


def _heading_level(para: str) -> int:
    """Outline depth of a numbered heading ("2." -> 1, "3.1" -> 2), 0 for body text."""
    match = _HEADING.match(para)
    if not match or len(para.split()) > MAX_HEADING_WORDS or para.endswith((".", ":", ";", ",")):
        return 0
    return 2 if match.group(2) else 1


def _page_sections(paras: list[str], page_no: int, stack: list[tuple[int, str]]) -> list[Section]:
    """Sections for one page; `stack` carries the open numbered headings across pages."""
    sections: list[Section] = []
    for para in paras:
        level = _heading_level(para)
        if level:
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, para))
            continue
        path = tuple(text for _, text in stack)
        sections.append(Section(text=para, heading_path=path, page=page_no))
    return sections


def _first_line_title(paras: list[str]) -> str | None:
    for para in paras:
        words = para.split()
        if 2 <= len(words) <= 20 and len(_WORD.findall(para)) >= 2:
            return para
    return None


def _meta_title(reader: Any, path: Path) -> str | None:
    try:
        title = clean(str(reader.metadata.title or "")) if reader.metadata else ""
    except Exception:  # broken /Info dictionaries are common; the text fallback is fine
        return None
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    lowered = title.lower()
    if len(title) < 4 or not _WORD.search(title) or lowered in {"untitled", "title", "document"}:
        return None
    return None if lowered.endswith((".doc", ".docx", ".pdf")) or title == path.stem else title
