"""Users' own documents: a separate collection and index beside the shipped library.

Uploads live under `user_data_dir/users/<owner>/` (`files/` and `index/`), never in corpus/ or
index/. `MergedLibrary` searches the shipped library and/or a user collection as one library,
so `Assistant.using(...)` answers from either or both with the same citation machinery.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from assistant.config import Settings
from assistant.errors import AssistantError, IngestError, LimitExceeded
from assistant.index.store import Manifest
from assistant.ingest.parsers import SKIP_NAMES, UPLOAD_SUFFIXES
from assistant.ingest.parsers._common import slugify
from assistant.ingest.pipeline import Progress, build_index
from assistant.ingest.sandbox import Parsed, UploadLimits, parse_isolated
from assistant.models.embedding import embed_query
from assistant.protocols import Asker
from assistant.retrieval.fusion import Rankings, fuse
from assistant.retrieval.library import Filters, Library
from assistant.retrieval.passages import suppress_near_duplicates
from assistant.types import CLAIM_PREFIX, UPLOAD_DOC_TYPE, Chunk, Hit, SourceDoc

logger = logging.getLogger(__name__)
# The formats a person is likely to hold; CLML XML is for the shipped legislation only.
ALLOWED_SUFFIXES = UPLOAD_SUFFIXES
UPLOAD_PREFIX = "upload:"  # marks user passages in a merged library; no corpus id has a colon
UPLOAD_TITLE = "Your document: "  # leads an upload's title wherever it is shown
# Front-matter fields an uploader may set that the library's own sources also fill.
CLAIMED_KEYS = ("title", "source_url", "regime", "doc_type", "publisher")
# What the parsers fill in when a file says nothing: not a claim the file makes.
_PARSER_DEFAULTS = {"doc_type": "guidance", "regime": "general"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True, slots=True)
class FileResult:
    """What happened to one uploaded file."""

    name: str
    ok: bool
    message: str
    doc_id: str = ""


@dataclass(frozen=True, slots=True)
class UserDocument:
    doc_id: str
    title: str
    file_name: str
    chunks: int


def _added(passages: int) -> str:
    return f"added ({passages} passage{'' if passages == 1 else 's'})"


def _result(item: FileResult | str, kept: dict[str, UserDocument]) -> FileResult:
    if isinstance(item, FileResult):
        return item
    doc = kept.get(item)
    if doc is None:
        return FileResult(item, False, "it could not be indexed; rename the file and try again")
    return FileResult(item, True, _added(doc.chunks), doc.doc_id)


def _safe_name(name: str) -> str:
    cleaned = _UNSAFE.sub("_", Path(name).name).strip(" .")
    if cleaned in SKIP_NAMES:  # ingest reads README.md as folder notes: keep it as a document
        cleaned = f"{Path(cleaned).stem} (document){Path(cleaned).suffix}"
    return cleaned or "document.txt"


class UserCollection:
    """One owner's uploaded documents and their own index."""

    def __init__(self, settings: Settings, owner: str = "local") -> None:
        root = Path(settings.user_data_dir) / "users" / _safe_name(owner)
        self.files_dir = root / "files"
        self.limits = UploadLimits.from_settings(settings)
        self.max_files = settings.upload_max_files
        self.max_passages = settings.upload_max_user_passages
        self._lock = threading.Lock()
        self.settings = settings.model_copy(
            update={
                "index_dir": root / "index",
                "corpus_dir": self.files_dir,
                "collection": "uploads",
                "chroma_url": None,
                "max_file_mb": settings.upload_max_mb,
            }
        )
        self._library: Library | None = None

    def documents(self) -> list[UserDocument]:
        manifest = Manifest.read(Path(self.settings.index_dir))
        docs = manifest.docs if manifest else {}
        return [
            UserDocument(doc_id, e.get("title", doc_id), Path(e["path"]).name, e.get("chunks", 0))
            for doc_id, e in sorted(docs.items())
        ]

    def library(self) -> Library | None:
        """The loaded user index, or None while it holds no document."""
        if not self.documents():
            self._library = None
            return None
        if self._library is None:
            self._library = Library.open(self.settings)
        return self._library

    def add(self, paths: Sequence[Path], progress: Progress | None = None) -> list[FileResult]:
        """Check and parse each file (once, in a sandbox), then index the ones that passed;
        a file that fails is reported and not kept. Results come back in the order of
        `paths`. One owner's uploads run one at a time, so the caps hold."""
        with self._lock:
            return self._add(paths, progress)

    def _add(self, paths: Sequence[Path], progress: Progress | None) -> list[FileResult]:
        held = _Held.of(self.documents())
        outcome: list[FileResult | str] = []  # a str is the stored name of a parsed file
        with tempfile.TemporaryDirectory() as tmp:
            for path in paths:
                name = _safe_name(Path(path).name)
                try:
                    name = self._accept(Path(path), name, Path(tmp), held)
                except IngestError as exc:
                    log = logger.info if isinstance(exc, LimitExceeded) else logger.warning
                    log("upload %s refused: %s", name, exc.reason)
                    outcome.append(FileResult(name, False, exc.reason))
                    continue
                outcome.append(name)
            self.files_dir.mkdir(parents=True, exist_ok=True)
            for name in held.parsed:
                shutil.move(Path(tmp) / name, self.files_dir / name)
        if held.parsed:
            self._index([self.files_dir / n for n in held.parsed], held.parsed, progress)
        kept = {d.file_name: d for d in self.documents()}
        for item in outcome:  # a file the index skipped is not kept: it could not be removed
            if isinstance(item, str) and item not in kept:
                (self.files_dir / item).unlink(missing_ok=True)
        return [_result(item, kept) for item in outcome]

    def _accept(self, path: Path, name: str, staging: Path, held: _Held) -> str:
        """The stored name of a file that passed every check; IngestError with the reason
        if not. Records the parsed document in `held`."""
        suffix = Path(name).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            allowed = ", ".join(s.lstrip(".").upper() for s in ALLOWED_SUFFIXES)
            raise IngestError(path, f"'{suffix or name}' files are not accepted (use {allowed})")
        if not path.is_file():
            raise IngestError(path, "the upload did not arrive; try again")
        other = held.owners.get(slugify(Path(name).stem))
        if other is not None and other != name:
            # report.pdf beside report.docx: keep both, told apart by their type
            name = f"{Path(name).stem} ({suffix.lstrip('.')}){suffix}"
        if name not in held.passages and len(held.passages) >= self.max_files:
            limit = f"you can keep at most {self.max_files} documents; remove one first"
            raise IngestError(path, limit)
        parsed = self._parse(path, staging / name)
        doc_id = parsed.doc.doc_id
        other = held.owners.get(doc_id)
        if other is not None and other != name:
            (staging / name).unlink()
            raise IngestError(path, f"same document id '{doc_id}' as your file {other}")
        total = sum(held.passages.values()) - held.passages.get(name, 0) + parsed.passages
        if total > self.max_passages:
            (staging / name).unlink()
            raise LimitExceeded(
                path,
                f"your documents would make {total:,} passages, over the limit of "
                f"{self.max_passages:,} per user; remove a document first",
            )
        held.add(name, parsed)
        return name

    def _parse(self, path: Path, staged: Path) -> Parsed:
        size, limit = path.stat().st_size, self.limits.max_bytes
        if size > limit:  # not worth copying or starting a parser for
            raise IngestError(
                path, f"file is {size / 1e6:.3g} MB, over the {limit / 1e6:.3g} MB limit"
            )
        shutil.copyfile(path, staged)
        try:
            return parse_isolated(staged, self.limits)
        except IngestError as exc:  # named after the upload, not the staged copy
            staged.unlink(missing_ok=True)
            raise type(exc)(path, exc.reason) from exc

    def remove(self, doc_id: str) -> None:
        """Delete one uploaded document and its passages."""
        match = [d for d in self.documents() if d.doc_id == doc_id]
        if not match:
            raise AssistantError(f"No uploaded document '{doc_id}'.")
        path = self.files_dir / match[0].file_name
        with self._lock:
            path.unlink(missing_ok=True)
            self._index([path], {}, None)  # a file that is gone: its passages go, none parsed

    def _index(
        self, paths: list[Path], parsed: dict[str, SourceDoc], progress: Progress | None
    ) -> None:
        """Bring the index in line with these files only: the others are not read again."""

        def parse(path: Path, _max_bytes: int | None) -> SourceDoc:
            return replace(parsed[path.name], path=str(path))

        report = build_index(self.settings, paths, progress=progress, parse=parse)
        for error in report.errors:
            logger.warning("upload index: %s", error)
        self._library = None


