"""Trainer packs: built from the library's learning modules, every item cited to a library
passage; generated only where no module has the part, and marked so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.features.export import to_markdown
from assistant.features.generated import DISCUSSION_FRAMES, FACTS, without_ids
from assistant.features.modules import load_modules, match_modules
from assistant.features.trainer import SUGGESTED_TOPICS, build_pack, pack_dict, pack_report
from tests.conftest import MODULE, fake_settings, write_mini_corpus

TOPIC = "the innovation partnership procedure and its minimum periods"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pack(mini_assistant):
    return build_pack(mini_assistant, TOPIC)


def _markers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def _texts(pack) -> list[str]:
    """Every text of the pack that carries [n] markers."""
    return [
        pack.summary,
        *(p.text for p in pack.key_points),
        *(p.text for p in pack.discussion),
        *(s.debrief for s in pack.scenarios),
    ]


def _ids(text: str, assistant) -> list[str]:
    """The internal doc ids in `text`: a pack shows pinpoints and titles, never ids."""
    return [d for d in {c.doc_id for c in assistant.library.chunks.values()} if d in text]


def _assistant(root: Path, extra: dict[str, str]):
    from assistant.api import Assistant

    corpus = write_mini_corpus(root / "corpus")
    for name, text in extra.items():
        (corpus / "guidance" / name).write_text(text, encoding="utf-8")
    assistant = Assistant(fake_settings(root / "index", corpus))
    assert assistant.ingest().ok
    return assistant


# A module with no scenario, discussion questions or quiz: the pack generates the questions
# and the quiz (never a scenario) and says so.
PARTIAL = (
    MODULE.replace("module-mini-periods", "module-mini-regimes")
    .replace("Learning module: innovation partnership periods", "Learning module: the regimes")
    .replace('"innovation partnership periods"', '"choosing between the regimes"')
    .replace(
        '["innovation partnership periods", "minimum periods", "requests to participate"]',
        '["choosing between the regimes", "which rules apply"]',
    )
    .split("## Scenario")[0]
)


@pytest.fixture(scope="module")
def module_assistant(tmp_path_factory):
    return _assistant(
        tmp_path_factory.mktemp("modules"),
        {"module-mini-periods.md": MODULE, "module-mini-regimes.md": PARTIAL},
    )


# --- packs generated from passages (no module covers the topic) ------------------------------


def test_pack_has_every_part(pack) -> None:
    assert pack.topic == TOPIC
    assert pack.summary and pack.key_points and pack.discussion
    refs = pack.refs.references
    assert [r.n for r in refs] == list(range(1, len(refs) + 1))


def test_a_generated_pack_says_so_and_marks_every_item(pack) -> None:
    assert pack.modules == () and pack.notes[0].startswith("No learning module covers this topic")
    assert all(p.generated for p in (*pack.key_points, *pack.discussion))
    assert all(q.generated for q in pack.quiz)
    assert pack.objectives == () and pack.scenarios == ()


def test_every_item_cites_a_reference_in_the_pack(pack) -> None:
    numbers = {r.n for r in pack.refs.references}
    for text in _texts(pack):
        assert _markers(text), text
        assert _markers(text) <= numbers
    for item in pack.quiz:
        assert item.ref in numbers
    # and every reference is used by some item
    used = set().union(*(_markers(t) for t in _texts(pack))) | {q.ref for q in pack.quiz}
    assert used == numbers


def test_key_points_are_sentences_of_their_cited_passage(pack, mini_assistant) -> None:
    texts = {r.n: r for r in pack.refs.references}
    chunks = mini_assistant.library.chunks
    for point in pack.key_points:
        sentence = re.sub(r"\s*\[\d+\]$", "", point.text)
        (n,) = _markers(point.text)
        assert sentence in without_ids(texts[n].quote)
        assert any(
            sentence in without_ids(c.text) and c.title == texts[n].title for c in chunks.values()
        )
    assert len({p.text for p in pack.key_points}) == len(pack.key_points)


def _frame(question: str) -> str:
    """The DISCUSSION_FRAMES template a generated question was made from."""
    body = re.sub(r"\s*\[\d+\]$", "", question)
    found = [
        frame
        for frames in DISCUSSION_FRAMES.values()
        for frame in frames
        if re.fullmatch(
            re.escape(frame).replace(r"\{heading\}", ".+").replace(r"\{pinpoint\}", ".+"),
            body[0].lower() + body[1:],
            re.I,
        )
    ]
    assert len(found) == 1, question
    return found[0]


def test_discussion_questions_never_repeat_a_template(pack, quiz_assistant) -> None:
    other = build_pack(quiz_assistant, "innovation partnership periods, thresholds and values")
    for built in (pack, other):
        assert len(built.discussion) >= 2
        frames = [_frame(item.text) for item in built.discussion]
        assert len(set(frames)) == len(frames), frames
        for item in built.discussion:
            assert item.text.rstrip(" [0123456789]").endswith("?")
            assert item.source


TIMINGS = """\
---
doc_id: timings-mini
title: "Innovation partnership timings and values"
doc_type: guidance
regime: PCR2015
---

