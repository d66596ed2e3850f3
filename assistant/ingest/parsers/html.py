"""HTML parser: the main content of a web page, without navigation and other boilerplate."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.ingest.parsers._common import clean, make_doc
from assistant.types import Section, SourceDoc

# Never page content, wherever they appear.
DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "button"]
# Page furniture; kept only when it wraps the main content (e.g. an ASP.NET page-wide <form>).
FURNITURE_TAGS = {"nav", "header", "footer", "aside", "form", "dialog"}
FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
# Class/id words for cookie banners, breadcrumbs, skip links and GOV.UK attachment chrome.
FURNITURE_NAMES = re.compile(
    r"cookie|breadcrumb|skip-?link|skip-to|js-hidden|accessibility-warning|attachment-thumb", re.I
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements whose text forms one section; nested ones are covered by their outermost ancestor.
BLOCKS = ("p", "li", "dd", "dt", "blockquote", "pre", "table", "figcaption")
# Inside these, a child boundary means a word boundary ("<td>a</td><td>b</td>" is "a b").
SPACED = {"br", "p", "div", "li", "td", "th", "tr", "dd", "dt", "section", *HEADINGS}
# Titles end with the site name after a separator: "Buying for schools - GOV.UK".
_SITE_SUFFIX = re.compile(r"\s+(?:\||[-–—]\s+(?=\S*\.))\s*[^|]*$")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def parse_html(path: Path, data: bytes) -> SourceDoc:
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(_decode(data).replace("\x00", ""), "lxml")
    except Exception as exc:  # lxml/bs4 rarely fail, but when they do it is this file's problem
        raise IngestError(path, f"not parseable HTML: {type(exc).__name__}") from exc
    title = _title(soup)
    meta = {"source_url": _source_url(soup)}
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    container = soup.find("main") or soup.find(role="main") or soup.find("article")
    container = container or soup.body or soup
    _drop_furniture(soup, container)
    sections = _sections(container)
    if not sections:
        raise IngestError(path, "no body text (only navigation or other page furniture?)")
    first_h1 = container.find("h1")
    return make_doc(path, data, sections, title or (_text(first_h1) if first_h1 else None), meta)


def _decode(data: bytes) -> str:
    """Honour a BOM or a declared charset; otherwise UTF-8, then Windows-1252 for legacy pages."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:  # an unknown label, or a non-text codec such as "hex", is read as UTF-8
            return data.decode(_codec(declared.group(1)), errors="replace")
        except LookupError:
            return data.decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _codec(label: bytes) -> str:
    try:
        name = codecs.lookup(label.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return "utf-8"
    if name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a UTF-16 label written in ASCII-compatible bytes cannot be true
    # Browsers read a "latin-1" label as windows-1252.
    return {"latin-1": "cp1252", "iso8859-1": "cp1252"}.get(name, name)


def _title(soup: Any) -> str | None:
    tag = soup.find("title")
    text = _text(tag) if tag else ""
    return _SITE_SUFFIX.sub("", text).strip() or None


def _source_url(soup: Any) -> str:
    link = soup.find("link", rel="canonical", href=True)
    if link:
        return str(link["href"]).strip()
    og_url = soup.find("meta", attrs={"property": "og:url", "content": True})
    return str(og_url["content"]).strip() if og_url else ""


def _is_furniture(tag: Any) -> bool:
    if tag.name in FURNITURE_TAGS or tag.get("role") in FURNITURE_ROLES:
        return True
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    names = " ".join([*tag.get("class", []), tag.get("id") or ""])
    return bool(names.strip()) and bool(FURNITURE_NAMES.search(names))


def _drop_furniture(soup: Any, container: Any) -> None:
    for tag in soup.find_all(_is_furniture):
        if tag.decomposed or tag is container or any(p is tag for p in container.parents):
            continue
        if tag.name in {"header", "form"} and tag.find("h1"):
            continue  # an <article> header or a page-wide form holds the real title
        tag.decompose()


def _sections(container: Any) -> list[Section]:
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    for tag in container.find_all([*HEADINGS, *BLOCKS, "div"]):
        if tag.find_parent(BLOCKS):
            continue  # already part of an enclosing block's text
        if tag.name == "div" and tag.find(["div", *HEADINGS, *BLOCKS]):
            continue  # only an innermost <div> holds loose text of its own
        if tag.name in HEADINGS:
            level = int(tag.name[1])
            while stack and stack[-1][0] >= level:
                stack.pop()
            if text := _text(tag):
                stack.append((level, text))
            continue
        text = _table_text(tag) if tag.name == "table" else _text(tag, keep_lines=tag.name == "pre")
        if text:
            sections.append(Section(text=text, heading_path=tuple(t for _, t in stack)))
    return sections


def _table_text(table: Any) -> str:
    rows = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a nested table's rows are read as part of their cell
        cells = [_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
        if any(cells):
            rows.append(" | ".join(cell for cell in cells if cell))
    return "\n".join(rows)


def _text(tag: Any, keep_lines: bool = False) -> str:
    """Visible text with inline spacing as written and a space at each block boundary."""
    from bs4.element import NavigableString, PreformattedString, Tag

    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name in SPACED:
            parts.append("\n" if node.name == "br" else " ")
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            parts.append(str(node))
    text = "".join(parts)
    return clean(text) if keep_lines else " ".join(text.split())
