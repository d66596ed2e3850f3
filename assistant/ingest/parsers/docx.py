"""DOCX parser: body paragraphs and table rows in document order, under their heading path."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.ingest.parsers._common import clean, make_doc
from assistant.ingest.parsers.limits import NO_LIMITS, ParseLimits, check_count, check_zip
from assistant.types import Section, SourceDoc

# Government templates style whole body sentences as "Heading 2"; a real heading is short.
MAX_HEADING_WORDS = 14
# Rows per table section: small tables stay whole, big ones split into retrievable groups.
ROWS_PER_SECTION = 20
# Keep python-docx / zipfile messages readable in a one-line ingest report.
MAX_REASON = 160

_HEADING_STYLE = re.compile(r"^heading\s*(\d*)", re.I)
_SENTENCE_END = (".", ";", ":", ",")


@dataclass
class _State:
    """What the walk through the body remembers between blocks."""

    styles: dict[str, str]  # paragraph style id -> style name, resolved once
    default_style: str
    stack: list[tuple[int, str]] = field(default_factory=list)  # (level, heading text)
    sections: list[Section] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # Title-styled paragraphs
    headings: list[str] = field(default_factory=list)
    # After "... the following:" the next deeper numbered items are a list, not headings.
    list_level: int | None = None

    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.stack)


def parse_docx(path: Path, data: bytes, limits: ParseLimits = NO_LIMITS) -> SourceDoc:
    check_zip(path, data, limits)
    # python-docx, zipfile and lxml raise many exception types on a damaged file.
    try:
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(io.BytesIO(data))
        body = document.element.body
        check_count(path, sum(1 for _ in body.iter(qn("w:p"))), limits.paragraphs, "paragraphs")
        state = _State(*_paragraph_styles(document))
        for block in _blocks(document):
            _visit(block, state)
        core_title = clean(document.core_properties.title or "")
    except IngestError:
        raise
    except Exception as exc:
        reason = (str(exc) or type(exc).__name__)[:MAX_REASON]
        raise IngestError(path, f"not a readable DOCX: {reason}") from exc
    if not state.sections:
        raise IngestError(path, "no body text in the document")
    return make_doc(path, data, state.sections, _title(core_title, state, path))


def _blocks(document: Any) -> Iterator[Any]:
    """Paragraphs and tables in document order, looking inside content controls."""
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # A stack of iterators, not a list popped from the front: that is quadratic in the
    # number of paragraphs.
    pending = [document.element.body.iterchildren()]
    while pending:
        element = next(pending[-1], None)
        if element is None:
            pending.pop()
        elif element.tag == qn("w:p"):
            yield Paragraph(element, document)
        elif element.tag == qn("w:tbl"):
            yield Table(element, document)
        elif element.tag == qn("w:sdt"):
            content = element.find(qn("w:sdtContent"))
            if content is not None:
                pending.append(content.iterchildren())


def _paragraph_styles(document: Any) -> tuple[dict[str, str], str]:
    """Every paragraph style's name by id, and the default paragraph style's name.

    `Paragraph.style` looks the id up with an XPath over all styles and, for the many
    paragraphs without a style, scans every style for the default, converting each one's
    type: a few ms a paragraph, 414 s for a 20,000-paragraph upload. The same answers, once.
    """
    from docx.enum.style import WD_STYLE_TYPE

    first: dict[str, Any] = {}
    default = ""
    for style in document.styles.element.style_lst:
        if style.styleId is not None:
            first.setdefault(style.styleId, style)  # python-docx takes the first with an id
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.default:
            default = _style_name(style)  # and the last default
    names = {
        style_id: _style_name(style)
        for style_id, style in first.items()
        if style.type == WD_STYLE_TYPE.PARAGRAPH  # another type's id: the default applies
    }
    return names, default


def _style_name(style: Any) -> str:
    from docx.styles import BabelFish

    return BabelFish.internal2ui(style.name_val) if style.name_val else ""


def _visit(block: Any, state: _State) -> None:
    from docx.table import Table

    if isinstance(block, Table):
        _add_table(block, state)
        return
    text = " ".join(clean(block.text).split())
    if not text:
        return
    outline = _outline_level(block)
    style_id = block._p.style
    style = state.styles.get(style_id, state.default_style) if style_id else state.default_style
    level = _heading_level(style, text, outline, state.list_level)
    if level == 0:
        state.titles.append(text)
    elif level is not None:
        while state.stack and state.stack[-1][0] >= level:
            state.stack.pop()
        state.stack.append((level, text))
        state.headings.append(text)
        state.list_level = None
    else:
        state.sections.append(Section(text=text, heading_path=state.path()))
        if state.list_level is not None and outline < state.list_level:
            state.list_level = None
        if text.endswith(":"):
            state.list_level = outline + 1


def _outline_level(paragraph: Any) -> int:
    """Numbering depth (ilvl + 1) of a numbered paragraph, 0 when it is not numbered."""
    props = paragraph._p.pPr
    numbering = props.numPr if props is not None else None
    if numbering is None or numbering.numId is None:
        return 0
    return (numbering.ilvl.val if numbering.ilvl is not None else 0) + 1


def _heading_level(style: str, text: str, outline: int, list_level: int | None) -> int | None:
    """0 for a Title, the outline level for a heading, None for body text."""
    match = _HEADING_STYLE.match(style)
    if not match and style != "Title":
        return None
    if len(text.split()) > MAX_HEADING_WORDS or text.endswith(_SENTENCE_END):
        return None  # a sentence styled as a heading
    if list_level is not None and outline >= list_level:
        return None  # a short list item after "...:" that happens to use a heading style
    if style == "Title":
        return 0
    # Numbered outlines (1. / 1.1.) say the level even when every heading is "Heading 2".
    return outline or int((match.group(1) if match else None) or 1)


def _add_table(table: Any, state: _State) -> None:
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(clean(cell.text).split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(" | ".join(cells))
    for start in range(0, len(rows), ROWS_PER_SECTION):
        chunk = "\n".join(rows[start : start + ROWS_PER_SECTION])
        state.sections.append(Section(text=chunk, heading_path=state.path()))


def _title(core_title: str, state: _State, path: Path) -> str | None:
    if _meaningful(core_title, path):
        return core_title
    if state.titles:
        return state.titles[0]
    # Many templates put the title in a plain "Normal" paragraph before the first heading.
    first = state.sections[0] if state.sections else None
    if first and not first.heading_path and _short_line(first.text):
        return first.text
    return state.headings[0] if state.headings else None


def _short_line(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= MAX_HEADING_WORDS and not text.endswith(_SENTENCE_END)


def _meaningful(title: str, path: Path) -> bool:
    lowered = title.lower()
    if len(title) < 4 or lowered in {"untitled", "title", "document"} or title == path.stem:
        return False
    return not lowered.endswith((".doc", ".docx")) and not lowered.startswith("microsoft word")
