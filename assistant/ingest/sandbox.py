"""Parse one untrusted file in a child process with memory and time limits.

An upload is parsed once, here, and never in the app process that every user shares: the
child sets its own RLIMIT_AS (memory) and RLIMIT_CPU, runs at a lower CPU priority, sees none
of the app's environment (no keys or passwords), and is killed when the wall-clock limit
passes. It also applies the per-file caps (unpacked size, pages, paragraphs, passages) and
sends the parsed document back as JSON, never pickle. See docs/security.md (OWASP LLM10).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import IngestError, LimitExceeded
from assistant.ingest.parsers.limits import ParseLimits
from assistant.types import Section, SourceDoc

if TYPE_CHECKING:  # the child imports this module: keep pydantic out of it
    from assistant.config import Settings

logger = logging.getLogger(__name__)

# Put on the child's sys.path explicitly: `-I` ignores PYTHONPATH and the working folder.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); import assistant.ingest.sandbox as s; s.child()"
)
# Other users' questions come first: the child yields the CPU to the app's threads.
CHILD_NICENESS = 10
# How much of the child's stderr (a traceback) goes to the log when it fails.
STDERR_TAIL = 2000


@dataclass(frozen=True, slots=True)
class UploadLimits:
    """Every cap on parsing one upload (from the upload_* settings)."""

    max_bytes: int
    unzipped_bytes: int
    zip_ratio: float
    pages: int
    paragraphs: int
    passages: int
    memory_mb: int
    seconds: float
    chunk_size: int
    chunk_max: int
    chunk_overlap: int

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(
            max_bytes=int(settings.upload_max_mb * 1_000_000),
            unzipped_bytes=int(settings.upload_max_unzipped_mb * 1_000_000),
            zip_ratio=settings.upload_max_zip_ratio,
            pages=settings.upload_max_pages,
            paragraphs=settings.upload_max_paragraphs,
            passages=settings.upload_max_passages,
            memory_mb=settings.upload_parse_memory_mb,
            seconds=settings.upload_parse_seconds,
            chunk_size=settings.chunk_size,
            chunk_max=settings.chunk_max,
            chunk_overlap=settings.chunk_overlap,
        )

    def parse_limits(self) -> ParseLimits:
        return ParseLimits(self.unzipped_bytes, self.zip_ratio, self.pages, self.paragraphs)


@dataclass(frozen=True, slots=True)
class Parsed:
    """One parsed upload and the number of passages it will make."""

    doc: SourceDoc
    passages: int


def parse_isolated(path: Path, limits: UploadLimits) -> Parsed:
    """Parse `path` in a child process; IngestError (LimitExceeded for a cap) if it cannot."""
    request = json.dumps({"path": str(path), "limits": dataclasses.asdict(limits)})
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-I", "-c", CHILD, str(PACKAGE_ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=path.parent,
        env={"PATH": os.defpath},
    ) as child:
        try:
            out, err = child.communicate(request.encode(), timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            raise LimitExceeded(path, _too_slow(limits)) from None
    if child.returncode != 0:
        raise _crashed(path, child.returncode, err, limits)
    parsed = _read_reply(path, out, limits)
    logger.info(
        "parsed upload %s in %.1f s: %d passages",
        path.name,
        time.perf_counter() - started,
        parsed.passages,
    )
    return parsed


def _read_reply(path: Path, out: bytes, limits: UploadLimits) -> Parsed:
    try:
        reply = json.loads(out)
        if reply["ok"]:
            return Parsed(_doc_from_json(reply["doc"]), int(reply["passages"]))
        error = LimitExceeded if reply["limit"] else IngestError
        reason = reply["reason"] or _too_big(limits)
    except (ValueError, KeyError, TypeError) as exc:  # not the reply the child writes
        logger.warning("upload parser for %s replied %r", path.name, out[:200])
        raise IngestError(path, "could not read the file (the reader's reply was garbled)") from exc
    raise error(path, reason)


def _too_slow(limits: UploadLimits) -> str:
    return f"reading it took longer than {limits.seconds:g} s, the limit per file; it was stopped"


def _too_big(limits: UploadLimits) -> str:
    return (
        f"reading it needed more than {limits.memory_mb:,} MB of memory, the limit per file; "
        "it was stopped"
    )


def _crashed(path: Path, code: int, err: bytes, limits: UploadLimits) -> IngestError:
    """The child died without a reply: a limit (signal) or a crash inside a parser."""
    tail = err[-STDERR_TAIL:].decode("utf-8", "replace")
    logger.warning("upload parser for %s exited with %s: %s", path.name, code, tail)
    if code == -signal.SIGXCPU:
        return LimitExceeded(path, _too_slow(limits))
    if code == -signal.SIGKILL or "MemoryError" in tail:  # SIGKILL: the kernel's OOM killer
        return LimitExceeded(path, _too_big(limits))
    return IngestError(path, f"could not read the file (the reader stopped with code {code})")


def _doc_from_json(data: dict[str, Any]) -> SourceDoc:
    sections = tuple(
        Section(**{**s, "heading_path": tuple(s["heading_path"])}) for s in data["sections"]
    )
    return SourceDoc(**{**data, "sections": sections})


# --- the child ------------------------------------------------------------------------------


def child() -> None:
    """Entry point of the child: a JSON request on stdin, a JSON reply on stdout."""
    request = json.loads(sys.stdin.buffer.read())
    limits = UploadLimits(**request["limits"])
    _limit_self(limits)
    logging.basicConfig(level=logging.ERROR)  # pypdf's per-page warnings are not news
    try:
        reply = _parse(Path(request["path"]), limits)
    except IngestError as exc:
        memory = _memory_error(exc)
        reason = "" if memory else exc.reason
        reply = {"ok": False, "limit": memory or isinstance(exc, LimitExceeded), "reason": reason}
    except MemoryError:
        reply = {"ok": False, "limit": True, "reason": ""}
    sys.stdout.buffer.write(json.dumps(reply, ensure_ascii=False).encode())


def _limit_self(limits: UploadLimits) -> None:
    import resource

    def lower(kind: int, soft: int, hard: int) -> None:
        ceiling = resource.getrlimit(kind)[1]  # never above a limit the system already set
        if ceiling != resource.RLIM_INFINITY:
            soft, hard = min(soft, ceiling), min(hard, ceiling)
        resource.setrlimit(kind, (soft, hard))

    memory = limits.memory_mb * 1024 * 1024
    lower(resource.RLIMIT_AS, memory, memory)
    # A backstop for a parent that died: the parent kills the child at `seconds` wall clock.
    cpu = int(limits.seconds) + 1
    lower(resource.RLIMIT_CPU, cpu, cpu + 1)
    os.nice(CHILD_NICENESS)


def _parse(path: Path, limits: UploadLimits) -> dict[str, Any]:
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.parsers import parse_file

    doc = parse_file(path, limits.max_bytes, limits.parse_limits())
    passages = len(chunk_document(doc, limits.chunk_size, limits.chunk_max, limits.chunk_overlap))
    if passages > limits.passages:
        raise LimitExceeded(
            path,
            f"it would make {passages:,} passages, over the limit of {limits.passages:,} "
            "passages per file; split it into smaller files",
        )
    return {"ok": True, "doc": dataclasses.asdict(doc), "passages": passages}


def _memory_error(exc: BaseException | None) -> bool:
    """A parser turned running out of memory into an IngestError ("not a readable DOCX:
    MemoryError", or lxml's "Memory allocation failed")."""
    while exc is not None:
        if isinstance(exc, MemoryError) or "memory allocation failed" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False
