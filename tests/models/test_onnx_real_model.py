"""The ONNX path on the real shipped model: the same vectors as sentence-transformers, an
export made once and reused, and windows that let a long passage's end be found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.ingest.chunking import chunk_document
from assistant.ingest.parsers import load_corpus
from assistant.models.bert import BertEncoder
from assistant.models.embedding import _model_path, embed_matrix, embed_passages, make_embedder
from assistant.models.encoder import Encoder, load_tokenizer, onnx_path
from assistant.text.sentences import split_sentences

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _settings(runtime: str) -> Settings:
    return Settings(embed_model=DEFAULT_EMBED_MODEL, embed_runtime=runtime)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Real passages (many past the 256-token window) and real answer sentences."""
    docs = load_corpus([ROOT / "corpus" / "pcr2015"]).docs
    chunks = [c for d in docs for c in chunk_document(d)][:40]
    sentences = [s for c in chunks for s in split_sentences(c.text)][:120]
    return [c.embed_text() for c in chunks] + sentences


def test_onnx_vectors_match_sentence_transformers(texts: list[str]) -> None:
    onnx = embed_matrix(make_embedder(_settings("onnx")), texts)
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(_model_path(DEFAULT_EMBED_MODEL), device="cpu")
    reference = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    cosine = (onnx * reference).sum(axis=1)
    assert cosine.min() > 0.999, cosine.min()
    torch_path = embed_matrix(make_embedder(_settings("torch")), texts)
    assert (torch_path * reference).sum(axis=1).min() > 0.999  # our torch runtime too


def test_bf16_vectors_stay_close_to_float32(texts: list[str]) -> None:
    fp32 = embed_matrix(make_embedder(_settings("onnx")), texts)
    bf16 = embed_matrix(make_embedder(_settings("torch-bf16")), texts)
    assert (fp32 * bf16).sum(axis=1).min() > 0.999


def test_query_and_text_embeddings_agree(texts: list[str]) -> None:
    embedder = make_embedder(_settings("onnx"))
    query = np.asarray(embedder.get_query_embedding(texts[-1]), dtype=np.float32)
    assert float(query @ embed_matrix(embedder, texts[-1:])[0]) > 0.9999


def test_the_export_is_made_once_and_reused() -> None:
    settings = _settings("onnx")
    make_embedder(settings).encoder  # noqa: B018 - loads (and, the first time, exports)
    path = onnx_path(Path(_model_path(DEFAULT_EMBED_MODEL)), settings.model_cache_dir, "fp32")
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    from assistant.models.encoder import ensure_onnx

    assert ensure_onnx(Path(_model_path(DEFAULT_EMBED_MODEL)), settings.model_cache_dir, "fp32")
    assert path.stat().st_mtime_ns == stamp


def test_windows_let_a_fact_past_the_models_window_be_found() -> None:
    """A passage whose last sentence holds the answer, past 256 tokens: cut at the window its
    vector knows nothing of it; averaged over windows it does."""
    from assistant.types import Chunk

    filler = (
        "The contracting authority shall ensure that the procurement documents set out the "
        "minimum requirements and the award criteria for the innovation partnership. "
    ) * 12
    fact = "The Whitby lighthouse keepers are paid from the quokka fund every spring."
    chunk = Chunk("doc#0", "doc", filler + fact, "reg. 31", ("Regulation 31",), None, "", {})
    embedder = make_embedder(_settings("onnx"))
    query = np.asarray(embedder.get_query_embedding("Who pays the Whitby lighthouse keepers?"))
    cut = embed_passages(embedder, [chunk], windows=False)[0]
    windowed = embed_passages(embedder, [chunk], windows=True)[0]
    assert len(embedder.encoder.windows(chunk.context_line(), chunk.text)) >= 2
    assert float(query @ windowed) > float(query @ cut) + 0.05


def test_a_question_runs_torch_on_one_thread_and_a_batch_on_all(texts: list[str]) -> None:
    """With busy cores torch's threads wait on each other: a question runs on one."""
    import torch

    from assistant.models.encoder import _serialised

    seen: list[int] = []
    model = BertEncoder(Path(_model_path(DEFAULT_EMBED_MODEL)), bf16=True)

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        seen.append(torch.get_num_threads())
        return model.run(ids, mask)

    encoder = Encoder(
        load_tokenizer(Path(_model_path(DEFAULT_EMBED_MODEL))), _serialised(run), 256, 384
    )
    threads = torch.get_num_threads()
    encoder.encode(["How long is the standstill period?"])
    encoder.encode(texts[:40])  # long passages: large batches
    assert seen[0] == 1
    assert seen[-1] == threads
    assert torch.get_num_threads() == threads  # restored


def test_the_shipped_model_runs_without_importing_sentence_transformers() -> None:
    """Importing sentence-transformers costs ~6 s: the shipped model's path never does."""
    import subprocess
    import sys

    code = (
        "import sys; from assistant.config import Settings, DEFAULT_EMBED_MODEL; "
        "from assistant.models.embedding import make_embedder, embed_matrix; "
        "e = make_embedder(Settings(embed_model=DEFAULT_EMBED_MODEL, embed_runtime='torch-bf16')); "
        "v = embed_matrix(e, ['a question about the standstill period']); "
        "assert v.shape == (1, 384), v.shape; "
        "print('sentence_transformers' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["False", "False"]
