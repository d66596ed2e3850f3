"""HTML and Markdown for the page: answers in the chat, source cards, library pages, cases.

Pure functions of the core's objects (no Gradio), each unit-tested. Text from documents,
uploads and users is escaped (`html.escape` in HTML, `markdown_text` in Markdown); the only
links written are http(s) addresses that pass `safe_url` and the app's own library pages
(`?doc=<doc_id>`, for ids the library holds). An upload never gets a library link or badge.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from urllib.parse import quote

from assistant import (
    CASE_ATTRIBUTES,
    CASE_LABELS,
    Case,
    LibraryDocument,
    Listing,
    day_text,
    markdown_link_text,
    markdown_text,
    markdown_url,
    safe_url,
)
from assistant.types import UPLOAD_DOC_TYPE, Answer, Citation

Catalogue = Mapping[str, Listing]
SOURCES_EMPTY = "<p>Sources appear here.</p>"
SOURCES_PENDING = "<p class='sources-pending'>Searching the library…</p>"
# An upload's claims about itself, in the order and words its source card shows them.
CLAIM_LABELS = {
    "doc_type": "type",
    "regime": "regime",
    "publisher": "publisher",
    "source_url": "source",
}
FACT_LABELS = {  # front-matter fields a library page shows under its title, in this order
    "last_reviewed": "Last reviewed",
    "published": "Published",
    "publisher": "Publisher",
    "jurisdiction": "Jurisdiction",
}
DAYS = ("last_reviewed", "published")  # shown as "25 November 2026"
_GROUP = re.compile(r"(?<!\[)\[(\d+(?:\s*,\s*\d+)*)\](?![(\]])")
_DIGITS = re.compile(r"\d+")
_LEADING_TITLE = re.compile(r"\A\s*# [^\n]*\n")


def doc_href(doc_id: str) -> str:
    """The app's own page for a library document."""
    return "?doc=" + quote(doc_id, safe="")


def source_id(answer_no: int, n: int, prefix: str = "src") -> str:
    """The element id of source card `n` of answer `answer_no` (0 = the first answer); each
    panel of cards has its own `prefix` ("src" on the Ask tab, "case-src" on Case studies)."""
    return f"{prefix}-{answer_no}-{n}"


def day(value: str) -> str:
    """'2026-11-25' -> '25 November 2026'; anything else as written."""
    try:
        return day_text(date.fromisoformat(value[:10]))
    except ValueError:
        return value


# ---- answers in the chat -------------------------------------------------------------------


def link_markers(text: str, answer_no: int, numbers: set[int], prefix: str = "src") -> str:
    """Every [n] (and [n, m]) naming one of `numbers` as a link to its source card."""

    def linked(match: re.Match[str]) -> str:
        found = [int(n) for n in _DIGITS.findall(match.group(1))]
        if not found or any(n not in numbers for n in found):
            return match.group(0)
        if len(found) == 1:
            return f"[\\[{found[0]}\\]](#{source_id(answer_no, found[0], prefix)})"
        inner = ", ".join(f"[{n}](#{source_id(answer_no, n, prefix)})" for n in found)
        return f"\\[{inner}\\]"

    return _GROUP.sub(linked, text)


@lru_cache(maxsize=8)
def _id_pattern(ids: tuple[str, ...]) -> re.Pattern[str] | None:
    if not ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    # not inside a word, a path or an address, nor already a link's target
    return re.compile(rf"(?<![\w/#?=.-])({alternatives})(?![\w-])")


def link_doc_ids(text: str, catalogue: Catalogue) -> str:
    """Library doc ids written in `text` ("see leics-cip-procurement-route") as the linked
    title of that document (Markdown); a title already quoted before its id in brackets
    (“Title” (doc-id)) becomes the link."""
    pattern = _id_pattern(tuple(sorted(catalogue)))
    if pattern is None:
        return text
    named = re.compile(rf"“([^”\n]{{1,300}})” \({pattern.pattern}\)")
    text = named.sub(
        lambda m: f"[“{markdown_link_text(m.group(1))}”]({doc_href(m.group(2))})", text
    )
    return pattern.sub(
        lambda m: f"[{markdown_link_text(catalogue[m.group(1)].title)}]({doc_href(m.group(1))})",
        text,
    )


