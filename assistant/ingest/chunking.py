"""SourceDoc -> Chunks: keep structure (provision, page, heading), then cut by size."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import groupby

from assistant.law.provisions import parse_provision, span_locator
from assistant.types import META_KEYS, Chunk, Section, SourceDoc

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[]?[A-Z0-9£])")
# A passage shorter than this is folded into its neighbour under the same heading: a
# one-line paragraph alone makes a poor retrieval unit.
MIN_WORDS = 40
HEADING_SEPARATOR = " › "


def _words(text: str) -> int:
    return len(text.split())


def _block_key(section: Section) -> tuple[object, ...]:
    """Sections that may share a chunk: same heading path, same provision base, same page."""
    base = parse_provision(section.provision).base if section.provision else None
    return (section.heading_path, base, section.page)


def _split_long(text: str, size: int, overlap: int) -> list[str]:
    """Cut an over-long paragraph at sentence ends into ~size-word pieces with overlap."""
    sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        words = sentence.split()
        if len(words) > size:  # a sentence longer than a chunk: hard cut by words
            for start in range(0, len(words), max(1, size - overlap)):
                pieces.append(" ".join(words[start : start + size]))
            continue
        if current and _words(" ".join(current)) + len(words) > size:
            pieces.append(" ".join(current))
            tail = " ".join(current).split()[-overlap:] if overlap else []
            current = [" ".join(tail)] if tail else []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


def _pack(
    sections: Sequence[Section], size: int, maximum: int, overlap: int
) -> Iterator[list[tuple[Section, str]]]:
    """Group consecutive (section, text) pieces into chunks of about `size` words."""
    batch: list[tuple[Section, str]] = []
    count = 0
    for section in sections:
        texts = (
            [section.text]
            if _words(section.text) <= maximum
            else _split_long(section.text, size, overlap)
        )
        for text in texts:
            n = _words(text)
            # Never past `maximum`, even when that leaves a small chunk (merged later if it can).
            if batch and (count + n > maximum or (count + n > size and count >= MIN_WORDS)):
                yield batch
                batch, count = [], 0
            batch.append((section, text))
            count += n
    if batch:
        yield batch


def _locator(sections: Sequence[Section]) -> str:
    provisions = [s.provision for s in sections if s.provision]
    if provisions:
        return span_locator(provisions)
    pages = sorted({s.page for s in sections if s.page is not None})
    if pages:
        return f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}–{pages[-1]}"
    path = sections[0].heading_path
    return HEADING_SEPARATOR.join(path) if path else "Introduction"


def _may_join(a: Section, b: Section) -> bool:
    """Two small blocks may share a chunk: same provision, or same top heading and no provision."""
    if a.provision and b.provision:
        return parse_provision(a.provision).base == parse_provision(b.provision).base
    if a.provision or b.provision:
        return False
    return a.heading_path[:1] == b.heading_path[:1] and a.page == b.page


def _merge_small(
    batches: list[list[tuple[Section, str]]], maximum: int
) -> list[list[tuple[Section, str]]]:
    """Fold a too-small chunk into the previous one when both share the top heading."""
    merged: list[list[tuple[Section, str]]] = []
    for batch in batches:
        words = sum(_words(t) for _, t in batch)
        if merged and words < MIN_WORDS:
            prev = merged[-1]
            prev_words = sum(_words(t) for _, t in prev)
            if _may_join(prev[0][0], batch[0][0]) and prev_words + words <= maximum:
                prev.extend(batch)
                continue
        merged.append(list(batch))
    return merged


def chunk_document(
    doc: SourceDoc, size: int = 260, maximum: int = 350, overlap: int = 30
) -> list[Chunk]:
    """Cut one document into chunks; chunk ids are stable for an unchanged document."""
    meta = {k: doc.meta.get(k, "") for k in META_KEYS}
    meta["title"] = doc.title
    batches: list[list[tuple[Section, str]]] = []
    for _, group in groupby(doc.sections, key=_block_key):
        batches.extend(_pack(list(group), size, maximum, overlap))
    chunks: list[Chunk] = []
    for n, batch in enumerate(_merge_small(batches, maximum)):
        sections = [s for s, _ in batch]
        first = sections[0]
        chunks.append(
            Chunk(
                chunk_id=f"{doc.doc_id}#{n}",
                doc_id=doc.doc_id,
                text="\n".join(t for _, t in batch),
                locator=_locator(sections),
                heading_path=first.heading_path,
                page=first.page,
                url=first.url or doc.meta.get("source_url", ""),
                meta=meta,
                provisions=tuple(dict.fromkeys(s.provision for s in sections if s.provision)),
            )
        )
    return chunks
