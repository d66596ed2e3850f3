"""The shipped sentence-transformers model run fast: ONNX Runtime, batches by length, windows.

- ONNX: the model's weights are exported once (torch.onnx) from the local files, with mean
  pooling and normalisation inside the graph, to `<model_cache_dir>/<name>-<digest>-<kind>.onnx`;
  'int8' is that export with its weights quantised (onnxruntime.quantization). No download.
- Batches by length: texts are sorted by token count and cut into batches of about
  BATCH_TOKENS padded tokens, so a short sentence is never padded to a long passage's length.
- Windows: a passage longer than the model's window (256 tokens) is embedded as overlapping
  windows, each with the passage's context line (title, heading, locator), and the window
  vectors are averaged weighted by their tokens, so its end is no longer invisible to dense
  retrieval. (A plain mean gives a short tail window as much say as the full first one: on
  our set dense-only MRR fell 0.774 -> 0.749; weighted by tokens it stays at 0.774.)
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)
# Padded tokens per batch: ~32 full 256-token passages, or ~250 short sentences. Larger
# batches gained nothing on 2 cores; smaller ones paid more per-call overhead.
BATCH_TOKENS = 8192
MAX_BATCH = 256
# Tokens of the passage body repeated between consecutive windows, so a sentence cut by a
# window edge is whole in one of them.
WINDOW_OVERLAP = 32
# A window's body never gets fewer tokens than this, however long the context line.
MIN_WINDOW_BODY = 64
ONNX_OPSET = 17
Runner = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (ids, mask) -> unit vectors
# A batch this small (a question) runs torch on one thread. With the cores busy, torch's
# threads wait on each other: one query took 290 ms on two threads and 40 ms on one
# (sentence-transformers, float32, load average ~6 on 2 cores); in bfloat16, 1.6 s and 56 ms.
SMALL_BATCH_TOKENS = 512
_TORCH_LOCK = threading.Lock()  # our torch calls take turns, so the thread count is ours


@dataclass(frozen=True)
class Encoder:
    """Tokenizer plus a runner that turns padded token ids into normalised vectors."""

    tokenizer: Any  # tokenizers.Tokenizer, no padding, no truncation
    run: Runner
    max_tokens: int  # the model's window, special tokens included
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors; texts cut at the model's window."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        cut, most = self.max_tokens - 1, self.max_tokens
        ids = [e.ids if len(e.ids) <= most else e.ids[:cut] + e.ids[-1:] for e in encodings]
        for batch in length_batches([len(x) for x in ids]):
            out[batch] = self.run(*_padded([ids[i] for i in batch]))
        return out

    def windows(self, context: str, body: str, overlap: int = WINDOW_OVERLAP) -> list[str]:
        """`context` + body, or several such texts whose bodies together cover all of it,
        each within the model's window. Cuts fall between words."""
        prefix = len(self.tokenizer.encode(context, add_special_tokens=False).ids)
        enc = self.tokenizer.encode(body, add_special_tokens=False)
        # [CLS] and [SEP], the newline is free; one token spare for re-tokenising at a cut.
        room = max(self.max_tokens - 3 - prefix, MIN_WINDOW_BODY)
        if len(enc.ids) <= room:
            return [f"{context}\n{body}" if context else body]
        parts = _slices(enc, body, room, overlap)
        return [f"{context}\n{part}" if context else part for part in parts]


