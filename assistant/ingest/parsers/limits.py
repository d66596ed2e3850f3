"""Caps on what one file may unpack to, checked before the expensive part of parsing.

The shipped corpus is trusted and parsed without caps; uploads get the caps from the settings
(`assistant.ingest.sandbox.UploadLimits`), so a zip bomb, a paragraph bomb or a junk PDF is refused
with a clear reason instead of exhausting memory and CPU (docs/security.md).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import LimitExceeded

# Small parts (styles, settings, a short document.xml) can compress very well without being a
# bomb; the ratio cap only applies to parts that unpack to more than this.
RATIO_FLOOR_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class ParseLimits:
    """Per-file caps; None means no cap."""

    unzipped_bytes: int | None = None  # sum of a DOCX's unpacked parts
    zip_ratio: float | None = None  # unpacked / stored size of any one large part
    pages: int | None = None  # PDF
    paragraphs: int | None = None  # DOCX, counting those in tables too


NO_LIMITS = ParseLimits()


def check_zip(path: Path, data: bytes, limits: ParseLimits) -> None:
    """Refuse a DOCX whose parts would unpack to too much, reading only the zip directory.

    The sizes come from the directory, and they hold: zipfile stops at the declared size and
    fails the CRC check if a part holds more. A file that is not a zip is left to the parser.
    """
    if limits.unzipped_bytes is None and limits.zip_ratio is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    total = sum(m.file_size for m in members)
    if limits.unzipped_bytes is not None and total > limits.unzipped_bytes:
        raise LimitExceeded(
            path,
            f"it unpacks to {total / 1e6:,.0f} MB, over the "
            f"{limits.unzipped_bytes / 1e6:,.0f} MB limit for a document's contents",
        )
    if limits.zip_ratio is None:
        return
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.zip_ratio:
            raise LimitExceeded(
                path,
                f"one of its parts unpacks to {ratio:,.0f} times its stored size, over the "
                f"limit of {limits.zip_ratio:,.0f} times: it looks like a zip bomb",
            )


def check_count(path: Path, count: int, cap: int | None, what: str) -> None:
    """Refuse a file with more `what` (pages, paragraphs) than the cap."""
    if cap is not None and count > cap:
        raise LimitExceeded(
            path,
            f"it has {count:,} {what}, over the limit of {cap:,} {what} per file; "
            "split it into smaller files",
        )
