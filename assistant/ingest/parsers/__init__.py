"""Loading: one parser per format, dispatched on the file suffix."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IngestError, UnsupportedFormat
from assistant.ingest.parsers.limits import ParseLimits
from assistant.types import SourceDoc

logger = logging.getLogger(__name__)

Parser = Callable[..., SourceDoc]  # (path, data[, limits]) -> SourceDoc
ParseFile = Callable[[Path, int | None], SourceDoc]  # parse_file's shape, for load_corpus


# suffix -> (module, function); modules are imported on first use so `import assistant` does
# not pull in pypdf, python-docx or lxml, and a broken parser only affects its own format.
PARSERS: dict[str, tuple[str, str]] = {
    ".md": ("text", "parse_text"),
    ".markdown": ("text", "parse_text"),
    ".txt": ("text", "parse_text"),
    ".pdf": ("pdf", "parse_pdf"),
    ".docx": ("docx", "parse_docx"),
    ".html": ("html", "parse_html"),
    ".htm": ("html", "parse_html"),
    ".xml": ("clml", "parse_clml"),
}
SUFFIXES = tuple(PARSERS)
# The plain-text formats: a library page shows these files as written.
TEXT_SUFFIXES = tuple(s for s, (module, _) in PARSERS.items() if module == "text")
# What a user may upload, in the order the page lists them: every format but CLML XML
# (official legislation comes in by `assistant import-legislation`, checked and dated).
UPLOAD_SUFFIXES = (".pdf", ".docx", ".html", ".htm", *TEXT_SUFFIXES)
# Modules whose parser takes ParseLimits: the others read at most max_bytes of text.
LIMITED = {"pdf", "docx"}


def _parser(suffix: str, limits: ParseLimits | None = None) -> Parser | None:
    import functools
    import importlib

    entry = PARSERS.get(suffix)
    if entry is None:
        return None
    module = importlib.import_module(f"assistant.ingest.parsers.{entry[0]}")
    parser = getattr(module, entry[1])
    if limits is not None and entry[0] in LIMITED:
        return functools.partial(parser, limits=limits)
    return parser


SKIP_NAMES = {"README.md", "CONTRIBUTING.md"}  # folder documentation, not library content


def parse_file(
    path: Path, max_bytes: int | None = None, limits: ParseLimits | None = None
) -> SourceDoc:
    """Parse one file, raising IngestError (with the reason) if it cannot be used.
    `limits` caps what a PDF or DOCX may unpack to (uploads; see assistant/ingest/sandbox.py)."""
    suffix = path.suffix.lower()
    parser = _parser(suffix, limits)
    if parser is None:
        raise UnsupportedFormat(path, f"unsupported file type '{suffix or path.name}'")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot read file ({exc.strerror})") from exc
    if size == 0:
        raise IngestError(path, "empty file")
    if max_bytes is not None and size > max_bytes:
        raise IngestError(path, _too_big(size, max_bytes))
    with path.open("rb") as handle:  # never more than the limit, even if the file grows
        data = handle.read(max_bytes + 1 if max_bytes is not None else -1)
    if max_bytes is not None and len(data) > max_bytes:
        raise IngestError(path, _too_big(len(data), max_bytes))
    doc = parser(path, data)
    _check_doc_id(path, doc.doc_id)
    if not doc.sections or not any(s.text.strip() for s in doc.sections):
        raise IngestError(path, "no text could be extracted")
    return doc


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {size / 1e6:.3g} MB, over the {max_bytes / 1e6:.3g} MB limit"


# A doc_id becomes chunk ids ("<doc_id>#<n>"), Chroma metadata and file names in exports:
# keep it to a plain token (no '#', '/', spaces or '..' tricks).
_DOC_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9])?")


def _check_doc_id(path: Path, doc_id: str) -> None:
    if not _DOC_ID.fullmatch(doc_id) or ".." in doc_id:
        raise IngestError(
            path,
            f"invalid doc_id {doc_id[:60]!r} (front matter doc_id may use letters, digits, "
            "'.', '_' and '-', up to 255 characters)",
        )


def _walk(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """(root, path) for every candidate under the given files/folders, in a stable order.
    Symlinks are yielded too, so that ones leading out of their folder can be refused."""
    for root in paths:
        if root.is_file():
            yield root, root
            continue
        for path in sorted(root.rglob("*")):
            if (
                (path.is_file() or path.is_symlink())
                and path.name not in SKIP_NAMES
                and not any(part.startswith(".") for part in path.relative_to(root).parts)
            ):
                yield root, path


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every ingestible file under the given files/folders, in a stable order."""
    for root, path in _walk(paths):
        if path.is_file() and _escape(root, path) is None:
            yield path