def _padded(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded to the longest row, and the mask of real tokens."""
    width = max(len(r) for r in rows)
    tokens = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        tokens[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return tokens, mask


def _slices(enc: Any, body: str, room: int, overlap: int) -> list[str]:
    words, offsets, n = enc.word_ids, enc.offsets, len(enc.ids)

    def boundary(i: int) -> int:  # the first token of the word token i belongs to
        while 0 < i < n and words[i] is not None and words[i] == words[i - 1]:
            i -= 1
        return i

    parts, start = [], 0
    while start < n:
        stop = n if start + room >= n else boundary(start + room)
        if stop <= start:  # one word longer than a window: cut inside it
            stop = min(start + room, n)
        parts.append(body[offsets[start][0] : offsets[stop - 1][1]])
        if stop == n:
            break
        start = max(boundary(stop - overlap), start + 1)
    return parts


def length_batches(lengths: Sequence[int], budget: int = BATCH_TOKENS) -> list[list[int]]:
    """Indices grouped longest first into batches of at most `budget` padded tokens; a text
    under half the length of its batch's longest starts a new batch rather than be padded."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for i in order:
        if batches:
            head = batches[-1]
            width = lengths[head[0]]  # the batch's longest, as sorted
            fits = (len(head) + 1) * width <= budget and len(head) < MAX_BATCH
            if fits and 2 * lengths[i] >= width:
                head.append(i)
                continue
        batches.append([i])
    return batches


def pool(
    vectors: np.ndarray, groups: Sequence[int], weights: Sequence[float] | None = None
) -> np.ndarray:
    """Average consecutive rows, `groups[k]` of them for text k (weighted by `weights`, one a
    row, if given), and re-normalise."""
    out = np.zeros((len(groups), vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)
    w = np.ones(len(vectors), np.float32) if weights is None else np.asarray(weights, np.float32)
    start = 0
    for k, size in enumerate(groups):
        rows = slice(start, start + size)
        mean = (vectors[rows] * w[rows, None]).sum(axis=0) / max(float(w[rows].sum()), 1e-9)
        norm = float(np.linalg.norm(mean))
        out[k] = mean / norm if norm else mean
        start += size
    return out


def weights_digest(model_dir: Path) -> str:
    """A short hash of the model's weights and config: names its export."""
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        path = Path(model_dir) / name
        if path.exists():
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
    return digest.hexdigest()[:12]


def onnx_path(model_dir: Path, cache_dir: Path, kind: str) -> Path:
    return Path(cache_dir) / f"{Path(model_dir).name}-{weights_digest(model_dir)}-{kind}.onnx"


def export_onnx(model_dir: Path, target: Path) -> Path:
    """Export the transformer with mean pooling and normalisation in the graph (FP32)."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    sample = torch.ones((2, 8), dtype=torch.long)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with torch.no_grad():
        torch.onnx.export(
            Pooled(),
            (sample, sample),
            str(tmp),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
            opset_version=ONNX_OPSET,
            dynamo=False,  # the TorchScript exporter: no onnxscript needed
        )
    os.replace(tmp, target)
    return target


def quantise_onnx(source: Path, target: Path) -> Path:
    """8-bit weights: dynamic quantisation of the matrix multiplications, per channel (on our
    passages: cosine to FP32 0.993 on average, 0.983 at worst; per tensor and with the
    embeddings quantised too, 0.946 and 0.890)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    quantize_dynamic(
        str(source),
        str(tmp),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    os.replace(tmp, target)
    return target


def ensure_onnx(model_dir: Path, cache_dir: Path, kind: str) -> Path:
    """The cached export for `kind` ('fp32' or 'int8'), made now if missing."""
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    target = onnx_path(model_dir, cache_dir, kind)
    if target.exists():
        return target
    logger.info("exporting the embedding model to ONNX (%s), once: %s", kind, target)
    if kind == "fp32":
        return export_onnx(model_dir, target)
    return quantise_onnx(ensure_onnx(model_dir, cache_dir, "fp32"), target)


def load_tokenizer(model_dir: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def max_tokens(model_dir: Path) -> int:
    import json

    config = Path(model_dir) / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return 256


@cache
def onnx_encoder(model_dir: str, model_file: str, threads: int) -> Encoder:
    """An Encoder running `model_file` with ONNX Runtime (cached per file)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model_file, options, providers=["CPUExecutionProvider"])
    dim = int(session.get_outputs()[0].shape[1] or 0)

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    if not dim:  # a symbolic output width: ask the model
        dim = run(np.array([[101, 102]], dtype=np.int64), np.ones((1, 2), dtype=np.int64)).shape[1]
    return Encoder(load_tokenizer(Path(model_dir)), run, max_tokens(Path(model_dir)), dim)


@contextmanager
def _threads_for(tokens: int) -> Iterator[None]:
    import torch

    if tokens > SMALL_BATCH_TOKENS:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _serialised(run: Runner) -> Runner:
    """`run` taking turns with our other torch calls, on one thread for a question."""

    def serial(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with _TORCH_LOCK, _threads_for(ids.size):
            return run(ids, mask)

    return serial


def bert_encoder(model_dir: str, bf16: bool = False) -> Encoder:
    """An Encoder running the model's BERT layers in plain torch (`models.bert`): the vectors of
    sentence-transformers without importing it."""
    from assistant.models.bert import BertEncoder

    model = BertEncoder(Path(model_dir), bf16=bf16)
    return Encoder(
        load_tokenizer(Path(model_dir)),
        _serialised(model.run),
        max_tokens(Path(model_dir)),
        model.dim,
    )


def torch_encoder(model: Any, model_dir: str, bf16: bool = False) -> Encoder:
    """An Encoder over a loaded SentenceTransformer (the reference implementation, and the path
    for a model folder `models.bert` does not compute). `bf16` runs the matrix products in
    bfloat16 (torch.autocast): on a CPU with AMX or AVX512-BF16 several times faster than
    float32, with cosine to it above 0.9999 on our passages; on one without, slower (emulated)
    but the same vectors."""
    import contextlib

    import torch

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        features = {
            "input_ids": torch.from_numpy(ids),
            "attention_mask": torch.from_numpy(mask),
            "token_type_ids": torch.zeros_like(torch.from_numpy(ids)),
        }
        cast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
        with torch.no_grad(), cast:
            vectors = model(features)["sentence_embedding"].float()
        return torch.nn.functional.normalize(vectors, dim=1).numpy()

    # sentence-transformers 6 renamed it; older releases only have the first name.
    width = getattr(model, "get_embedding_dimension", None)
    dim = int(width() if width else model.get_sentence_embedding_dimension())
    return Encoder(
        load_tokenizer(Path(model_dir)),
        _serialised(run),
        max_tokens(Path(model_dir)),
        dim,
    )
