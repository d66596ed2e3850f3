"""Index updates that never lose the index: stage, commit, apply, and recover after a crash.

An update is first written in full to index/pending/ (chunks.jsonl, sentences.f16, bm25/,
manifest.json and the vectors bound for Chroma) while the live index keeps serving; a kill at
that stage leaves pending/ half-written and it is thrown away. Writing pending/COMMIT is the
commit point. Then, in an order that keeps readers working:

1. upsert the new and changed chunks into Chroma (readers holding the old chunk list drop ids
   they do not know);
2. swap in bm25 (a symlink), sentences, chunks and, last, the manifest naming the generation;
3. delete the Chroma ids the new chunk set no longer has;
4. remove pending/.

Every step can run again, so after a crash past COMMIT the next ingest (or `recover`) rolls
the update forward. One writer at a time: `ingest_lock`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import AssistantError, IndexBusy
from assistant.index.locking import ingest_lock
from assistant.index.repair import rebuild_collection, unreachable_ids
from assistant.index.sentence_vectors import LEGACY, SENTENCES, write_sentence_vectors
from assistant.index.store import (
    BM25_DIR,
    CHUNKS,
    GENERATION,
    MANIFEST,
    Manifest,
    atomic_write,
    chroma_client,
    chroma_collection,
    chroma_ids,
    collection_dim,
    delete_ids,
    install_sparse,
    prune_sparse,
    read_chunks,
    save_sparse,
    upsert_chunks,
    write_chunks,
)
from assistant.types import Chunk

logger = logging.getLogger(__name__)
PENDING = "pending"
COMMIT = "COMMIT"
UPSERT = "upsert.npz"
# After an update, every stored vector must still be found by a search with itself. Up to
# this many records all are checked (one query per 1000); above it, an even sample.
CHECK_ALL_UP_TO = 2_000
CHECK_SAMPLE = 1_000
# Present while an ingest writes to an embedded Chroma store: if it is found at the start of
# the next run, that write was interrupted and the store is rebuilt from its records.
WRITING = "chroma.writing"


@dataclass
class Update:
    """The whole next state of the index, plus the chunks Chroma needs (re)written."""

    chunks: Sequence[Chunk]
    sentence_vectors: Mapping[str, np.ndarray]
    manifest: Manifest
    upsert: Sequence[Chunk]
    vectors: Sequence[Any] | np.ndarray


@dataclass
class Recovery:
    """What `recover` found and did before an ingest."""

    rolled_forward: bool = False
    discarded: bool = False
    rebuilt: bool = False  # the embedded Chroma store was re-created from its records
    removed_from_chroma: int = 0
    missing_ids: set[str] = field(default_factory=set)  # in chunks.jsonl, not in Chroma


def new_generation() -> str:
    """Sortable in time order, unique per update."""
    now = time.time_ns()  # one reading: the second and its nanoseconds from the same instant
    return time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 10**9)) + f"-{now % 10**9:09d}"


def stage(index_dir: Path, update: Update) -> str:
    """Write the next index state to pending/ and commit it; returns its generation."""
    pending = Path(index_dir) / PENDING
    shutil.rmtree(pending, ignore_errors=True)
    pending.mkdir(parents=True)
    generation = new_generation()
    write_chunks(pending, update.chunks)
    write_sentence_vectors(pending, update.sentence_vectors)
    save_sparse(pending / BM25_DIR, update.chunks, generation)
    update.manifest.generation = generation
    update.manifest.write(pending)
    vectors = np.asarray(update.vectors, dtype=np.float32)
    vectors = (
        vectors.reshape(len(update.upsert), -1)
        if len(update.upsert)
        else np.zeros((0, 0), dtype=np.float32)
    )
    ids = np.array([c.chunk_id for c in update.upsert], dtype=object)
    np.savez(pending / UPSERT, ids=ids, vectors=vectors)
    _fsync_tree(pending)
    atomic_write(pending / COMMIT, json.dumps({"generation": generation}))
    return generation


def apply(settings: Settings, client: Any) -> None:
    """Carry out a committed update (idempotent: a crash part-way is finished by re-running)."""
    index_dir = Path(settings.index_dir)
    pending = index_dir / PENDING
    generation = json.loads((pending / COMMIT).read_text(encoding="utf-8"))["generation"]
    chunks = read_chunks(pending if (pending / CHUNKS).exists() else index_dir)
    with _writing(settings):
        collection = _upsert(settings, client, chunks, pending / UPSERT)
    install_sparse(index_dir, pending / BM25_DIR, generation)
    for name in (SENTENCES, CHUNKS, MANIFEST):  # the manifest last: it names the generation
        if (pending / name).exists():
            os.replace(pending / name, index_dir / name)
    if (index_dir / SENTENCES).exists():  # the float32 npz of older versions is superseded
        (index_dir / LEGACY).unlink(missing_ok=True)
    _fsync_dir(index_dir)
    stale = chroma_ids(collection) - {c.chunk_id for c in chunks}
    with _writing(settings):
        delete_ids(collection, stale)
    _ensure_searchable(settings, client, collection)
    (pending / COMMIT).unlink()
    shutil.rmtree(pending, ignore_errors=True)
    prune_sparse(index_dir)
    logger.info("index generation %s applied (%d stale vectors removed)", generation, len(stale))


def _upsert(settings: Settings, client: Any, chunks: Sequence[Chunk], path: Path) -> Any:
    collection = chroma_collection(settings, client)
    with np.load(path, allow_pickle=True) as data:
        ids, vectors = [str(i) for i in data["ids"]], data["vectors"]
    if not ids:
        return collection
    dim = collection_dim(collection)
    if dim is not None and dim != vectors.shape[1]:  # a rebuild with another model
        logger.warning(
            "Chroma holds %d-d vectors, the update %d-d: recreating", dim, vectors.shape[1]
        )
        client.delete_collection(settings.collection)
        collection = chroma_collection(settings, client)
    by_id = {c.chunk_id: c for c in chunks}
    upsert_chunks(collection, [by_id[i] for i in ids], vectors)
    return collection


def _ensure_searchable(settings: Settings, client: Any, collection: Any) -> None:
    """Chroma can lose records from its vector index while keeping them (chroma#7758):
    rebuild an embedded collection when that happened; a shared server is only reported, as
    re-creating it would cut off the workers using it."""
    total = collection.count()
    lost = unreachable_ids(collection, None if total <= CHECK_ALL_UP_TO else CHECK_SAMPLE)
    if not lost:
        return
    if settings.chroma_url:
        logger.warning(
            "the Chroma server no longer finds %d stored chunks by search (e.g. %s); "
            "re-create the collection in a quiet period "
            "(assistant.index.repair.rebuild_collection)",
            len(lost),
            lost[0],
        )
        return
    logger.warning("%d chunks unreachable by search; rebuilding the collection", len(lost))
    with _writing(settings):
        rebuild_collection(settings, client)


def recover(settings: Settings, client: Any) -> Recovery:
    """Finish or discard an interrupted update, then make Chroma hold exactly the chunks of
    chunks.jsonl: extra ids are deleted, missing ones reported for re-embedding. The caller
    holds `ingest_lock`."""
    index_dir = Path(settings.index_dir)
    pending = index_dir / PENDING
    found = Recovery()
    if (index_dir / WRITING).exists() and not settings.chroma_url:
        logger.warning("an ingest died while writing to the embedded Chroma store")
        with _writing(settings):
            rebuild_collection(settings, client)
        found.rebuilt = True
    (index_dir / WRITING).unlink(missing_ok=True)  # a server outlives its clients
    if (pending / COMMIT).exists():
        logger.warning("finishing an interrupted index update in %s", pending)
        apply(settings, client)
        found.rolled_forward = True
    elif pending.exists():
        logger.warning("discarding an uncommitted index update in %s", pending)
        shutil.rmtree(pending)
        found.discarded = True
    try:
        want = {c.chunk_id for c in read_chunks(index_dir)}
    except (AssistantError, OSError, ValueError, KeyError):  # none yet, or unreadable:
        return found  # the ingest builds it afresh
    collection = chroma_collection(settings, client)
    have = chroma_ids(collection)
    with _writing(settings):
        delete_ids(collection, have - want)
    found.removed_from_chroma = len(have - want)
    found.missing_ids = want - have
    if found.removed_from_chroma or found.missing_ids:
        logger.warning(
            "Chroma had %d stray and lacked %d chunks; repairing",
            found.removed_from_chroma,
            len(found.missing_ids),
        )
    return found


def recover_if_needed(settings: Settings) -> bool:
    """For readers (Library.open): finish an interrupted update, or rebuild an embedded
    store whose write was interrupted, if no ingest is running. True if it did either.
    Costs two stats when there is nothing to do."""
    index_dir = Path(settings.index_dir)
    if not ((index_dir / PENDING).exists() or (index_dir / WRITING).exists()):
        return False
    try:
        with ingest_lock(index_dir):
            found = recover(settings, chroma_client(settings))
    except IndexBusy:  # an ingest is running; it will finish the job
        return False
    return found.rolled_forward or found.rebuilt


@dataclass(frozen=True)
class Consistency:
    """Do the parts of the index agree? (`assistant info`, tests, operators)."""

    pending: str  # "none", "committed" (to roll forward) or "partial" (to discard)
    chunks: int
    chroma: int
    extra_in_chroma: tuple[str, ...]
    missing_in_chroma: tuple[str, ...]
    bm25_generation: str
    manifest_generation: str
    interrupted_write: bool = False  # an embedded-store write died part-way: rebuild due
    unsearchable: tuple[str, ...] = ()  # stored but not found by search (deep check only)

    @property
    def ok(self) -> bool:
        return (
            self.pending == "none"
            and not self.interrupted_write
            and not self.unsearchable
            and not self.extra_in_chroma
            and not self.missing_in_chroma
            and self.bm25_generation == self.manifest_generation
        )


def consistency(settings: Settings, deep: bool = False) -> Consistency:
    """`deep` also searches Chroma with every stored vector (one query per 1000 chunks)."""
    index_dir = Path(settings.index_dir)
    pending = index_dir / PENDING
    state = (
        "committed" if (pending / COMMIT).exists() else "partial" if pending.exists() else "none"
    )
    want = {c.chunk_id for c in read_chunks(index_dir)}
    collection = chroma_collection(settings)
    have = chroma_ids(collection)
    manifest = Manifest.read(index_dir)
    stamp = index_dir / BM25_DIR / GENERATION
    return Consistency(
        state,
        len(want),
        len(have),
        tuple(sorted(have - want)),
        tuple(sorted(want - have)),
        stamp.read_text(encoding="utf-8").strip() if stamp.exists() else "",
        manifest.generation if manifest else "",
        (index_dir / WRITING).exists(),
        tuple(unreachable_ids(collection)) if deep else (),
    )


@contextmanager
def _writing(settings: Settings) -> Iterator[None]:
    """Mark an embedded-store write in progress (a Chroma server outlives its clients)."""
    marker = Path(settings.index_dir) / WRITING
    if settings.chroma_url:
        yield
        return
    atomic_write(marker, str(os.getpid()))
    yield
    marker.unlink(missing_ok=True)  # left behind on an exception too: rebuilt next run


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