def _escape(root: Path, path: Path) -> str | None:
    """Why `path` may not be read as part of `root`: a symlink leading outside it (to a
    file such as ~/.ssh/id_rsa, or a folder), or a broken one. None when it is fine."""
    if path == root or not path.is_symlink():
        return None
    if not path.exists():
        return "broken symlink"
    target, base = path.resolve(), root.resolve()
    if target != base and base not in target.parents:
        return f"symlink to {target}, outside the ingested folder {base}; not followed"
    return None


@dataclass(frozen=True, slots=True)
class LoadResult:
    docs: list[SourceDoc]
    errors: list[IngestError]


def _parse_or_error(path: Path, max_bytes: int | None) -> SourceDoc | IngestError:
    """parse_file in a worker process: the error comes back as a value."""
    try:
        return parse_file(path, max_bytes)
    except IngestError as exc:
        return exc
    except Exception as exc:  # a parser bug must not sink the whole ingest
        return IngestError(path, f"could not parse ({type(exc).__name__}: {exc})")


def _parse_all(
    files: list[Path], max_bytes: int | None, workers: int
) -> dict[Path, SourceDoc | IngestError]:
    """Parse `files` in `workers` processes (spawned: the caller may hold model threads)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(files)), mp_context=context) as pool:
        parsed = pool.map(partial(_parse_or_error, max_bytes=max_bytes), files, chunksize=8)
        return dict(zip(files, parsed, strict=True))


# Below this many files, starting worker processes (each imports the parsers) costs more
# than it saves; the shipped corpus (~65 Markdown files) parses in about a second.
PARALLEL_MIN_FILES = 100


def load_corpus(
    paths: Iterable[Path],
    max_bytes: int | None = None,
    on_file: Callable[[Path], None] | None = None,
    parse: ParseFile = parse_file,
    workers: int = 1,
) -> LoadResult:
    """Parse every file; a file that fails is reported in `errors` and skipped. `parse`
    replaces parse_file (uploads hand over the documents their sandbox already parsed).
    With `workers` > 1 and many files, parse_file runs in that many processes."""
    docs: list[SourceDoc] = []
    errors: list[IngestError] = []
    seen: dict[str, str] = {}
    walked = list(_walk(paths))
    files = [p for root, p in walked if p.is_file() and _escape(root, p) is None]
    parsed = (
        _parse_all(files, max_bytes, workers)
        if parse is parse_file and workers > 1 and len(files) >= PARALLEL_MIN_FILES
        else {}
    )
    for root, path in walked:
        if on_file:
            on_file(path)
        try:
            reason = _escape(root, path)
            if reason:
                raise IngestError(path, reason)
            if not path.is_file():  # a symlinked folder inside root: walked there already
                continue
            doc = parsed[path] if path in parsed else parse(path, max_bytes)
            if isinstance(doc, IngestError):
                raise doc
            if doc.doc_id in seen:
                raise IngestError(
                    path, f"duplicate doc_id '{doc.doc_id}' (also {seen[doc.doc_id]})"
                )
        except IngestError as exc:
            logger.warning("skipped %s", exc)
            errors.append(exc)
            continue
        except Exception as exc:  # a parser bug must not sink the whole ingest
            logger.error("parser failed on %s", path, exc_info=logger.isEnabledFor(logging.DEBUG))
            errors.append(IngestError(path, f"could not parse ({type(exc).__name__}: {exc})"))
            continue
        seen[doc.doc_id] = str(path)
        docs.append(doc)
    return LoadResult(docs, errors)