def link_doc_ids_html(escaped: str, catalogue: Catalogue) -> str:
    """As `link_doc_ids`, in HTML already escaped: each id becomes a link to its page."""
    pattern = _id_pattern(tuple(sorted(catalogue)))
    if pattern is None:
        return escaped
    return pattern.sub(lambda m: _doc_anchor(m.group(1), catalogue[m.group(1)].title), escaped)


def _doc_anchor(doc_id: str, title: str) -> str:
    return (
        f'<a class="doc-link" href="{html.escape(doc_href(doc_id))}" target="_blank" '
        f'rel="noopener">{html.escape(title)}</a>'
    )


def nearest_doc(nearest: str, catalogue: Catalogue) -> str | None:
    """The doc_id of an abstention's "Title (locator)" entry (the longest title that fits)."""
    fitting = [
        (len(d.title), doc_id)
        for doc_id, d in catalogue.items()
        if nearest == d.title or nearest.startswith(d.title + " (")
    ]
    return max(fitting)[1] if fitting else None


def _link_nearest(text: str, nearest: Sequence[str], catalogue: Catalogue) -> str:
    for entry in nearest:
        doc_id = nearest_doc(entry, catalogue)
        shown = markdown_text(entry)
        if doc_id and shown in text:
            text = text.replace(shown, f"[{markdown_link_text(entry)}]({doc_href(doc_id)})", 1)
    return text


def references(
    citations: Sequence[Citation], answer_no: int, catalogue: Catalogue, prefix: str = "src"
) -> list[str]:
    """One line per document cited: its markers (each linking to its card), its title (linked
    to its library page; an upload's never is) and the pinpoints cited, so a document cited
    three times is named once."""
    by_doc: dict[tuple[str, str], list[Citation]] = {}
    for c in citations:
        by_doc.setdefault((c.doc_id, c.title), []).append(c)
    lines = []
    for (doc_id, title), cited in by_doc.items():
        markers = " ".join(f"[\\[{c.n}\\]](#{source_id(answer_no, c.n, prefix)})" for c in cited)
        name = markdown_link_text(title)
        if cited[0].doc_type != UPLOAD_DOC_TYPE and doc_id in catalogue:
            name = f"[{name}]({doc_href(doc_id)})"
        pinpoints = "; ".join(dict.fromkeys(markdown_text(c.locator) for c in cited if c.locator))
        lines.append(f"{markers} {name}" + (f" — {pinpoints}" if pinpoints else ""))
    return lines


def about_answer(
    answer: Answer, answer_no: int = 0, catalogue: Catalogue | None = None, prefix: str = "src"
) -> str:
    """The collapsed "About this answer" line: its notes (markers and doc ids linked as in
    the answer) and how long it took."""
    numbers = {c.n for c in answer.citations}
    lines = [
        link_doc_ids(link_markers(markdown_text(note), answer_no, numbers, prefix), catalogue or {})
        for note in answer.notes
    ]
    seconds = answer.timings.get("total_ms", 0) / 1000
    if seconds:
        lines.append(
            f"Answered in {seconds:.1f} s." if seconds >= 0.1 else "Answered in under 0.1 s."
        )
    if not lines:
        return ""
    items = "\n".join(f"- {line}" for line in lines)
    return (
        '<details class="about-answer"><summary>About this answer</summary>\n\n'
        f"{items}\n\n</details>"
    )


