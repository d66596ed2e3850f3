"""The question set is well-formed and its expectations point at real text in the library."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROWS = [
    json.loads(line)
    for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    if line.strip()
]
DOCS = {
    p.stem: p.read_text(encoding="utf-8").lower()
    for p in (ROOT / "corpus").rglob("*.md")
    if p.name != "README.md"
}


def test_size_and_mix() -> None:
    personas = Counter(r["persona"] for r in ROWS)
    assert len(ROWS) >= 120
    assert all(personas[p] >= 40 for p in ("commissioner", "solicitor", "trainer")), personas
    assert sum(not r.get("answerable", True) for r in ROWS) >= 20
    assert sum("follow_up_to" in r for r in ROWS) >= 4


def test_ids_unique_and_follow_ups_resolve() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    for row in ROWS:
        if "follow_up_to" in row:
            assert row["follow_up_to"] in ids


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r.get("answerable", True)], ids=lambda r: r["id"]
)
def test_expected_documents_exist_and_hold_the_facts(row: dict) -> None:
    expected = row["expected_doc_ids"]
    assert expected, "answerable questions name the documents that answer them"
    missing = [d for d in expected if d not in DOCS]
    assert not missing, missing
    for fact in row.get("facts", []):
        assert any(fact.lower() in DOCS[d] for d in expected), f"{fact!r} not in {expected}"


def test_unanswerable_questions_carry_no_expectations() -> None:
    for row in ROWS:
        if not row.get("answerable", True):
            assert not row.get("expected_doc_ids") and not row.get("facts"), row["id"]
