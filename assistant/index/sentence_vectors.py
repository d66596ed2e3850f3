"""Per-chunk answer-sentence vectors on disk, memory-mapped.

One file, so it is swapped into the index by one atomic rename:

    magic (8 bytes) | header length (uint64, little-endian) | JSON header | padding | data

The header lists chunk ids, sentence counts and the vector width; the data is one float16
matrix (all chunks' sentences, in header order) aligned to 64 bytes. Opening the file reads
only the header; the vectors are paged in by the OS as answers touch them, so a 100k-chunk
library does not load ~1 GB of float32 into every process. float16 keeps cosine scores
within ~1e-3 of float32, well below the gaps the sentence selector works with.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np

from assistant.text.sentences import split_sentences
from assistant.types import Chunk

SENTENCES = "sentences.f16"
LEGACY = "sentences.npz"  # float32 npz written before this format; read, never written
MAGIC = b"IPASV01\n"
ALIGN = 64
_EMPTY = np.zeros((0, 0), dtype=np.float32)
# Rows converted to float32 at a time by `nearest_chunks` (~25 MB at 384 dimensions).
SEARCH_BLOCK = 16_384
# Up to this size the sentence matrix is also held as float32 (ours: ~7 MB), saving a
# conversion per question; larger libraries convert block by block.
DENSE_CACHE_BYTES = 64 * 2**20


class SentenceVectors(Mapping[str, np.ndarray]):
    """chunk id -> (sentences x dim) array; float16 views into a memory map."""

    def __init__(self, ids: list[str], sizes: list[int], data: np.ndarray) -> None:
        self._data = data
        self._slots: dict[str, tuple[int, int]] = {}
        self._owners: np.ndarray | None = None  # row -> chunk number, built on first search
        self._ids: list[str] = []
        self._dense: np.ndarray | None = None
        start = 0
        for cid, size in zip(ids, sizes, strict=True):
            self._slots[cid] = (start, start + int(size))
            start += int(size)

    def __getitem__(self, chunk_id: str) -> np.ndarray:
        start, stop = self._slots[chunk_id]
        return self._data[start:stop] if stop > start else _EMPTY

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    def nearest_chunks(self, query: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The `n` chunks holding the sentences nearest `query` (best cosine first), read in
        blocks so a large memory-mapped file is never converted to float32 whole."""
        if not len(self._slots) or not self._data.size or n <= 0:
            return []
        if self._owners is None:
            owners = np.empty(len(self._data), dtype=np.int64)
            for k, (start, stop) in enumerate(self._slots.values()):
                owners[start:stop] = k
            self._owners, self._ids = owners, list(self._slots)
        q = np.asarray(query, dtype=np.float32)
        if self._dense is None and self._data.size * 4 <= DENSE_CACHE_BYTES:
            self._dense = np.asarray(self._data, dtype=np.float32)  # small: keep a float32 copy
        if self._dense is not None:
            scores = self._dense @ q
        else:
            scores = np.concatenate(
                [
                    self._data[i : i + SEARCH_BLOCK].astype(np.float32) @ q
                    for i in range(0, len(self._data), SEARCH_BLOCK)
                ]
            )
        best: dict[int, float] = {}
        for row in np.argsort(-scores)[: n * 8]:
            owner = int(self._owners[row])
            best.setdefault(owner, float(scores[row]))
            if len(best) == n:
                break
        return [(self._ids[k], score) for k, score in best.items()]


