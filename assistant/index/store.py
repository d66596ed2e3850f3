"""The index on disk: Chroma (dense), BM25 (sparse), chunks and a manifest, kept in step.

How they are updated together without ever losing the index lives in `staging.py`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import Settings, offline_environment
from assistant.errors import ConfigError, IndexBusy, IndexMissing
from assistant.index.bm25 import SparseIndex
from assistant.models.embedding import FAKE_MODEL, LEGACY_PATH, embedding_path
from assistant.types import Chunk

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
BM25_DIR = "bm25"  # a symlink to bm25-<generation>/, swapped in one atomic rename
LOCK = "ingest.lock"
GENERATION = "generation"  # stamp file inside each bm25 folder
FORMAT_VERSION = 1
# Chroma metadata we filter on or show; the full chunk lives in chunks.jsonl.
_CHROMA_META = ("doc_id", "locator", "doc_type", "regime", "title", "status")
# Records per Chroma call: below the server's max batch size (5461 in chromadb 1.5).
CHROMA_BATCH = 1000
# Denser HNSW graph than Chroma's defaults (M 16, ef 100). With the defaults, a fresh index
# of ~1000 hashed test vectors had a stored vector that a search with itself did not find in
# 2 of 6 builds (consistency(deep=True)); with these settings, in none of 10. The shipped
# model's index had no such vector either way. Applies to new collections only: an existing
# one keeps its settings until it is rebuilt.
HNSW = {"hnsw:space": "cosine", "hnsw:M": 32, "hnsw:construction_ef": 200, "hnsw:search_ef": 200}


def chroma_client(settings: Settings) -> Any:
    """The embedded PersistentClient under index/, or an HttpClient when chroma_url is set."""
    offline_environment()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = Path(settings.index_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def chroma_collection(settings: Settings, client: Any | None = None) -> Any:
    # embedding_function=None: Chroma's default would download an ONNX model.
    client = client or chroma_client(settings)
    return client.get_or_create_collection(
        settings.collection, embedding_function=None, metadata=HNSW
    )


def vector_store(collection: Any) -> Any:
    from llama_index.vector_stores.chroma import ChromaVectorStore

    return ChromaVectorStore(chroma_collection=collection)


def to_node(chunk: Chunk, embedding: Sequence[float]) -> Any:
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    meta = {k: chunk.meta.get(k, "") for k in _CHROMA_META if k in chunk.meta}
    meta.update(doc_id=chunk.doc_id, locator=chunk.locator)
    # llama-index overwrites the `doc_id` metadata with the node's source document id when it
    # writes to Chroma ("None" without one), which broke the doc_id filter: name the source.
    # SEE: llama_index/core/vector_stores/utils.py node_to_metadata_dict
    source = {NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.doc_id)}
    return TextNode(
        id_=chunk.chunk_id,
        text=chunk.text,
        embedding=list(embedding),
        metadata=meta,
        relationships=source,
    )


def upsert_chunks(
    collection: Any, chunks: Sequence[Chunk], vectors: Sequence[Any] | NDArray[Any]
) -> None:
    """Write chunks in the record format ChromaVectorStore reads back; running it again gives
    the same result, so an interrupted update is finished by repeating it.

    Ids already present are deleted and added afresh rather than upserted: Chroma 1.5's
    in-place HNSW update of many ids left other, untouched records unreachable by search in
    our tests (tests/index/test_atomic_ingest.py::test_a_mass_update_leaves_every_chunk_findable).
    SEE: https://github.com/chroma-core/chroma/issues/7758
    SEE: https://github.com/nmslib/hnswlib/issues/303"""
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    for start in range(0, len(chunks), CHROMA_BATCH):
        part = list(zip(chunks[start : start + CHROMA_BATCH], vectors[start:], strict=False))
        nodes = [to_node(c, [float(x) for x in v]) for c, v in part]
        # (n, True, True) as always: the third argument is llama-index's text_field, so the
        # record keeps its text in _node_content; the stored format depends on it.
        metas = [
            {
                k: "" if v is None else v
                for k, v in node_to_metadata_dict(n, True, True).items()  # type: ignore[arg-type]
            }
            for n in nodes
        ]
        ids = [n.node_id for n in nodes]
        collection.delete(ids=ids)
        collection.add(
            ids=ids,
            embeddings=[n.get_embedding() for n in nodes],
            metadatas=metas,
            documents=[c.text for c, _ in part],
        )


