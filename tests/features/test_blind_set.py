"""The blind question set is well formed: unique ids, fact groups of strings, unanswerable
questions without facts, follow-ups with their earlier questions, and both halves used."""

import json
from collections import Counter
from pathlib import Path

from assistant.features.evaluation import split_of

BLIND = Path(__file__).resolve().parents[2] / "eval" / "blind.jsonl"
PERSONAS = {"commissioner", "solicitor", "trainer"}


def _rows() -> list[dict]:
    return [json.loads(line) for line in BLIND.read_text().splitlines() if line.strip()]


def test_ids_are_unique_and_every_row_has_the_fields() -> None:
    rows = _rows()
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert r["persona"] in PERSONAS, r["id"]
        assert isinstance(r["question"], str) and r["question"].strip(), r["id"]
        assert all(isinstance(h, str) and h.strip() for h in r["history"]), r["id"]


def test_answerable_questions_have_fact_groups_and_unanswerable_ones_none() -> None:
    for r in _rows():
        if r["answerable"]:
            assert r["facts"], r["id"]
            for group in r["facts"]:
                assert group and all(isinstance(f, str) and f.strip() for f in group), r["id"]
        else:
            assert r["facts"] == [], r["id"]


def test_both_halves_hold_unanswerable_questions_and_conversations() -> None:
    rows = _rows()
    unanswerable = Counter(split_of(r["id"]) for r in rows if not r["answerable"])
    turns = Counter(split_of(r["id"]) for r in rows if r["history"])
    assert unanswerable["dev"] >= 20 and unanswerable["test"] >= 20
    assert turns["dev"] >= 20 and turns["test"] >= 20


def test_evaluation_reports_each_group_it_is_given() -> None:
    from types import SimpleNamespace

    from assistant.features.evaluation import evaluate
    from assistant.types import Answer

    class Fixed:
        library = SimpleNamespace(search=lambda *a, **k: [])

        def ask(self, question, filters=None, history=None):
            text = "It began in December 2018." if "when" in question else "No idea."
            return Answer(question, text, (), False, {"total_ms": 1.0})

    rows = [
        {"id": "a-1", "question": "when did it begin?", "facts": [["December 2018"]]},
        {"id": "b-1", "question": "what is it?", "facts": [["a partnership"]]},
    ]
    _, metrics = evaluate(Fixed(), rows, group=lambda r: r["id"][0])
    assert metrics["by_group"]["a"]["answer_fact_coverage"] == 1.0
    assert metrics["by_group"]["b"]["answer_fact_coverage"] == 0.0
    assert "by_group" not in evaluate(Fixed(), rows)[1]


def test_a_follow_up_is_asked_after_the_earlier_turns_and_their_answers() -> None:
    from types import SimpleNamespace

    from assistant.features.evaluation import evaluate
    from assistant.types import Answer

    seen: list[list[dict]] = []

    class Chat:
        library = SimpleNamespace(search=lambda *a, **k: [])

        def ask(self, question, filters=None, history=None):
            seen.append(list(history or []))
            return Answer(question, f"answer to {question}", (), False, {"total_ms": 1.0})

    row = {"id": "c-1", "question": "and then?", "history": ["first?", "second?"], "facts": []}
    evaluate(Chat(), [row])
    assert [t["content"] for t in seen[-1]] == [
        "first?",
        "answer to first?",
        "second?",
        "answer to second?",
    ]
