"""The library's documents as whole pages: full text, own sources list, review date.

An answer cites passages. A reader who wants the document a passage came from gets it from
here, read from the file the index was built from: its front matter, its body as written, and
its own "Sources" list, which ingest leaves out of the passages (parsers/text.py). The
front matter's `source_url` is what a document is *based on*, never the document's address:
every document in the library is written in the library's own words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError, IngestError
from assistant.index.store import MANIFEST, Manifest
from assistant.ingest.parsers import TEXT_SUFFIXES
from assistant.ingest.parsers.text import SKIPPED_HEADINGS, read_markdown
from assistant.text.sanitize import safe_url, shorten
from assistant.types import Chunk

logger = logging.getLogger(__name__)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_URL = re.compile(r"https?://[^\s<>()\[\]]+")
_TRIM = " \t:;,-–—|"
MARKDOWN_SUFFIXES = TEXT_SUFFIXES


@dataclass(frozen=True, slots=True)
class Listing:
    """One document of the library, as the catalogue lists it."""

    doc_id: str
    title: str
    doc_type: str = ""
    regime: str = ""


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One entry of a document's own sources list: what it is and where (http(s) or "")."""

    label: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class LibraryDocument:
    """A library document as a page: `body` is its Markdown without front matter and without
    its sources section, which is `sources`."""

    doc_id: str
    title: str
    meta: dict[str, str]
    body: str
    sources: tuple[SourceLink, ...]
    from_file: bool = True  # False: the file is not on this server; text from the index

    @property
    def doc_type(self) -> str:
        return self.meta.get("doc_type", "")

    @property
    def regime(self) -> str:
        return self.meta.get("regime", "")

    @property
    def last_reviewed(self) -> str:
        return self.meta.get("last_reviewed", "")

    @property
    def based_on(self) -> str:
        """The address the document is based on (its front matter's source_url), if safe."""
        return safe_url(self.meta.get("source_url", ""))


def catalogue(settings: Settings) -> dict[str, Listing]:
    """Every document of the built index by doc_id ({} without an index)."""
    path = Path(settings.index_dir) / MANIFEST
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return dict(_catalogue(str(path.parent), stamp))


@lru_cache(maxsize=4)
def _catalogue(index_dir: str, stamp: int) -> tuple[tuple[str, Listing], ...]:
    """Read once per manifest version (`stamp` changes when the index is rebuilt)."""
    manifest = Manifest.read(Path(index_dir))
    docs = manifest.docs if manifest else {}
    return tuple(
        (
            doc_id,
            Listing(doc_id, d.get("title") or doc_id, d.get("doc_type", ""), d.get("regime", "")),
        )
        for doc_id, d in sorted(docs.items())
    )


def open_document(
    settings: Settings, doc_id: str, chunks: Mapping[str, Chunk] | None = None
) -> LibraryDocument:
    """The library document `doc_id`, from its file; when the file is not on this server,
    its passages from the index (`chunks`). AssistantError for an id the library lacks."""
    manifest = Manifest.read(Path(settings.index_dir))
    entry = (manifest.docs if manifest else {}).get(doc_id)
    if not isinstance(doc_id, str) or entry is None:
        raise AssistantError(f"The library has no document {shorten(repr(doc_id), 60)}.")
    path = _file(settings, doc_id, entry.get("path", ""))
    if path is not None:
        try:
            meta, text = read_markdown(path)
        except (OSError, IngestError) as exc:
            logger.warning("could not read %s for its page: %s", path, exc)
        else:
            body, sources = split_sources(text)
            meta.setdefault("title", entry.get("title") or doc_id)
            return LibraryDocument(doc_id, meta["title"], meta, body.strip(), sources)
    return _from_chunks(doc_id, entry, chunks or {})


def _file(settings: Settings, doc_id: str, recorded: str) -> Path | None:
    """The document's Markdown file: where ingest read it, else `<doc_id>.md` in the corpus."""
    candidates = [Path(recorded)] if recorded else []
    candidates += sorted(Path(settings.corpus_dir).rglob(f"{doc_id}.md"))
    for path in candidates:
        if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file():
            return path
    return None


def _from_chunks(
    doc_id: str, entry: Mapping[str, str], chunks: Mapping[str, Chunk]
) -> LibraryDocument:
    """The document rebuilt from its passages, in order, under their headings."""
    own = sorted(
        (c for c in chunks.values() if c.doc_id == doc_id),
        key=lambda c: int(c.chunk_id.rsplit("#", 1)[-1]) if "#" in c.chunk_id else 0,
    )
    lines: list[str] = []
    heading: tuple[str, ...] = ()
    for chunk in own:
        if chunk.heading_path and chunk.heading_path != heading:
            heading = chunk.heading_path
            lines.append(f"\n## {' › '.join(heading)}\n")
        lines.append(chunk.text + "\n")
    meta = dict(own[0].meta) if own else {}
    meta.setdefault("title", entry.get("title") or doc_id)
    return LibraryDocument(doc_id, meta["title"], meta, "\n".join(lines).strip(), (), False)


def split_sources(body: str) -> tuple[str, tuple[SourceLink, ...]]:
    """`body` without its sources section ("## Sources", "References" ...) and the entries
    of that section, one SourceLink per address (an entry naming two gives two)."""
    kept: list[str] = []
    section: list[str] = []
    level: int | None = None  # the sources heading's level while inside that section
    for line in body.splitlines():
        heading = _HEADING.match(line)
        if heading and level is not None and len(heading.group(1)) <= level:
            level = None
        if heading and level is None and heading.group(2).strip(_TRIM).lower() in SKIPPED_HEADINGS:
            level = len(heading.group(1))
            continue
        (section if level is not None else kept).append(line)
    return "\n".join(kept), tuple(link for item in _items(section) for link in _links(item))


def _items(lines: list[str]) -> list[str]:
    """List items (with their continuation lines) or paragraphs of a sources section."""
    items: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if _ITEM.match(line) or not items:
            items.append(_ITEM.sub("", line).strip())
        else:
            items[-1] += " " + line.strip()
    return items


def _links(item: str) -> list[SourceLink]:
    """'Label: https://a ; Other: https://b' -> two links; an entry without an address is
    kept as text."""
    item = _MD_LINK.sub(lambda m: f"{m.group(1)}: {m.group(2)}", item)
    found = list(_URL.finditer(item))
    if not found:
        return [SourceLink(item.strip(_TRIM))] if item.strip(_TRIM) else []
    links, start, label = [], 0, ""
    for match in found:
        url = match.group(0).rstrip(".,;:")
        label = item[start : match.start()].strip(_TRIM) or label
        links.append(SourceLink(label or url, safe_url(url)))
        start = match.end()
    return links
