"""Run a JSONL question set through the assistant and score it."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.law.query import normalise_query
from assistant.protocols import Asker


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


def _history(
    row: dict[str, Any], by_id: dict[str, dict[str, Any]], assistant: Asker | None = None
) -> list[dict[str, str]]:
    """Earlier turns: a row's own `history` (a list of questions), or the question of the row
    it follows up (`follow_up_to`). With an assistant, each earlier question is asked in turn
    and its answer follows it, as in a chat (a follow-up's "them" may name what the last
    answer said)."""
    if row.get("history"):
        asked = list(row["history"])
    else:
        parent = by_id.get(row.get("follow_up_to", ""))
        asked = [parent["question"]] if parent else []
    turns: list[dict[str, str]] = []
    for question in asked:
        turns.append({"role": "user", "content": question})
        if assistant is not None:
            answer = assistant.ask(question, row.get("filters"), turns[:-1])
            turns.append({"role": "assistant", "content": answer.text})
    return turns


def split_of(row_id: str) -> str:
    """'dev' or 'test', fixed by a hash of the id: tune on dev, report test."""
    return "dev" if hashlib.sha256(row_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def fact_groups(facts: Sequence[Any]) -> list[list[str]]:
    """Facts as groups of acceptable alternatives; a plain string is a group of one."""
    return [[f] if isinstance(f, str) else [str(a) for a in f] for f in facts]


def _plain(text: str) -> str:
    """Lower case, one kind of quote, dash and space, no citation markers: what a reader sees."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s?\[\d+\]", "", text)
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-").replace("—", "-")
    return " ".join(text.lower().split())


def covered(groups: Sequence[Sequence[str]], text: str) -> float:
    """Share of groups with at least one alternative in `text`."""
    plain = _plain(text)
    return sum(any(_plain(a) in plain for a in group) for group in groups) / len(groups)


def lead_sentence(answer: str) -> str:
    """The first unit of an answer: the text before its first citation marker (a lead-in and
    its list items share one marker), else its first sentence."""
    marker = re.search(r"\[\d+\]", answer)
    if marker:
        return answer[: marker.start()]
    return re.split(r"(?<=[.!?])\s+", answer.strip(), maxsplit=1)[0]


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
    groups = fact_groups(row.get("facts") or [])
    if groups and answerable:
        cited = " ".join([result["answer"], *(c["text"] for c in result["citations"])])
        out["fact_coverage"] = covered(groups, cited)
        out["answer_facts"] = covered(groups, result["answer"])
        out["lead_ok"] = covered(groups, lead_sentence(result["answer"])) > 0
    if answerable and not result["abstained"]:
        out["words"] = len(_plain(result["answer"]).split())
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
            "answer_fact_coverage": mean("answer_facts", subset),
            "lead_sentence_accuracy": mean("lead_ok", subset),
            "answer_words": mean("words", subset),
            "abstention_accuracy": mean("abstention_correct", subset),
            "unanswerable": len(unanswerable),
            "correct_abstentions": mean("abstention_correct", unanswerable),
            "false_abstention_rate": round(len(false_abstain) / len(answerable), 4)
            if answerable
            else None,
            "p50_ms": times[len(times) // 2] if times else None,
            "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))] if times else None,
        }

    personas, splits, groups = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows:
        personas[r.get("_persona") or "unspecified"].append(r)
        splits[r["_split"]].append(r)
        if r.get("_group"):
            groups[r["_group"]].append(r)
    conversations = [r for r in rows if r.get("_turns", 1) > 1]
    out = {
        "overall": block(rows),
        "by_persona": {p: block(v) for p, v in sorted(personas.items())},
        "by_split": {s: block(v) for s, v in sorted(splits.items())},
        "conversations": block(conversations) if conversations else None,
    }
    if groups:
        out["by_group"] = {g: block(v) for g, v in sorted(groups.items())}
    return out


def evaluate(
    assistant: Asker,
    rows: Sequence[dict[str, Any]],
    k: int = 5,
    group: Callable[[dict[str, Any]], str] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Ask every question once (the model is loaded once); return result rows and metrics,
    with metrics for each group `group` names (a batch of the blind set) when given."""
    by_id = {r["id"]: r for r in rows}
    results, scored = [], []
    for row in rows:
        filters = row.get("filters")
        history = _history(row, by_id, assistant)
        answer = assistant.ask(row["question"], filters, history)
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
                "_split": split_of(row["id"]),
                "_turns": sum(1 for turn in history if turn["role"] == "user") + 1,
                "_group": group(row) if group else None,
            }
        )
    return results, summarise(scored, k)


def evaluate_file(
    assistant: Asker, questions: Path, out: Path | None = None, k: int = 5
) -> dict[str, Any]:
    results, metrics = evaluate(assistant, read_questions(questions), k)
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with Path(out).open("w", encoding="utf-8") as handle:
            for row in results:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return metrics
