"""Benchmarks: ingest time, warm `ask` latency and question-set quality, on this machine.

Writes bench/results/foundation.json and prints a short summary. Every number quoted in
docs/benchmarks.md comes from here (`make bench`).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import baselines  # noqa: E402
import calibrate  # noqa: E402
from report import write_docs  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.features.evaluation import evaluate, read_questions  # noqa: E402

LATENCY_QUESTIONS = [
    "When was Barnardo's appointed as Leicestershire's innovation partner?",
    "How did Leicestershire run market engagement?",
    "What is the minimum period for requests to participate in an innovation partnership?",
    "What must a light-touch procurement publish under the Procurement Act 2023?",
    "reg 31(5)",
]
RUNS = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def bench_ingest(index_dir: Path) -> dict:
    settings = Settings(index_dir=index_dir, corpus_dir=ROOT / "corpus")
    started = time.perf_counter()
    assistant = Assistant(settings)
    full = assistant.ingest(rebuild=True)
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    again = Assistant(settings).ingest()
    return {
        "documents": full.files,
        "chunks": full.chunks_total,
        "full_ingest_s": round(full_s, 2),
        "unchanged_reingest_s": round(time.perf_counter() - started, 2),
        "unchanged_reingest_embedded": again.chunks_embedded,
    }


def cold_start(index_dir: Path) -> float:
    """A fresh process: import, load model and index, answer one question."""
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir)}
    code = (
        "import time; t = time.perf_counter(); from assistant import Assistant; "
        "Assistant().ask('When was Barnardo\\'s appointed?'); "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def bench_latency(index_dir: Path) -> dict:
    cold_s = cold_start(index_dir)
    assistant = Assistant(Settings(index_dir=index_dir, corpus_dir=ROOT / "corpus"))
    assistant.ask("warm-up question about innovation partnerships")
    totals: list[float] = []
    for i in range(RUNS):
        answer = assistant.ask(LATENCY_QUESTIONS[i % len(LATENCY_QUESTIONS)])
        totals.append(answer.timings["total_ms"])
    return {
        "cold_start_process_first_answer_s": round(cold_s, 2),
        "runs": RUNS,
        "ask_p50_ms": round(statistics.median(totals), 2),
        "ask_p95_ms": percentile(totals, 0.95),
        "ask_max_ms": round(max(totals), 2),
    }


def bench_quality(index_dir: Path) -> dict:
    settings = Settings(index_dir=index_dir, corpus_dir=ROOT / "corpus")
    rows = read_questions(ROOT / "eval" / "questions.jsonl")
    results, metrics = evaluate(Assistant(settings), rows, k=5)
    out = ROOT / "bench" / "results" / "eval_results.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results))
    # Ablation: the same set without neighbouring passages in the extractive answer.
    plain = Assistant(settings.model_copy(update={"neighbour_lead": 0}))
    metrics["without_neighbours"] = evaluate(plain, rows, k=5)[1]["overall"]
    return metrics


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        report = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "ingest": bench_ingest(tmp),
            "latency": bench_latency(tmp),
            "calibration": calibrate.run(Assistant(Settings(index_dir=tmp))),
            "quality": bench_quality(tmp),
            "baselines": baselines.run(Assistant(Settings(index_dir=tmp))),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = ROOT / "bench" / "results" / "foundation.json"
    out.write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("ingest", "latency")}, indent=1))
    print(json.dumps(report["quality"]["overall"], indent=1))
    write_docs()


if __name__ == "__main__":
    main()
