"""The shipped model's forward pass in plain torch (`models.bert`): the vectors of
sentence-transformers, without importing it, and the folders it does not claim to compute."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.config import DEFAULT_EMBED_MODEL
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import load_corpus
from assistant.models.bert import BertEncoder, supported
from assistant.models.embedding import _model_path
from assistant.models.encoder import Encoder, bert_encoder, load_tokenizer
from assistant.text.sentences import split_sentences

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(_model_path(DEFAULT_EMBED_MODEL))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Real passages (several past the 256-token window, so some batches are padded) and
    real answer sentences."""
    docs = load_corpus([ROOT / "corpus" / "pcr2015"]).docs
    chunks = [c for d in docs for c in chunk_document(d)][:30]
    sentences = [s for c in chunks for s in split_sentences(c.text)][:90]
    return [c.embed_text() for c in chunks] + sentences


@pytest.fixture(scope="module")
def reference(texts: list[str]) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(MODEL), device="cpu")
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


def test_float32_vectors_equal_sentence_transformers(
    texts: list[str], reference: np.ndarray
) -> None:
    vectors = bert_encoder(str(MODEL), bf16=False).encode(texts)
    cosine = (vectors * reference).sum(axis=1)
    assert cosine.min() > 0.999999, cosine.min()


def test_bfloat16_vectors_stay_within_1e_4_of_them(texts: list[str], reference: np.ndarray) -> None:
    vectors = bert_encoder(str(MODEL), bf16=True).encode(texts)
    assert (vectors * reference).sum(axis=1).min() > 0.9999


def test_a_text_gets_the_same_vector_alone_as_padded_in_a_batch(texts: list[str]) -> None:
    model = BertEncoder(MODEL)
    encoder = Encoder(load_tokenizer(MODEL), model.run, 256, model.dim)
    together = encoder.encode(texts[-20:])
    alone = np.stack([encoder.encode([t])[0] for t in texts[-20:]])
    assert np.allclose(together, alone, atol=1e-5)


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(MODEL, target)
    return target


def test_the_shipped_folder_is_computed_here(tmp_path: Path) -> None:
    assert supported(MODEL)


@pytest.mark.parametrize(
    ("path", "change"),
    [
        (
            "1_Pooling/config.json",
            {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True},
        ),
        ("config.json", {"model_type": "mpnet"}),
        ("config.json", {"hidden_act": "gelu_new"}),
        ("config.json", {"position_embedding_type": "relative_key"}),
    ],
)
def test_any_other_layout_falls_back_to_sentence_transformers(
    tmp_path: Path, path: str, change: dict
) -> None:
    folder = _copy(tmp_path)
    data = json.loads((folder / path).read_text(encoding="utf-8"))
    (folder / path).write_text(json.dumps({**data, **change}), encoding="utf-8")
    assert not supported(folder)


def test_a_folder_without_normalisation_or_safetensors_falls_back(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    (folder / "modules.json").write_text(json.dumps(modules[:2]), encoding="utf-8")
    assert not supported(folder)
    folder = _copy(tmp_path / "again")
    (folder / "model.safetensors").unlink()
    assert not supported(folder)
    assert not supported(tmp_path / "missing")