def chat_text(
    answer: Answer, answer_no: int = 0, catalogue: Catalogue | None = None, prefix: str = "src"
) -> str:
    """An answer for the chat (Markdown): its text with each [n] linking to its source card
    and library doc ids as linked titles; sentences the verifier could not support marked
    in bold and listed; the references; the notes folded into "About this answer"."""
    catalogue = catalogue or {}
    text = markdown_text(answer.text)
    for sentence in answer.unsupported:
        shown = markdown_text(sentence)
        text = text.replace(shown, f"**⚠ {shown}**")
    text = _link_nearest(text, answer.nearest, catalogue)
    text = link_doc_ids(
        link_markers(text, answer_no, {c.n for c in answer.citations}, prefix), catalogue
    )
    parts = [text]
    if answer.unsupported:
        listed = "; ".join(markdown_text(s) for s in answer.unsupported)
        parts.append(f"⚠ Not supported by the cited sources: {listed}")
    if answer.citations:
        lines = "  \n".join(references(answer.citations, answer_no, catalogue, prefix))
        parts.append(f'<div class="answer-refs">\n\n{lines}\n\n</div>')
    parts.append(about_answer(answer, answer_no, catalogue, prefix))
    return "\n\n".join(p for p in parts if p)


def status_text(label: str, so_far: str = "") -> str:
    """A message still being written: the text so far, then what is happening now."""
    status = f'<p class="answer-status">{html.escape(label)}</p>'
    return f"{markdown_text(so_far)}\n\n{status}" if so_far else status


# ---- source cards --------------------------------------------------------------------------


def _link(url: str, text: str | None = None) -> str:
    url = safe_url(url)
    if not url:
        return ""
    return (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(text or url)}</a>"
    )


def _claims(claims: tuple[tuple[str, str], ...]) -> str:
    """What an uploaded file says about itself, as its claims: plain text, never a link or a
    badge like the library's."""
    shown = [(CLAIM_LABELS[k], v) for k, v in claims if k in CLAIM_LABELS]
    if not shown:
        return ""
    items = "; ".join(f"{label} <q>{html.escape(value)}</q>" for label, value in shown)
    return f"<p class='claims'>The file says of itself (not checked by the library): {items}</p>"


def card(
    c: Citation,
    passage: str,
    answer_no: int = 0,
    catalogue: Catalogue | None = None,
    prefix: str = "src",
) -> str:
    """One source: number, title (linked to its library page), badges, pinpoint, what it is
    based on, and the passage with the quoted sentences marked."""
    body = html.escape(passage)
    for sentence in filter(None, (c.quote or "").split("\n")):
        quoted = html.escape(sentence)
        body = body.replace(quoted, f"<mark>{quoted}</mark>")
    upload = c.doc_type == UPLOAD_DOC_TYPE
    if not upload:
        body = link_doc_ids_html(body, catalogue or {})
    badges = [("your document", "badge upload")] if upload else []
    badges += [(b, "badge") for b in (c.doc_type, c.regime) if b and not upload]
    title = html.escape(c.title)
    if not upload and c.doc_id in (catalogue or {}):
        title = _doc_anchor(c.doc_id, c.title)
    url = "" if upload else safe_url(getattr(c, "source_url", "") or getattr(c, "url", ""))
    origin = (
        f"<p class='based-on'>Based on: {_link(url)}</p>"
        if url
        else _claims(getattr(c, "claims", ()))
    )
    return (
        f'<div class="source-card{" upload" if upload else ""}" '
        f'id="{source_id(answer_no, c.n, prefix)}" tabindex="-1">'
        f"<h3>[{c.n}] {title}</h3>"
        + "".join(f"<span class='{k}'>{html.escape(b)}</span>" for b, k in badges)
        + f" <i>{html.escape(c.locator)}</i>{origin}"
        + f"<details><summary>Supporting passage [{c.n}]</summary><p>{body}</p></details></div>"
    )


def _nearest_list(answer: Answer, catalogue: Catalogue) -> str:
    items = []
    for entry in answer.nearest:
        doc_id = nearest_doc(entry, catalogue)
        items.append(f"<li>{_doc_anchor(doc_id, entry) if doc_id else html.escape(entry)}</li>")
    return f"<p>Nearest passages:</p><ul class='nearest'>{''.join(items)}</ul>" if items else ""


