"""Chunk size tuned on the data: the corpus indexed at several target sizes, each scored on
the question set (retrieval as in bench/baselines.py, answers as in `assistant eval`).

Writes bench/results/chunking.json. The shipped default is `Settings.chunk_size`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import baselines  # noqa: E402

from assistant import Assistant, Settings  # noqa: E402
from assistant.features.evaluation import evaluate, read_questions  # noqa: E402

# (target words, hard maximum): the shipped default is 260 / 350; the others keep its ratio.
SIZES = ((120, 160), (180, 240), (260, 350), (360, 480))


def measure(size: int, most: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"chunk-{size}-"))
    try:
        settings = Settings(
            index_dir=work / "index",
            corpus_dir=ROOT / "corpus",
            chunk_size=size,
            chunk_max=most,
            chunk_overlap=min(30, size // 6),
        )
        assistant = Assistant(settings)
        report = assistant.ingest()
        rows = read_questions(ROOT / "eval" / "questions.jsonl")
        retrieval_rows = [
            r
            for r in rows
            if r.get("answerable", True) and r.get("expected_doc_ids") and not r.get("follow_up_to")
        ]
        secondary: set[str] = set()
        retrieval = baselines.score(baselines.ours(assistant, "hybrid"), retrieval_rows, secondary)
        answers = evaluate(assistant, rows, k=5)[1]["overall"]
        return {
            "chunk_size": size,
            "chunk_max": settings.chunk_max,
            "chunks": report.chunks_total,
            "hit@1": retrieval["hit@1"],
            "hit@5": retrieval["hit@5"],
            "mrr": retrieval["mrr"],
            "answer_fact_coverage": answers["fact_coverage"],
            "abstention_accuracy": answers["abstention_accuracy"],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    rows = [measure(size, most) for size, most in SIZES]
    (ROOT / "bench" / "results" / "chunking.json").write_text(json.dumps(rows, indent=1))
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
