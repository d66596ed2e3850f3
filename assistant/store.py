"""The index on disk: Chroma (dense), BM25 (sparse), chunks and a manifest, kept in step."""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings, offline_environment
from assistant.errors import ConfigError, IndexBusy, IndexMissing
from assistant.sparse import SparseIndex
from assistant.types import Chunk

logger = logging.getLogger(__name__)
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
BM25_DIR = "bm25"
LOCK = "ingest.lock"
SENTENCES = "sentences.npz"  # per-chunk sentence vectors, so answers need no embedding
FORMAT_VERSION = 1
# Chroma metadata we filter on or show; the full chunk lives in chunks.jsonl.
_CHROMA_META = ("doc_id", "locator", "doc_type", "regime", "title", "status")


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
        settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
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


@dataclass
class Manifest:
    embed_model: str
    docs: dict[str, dict[str, Any]]
    built_at: float = 0.0
    version: int = FORMAT_VERSION

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
        )

    def write(self, index_dir: Path) -> None:
        data = {
            "embed_model": self.embed_model,
            "docs": self.docs,
            "built_at": self.built_at,
            "version": self.version,
        }
        _atomic_write(Path(index_dir) / MANIFEST, json.dumps(data, indent=1, sort_keys=True))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def read_chunks(index_dir: Path) -> list[Chunk]:
    path = Path(index_dir) / CHUNKS
    if not path.exists():
        raise IndexMissing(index_dir)
    with path.open(encoding="utf-8") as handle:
        return [Chunk.from_dict(json.loads(line)) for line in handle if line.strip()]


def write_chunks(index_dir: Path, chunks: Iterable[Chunk]) -> None:
    lines = "".join(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in chunks)
    _atomic_write(Path(index_dir) / CHUNKS, lines)


def write_sparse(index_dir: Path, chunks: Sequence[Chunk]) -> SparseIndex:
    """Rebuild BM25 over all chunks and swap it in whole."""
    # Every provision a chunk holds is indexed, not just its span locator: "reg. 31(4)–(6)"
    # alone would leave a pinpoint query for reg. 31(5) looking like an unknown citation.
    texts = [" ".join([c.embed_text(), *c.provisions]) for c in chunks]
    sparse = SparseIndex.build([c.chunk_id for c in chunks], texts)
    final = Path(index_dir) / BM25_DIR
    tmp = Path(index_dir) / (BM25_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    sparse.save(tmp)
    old = Path(index_dir) / (BM25_DIR + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return sparse


def write_sentence_vectors(index_dir: Path, vectors: dict[str, np.ndarray]) -> None:
    ids = list(vectors)
    sizes = np.array([len(vectors[i]) for i in ids], dtype=np.int64)
    stacked = [vectors[i] for i in ids if len(vectors[i])]
    data = np.concatenate(stacked).astype(np.float32) if stacked else np.zeros((0, 0), np.float32)
    tmp = Path(index_dir) / (SENTENCES + ".tmp.npz")
    np.savez(tmp, ids=np.array(ids, dtype=object), sizes=sizes, vectors=data)
    os.replace(tmp, Path(index_dir) / SENTENCES)


def read_sentence_vectors(index_dir: Path) -> dict[str, np.ndarray]:
    path = Path(index_dir) / SENTENCES
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=True) as data:
        ids, sizes, vectors = list(data["ids"]), data["sizes"], data["vectors"]
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    return {cid: vectors[bounds[i] : bounds[i + 1]] for i, cid in enumerate(ids)}


def read_sparse(index_dir: Path, chunks: Sequence[Chunk]) -> SparseIndex:
    folder = Path(index_dir) / BM25_DIR
    if not folder.exists():
        raise IndexMissing(index_dir)
    return SparseIndex.load(folder, [c.chunk_id for c in chunks])


def check_model(manifest: Manifest | None, settings: Settings) -> None:
    if manifest and manifest.docs and manifest.embed_model != settings.embed_model:
        raise ConfigError(
            f"the index was built with '{manifest.embed_model}' but the configured model is "
            f"'{settings.embed_model}'; run `assistant ingest --rebuild`"
        )


@contextmanager
def ingest_lock(index_dir: Path) -> Any:
    """One ingest at a time per index; a stale lock (dead process) is taken over."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    path = Path(index_dir) / LOCK
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if _lock_is_stale(path):
                path.unlink(missing_ok=True)
                continue
            raise IndexBusy(
                f"another ingest is running on {index_dir} (lock {path}); try again when it ends"
            ) from None
    else:  # pragma: no cover - both attempts lost a race
        raise IndexBusy(f"could not take the ingest lock {path}")
    try:
        os.write(fd, f"{os.getpid()} {time.time():.0f}".encode())
        os.close(fd)
        yield
    finally:
        path.unlink(missing_ok=True)


def _lock_is_stale(path: Path) -> bool:
    try:
        pid = int(path.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, FileNotFoundError):
        return True
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