# Innovation partnership timings and values

## Periods

The minimum period for the receipt of requests to participate is 30 days from the contract notice (reg. 31(5)).
Standstill under the regulations lasts 10 calendar days when the notice is sent electronically (reg. 87).
A contract details notice for a light touch contract is due within 120 days of the contract (s. 53(1)).
The first phase of the partnership ran for 18 months before the council reviewed it (E3M case study).

## Values

The light touch threshold for the partnership was £663,540, including VAT, at that time (reg. 5).
The sub-central threshold for supplies and services was £214,904 in the same period (reg. 5).
The estimated value of the whole partnership was £704m over its full possible term (Contracts Finder).
That threshold was £615,278 for procurements commenced in 2018 and 2019 (reg. 5).

## History

Crown Commercial Service first issued light touch guidance in March 2015 (reg. 74; CCS guidance).
The guidance was updated in October 2015 and reissued in October 2016 (reg. 74; CCS guidance).
"""  # noqa: E501


@pytest.fixture(scope="module")
def quiz_assistant(tmp_path_factory):
    return _assistant(tmp_path_factory.mktemp("quiz"), {"timings-mini.md": TIMINGS})


def test_quiz_blanks_a_figure_the_law_sets_in_the_cited_passage(quiz_assistant) -> None:
    pack = build_pack(quiz_assistant, "innovation partnership periods, thresholds and values")
    assert len(pack.quiz) >= 2
    refs = {r.n: r for r in pack.refs.references}
    for item in pack.quiz:
        assert "_____" in item.question
        assert item.answer in item.options and len(set(item.options)) == len(item.options)
        assert 3 <= len(item.options) <= 4
        kinds = {k for k, p in FACTS.items() if p.fullmatch(item.answer)}
        assert kinds and all(any(FACTS[k].fullmatch(o) for k in kinds) for o in item.options)
        assert not any(o.endswith((",", ";", ".")) for o in item.options)  # no stray commas
        filled = item.question.replace("_____", item.answer).rstrip(".")
        assert filled in refs[item.ref].quote
        assert all(o not in item.question for o in item.options)  # no giveaways
        assert item.letter == "ABCD"[item.options.index(item.answer)]
        assert item.reason and item.generated
        # never trivia, a fragment leaning on the sentence before, or a fact the law does not set
        assert not re.search(r"issued|updated|reissued|That threshold|£704m|18 months", filled)
    assert len({q.answer for q in pack.quiz}) == len(pack.quiz)


def test_an_uncovered_topic_is_refused_not_invented(mini_assistant) -> None:
    with pytest.raises(AssistantError, match="does not cover"):
        build_pack(mini_assistant, "Nottinghamshire's Acme partnership outcomes")
    with pytest.raises(AssistantError, match="Type a topic"):
        build_pack(mini_assistant, " ")


def test_the_report_has_sections_and_one_reference_list(pack) -> None:
    report = pack_report(pack)
    text = to_markdown(report)
    for heading in ("## About this pack", "## Summary", "## Key points", "## References"):
        assert heading in text
    body = text.split("## References")[0]
    assert _markers(re.sub(r"\]\(", "](", body)) == {r.n for r in report.references}
    assert report.title == f"Trainer pack: {TOPIC}"


# --- packs built from a learning module ----------------------------------------------------


def test_a_pack_is_assembled_from_its_module(module_assistant) -> None:
    pack = build_pack(module_assistant, "innovation partnership periods")
    assert pack.modules == ("Learning module: innovation partnership periods",)
    assert pack.notes == ()
    assert pack.summary.startswith("An innovation partnership runs on fixed minimum periods")
    assert pack.objectives[0] == "State the minimum period for requests to participate."
    assert not any(p.generated for p in (*pack.key_points, *pack.discussion))
    assert [s.title for s in pack.scenarios] == ["A short deadline"]
    refs = {r.n: r for r in pack.refs.references}
    first = pack.key_points[0].text
    assert first.startswith("The minimum period for the receipt of requests to participate")
    assert re.search(r"contract notice is sent \(reg\. 31\(5\)\)\. \[\d+\]$", first)
    # cited to the regulation passage that says it, not to the module
    (n,) = _markers(first)
    assert refs[n].title == "PCR 2015 regulation 31: innovation partnership"
    assert refs[n].locator.startswith("reg. 31") and "30 days" in refs[n].quote
    for text in [*_texts(pack), *(q.reason for q in pack.quiz)]:
        assert not _ids(text, module_assistant), text  # pinpoints shown, internal ids never


def test_module_quiz_items_have_one_right_answer_a_reason_and_a_citation(module_assistant):
    pack = build_pack(module_assistant, "innovation partnership periods")
    numbers = {r.n for r in pack.refs.references}
    (item,) = pack.quiz
    assert item.options.count(item.answer) == 1 and item.letter == "B"
    assert item.reason.startswith("The minimum period") and item.ref in numbers
    assert not item.generated and "_____" not in item.question
    text = to_markdown(pack_report(pack))
    assert "Question 1: B) 30 days. The minimum period" in text
    assert "- A) 10 days\n- B) 30 days\n- C) 35 days\n\n" in text  # the list ends before the next
    assert pack_dict(pack)["quiz"][0]["letter"] == "B"


def test_a_part_the_module_lacks_is_generated_and_marked(module_assistant) -> None:
    pack = build_pack(module_assistant, "choosing between the regimes")
    assert pack.modules == ("Learning module: the regimes",)
    assert len(pack.key_points) == 3 and not any(p.generated for p in pack.key_points)
    assert pack.discussion and all(p.generated for p in pack.discussion)
    notes = " ".join(pack.notes)
    assert "has no discussion questions" in notes and "generated from library passages" in notes
    assert "No worked scenario" in notes and pack.scenarios == ()
    assert "quiz" in notes  # generated, or why none could be
    assert all(q.generated for q in pack.quiz)
    assert "About this pack" in to_markdown(pack_report(pack))


def test_a_malformed_module_is_left_out_and_the_pack_says_so(tmp_path) -> None:
    broken = MODULE.replace("- [x] 30 days", "- [ ] 30 days")
    assistant = _assistant(tmp_path, {"module-mini-periods.md": broken})
    pack = build_pack(assistant, "innovation partnership periods")
    assert pack.modules == ()
    assert any("module-mini-periods" in n and "mark exactly one" in n for n in pack.notes)


# --- the shipped modules --------------------------------------------------------------------


def test_each_suggested_topic_finds_its_own_module() -> None:
    modules = load_modules(sorted((ROOT / "corpus").glob("guidance/module-*.md"))).modules
    assert len(SUGGESTED_TOPICS) == len(modules) >= 8
    chosen = [match_modules(topic, modules, [])[0].topic for topic in SUGGESTED_TOPICS]
    assert chosen == list(SUGGESTED_TOPICS)


@pytest.fixture(scope="module")
def shipped_assistant(tmp_path_factory):
    """An index of the shipped modules and the documents they cite (hashing embedder)."""
    import shutil

    from assistant.api import Assistant

    root = tmp_path_factory.mktemp("shipped")
    paths = sorted((ROOT / "corpus").glob("guidance/module-*.md"))
    cited = set().union(*(m.docs for m in load_modules(paths).modules))
    paths += [p for p in (ROOT / "corpus").rglob("*.md") if p.stem in cited]
    (root / "corpus").mkdir()
    for path in paths:
        shutil.copy(path, root / "corpus" / path.name)
    assistant = Assistant(fake_settings(root / "index", root / "corpus"))
    assert assistant.ingest().ok
    return assistant


@pytest.mark.parametrize("topic", SUGGESTED_TOPICS)
def test_each_core_topic_yields_a_complete_module_pack(shipped_assistant, topic) -> None:
    pack = build_pack(shipped_assistant, topic)
    (title,) = pack.modules
    assert pack.notes == ()  # nothing generated, nothing missing
    assert len(pack.objectives) >= 3 and len(pack.key_points) >= 5 and pack.scenarios
    assert len(pack.discussion) >= 3 and len(pack.quiz) >= 4
    refs = {r.n: r for r in pack.refs.references}
    for text in _texts(pack):
        assert _markers(text) and _markers(text) <= set(refs), text
        assert not _ids(text, shipped_assistant), text
    for item in pack.quiz:
        assert item.options.count(item.answer) == 1 and item.reason and item.ref in refs
    # key points and quiz answers are cited to the documents that state them, not the module
    own = [p.text for p in pack.key_points if refs[max(_markers(p.text))].title == title]
    assert not own and all(refs[q.ref].title != title for q in pack.quiz)
