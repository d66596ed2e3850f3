"""Run a JSONL question set through the assistant and score it."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.api import Assistant
from assistant.query import normalise_query


def read_questions(path: Path) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
        if "question" not in row:
            raise ValueError(f"{path}:{n}: missing 'question'")
        row.setdefault("id", str(n))
        rows.append(row)
    return rows


def _history(row: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    parent = by_id.get(row.get("follow_up_to", ""))
    return [{"role": "user", "content": parent["question"]}] if parent else []


def score(row: dict[str, Any], result: dict[str, Any], k: int) -> dict[str, Any]:
    """Per-question metrics against whatever expectations the row carries."""
    out: dict[str, Any] = {}
    answerable = row.get("answerable", True)
    if "answerable" in row:
        out["abstention_correct"] = result["abstained"] == (not answerable)
    expected = set(row.get("expected_doc_ids") or [])
    if expected and answerable:
        ranked = list(dict.fromkeys(result["retrieved_doc_ids"]))
        rank = next((i for i, d in enumerate(ranked, 1) if d in expected), None)
        out["hit@1"] = rank == 1
        out[f"hit@{k}"] = rank is not None and rank <= k
        out["rr"] = 1.0 / rank if rank else 0.0
    facts = row.get("facts") or []
    if facts and answerable:
        haystack = " ".join([result["answer"], *(c["text"] for c in result["citations"])]).lower()
        out["fact_coverage"] = sum(f.lower() in haystack for f in facts) / len(facts)
    return out


def summarise(scored: Iterable[dict[str, Any]], k: int) -> dict[str, Any]:
    rows = list(scored)

    def mean(key: str, subset: Sequence[dict[str, Any]]) -> float | None:
        values = [float(r[key]) for r in subset if key in r]
        return round(statistics.fmean(values), 4) if values else None

    def block(subset: Sequence[dict[str, Any]]) -> dict[str, Any]:
        answerable = [r for r in subset if r.get("_answerable", True)]
        unanswerable = [r for r in subset if not r.get("_answerable", True)]
        false_abstain = [r for r in answerable if r.get("_abstained")]
        times = sorted(r["_ms"] for r in subset)
        return {
            "questions": len(subset),
            "hit@1": mean("hit@1", subset),
            f"hit@{k}": mean(f"hit@{k}", subset),
            "mrr": mean("rr", subset),
            "fact_coverage": mean("fact_coverage", subset),
            "abstention_accuracy": mean("abstention_correct", subset),
            "correct_abstentions": mean("abstention_correct", unanswerable),
            "false_abstention_rate": round(len(false_abstain) / len(answerable), 4)
            if answerable
            else None,
            "p50_ms": times[len(times) // 2] if times else None,
        }

    personas = defaultdict(list)
    for r in rows:
        personas[r.get("_persona") or "unspecified"].append(r)
    return {
        "overall": block(rows),
        "by_persona": {p: block(v) for p, v in sorted(personas.items())},
    }


def evaluate(
    assistant: Assistant, rows: Sequence[dict[str, Any]], k: int = 5
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Ask every question once (the model is loaded once); return result rows and metrics."""
    by_id = {r["id"]: r for r in rows}
    results, scored = [], []
    for row in rows:
        filters = row.get("filters")
        answer = assistant.ask(row["question"], filters, _history(row, by_id))
        hits = (
            assistant.library.search(normalise_query(row["question"]), filters, k)
            if row.get("expected_doc_ids")
            else []
        )
        result = {"id": row["id"], **answer.to_dict()}
        result["retrieved_doc_ids"] = [h.chunk.doc_id for h in hits] or [
            c["doc_id"] for c in result["citations"]
        ]
        metrics = score(row, result, k)
        results.append({**result, "metrics": metrics})
        scored.append(
            {
                **metrics,
                "_persona": row.get("persona"),
                "_ms": answer.timings["total_ms"],
                "_answerable": row.get("answerable", True),
                "_abstained": answer.abstained,
            }
        )
    return results, summarise(scored, k)


def evaluate_file(
    assistant: Assistant, questions: Path, out: Path | None = None, k: int = 5
) -> dict[str, Any]:
    results, metrics = evaluate(assistant, read_questions(questions), k)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with Path(out).open("w", encoding="utf-8") as handle:
            for row in results:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return metrics
