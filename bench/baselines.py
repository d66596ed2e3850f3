"""Retrieval side by side: naive LlamaIndex, BM25 only, dense only, our hybrid pipeline.

Same corpus, same embedding model, same questions (the answerable ones of
eval/questions.jsonl). Writes bench/results/baselines.json.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import Assistant, Settings  # noqa: E402
from assistant.config import offline_environment  # noqa: E402
from assistant.features.evaluation import read_questions  # noqa: E402
from assistant.ingest.parsers import load_corpus  # noqa: E402
from assistant.law.query import normalise_query  # noqa: E402
from assistant.models.embedding import make_embedder  # noqa: E402

K = 5
Retriever = Callable[[str], list[tuple[str, str]]]  # question -> [(doc_id, text)] best first


def naive_llamaindex(settings: Settings) -> Retriever:
    """What a user would build first: VectorStoreIndex over default SentenceSplitter chunks,
    default similarity_top_k (2)."""
    offline_environment()
    from llama_index.core import Document, VectorStoreIndex

    docs = load_corpus([settings.corpus_dir]).docs
    documents = [
        Document(text="\n\n".join(s.text for s in d.sections), metadata={"doc_id": d.doc_id})
        for d in docs
    ]
    index = VectorStoreIndex.from_documents(documents, embed_model=make_embedder(settings))
    retriever = index.as_retriever()

    def run(question: str) -> list[tuple[str, str]]:
        return [
            (n.node.metadata["doc_id"], n.node.get_content()) for n in retriever.retrieve(question)
        ]

    return run


def ours(assistant: Assistant, mode: str, **overrides: float) -> Retriever:
    lib = assistant.library
    if overrides:  # an ablation: the same index with other settings
        lib = dataclasses.replace(lib, settings=lib.settings.model_copy(update=overrides))

    def run(question: str) -> list[tuple[str, str]]:
        if mode == "hybrid":
            hits = [h.chunk for h in lib.search(normalise_query(question), None, K)]
        elif mode == "dense":
            vector = lib.embedder.get_query_embedding(question)
            hits = [lib.chunks[c] for c, _ in lib.dense(vector, K, {})]
        else:
            hits = [lib.chunks[c] for c, _ in lib.sparse.search(question, K)]
        return [(c.doc_id, c.text) for c in hits]

    return run


def half(question_id: str) -> str:
    """A fixed split of the question set: settings are chosen on "dev", checked on "test"."""
    return "dev" if int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def score(retriever: Retriever, rows: list[dict], secondary: set[str]) -> dict:
    """`secondary`: ids of guidance/commentary documents (questions answered only there are
    scored apart too, as the source-authority prior works against them)."""
    hit1, hit5, rr, facts, times = [], [], [], [], []
    by_persona: dict[str, list[float]] = {}
    rr_by_half: dict[str, list[float]] = {}
    rr_secondary: list[float] = []
    for row in rows:
        started = time.perf_counter()
        found = retriever(row["question"])[:K]
        times.append((time.perf_counter() - started) * 1000)
        docs = list(dict.fromkeys(d for d, _ in found))
        expected = set(row["expected_doc_ids"])
        rank = next((i for i, d in enumerate(docs, 1) if d in expected), None)
        hit1.append(rank == 1)
        hit5.append(rank is not None and rank <= K)
        rr.append(1 / rank if rank else 0.0)
        by_persona.setdefault(row.get("persona", "?"), []).append(float(hit5[-1]))
        rr_by_half.setdefault(half(row["id"]), []).append(rr[-1])
        if expected <= secondary:
            rr_secondary.append(rr[-1])
        if row.get("facts"):
            text = " ".join(t for _, t in found).lower()
            facts.append(sum(f.lower() in text for f in row["facts"]) / len(row["facts"]))
    mean = lambda xs: round(statistics.fmean(xs), 4)  # noqa: E731
    return {
        "hit@1": mean(hit1),
        "hit@5": mean(hit5),
        "mrr": mean(rr),
        "fact_coverage": mean(facts),
        "hit@5_by_persona": {p: mean(v) for p, v in sorted(by_persona.items())},
        "mrr_by_half": {h: mean(v) for h, v in sorted(rr_by_half.items())},
        "mrr_secondary_only": mean(rr_secondary) if rr_secondary else None,
        "questions_secondary_only": len(rr_secondary),
        "p50_ms": round(statistics.median(times), 2),
    }


PRIOR_SWEEP = (1.0, 0.95, 0.9, 0.85, 0.8, 0.7)


def _mrr_halves(retriever: Retriever, rows: list[dict]) -> dict:
    halves: dict[str, list[float]] = {"dev": [], "test": []}
    for row in rows:
        docs = list(dict.fromkeys(d for d, _ in retriever(row["question"])[:K]))
        rank = next((i for i, d in enumerate(docs, 1) if d in row["expected_doc_ids"]), None)
        halves[half(row["id"])].append(1 / rank if rank else 0.0)
    out = {h: round(statistics.fmean(v), 4) for h, v in halves.items()}
    out["all"] = round(statistics.fmean(halves["dev"] + halves["test"]), 4)
    return out


def run(assistant: Assistant) -> dict:
    rows = [
        r
        for r in read_questions(ROOT / "eval" / "questions.jsonl")
        if r.get("answerable", True) and r.get("expected_doc_ids") and not r.get("follow_up_to")
    ]
    systems = {
        "naive_llamaindex": naive_llamaindex(assistant.settings),
        "bm25_only": ours(assistant, "bm25"),
        "dense_only": ours(assistant, "dense"),
        "ours_no_prior": ours(assistant, "hybrid", secondary_weight=1.0),
        "ours_hybrid": ours(assistant, "hybrid"),
    }
    secondary = {
        c.doc_id
        for c in assistant.library.chunks.values()
        if c.meta.get("doc_type") in ("guidance", "commentary")
    }
    results = {name: score(fn, rows, secondary) for name, fn in systems.items()}
    results["_prior_sweep"] = [
        {"secondary_weight": w, **_mrr_halves(ours(assistant, "hybrid", secondary_weight=w), rows)}
        for w in PRIOR_SWEEP
    ]
    results["_settings"] = {
        k: getattr(assistant.settings, k)
        for k in ("rrf_k", "dense_weight", "sparse_weight", "pinpoint_weight", "secondary_weight")
    }
    results["_questions"] = len(rows)
    (ROOT / "bench" / "results" / "baselines.json").write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    print(json.dumps(run(Assistant()), indent=1))
