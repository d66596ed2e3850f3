"""Helpers shared by the format parsers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path

from assistant.errors import IngestError
from assistant.types import Section, SourceDoc

_WS = re.compile(r"[ \t\u00a0]+")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "document"


def clean(text: str) -> str:
    """Collapse runs of spaces, keep paragraph breaks."""
    lines = [_WS.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def decode(path: Path, data: bytes) -> str:
    """Decode UTF-8 text (with or without BOM); anything else is rejected clearly."""
    if b"\x00" in data[:4096]:
        raise IngestError(path, "binary content (NUL bytes) in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            path, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from exc


def make_doc(
    path: Path,
    data: bytes,
    sections: Sequence[Section],
    title: str | None,
    meta: dict[str, str] | None = None,
) -> SourceDoc:
    """Build a SourceDoc, filling metadata a file without front matter cannot give."""
    meta = {k: str(v) for k, v in (meta or {}).items() if v is not None and str(v) != ""}
    doc_id = meta.get("doc_id") or slugify(path.stem)
    title = meta.get("title") or title or path.stem.replace("_", " ").replace("-", " ")
    meta["title"] = title
    meta.setdefault("doc_type", "guidance")
    meta.setdefault("regime", "general")
    meta.setdefault("status", "current")
    meta.setdefault("source_url", "")
    meta.pop("doc_id", None)
    return SourceDoc(
        doc_id=doc_id,
        title=title,
        path=str(path),
        meta=meta,
        sections=tuple(s for s in sections if s.text.strip()),
        content_hash=content_hash(data),
    )