@dataclass
class _Held:
    """What one owner holds while a selection is checked: files already kept and those
    accepted so far."""

    owners: dict[str, str]  # doc_id -> stored file name
    passages: dict[str, int]  # stored file name -> passages
    parsed: dict[str, SourceDoc] = field(default_factory=dict)  # accepted in this selection

    @classmethod
    def of(cls, documents: Sequence[UserDocument]) -> _Held:
        return cls(
            {d.doc_id: d.file_name for d in documents},
            {d.file_name: d.chunks for d in documents},
        )

    def add(self, name: str, parsed: Parsed) -> None:
        for doc_id in [k for k, v in self.owners.items() if v == name]:
            del self.owners[doc_id]  # a file of the same name is replaced
        self.owners[parsed.doc.doc_id] = name
        self.passages[name] = parsed.passages
        self.parsed[name] = parsed.doc


def _tag_chunk(chunk: Chunk) -> Chunk:
    """A user passage, renamed so it cannot collide with a library id and shows as an upload.
    What the file says about itself (title, link, regime, type) becomes its claims: the title
    reads "Your document: ...", and no link, regime or type poses as the library's."""
    meta = {k: v for k, v in chunk.meta.items() if k not in CLAIMED_KEYS}
    meta |= {
        CLAIM_PREFIX + key: value
        for key in CLAIMED_KEYS
        if (value := chunk.meta.get(key)) and value != _PARSER_DEFAULTS.get(key)
    }
    meta |= {
        "title": UPLOAD_TITLE + (chunk.meta.get("title") or chunk.doc_id),
        "doc_type": UPLOAD_DOC_TYPE,
        "collection": "uploads",
    }
    return replace(
        chunk,
        chunk_id=UPLOAD_PREFIX + chunk.chunk_id,
        doc_id=UPLOAD_PREFIX + chunk.doc_id,
        url="",
        meta=meta,
    )


