"""Markdown and plain text, with optional YAML front matter."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from assistant.errors import IngestError
from assistant.ingest.parsers._common import clean, decode, make_doc
from assistant.law.provisions import (
    join_provision,
    paragraph_number,
    provision_from_heading,
    provision_url,
)
from assistant.types import Section, SourceDoc

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# Reference lists repeat the front matter's source_url and would crowd answers with URLs.
SKIPPED_HEADINGS = {"sources", "references", "further reading", "source list"}
# A learning module (doc_id "module-...", corpus/README.md) is searchable by its summary and key
# points only. Its objectives, scenarios (invented facts), discussion questions and quiz (wrong
# options) must never be quoted as an answer; the trainer pack reads them from the file.
MODULE_PREFIX = "module-"
MODULE_TEACHING = ("learning objectives", "scenario:", "discussion questions", "quiz")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^()]*\))*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def _plain(text: str) -> str:
    """Markdown inline markup to plain text: links keep their words, emphasis goes."""
    return _ITALIC.sub(r"\1", _EMPHASIS.sub("", _LINK.sub(r"\1", text)))


_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", re.DOTALL)


def _front_matter(path: Path, text: str) -> tuple[dict[str, str], str]:
    import yaml

    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise IngestError(path, f"invalid YAML front matter{where}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise IngestError(path, "front matter must be a YAML mapping of key: value")
    meta = {str(k): _scalar(v) for k, v in data.items()}
    return meta, text[match.end() :]


def _scalar(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


# A line opening a list item, table row, quote or numbered paragraph keeps its line break; any
# other line inside a paragraph is a soft wrap, which Markdown reads as a space. Without this,
# hard-wrapped files would yield half sentences ("...appointed as the council's innovation").
_LINE_START = re.compile(r"^\s*(?:[-*+•]\s|\d+[.)]\s|\||>|\(\w{1,4}\)\s)")


def _unwrap(block: str) -> str:
    lines: list[str] = []
    for line in block.splitlines():
        if lines and line.strip() and not _LINE_START.match(line):
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line)
    return "\n".join(lines)


def _blocks(body: str) -> list[str]:
    """Paragraphs separated by blank lines; headings are blocks of their own."""
    blocks: list[str] = []
    current: list[str] = []
    for line in body.splitlines():
        if not line.strip() or _HEADING.match(line):
            if current:
                blocks.append("\n".join(current))
                current = []
            if line.strip():
                blocks.append(line.strip())
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


_PLAIN_HEADING = re.compile(r"^[A-Z0-9][^\n]{0,80}$")


def _plain_headings(body: str) -> str:
    """Plain text has no markup: a short, unpunctuated line standing alone is a heading."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", body):
        line = block.strip()
        if (
            _PLAIN_HEADING.match(line)
            and len(line.split()) <= 10
            and not line.endswith((".", ",", ";", ":", "!", "?", '"', "”", "|"))
        ):
            out.append(f"## {line}")
        else:
            out.append(block)
    return "\n\n".join(out)


def _skipped(heading: str, teaching: bool) -> bool:
    name = heading.lower().strip()
    return name.strip(" :") in SKIPPED_HEADINGS or (teaching and name.startswith(MODULE_TEACHING))


def parse_text(path: Path, data: bytes) -> SourceDoc:
    meta, body = _front_matter(path, decode(path, data))
    teaching = meta.get("doc_id", "").startswith(MODULE_PREFIX)
    if path.suffix.lower() == ".txt" and not meta:
        body = _plain_headings(body)
        heads = [m.group(2) for m in map(_HEADING.match, body.splitlines()[:40]) if m]
        meta["title"] = next((h for h in heads[:3] if len(h.split()) >= 3), "")
    legislation = meta.get("legislation", "")
    title = meta.get("title")
    stack: list[tuple[int, str]] = []  # (level, heading text)
    provision: str | None = None  # provision named by the nearest heading
    sections: list[Section] = []
    for block in _blocks(body):
        heading = _HEADING.match(block)
        if heading:
            level, name = len(heading.group(1)), heading.group(2).strip()
            if level == 1 and not title:
                title = name
            if level == 1:
                continue  # the document title, not part of the path
            name = _plain(name)
            stack = [(lvl, text) for lvl, text in stack if lvl < level] + [(level, name)]
            named = [provision_from_heading(text) for _, text in stack]
            provision = next((p for p in reversed(named) if p), None)
            continue
        text = clean(_plain(_unwrap(block)))
        if not text or any(_skipped(t, teaching) for _, t in stack):
            continue
        locator = provision
        groups = paragraph_number(text)
        if provision and groups:
            locator = join_provision(provision, groups)
        url = provision_url(legislation, locator) if locator else None
        sections.append(Section(text, tuple(t for _, t in stack), locator, None, url))
    return make_doc(path, data, sections, title, meta)


def read_markdown(path: Path) -> tuple[dict[str, str], str]:
    """A Markdown file's front matter and its body as written, for showing the document."""
    return _front_matter(path, decode(path, path.read_bytes()))