def write_sentence_vectors(index_dir: Path, vectors: Mapping[str, np.ndarray]) -> Path:
    """Write `vectors` to index_dir/sentences.f16 (via a temporary file and a rename)."""
    ids = list(vectors)
    sizes = [len(vectors[i]) for i in ids]
    dim = next((int(vectors[i].shape[1]) for i in ids if len(vectors[i])), 0)
    header = json.dumps({"ids": ids, "sizes": sizes, "dim": dim, "dtype": "<f2"}).encode()
    lead = len(MAGIC) + 8 + len(header)
    padding = (-lead) % ALIGN
    target = Path(index_dir) / SENTENCES
    tmp = target.with_name(SENTENCES + ".tmp")
    with tmp.open("wb") as handle:
        handle.write(MAGIC + struct.pack("<Q", len(header)) + header + b"\0" * padding)
        for cid, size in zip(ids, sizes, strict=True):
            if size:
                handle.write(np.asarray(vectors[cid], dtype="<f2").tobytes())
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return target


def read_sentence_vectors(index_dir: Path) -> SentenceVectors:
    """The index's sentence vectors (empty when it has none); raises ValueError on a damaged
    file rather than handing out vectors for the wrong sentences."""
    path = Path(index_dir) / SENTENCES
    if not path.exists():
        return _read_legacy(Path(index_dir) / LEGACY)
    with path.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not a sentence-vector file")
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    offset = len(MAGIC) + 8 + length
    offset += (-offset) % ALIGN
    rows, dim = sum(header["sizes"]), int(header["dim"])
    expected = offset + rows * dim * 2
    if path.stat().st_size != expected:
        raise ValueError(f"{path} is truncated ({path.stat().st_size} of {expected} bytes)")
    data = (
        np.memmap(path, dtype=header["dtype"], mode="r", offset=offset, shape=(rows, dim))
        if rows and dim
        else np.zeros((0, dim), dtype=np.float16)
    )
    return SentenceVectors(header["ids"], header["sizes"], data)


def _read_legacy(path: Path) -> SentenceVectors:
    if not path.exists():
        return SentenceVectors([], [], np.zeros((0, 0), dtype=np.float16))
    with np.load(path, allow_pickle=True) as data:
        ids, sizes, vectors = [str(i) for i in data["ids"]], data["sizes"], data["vectors"]
    return SentenceVectors(ids, [int(s) for s in sizes], vectors)


class SentenceSpool(Mapping[str, np.ndarray]):
    """Sentence vectors written to a scratch file (float16) as an ingest computes them and read
    back one chunk at a time, so the ingest holds one batch of them in memory, not all."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle = self.path.open("w+b")
        self._slots: dict[str, tuple[int, int]] = {}
        self._rows = 0
        self._dim = 0

    def add(self, ids: Sequence[str], sizes: Sequence[int], matrix: np.ndarray) -> None:
        """Append `matrix` (rows for `ids` in order, `sizes[k]` rows each)."""
        if len(matrix):
            self._dim = int(matrix.shape[1])
            self._handle.seek(self._rows * self._dim * 2)
            self._handle.write(np.ascontiguousarray(matrix, dtype="<f2").tobytes())
            self._handle.flush()  # read back with os.pread, past Python's buffer
        for cid, size in zip(ids, sizes, strict=True):
            self._slots[cid] = (self._rows, self._rows + int(size))
            self._rows += int(size)

    def __getitem__(self, chunk_id: str) -> np.ndarray:
        start, stop = self._slots[chunk_id]
        if stop == start or not self._dim:
            return np.zeros((0, self._dim), dtype=np.float16)
        count = (stop - start) * self._dim
        data = os.pread(self._handle.fileno(), count * 2, start * self._dim * 2)
        return np.frombuffer(data, dtype="<f2").reshape(stop - start, self._dim)

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def close(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)


def stored_for(stored: Mapping[str, np.ndarray] | None, chunk: Chunk) -> np.ndarray | None:
    """The stored vectors of a passage's sentences (row i is sentence i of
    `split_sentences(chunk.text)`), or None when there are none or they no longer match its
    text. The one check before reusing them (answer units, verification)."""
    vectors = (stored or {}).get(chunk.chunk_id)
    if vectors is None or len(vectors) != len(split_sentences(chunk.text)):
        return None
    return vectors