def chroma_ids(collection: Any) -> set[str]:
    """Every id in the collection, read page by page."""
    ids: set[str] = set()
    while True:
        page = collection.get(include=[], limit=CHROMA_BATCH * 5, offset=len(ids))["ids"]
        ids.update(page)
        if len(page) < CHROMA_BATCH * 5:
            return ids


def delete_ids(collection: Any, ids: Iterable[str]) -> None:
    ids = sorted(ids)
    for start in range(0, len(ids), CHROMA_BATCH):
        collection.delete(ids=ids[start : start + CHROMA_BATCH])


def collection_dim(collection: Any) -> int | None:
    """Dimension of the stored vectors (None when the collection is empty)."""
    got = collection.get(limit=1, include=["embeddings"])
    embeddings = got.get("embeddings")
    return None if embeddings is None or len(embeddings) == 0 else len(embeddings[0])


@dataclass
class Manifest:
    embed_model: str
    docs: dict[str, dict[str, Any]]
    built_at: float = 0.0
    version: int = FORMAT_VERSION
    generation: str = ""  # names the bm25 folder built with these chunks
    embed_path: str = ""  # embedding.embedding_path of the vectors; "" = before it was kept

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        path = Path(index_dir) / MANIFEST
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            data["embed_model"],
            data["docs"],
            data.get("built_at", 0.0),
            data.get("version", FORMAT_VERSION),
            data.get("generation", ""),
            data.get("embed_path", ""),
        )

    def write(self, index_dir: Path) -> None:
        data = {
            "embed_model": self.embed_model,
            "docs": self.docs,
            "built_at": self.built_at,
            "version": self.version,
            "generation": self.generation,
            "embed_path": self.embed_path,
        }
        atomic_write(Path(index_dir) / MANIFEST, json.dumps(data, indent=1, sort_keys=True))


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def read_chunks(index_dir: Path) -> list[Chunk]:
    path = Path(index_dir) / CHUNKS
    if not path.exists():
        raise IndexMissing(index_dir)
    with path.open(encoding="utf-8") as handle:
        return [Chunk.from_dict(json.loads(line)) for line in handle if line.strip()]


def write_chunks(index_dir: Path, chunks: Iterable[Chunk]) -> None:
    lines = "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in chunks)
    atomic_write(Path(index_dir) / CHUNKS, lines)


def save_sparse(folder: Path, chunks: Sequence[Chunk], generation: str) -> SparseIndex:
    """Build BM25 over all chunks into `folder`, stamped with its generation."""
    # Every provision a chunk holds is indexed, not just its span locator: "reg. 31(4)–(6)"
    # alone would leave a pinpoint query for reg. 31(5) looking like an unknown citation.
    texts = [" ".join([c.embed_text(), *c.provisions]) for c in chunks]
    sparse = SparseIndex.build([c.chunk_id for c in chunks], texts)
    shutil.rmtree(folder, ignore_errors=True)
    sparse.save(folder)
    (folder / GENERATION).write_text(generation, encoding="utf-8")
    return sparse