class MergedLibrary:
    """The shipped library and/or a user collection searched as one (same embedder).

    The parts' component rankings (dense, BM25, pinpoints) are fused as one library's are,
    with the tuned `rrf_k` and weights (`assistant.retrieval.fusion`). Filters (document
    type, regime) narrow the shipped library only: uploads carry none.
    """

    def __init__(self, library: Library | None, uploads: Library | None) -> None:
        if library is None and uploads is None:
            raise AssistantError("Nothing to search: upload a document or include the library.")
        self.parts = [(p, tagged) for p, tagged in ((library, False), (uploads, True)) if p]
        self.embedder = self.parts[0][0].embedder
        self.settings = self.parts[0][0].settings
        self.term_df: dict[str, int] = {}
        self.sentence_vectors: dict[str, Any] = {}
        self.chunks: dict[str, Chunk] = {}
        for part, tagged in self.parts:
            prefix = UPLOAD_PREFIX if tagged else ""
            for term, df in part.term_df.items():
                self.term_df[term] = self.term_df.get(term, 0) + df
            self.sentence_vectors.update({prefix + k: v for k, v in part.sentence_vectors.items()})
            for cid, chunk in part.chunks.items():  # as hits show them (neighbours come from here)
                self.chunks[prefix + cid] = _tag_chunk(chunk) if tagged else chunk

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        k: int | None = None,
        vector: list[float] | None = None,
        concepts: Sequence[Sequence[str]] = (),
    ) -> list[Hit]:
        k = k or self.settings.top_k
        if vector is None:
            vector = list(embed_query(self.embedder, query))
        parts: list[Rankings] = []
        for part, tagged in self.parts:
            scoped = _scope(filters, tagged)
            if scoped is None:
                continue
            found = part.rankings(query, scoped, vector, concepts)
            parts.append(_prefixed(found) if tagged else found)
        if not parts:
            return []
        hits = fuse(parts, self.chunks, self.settings)
        return suppress_near_duplicates(hits, k, self.settings.duplicate_threshold)


def _prefixed(found: Rankings) -> Rankings:
    """A user collection's rankings under the ids its passages have in the merged library."""
    return Rankings(
        [(UPLOAD_PREFIX + c, s) for c, s in found.dense],
        [(UPLOAD_PREFIX + c, s) for c, s in found.sparse],
        [UPLOAD_PREFIX + c for c in found.pinpoint],
    )


def _scope(filters: Filters | None, uploads: bool) -> dict[str, Any] | None:
    """The filters one part sees, or None to skip the part. Document-type and regime filters
    narrow the library only; a doc_id filter goes to the part that holds each id."""
    filters = dict(filters or {})
    wanted = filters.pop("doc_id", None)
    if uploads:
        filters = {}
    if wanted is None:
        return filters
    ids = [wanted] if isinstance(wanted, str) else list(wanted)
    mine = [i.removeprefix(UPLOAD_PREFIX) for i in ids if i.startswith(UPLOAD_PREFIX) == uploads]
    return {**filters, "doc_id": mine} if mine else None


def search_scope(
    assistant: Asker, uploads: UserCollection | None, library: bool, mine: bool
) -> Asker:
    """The assistant answering from the shipped library, the user's documents, or both."""
    if not mine:
        return assistant
    user_library = uploads.library() if uploads else None
    if user_library is None:
        if library:
            return assistant
        raise AssistantError("You have no documents yet: add some under 'My documents'.")
    # the app's own assistant: its library is the shipped Library, never already merged
    shipped = cast(Library, assistant.library) if library else None
    return assistant.using(MergedLibrary(shipped, user_library))
