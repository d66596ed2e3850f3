"""The fast embedding path's pieces: batches by length, windows over long passages, pooling,
and the embedding path recorded in the index (a change re-embeds, a mismatch is refused)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.api import Assistant
from assistant.config import DEFAULT_EMBED_MODEL, Settings
from assistant.errors import ConfigError
from assistant.index.store import MANIFEST, Manifest, path_mismatch
from assistant.models import embedding
from assistant.models.embedding import LEGACY_PATH, _model_path, embedding_path
from assistant.models.encoder import (
    BATCH_TOKENS,
    Encoder,
    length_batches,
    load_tokenizer,
    pool,
)
from assistant.retrieval.library import Library


def _counting_encoder(dim: int = 8) -> tuple[Encoder, list[np.ndarray]]:
    """The shipped tokenizer with a runner that records each batch and returns one-hot rows
    (the first token id after [CLS], bucketed), so tests see exactly what would be run."""
    seen: list[np.ndarray] = []

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        seen.append(mask.copy())
        out = np.zeros((len(ids), dim), dtype=np.float32)
        out[np.arange(len(ids)), ids[:, 1] % dim] = 1.0
        return out

    return Encoder(load_tokenizer(Path(_model_path(DEFAULT_EMBED_MODEL))), run, 256, dim), seen


def test_length_batches_cover_every_text_once_within_the_budget() -> None:
    lengths = [3, 250, 17, 40, 256, 5, 5, 120] * 40
    batches = length_batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        widths = [lengths[i] for i in batch]
        assert widths == sorted(widths, reverse=True)
        assert len(batch) == 1 or len(batch) * widths[0] <= BATCH_TOKENS
        assert 2 * widths[-1] >= widths[0]  # nothing padded to over twice its length
    padded = sum(len(b) * lengths[b[0]] for b in batches)
    assert padded < 1.1 * sum(lengths)


def test_short_texts_are_not_padded_to_a_long_ones_length() -> None:
    encoder, seen = _counting_encoder()
    long = "The contracting authority shall publish a notice. " * 40
    vectors = encoder.encode([long, "a short one", long, "another short one"])
    assert vectors.shape == (4, 8)
    widths = sorted(mask.shape[1] for mask in seen)
    assert widths[0] < 10 and widths[-1] == 256  # the short pair ran in its own narrow batch
    assert all(mask.shape[1] <= 256 for mask in seen)  # cut at the model's window


def test_long_passage_is_split_into_windows_that_cover_it() -> None:
    encoder, _ = _counting_encoder()
    context = "Public Contracts Regulations 2015 — Innovation partnership — reg. 31"
    words = [f"word{i}" for i in range(600)]
    body = " ".join(words)
    windows = encoder.windows(context, body)
    assert len(windows) >= 3
    tokenizer = encoder.tokenizer
    for window in windows:
        assert window.startswith(context + "\n")  # every window keeps the passage's context
        assert len(tokenizer.encode(window).ids) <= 256
        assert not window.endswith("word")  # cuts fall between words
    covered = set(" ".join(w.split("\n", 1)[1] for w in windows).split())
    assert covered == set(words)
    first, second = (set(w.split("\n", 1)[1].split()) for w in windows[:2])
    assert first & second  # consecutive windows overlap


def test_short_passage_is_one_window_equal_to_its_embed_text() -> None:
    encoder, _ = _counting_encoder()
    assert encoder.windows("Title — s. 33", "A short body.") == ["Title — s. 33\nA short body."]


def test_pool_averages_each_passages_windows_and_normalises() -> None:
    rows = np.array([[1, 0], [0, 1], [3, 4]], dtype=np.float32)
    pooled = pool(rows, [2, 1])
    assert np.allclose(pooled[0], [2**-0.5, 2**-0.5])
    assert np.allclose(pooled[1], [0.6, 0.8])
    weighted = pool(rows, [2, 1], [3, 1, 5])  # a full first window, a short tail
    assert np.allclose(weighted[0], np.array([3, 1]) / np.sqrt(10))
    assert np.allclose(weighted[1], [0.6, 0.8])


def test_embedding_path_names_runtime_and_long_passage_handling() -> None:
    assert embedding_path(Settings(embed_model="fake-hash")) == "hash"
    real = Settings(embed_model=DEFAULT_EMBED_MODEL, embed_runtime="onnx", embed_windows=True)
    assert embedding_path(real) == "onnx/windows"
    off = real.model_copy(update={"embed_runtime": "torch", "embed_windows": False})
    assert embedding_path(off) == "torch/truncate" == LEGACY_PATH


@pytest.mark.parametrize(
    ("flags", "runtime"),
    [({"avx2", "amx_bf16"}, "torch-bf16"), ({"avx512_bf16"}, "torch-bf16"), ({"avx2"}, "onnx")],
)
def test_auto_runtime_is_bf16_only_where_the_cpu_computes_it(monkeypatch, flags, runtime) -> None:
    monkeypatch.setattr(embedding, "cpu_flags", lambda: frozenset(flags))
    assert embedding.resolve_runtime("auto") == runtime
    assert embedding.resolve_runtime("onnx-int8") == "onnx-int8"  # an explicit choice stands
    settings = Settings(embed_model=DEFAULT_EMBED_MODEL, embed_runtime="auto")
    assert embedding_path(settings).startswith(runtime + "/")  # the index records the real one


def test_an_index_from_before_paths_were_recorded_counts_as_the_legacy_path() -> None:
    old = Manifest(DEFAULT_EMBED_MODEL, {"doc": {}})  # no embed_path, as older manifests
    settings = Settings(embed_model=DEFAULT_EMBED_MODEL, embed_runtime="onnx")
    assert "'torch/truncate'" in (path_mismatch(old, settings) or "")
    legacy = settings.model_copy(update={"embed_runtime": "torch", "embed_windows": False})
    assert path_mismatch(old, legacy) is None


def test_model_cache_defaults_beside_the_index_and_is_shared_by_copies(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv("ASSISTANT_MODEL_CACHE_DIR", raising=False)  # set for the test run
    settings = Settings(index_dir=tmp_path / "index")
    assert settings.model_cache_dir == tmp_path / "index" / "models"
    user = settings.model_copy(update={"index_dir": tmp_path / "user" / "index"})
    assert user.model_cache_dir == settings.model_cache_dir


def _pretend_other_path(index_dir: Path) -> None:
    path = Path(index_dir) / MANIFEST
    data = json.loads(path.read_text())
    data["embed_path"] = "onnx/windows"
    path.write_text(json.dumps(data))


def test_a_path_mismatch_is_refused_at_query_time_and_re_embedded_by_ingest(
    settings, mini_corpus
) -> None:
    first = Assistant(settings).ingest()
    assert first.reembedded == ""
    assert Manifest.read(settings.index_dir).embed_path == "hash"
    _pretend_other_path(settings.index_dir)
    with pytest.raises(ConfigError, match="run `assistant ingest` to re-embed"):
        Library.open(settings)
    info = Assistant(settings).info()
    assert (info["embed_path"], info["embed_path_configured"]) == ("onnx/windows", "hash")
    again = Assistant(settings).ingest()
    assert "'onnx/windows'" in again.reembedded and "'hash'" in again.reembedded
    assert again.chunks_embedded == again.chunks_total == first.chunks_total
    assert again.unchanged == first.files  # no document changed, yet every vector is new
    assert Manifest.read(settings.index_dir).embed_path == "hash"
    assert Library.open(settings).search("innovation partnership")  # searchable again


def test_ensure_index_re_embeds_an_index_from_another_path(settings, mini_corpus) -> None:
    assistant = Assistant(settings)
    assistant.ingest()
    assert assistant.ensure_index() is None  # same path: nothing to do
    _pretend_other_path(settings.index_dir)
    report = assistant.ensure_index()
    assert report is not None and report.reembedded
    assert assistant.library.search("innovation partnership")  # opens: paths agree again