def sources_html(
    answer: Answer,
    answer_no: int = 0,
    catalogue: Catalogue | None = None,
    current: bool = True,
    prefix: str = "src",
) -> str:
    """The sources of one answer: a section of cards, or the nearest passages (linked to their
    documents) when it abstained. Only the current answer's section is shown."""
    catalogue = catalogue or {}
    if answer.citations:
        inner = "".join(card(c, c.text, answer_no, catalogue, prefix) for c in answer.citations)
    else:
        inner = "<p>No sources cited.</p>" + _nearest_list(answer, catalogue)
    state = ' class="answer-sources current"' if current else ' class="answer-sources" hidden'
    return (
        f'<section{state} data-answer="{answer_no}">'
        f"<p class='sources-for'>Sources for: <q>{html.escape(answer.question)}</q></p>"
        f"{inner}</section>"
    )


def sources_panel(answers: Sequence[Answer | None], catalogue: Catalogue | None = None) -> str:
    """Every answer's sources, the last one shown: a click on an earlier answer's [n] shows
    that answer's section (assets/page.js)."""
    last = len(answers) - 1
    sections = [
        sources_html(a, i, catalogue, i == last) for i, a in enumerate(answers) if a is not None
    ]
    return "".join(sections) or SOURCES_EMPTY


# ---- library pages -------------------------------------------------------------------------


def document_markdown(doc: LibraryDocument, catalogue: Catalogue | None = None) -> str:
    """A library document as a page: title, badges, review date and other facts, what it is
    based on, its full text (doc ids linked) and its own sources list with their addresses."""
    catalogue = catalogue or {}
    badges = "".join(
        f"<span class='badge'>{html.escape(b)}</span>"
        for b in (doc.doc_type, doc.regime, doc.meta.get("status", ""))
        if b
    )
    facts = [
        f"**{label}:** {markdown_text(day(doc.meta[key]) if key in DAYS else doc.meta[key])}"
        for key, label in FACT_LABELS.items()
        if doc.meta.get(key)
    ]
    if not doc.last_reviewed:
        facts.insert(0, "**Last reviewed:** not recorded")
    parts = [f"# {markdown_text(doc.title)}", f'<p class="doc-badges">{badges}</p>']
    parts.append(" · ".join(facts))
    if doc.based_on:
        parts.append(
            f"**Based on:** [{markdown_link_text(doc.based_on)}]({markdown_url(doc.based_on)})"
        )
    if not doc.from_file:
        parts.append(
            "_The original file is not on this server: the text below is the library's passages._"
        )
    body = _LEADING_TITLE.sub("", doc.body)
    parts += ["---", link_doc_ids(markdown_text(body), catalogue)]
    if doc.sources:
        parts += ["## Sources", "\n".join(_source_line(s.label, s.url) for s in doc.sources)]
    return "\n\n".join(p for p in parts if p)


def _source_line(label: str, url: str) -> str:
    if not safe_url(url):
        return f"- {markdown_text(label)}"
    return f"- {markdown_text(label)}: [{markdown_link_text(url)}]({markdown_url(url)})"


def library_choices(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(label, doc_id) for the library's document picker, by type then title."""
    order = {"guidance": 0, "case_study": 1, "regulation": 2, "commentary": 3}
    listed = sorted(catalogue.values(), key=lambda d: (order.get(d.doc_type, 9), d.title))
    return [(f"{d.title} ({d.doc_type.replace('_', ' ') or 'document'})", d.doc_id) for d in listed]


# ---- case studies --------------------------------------------------------------------------


def cases_markdown(cases: Sequence[Case], catalogue: Catalogue | None = None) -> str:
    """Cases found by the filters: each with every recorded attribute in full (never cut)
    and links to the library pages that describe it."""
    catalogue = catalogue or {}
    blocks = []
    for case in cases:
        facts = [x for x in (case.get("year"), case.regime) if x]
        head = f"**{markdown_text(case.name)}**" + (f" ({', '.join(facts)})" if facts else "")
        lines = [
            f"- **{CASE_LABELS.get(key, key).capitalize()}:** {markdown_text(case.get(key))}"
            for key in CASE_ATTRIBUTES
            if key != "year" and case.get(key)
        ]
        pages = [
            f"[{markdown_link_text(catalogue[d].title)}]({doc_href(d)})"
            for d in case.doc_ids
            if d in catalogue
        ]
        if pages:
            lines.append("- **Read:** " + " · ".join(pages))
        blocks.append("\n".join([head, "", *lines]))
    return "\n\n".join(blocks)
