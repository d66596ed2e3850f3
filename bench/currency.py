"""Law as at a date, measured: what the in-force preference does to retrieval.

1. The question set (eval/questions.jsonl), asked without a date: hit@1, hit@5 and MRR of the
   expected documents with and without `currency.prefer_in_force`, and how many passages not
   in force today reach the top five.
2. Paired questions asked as at 1 September 2018 (PCR 2015 expected) and today (the
   Procurement Act expected): how often the top passage, and the top five, are of the regime
   in force on that day.
3. The cost: milliseconds that re-ranking and `currency.at_date` add to a question.

Writes bench/results/currency.json. Usage: python bench/currency.py [--index DIR] (without
--index a fresh index of corpus/ is built in a temporary folder, which takes minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant import Assistant, Settings  # noqa: E402
from assistant.features.evaluation import read_questions  # noqa: E402
from assistant.law import in_force as currency  # noqa: E402
from assistant.law.as_at import law_date  # noqa: E402
from assistant.law.query import normalise_query  # noqa: E402
from assistant.types import Answer  # noqa: E402

AS_AT = date(2018, 9, 1)
# (question, the PCR 2015 note, the Procurement Act note): same words, different law by date.
PAIRS = [
    (
        "How long is the standstill period before the contract is signed?",
        "pcr2015-regs84-87-reports-standstill",
        "pa2023-notices-standstill-thresholds",
    ),
    (
        "What must we do before engaging the market ahead of a tender?",
        "pcr2015-regs40-41-market-consultation",
        "pa2023-market-engagement",
    ),
    (
        "When can we change a contract without a new procurement?",
        "pcr2015-reg72-modifications",
        "pa2023-modifications",
    ),
    (
        "Which procedures can we use to award a contract?",
        "pcr2015-reg26-choice-of-procedure",
        "pa2023-competitive-tendering",
    ),
    (
        "How long can a framework agreement last?",
        "pcr2015-reg26-choice-of-procedure",
        "pa2023-frameworks",
    ),
    (
        "What rules apply to light touch services such as children's social care?",
        "pcr2015-regs74-77-light-touch",
        "pa2023-light-touch-mutuals",
    ),
    (
        "Can we reserve a contract for a mutual or social enterprise?",
        "pcr2015-regs74-77-light-touch",
        "pa2023-light-touch-mutuals",
    ),
    (
        "What principles must an authority follow when procuring?",
        "pcr2015-reg18-principles",
        "pa2023-objectives-npps",
    ),
    (
        "What notice do we publish after awarding a contract?",
        "pcr2015-regs84-87-reports-standstill",
        "pa2023-notices-standstill-thresholds",
    ),
    (
        "What is the threshold for a council buying services?",
        "pcr2015-reg5-thresholds",
        "pa2023-notices-standstill-thresholds",
    ),
    (
        "How many candidates must we invite to tender?",
        "pcr2015-regs65-67-selection-award",
        "pa2023-competitive-tendering",
    ),
    (
        "How should we buy an innovative solution that does not exist yet?",
        "pcr2015-reg31-innovation-partnership",
        "pa2023-innovation-under-cfp",
    ),
]


def _rank(hits, expected: set[str], k: int = 5) -> int | None:
    docs = list(dict.fromkeys(h.chunk.doc_id for h in hits[:k]))
    return next((i for i, d in enumerate(docs, 1) if d in expected), None)


def question_set(library, settings: Settings) -> dict:
    depth, factors = 5 * settings.search_depth, _factors(settings)
    rows = [
        r
        for r in read_questions(ROOT / "eval" / "questions.jsonl")
        if r.get("expected_doc_ids") and r.get("answerable", True)
    ]
    out = {}
    for label, rerank in (("without_currency", False), ("with_currency", True)):
        hit1 = hit5 = rr = stale = 0.0
        for row in rows:
            query = normalise_query(row["question"])
            hits = library.search(query, row.get("filters"), depth)
            if rerank:
                hits = currency.prefer_in_force(
                    hits, None, f"{row['question']} {query}", factors=factors
                )
            rank = _rank(hits, set(row["expected_doc_ids"]))
            hit1 += rank == 1
            hit5 += rank is not None
            rr += 1 / rank if rank else 0.0
            stale += sum(currency.in_force(h.chunk, None) is False for h in hits[:5])
        n = len(rows)
        out[label] = {
            "questions": n,
            "hit@1": round(hit1 / n, 3),
            "hit@5": round(hit5 / n, 3),
            "mrr": round(rr / n, 3),
            "not_in_force_in_top5": round(stale / n, 2),
        }
    return out


def paired(library, settings: Settings) -> dict:
    depth, factors = 5 * settings.search_depth, _factors(settings)
    out: dict[str, dict] = {}
    for label, rerank in (("without_currency", False), ("with_currency", True)):
        for day, when, regime in (("as_at_2018", AS_AT, "PCR2015"), ("today", None, "PA2023")):
            top1 = top5 = share = 0.0
            for question, _, _ in PAIRS:
                found = library.search(normalise_query(question), None, depth)
                hits = (
                    currency.prefer_in_force(found, when, question, factors=factors)
                    if rerank
                    else found
                )
                regimes = [h.chunk.meta.get("regime") for h in hits[:5]]
                top1 += regimes[0] == regime
                top5 += regime in regimes
                share += regimes.count(regime) / 5
            n = len(PAIRS)
            out.setdefault(day, {})[label] = {
                "questions": n,
                "top1_in_force_regime": round(top1 / n, 3),
                "in_force_regime_in_top5": round(top5 / n, 3),
                "in_force_share_of_top5": round(share / n, 3),
            }
    return out


def _factors(settings: Settings) -> tuple[float, float]:
    """The rank factors of passages not in force (settings out_of_force, out_of_force_at_date)."""
    return settings.out_of_force, settings.out_of_force_at_date


def overhead(assistant) -> dict:
    library = assistant.library
    timings = []
    for question, _, _ in PAIRS:
        hits = library.search(normalise_query(question), None, 15)
        answer = Answer(question, hits[0].chunk.text[:200] + " [1]", (), False)
        start = time.perf_counter()
        law = law_date(question, AS_AT, library)
        currency.prefer_in_force(hits, law.day, question, factors=_factors(assistant.settings))
        currency.at_date(answer, library, question, law)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {"p50_ms": round(timings[len(timings) // 2], 2), "max_ms": round(timings[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, help="An index of corpus/ built with the real model.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "index"
        assistant = Assistant(Settings(index_dir=index, corpus_dir=ROOT / "corpus"))
        if args.index is None:
            assistant.ingest()
        library = assistant.library
        results = {
            "question_set_no_date": question_set(library, assistant.settings),
            "paired_as_at_2018_and_today": paired(library, assistant.settings),
            "overhead_per_question": overhead(assistant),
            "factors": dict(zip(("no_date", "as_at"), _factors(assistant.settings), strict=True)),
        }
    out = ROOT / "bench" / "results" / "currency.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