def install_sparse(index_dir: Path, staged: Path | None, generation: str) -> None:
    """Move a staged bm25 folder to bm25-<generation>/ and point `bm25` at it atomically
    (readers never see a missing folder). Safe to run again after a crash."""
    index_dir = Path(index_dir)
    target = index_dir / f"{BM25_DIR}-{generation}"
    if staged is not None and staged.exists() and not target.exists():
        os.replace(staged, target)
    link = index_dir / BM25_DIR
    if link.is_symlink() and os.readlink(link) == target.name:
        return
    tmp = index_dir / f"{BM25_DIR}.link.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(target.name, tmp)
    if link.exists() and not link.is_symlink():  # an index from before generations
        os.replace(link, index_dir / f"{BM25_DIR}.legacy")
    os.replace(tmp, link)
    shutil.rmtree(index_dir / f"{BM25_DIR}.legacy", ignore_errors=True)


def prune_sparse(index_dir: Path, keep: int = 2) -> None:
    """Delete old bm25 generations, keeping the newest `keep` (a reader may still load one)."""
    index_dir = Path(index_dir)
    current = os.readlink(index_dir / BM25_DIR) if (index_dir / BM25_DIR).is_symlink() else ""
    # Generation names sort in time order (see staging.new_generation).
    old = sorted(p for p in index_dir.glob(f"{BM25_DIR}-*") if p.name != current)
    for path in old[: max(len(old) - (keep - 1), 0)]:
        shutil.rmtree(path, ignore_errors=True)
    for leftover in (f"{BM25_DIR}.tmp", f"{BM25_DIR}.old"):  # from before generations
        shutil.rmtree(index_dir / leftover, ignore_errors=True)


def read_sparse(index_dir: Path, chunks: Sequence[Chunk]) -> SparseIndex:
    """BM25 for `chunks`; refuses a bm25 folder from another generation than the manifest
    (an update interrupted half-way), which would map BM25 rows to the wrong chunks."""
    folder = Path(index_dir) / BM25_DIR
    if not folder.exists():
        raise IndexMissing(index_dir)
    manifest = Manifest.read(index_dir)
    stamp = folder / GENERATION
    built = stamp.read_text(encoding="utf-8").strip() if stamp.exists() else ""
    if manifest and manifest.generation and built and built != manifest.generation:
        raise IndexBusy(
            f"the index at {index_dir} is part-way through an update; "
            "run `assistant ingest` to finish it, or try again in a moment"
        )
    sparse = SparseIndex.load(folder, [c.chunk_id for c in chunks])
    rows = int(sparse.model.scores.get("num_docs", len(chunks)))
    if rows != max(len(chunks), 1):
        raise IndexBusy(
            f"BM25 holds {rows} rows but {index_dir} lists {len(chunks)} chunks; "
            "run `assistant ingest` to repair it"
        )
    return sparse


def check_model(manifest: Manifest | None, settings: Settings) -> None:
    if manifest and manifest.docs and manifest.embed_model != settings.embed_model:
        raise ConfigError(
            f"the index was built with '{manifest.embed_model}' but the configured model is "
            f"'{settings.embed_model}'; run `assistant ingest --rebuild`"
        )


def index_embedding_path(manifest: Manifest) -> str:
    """The path the index's vectors came from (an index from before it was recorded: the only
    one there was then)."""
    if manifest.embed_path:
        return manifest.embed_path
    return "hash" if manifest.embed_model == FAKE_MODEL else LEGACY_PATH


def path_mismatch(manifest: Manifest | None, settings: Settings) -> str | None:
    """Why the index's vectors cannot be searched with this configuration's query vectors
    (None when they can): they came from another embedding path."""
    if not manifest or not manifest.docs:
        return None
    have, want = index_embedding_path(manifest), embedding_path(settings)
    if have == want:
        return None
    return (
        f"the index's vectors were made by '{have}' but this configuration embeds with "
        f"'{want}' (ASSISTANT_EMBED_RUNTIME, ASSISTANT_EMBED_WINDOWS)"
    )


def check_embedding_path(manifest: Manifest | None, settings: Settings) -> None:
    """Queries and the index's vectors must come from the same path: refuse otherwise."""
    reason = path_mismatch(manifest, settings)
    if reason:
        raise ConfigError(f"{reason}; run `assistant ingest` to re-embed the library")
