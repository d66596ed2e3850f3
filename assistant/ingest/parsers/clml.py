"""legislation.gov.uk CLML XML: each provision (section/regulation/paragraph) with its link."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from assistant.errors import IngestError
from assistant.ingest.parsers._common import clean, make_doc
from assistant.text.citations import LOCATOR
from assistant.types import Section, SourceDoc

NS = "{http://www.legislation.gov.uk/namespaces/legislation}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_UKM = "{http://www.legislation.gov.uk/namespaces/metadata}"
# P1 ids look like "section-20", "regulation-31", "article-5", "schedule-5-paragraph-2".
_P1_ID = re.compile(r"^(section|regulation|article|rule)-(\w+)$|^schedule-(\w+)-paragraph-(\w+)$")
_KIND = {kind: LOCATOR[kind] for kind in ("section", "regulation", "article", "rule")}
# Editorial notes are not part of the law's text.
_NOTES = {f"{NS}{t}" for t in ("Commentaries", "CommentaryRef", "Footnotes", "FootnoteRef")}
_LEVELS = (f"{NS}P2", f"{NS}P3", f"{NS}P4")
_AMENDMENT = f"{NS}BlockAmendment"
_EXTENT = {"E": "England", "W": "Wales", "S": "Scotland", "N.I.": "Northern Ireland"}
_REGIME = {"uksi/2015/102": "PCR2015", "ukpga/2023/54": "PA2023", "eudr/2014/24": "EU2014"}


def _https(uri: str | None) -> str:
    return (uri or "").replace("http://", "https://", 1)


def _text(top: Any, nested: tuple[str, ...]) -> str:
    """Text of a provision without its own number, notes, or its nested numbered levels
    (those become sections of their own). Quoted amendments are kept, numbers and all."""
    parts: list[str] = []

    def walk(node: Any, in_amendment: bool) -> None:
        if node.tag in _NOTES:
            return
        if node is not top and not in_amendment and node.tag in nested:
            return
        if node.tag == f"{NS}Pnumber":
            if node.getparent() is not top:
                parts.append(f"({''.join(node.itertext()).strip()}) ")
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child, in_amendment or child.tag == _AMENDMENT)
            if child.tail:
                parts.append(child.tail)
        if node.tag in {f"{NS}Text", f"{NS}Title"}:
            parts.append("\n")

    walk(top, False)
    return clean("".join(parts))


def _number(el: Any) -> str:
    num = el.find(f"{NS}Pnumber")
    return "".join(num.itertext()).strip() if num is not None else ""


def _headings(p1: Any) -> tuple[str, ...]:
    path: list[str] = []
    node = p1.getparent()
    while node is not None and node.tag not in {f"{NS}Body", f"{NS}Schedules"}:
        title = node.find(f"{NS}Title")
        if title is None:
            title = node.find(f"{NS}TitleBlock/{NS}Title")
        if title is not None:
            path.append(clean(" ".join(title.itertext())))
        node = node.getparent()
    return tuple(reversed([p for p in path if p]))


def _currency(p1: Any) -> str | None:
    """A heading that dates the provision's text (read by assistant/law/in_force.py): this point-in-
    time version's start (and end) date, or that it was not yet in force (Status="Prospective")
    in the version held. The nearest P1/P1group that says either decides."""
    for node in (p1, *p1.iterancestors()):
        if node.tag not in {f"{NS}P1", f"{NS}P1group", f"{NS}Schedule"}:
            continue
        if node.get("Status") == "Prospective":
            return "Prospective: not yet in force"
        start, end = _day(node.get("RestrictStartDate")), _day(node.get("RestrictEndDate"))
        if start and end:
            return f"Text in force {start} to {end}"
        if start:
            return f"Text in force from {start}"
    return None


def _day(value: str | None) -> str:
    """'2025-03-25' -> '25 March 2025' ('' for none or a malformed date)."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return ""
    return f"{day.day} {day:%B %Y}"


def _p1_base(p1: Any) -> str | None:
    match = _P1_ID.match(p1.get("id", ""))
    if not match:
        return None
    if match.group(1):
        return f"{_KIND[match.group(1)]} {match.group(2)}"
    return f"{LOCATOR['schedule']} {match.group(3)} para. {match.group(4)}"


def _in_amendment(el: Any) -> bool:
    return any(a.tag == _AMENDMENT for a in el.iterancestors())


def _owner(el: Any) -> Any:
    return next(el.iterancestors(f"{NS}P1", *_LEVELS), None)


def _sections(node: Any, locator: str, heads: tuple[str, ...], depth: int) -> list[Section]:
    """The provision's own text, then each numbered sub-paragraph, in document order.
    Two levels below the provision (s. 20(2)(b)) get their own sections; deeper ones stay in
    their parent's text."""
    nested = _LEVELS if depth < 2 else ()
    out: list[Section] = []
    text = _text(node, nested)
    if text:
        out.append(Section(text, heads, locator, None, _https(node.get("DocumentURI"))))
    if depth >= 2:
        return out
    for child in node.iter(*_LEVELS):
        if child is node or _owner(child) is not node or _in_amendment(child):
            continue
        out.extend(_sections(child, f"{locator}({_number(child)})", heads, depth + 1))
    return out


def _meta(root: Any) -> dict[str, str]:
    md = root.find(f"{_UKM}Metadata")
    get = (lambda tag: (md.findtext(tag) or "").strip()) if md is not None else (lambda tag: "")
    id_uri = root.get("IdURI", "")
    legislation = id_uri.split("/id/", 1)[-1] if "/id/" in id_uri else ""
    published = ""
    if md is not None:
        for tag in ("EnactmentDate", "Made"):
            found = md.find(f".//{_UKM}{tag}")
            if found is not None and found.get("Date"):
                published = found.get("Date")
                break
    body = root.find(f".//{NS}Body")
    restrict = (body.get("RestrictExtent") if body is not None else None) or ""
    jurisdiction = ", ".join(_EXTENT.get(e, e) for e in restrict.split("+") if e) or ""
    return {
        "doc_id": legislation.replace("/", "-") or "",
        "title": get(f"{_DC}title"),
        "doc_type": "regulation",
        "regime": _REGIME.get(legislation, "general"),
        "publisher": get(f"{_DC}publisher") or "legislation.gov.uk",
        "source_url": _https(root.get("DocumentURI")),
        "published": published,
        "jurisdiction": jurisdiction,
        "legislation": legislation,
        "status": "current",
    }


def parse_clml(path: Path, data: bytes) -> SourceDoc:
    from lxml import etree

    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(path, f"not well-formed XML ({exc.msg})") from exc
    if root.tag != f"{NS}Legislation":
        raise IngestError(path, "XML that is not legislation.gov.uk CLML (<Legislation> root)")
    sections: list[Section] = []
    for p1 in root.iter(f"{NS}P1"):
        base = _p1_base(p1)
        if base and not _in_amendment(p1):
            dated = _currency(p1)
            heads = (*_headings(p1), dated) if dated else _headings(p1)
            sections.extend(_sections(p1, base, heads, 0))
    meta = _meta(root)
    return make_doc(path, data, sections, meta.get("title"), meta)
