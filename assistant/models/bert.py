"""The shipped model's forward pass in plain torch: BERT layers, mean pooling, normalisation.

sentence-transformers (through transformers) is the reference implementation, but importing
it costs ~6 s on this machine (7.4 s against torch's 1.5 s), a fifth of a full ingest of the
shipped corpus and most of a cold start. A sentence-transformers folder whose modules are a
BERT transformer, mean pooling and normalisation (the shipped model's) is run here instead:
the weights come from its `model.safetensors`, the arithmetic is BERT's (Devlin et al. 2019;
as transformers' `BertModel` computes it), and the vectors equal sentence-transformers' (cosine
> 0.9999, `tests/models/test_bert_real_model.py`). Any other folder falls back to
sentence-transformers (`supported` says which).

With `bf16`, the matrix products run in bfloat16 (weights cast once at load), while the residual
stream, layer norms and pooling stay in float32, as torch.autocast would do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {"items": data}


def supported(model_dir: Path) -> bool:
    """True when `model_dir` is a BERT + mean pooling + normalise sentence-transformers
    folder with safetensors weights: the layout this module computes exactly."""
    model_dir = Path(model_dir)
    modules = _json(model_dir / "modules.json").get("items") or []
    kinds = [m.get("type") for m in modules if isinstance(m, dict)]
    if kinds != [_TRANSFORMER, _POOLING, _NORMALIZE]:
        return False
    pooling_dir = next((m.get("path", "") for m in modules if m.get("type") == _POOLING), "")
    pooling = _json(model_dir / pooling_dir / "config.json")
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    config = _json(model_dir / "config.json")
    return (
        modes == {"pooling_mode_mean_tokens"}
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (model_dir / "model.safetensors").exists()
    )


@dataclass(frozen=True)
class _Layer:
    qkv: tuple[Any, Any]  # query, key and value projections as one matrix
    out: tuple[Any, Any]
    norm1: tuple[Any, Any]
    up: tuple[Any, Any]
    down: tuple[Any, Any]
    norm2: tuple[Any, Any]


class BertEncoder:
    """`run(ids, mask)` -> (batch, dim) float32 unit vectors, like sentence-transformers'."""

    def __init__(self, model_dir: Path, bf16: bool = False) -> None:
        import torch
        from safetensors.torch import load_file

        config = _json(Path(model_dir) / "config.json")
        w = load_file(str(Path(model_dir) / "model.safetensors"))
        w = {k.removeprefix("bert."): v.float() for k, v in w.items()}
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.dim = int(config["hidden_size"])
        self.dtype = torch.bfloat16 if bf16 else torch.float32
        cast = self.dtype

        def pair(name: str, matmul: bool = True) -> tuple[Any, Any]:
            weight, bias = w[f"{name}.weight"], w[f"{name}.bias"]
            return (weight.to(cast), bias.to(cast)) if matmul else (weight, bias)

        e = "embeddings"
        self.words = w[f"{e}.word_embeddings.weight"]
        self.positions = w[f"{e}.position_embeddings.weight"]
        self.token_type = w[f"{e}.token_type_embeddings.weight"][0]
        self.norm0 = pair(f"{e}.LayerNorm", matmul=False)
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}"
            a = f"{p}.attention.self"
            qkv_w = torch.cat([w[f"{a}.{n}.weight"] for n in ("query", "key", "value")])
            qkv_b = torch.cat([w[f"{a}.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                _Layer(
                    qkv=(qkv_w.to(cast), qkv_b.to(cast)),
                    out=pair(f"{p}.attention.output.dense"),
                    norm1=pair(f"{p}.attention.output.LayerNorm", matmul=False),
                    up=pair(f"{p}.intermediate.dense"),
                    down=pair(f"{p}.output.dense"),
                    norm2=pair(f"{p}.output.LayerNorm", matmul=False),
                )
            )

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch
        import torch.nn.functional as F

        with torch.inference_mode():
            tokens = torch.from_numpy(ids)
            keep = torch.from_numpy(mask).bool()
            batch, width = tokens.shape
            x = self.words[tokens] + self.positions[:width] + self.token_type
            x = F.layer_norm(x, (self.dim,), *self.norm0, eps=self.eps)
            # Padding is masked out of attention; a batch of equal lengths needs no mask.
            attend = None if bool(keep.all()) else keep[:, None, None, :]
            heads, size = self.heads, self.dim // self.heads
            for layer in self.layers:
                h = x.to(self.dtype)
                q, k, v = (
                    F.linear(h, *layer.qkv)
                    .view(batch, width, 3, heads, size)
                    .permute(2, 0, 3, 1, 4)
                    .unbind(0)
                )
                context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                context = context.transpose(1, 2).reshape(batch, width, self.dim)
                x = F.layer_norm(
                    x + F.linear(context, *layer.out).float(),
                    (self.dim,),
                    *layer.norm1,
                    eps=self.eps,
                )
                up = F.gelu(F.linear(x.to(self.dtype), *layer.up))
                x = F.layer_norm(
                    x + F.linear(up, *layer.down).float(),
                    (self.dim,),
                    *layer.norm2,
                    eps=self.eps,
                )
            weights = keep.unsqueeze(-1).float()
            mean = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return F.normalize(mean, dim=1).numpy()
