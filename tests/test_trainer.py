"""Trainer packs: every item is built from, and cited to, retrieved library passages."""

from __future__ import annotations

import re

import pytest

from assistant.errors import AssistantError
from assistant.export import to_markdown
from assistant.trainer import FACTS, build_pack, pack_report

TOPIC = "the innovation partnership procedure and its minimum periods"


@pytest.fixture(scope="module")
def pack(mini_assistant):
    return build_pack(mini_assistant, TOPIC)


def _markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_pack_has_every_part(pack) -> None:
    assert pack.topic == TOPIC
    assert pack.summary and pack.key_points and pack.discussion
    refs = pack.refs.references
    assert [r.n for r in refs] == list(range(1, len(refs) + 1))


def test_every_item_cites_a_reference_in_the_pack(pack) -> None:
    numbers = {r.n for r in pack.refs.references}
    items = [pack.summary, *(p.text for p in pack.key_points), *(p.text for p in pack.discussion)]
    for text in items:
        assert _markers(text), text
        assert _markers(text) <= numbers
    for item in pack.quiz:
        assert item.ref in numbers
    # and every reference is used by some item
    used = set().union(*(_markers(t) for t in items)) | {q.ref for q in pack.quiz}
    assert used == numbers


def test_key_points_are_sentences_of_their_cited_passage(pack, mini_assistant) -> None:
    texts = {r.n: r for r in pack.refs.references}
    chunks = mini_assistant.library.chunks
    for point in pack.key_points:
        sentence = re.sub(r"\s*\[\d+\]$", "", point.text)
        (n,) = _markers(point.text)
        assert sentence in texts[n].quote
        assert any(sentence in c.text and c.title == texts[n].title for c in chunks.values())
    assert len({p.text for p in pack.key_points}) == len(pack.key_points)


def test_discussion_questions_are_framed_on_passage_headings(pack) -> None:
    for item in pack.discussion:
        assert item.text.rstrip(" [0123456789]").endswith("?")
        assert item.source
        assert item.source in item.text or item.text.startswith("Read ")


TIMINGS = """\
---
doc_id: timings-mini
title: "Innovation partnership timings and values"
doc_type: guidance
regime: PCR2015
---

# Innovation partnership timings and values

## Periods

The minimum period for the receipt of requests to participate is 30 days from the contract notice.
Standstill under the regulations lasts 10 calendar days when the notice is sent electronically.
A contract details notice for a light touch contract is due within 120 days of the contract.
The first phase of the partnership ran for 18 months before the council reviewed it.

## Values

The light touch threshold for the partnership was £663,540 including VAT at that time.
The sub-central threshold for supplies and services was £214,904 in the same period.
The estimated value of the whole partnership was £704m over its full possible term.
"""


@pytest.fixture(scope="module")
def quiz_assistant(tmp_path_factory):
    from assistant.api import Assistant
    from assistant.config import Settings
    from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL, write_mini_corpus

    root = tmp_path_factory.mktemp("quiz")
    corpus = write_mini_corpus(root / "corpus")
    (corpus / "guidance" / "timings-mini.md").write_text(TIMINGS, encoding="utf-8")
    settings = Settings(
        index_dir=root / "index",
        corpus_dir=corpus,
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
    )
    assistant = Assistant(settings)
    assert assistant.ingest().ok
    return assistant


def test_quiz_blanks_a_fact_from_the_cited_passage(quiz_assistant) -> None:
    pack = build_pack(quiz_assistant, "innovation partnership periods, thresholds and values")
    assert len(pack.quiz) >= 2
    refs = {r.n: r for r in pack.refs.references}
    for item in pack.quiz:
        assert "_____" in item.question
        assert item.answer in item.options and len(set(item.options)) == len(item.options)
        assert 3 <= len(item.options) <= 4
        kinds = {k for k, p in FACTS.items() if p.fullmatch(item.answer)}
        assert kinds and all(any(FACTS[k].fullmatch(o) for k in kinds) for o in item.options)
        filled = item.question.replace("_____", item.answer).rstrip(".")
        assert filled in refs[item.ref].quote
        assert all(o not in item.question for o in item.options)  # no giveaways
        assert item.letter == "ABCD"[item.options.index(item.answer)]
    assert len({q.answer for q in pack.quiz}) == len(pack.quiz)


def test_an_uncovered_topic_is_refused_not_invented(mini_assistant) -> None:
    with pytest.raises(AssistantError, match="does not cover"):
        build_pack(mini_assistant, "Nottinghamshire's Acme partnership outcomes")
    with pytest.raises(AssistantError, match="Type a topic"):
        build_pack(mini_assistant, " ")


def test_the_report_has_sections_and_one_reference_list(pack) -> None:
    report = pack_report(pack)
    text = to_markdown(report)
    for heading in ("## Summary", "## Key points", "## Discussion questions", "## References"):
        assert heading in text
    body = text.split("## References")[0]
    assert _markers(re.sub(r"\]\(", "](", body)) == {r.n for r in report.references}
    assert report.title == f"Trainer pack: {TOPIC}"
