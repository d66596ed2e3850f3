"""Learning modules: the documented structure is parsed, and a malformed module says where and
what to fix; trainers' topics find their module."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ModuleError
from assistant.features.modules import load_modules, match_modules, parse_module, phrase_score
from assistant.ingest.parsers import parse_file
from assistant.types import Chunk, Hit
from tests.conftest import MODULE

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
SHIPPED = sorted(CORPUS.glob("guidance/module-*.md"))


def _write(tmp_path: Path, text: str, name: str = "module-mini-periods.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_module_is_parsed_part_by_part(tmp_path) -> None:
    module = parse_module(_write(tmp_path, MODULE))
    assert module.doc_id == "module-mini-periods"
    assert module.topic == "innovation partnership periods"
    assert module.objectives[0] == "State the minimum period for requests to participate."
    first = module.key_points[0]
    assert first.text.startswith("The minimum period for the receipt") and first.text.endswith(
        "contract notice is sent"
    )
    assert (first.pinpoint, first.docs) == ("reg. 31(5)", ("pcr2015-reg31-mini",))
    assert first.shown.endswith("contract notice is sent (reg. 31(5)).")
    assert module.key_points[2].pinpoint == "" and module.key_points[2].docs == ("guide-mini",)
    (scenario,) = module.scenarios
    assert scenario.title == "A short deadline" and scenario.question == "Is 20 days long enough?"
    assert scenario.debrief[0].text.startswith("No. The minimum period")
    assert [d.text[-4:] for d in module.discussion] == ["one?", "ods?"]
    (item,) = module.quiz
    assert item.options == ("10 days", "30 days", "35 days") and item.answer == "30 days"
    assert item.why.docs == ("pcr2015-reg31-mini",)
    assert module.docs == {"pcr2015-reg31-mini", "guide-mini"}


MALFORMED = [
    ("- [x] 30 days", "- [ ] 30 days", r"line \d+\): 0 options are marked \[x\]; mark exactly one"),
    ("- [ ] 10 days", "- [x] 10 days", r"2 options are marked \[x\]"),
    ("- [ ] 35 days", "- [ ] 10 days", "two options are the same"),
    ("- [ ] 35 days\n", "", "give 3 to 4 options"),
    ("**Why:** The minimum", "The minimum", r"one '\*\*Why:\*\* \.\.\.' paragraph"),
    ("in an innovation partnership?", "in an innovation partnership.", "ending with '\\?'"),
    ("activities (reg. 31(4); see pcr2015-reg31-mini).", "activities.",
     r"line \d+ \(Key points, item 2\): end with its citation in brackets"),
    ("(see guide-mini)", "(guide)", "the citation names no library document"),
    ("## Discussion questions", "## Talking points", r"unknown section '## Talking points'"),
    ("rather than one? (reg. 31(4)", "rather than one (reg. 31(4)", "ends with '\\?'"),
    ("**Question:** Is 20 days long enough?", "", r"needs facts, a '\*\*Question:\*\*"),
    ("## Learning objectives", "## Key points", "a second '## Key points' section"),
    ("runs on fixed minimum periods", "runs on fixed minimum periods (see pcr2015-reg31-mini) and",
     "name documents only in the closing citation"),
    ('topic: "innovation partnership periods"\n', "", "front matter needs 'topic:'"),
    ("doc_id: module-mini-periods", "doc_id: mini-periods", "must start with 'module-'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), MALFORMED)
def test_a_malformed_module_names_the_file_the_place_and_the_fix(tmp_path, old, new, message):
    assert old in MODULE
    path = _write(tmp_path, MODULE.replace(old, new, 1))
    with pytest.raises(ModuleError, match=message) as caught:
        parse_module(path)
    assert str(caught.value).startswith("module-mini-periods.md: ")


def test_a_malformed_module_is_left_out_and_reported_the_rest_load(tmp_path) -> None:
    good = _write(tmp_path, MODULE)
    bad = _write(tmp_path, MODULE.replace("- [x] 30 days", "- [ ] 30 days"), "module-bad.md")
    found = load_modules([bad, good, tmp_path / "module-gone.md"])
    assert [m.doc_id for m in found.modules] == ["module-mini-periods"]
    assert [p.path.name for p in found.problems] == ["module-bad.md", "module-gone.md"]
    assert "cannot be read" in found.problems[1].reason


def test_only_summary_and_key_points_are_searchable(tmp_path) -> None:
    """A wrong option, an invented scenario, an objective or a question is never an answer."""
    doc = parse_file(_write(tmp_path, MODULE))
    assert {s.heading_path[:1] for s in doc.sections} == {(), ("Key points",)}
    text = "\n".join(s.text for s in doc.sections)
    assert "runs on fixed minimum periods" in text
    assert "30 days from the date the contract notice is sent" in text
    for taught in ("35 days", "[x]", "20 days", "participants can", "several partners rather"):
        assert taught not in text
    # the same headings in any other document are indexed as usual
    guide = MODULE.replace("doc_id: module-mini-periods", "doc_id: guide-mini-periods")
    other = parse_file(_write(tmp_path, guide, "guide-mini-periods.md"))
    assert "several partners rather" in "\n".join(s.text for s in other.sections)


SHIPPED_MODULES = load_modules(SHIPPED).modules
EXPECTED = {
    "which regime applies to a procurement": "module-which-regime",
    "PCR 2015 or the Procurement Act: which regime applies on a date?": "module-which-regime",
    "the light touch regime": "module-light-touch",
    "light touch contracts under the Act": "module-light-touch",
    "setting up an innovation partnership": "module-innovation-partnership",
    "reg 31 and why Leicestershire did not use it": "module-innovation-partnership",
    "lessons from Leicestershire's Children's Innovation Partnership": "module-leicestershire-cip",
    "Barnardo's and the CIP": "module-leicestershire-cip",
    "market engagement before a care partnership tender": "module-market-engagement",
    "talking to providers before we tender": "module-market-engagement",
    "modifying a contract during its term": "module-modifying-partnership",
    "contract change notices and Schedule 8": "module-modifying-partnership",
    "notices and standstill under the Procurement Act 2023": "module-notices-standstill",
    "the standstill period": "module-notices-standstill",
    "governance and evaluation of a partnership": "module-governance-evaluation",
    "setting up a partnership board and scrutiny": "module-governance-evaluation",
}


@pytest.mark.parametrize(("topic", "doc_id"), EXPECTED.items())
def test_a_trainers_topic_finds_its_module(topic, doc_id) -> None:
    found = match_modules(topic, SHIPPED_MODULES, [])
    assert found and found[0].doc_id == doc_id, [m.doc_id for m in found]


@pytest.mark.parametrize(
    "topic",
    ["Nottinghamshire's Acme partnership outcomes", "frameworks under the Act", "TUPE on transfer"],
)
def test_a_topic_no_module_covers_finds_none(topic) -> None:
    assert match_modules(topic, SHIPPED_MODULES, []) == []


def _hit(doc_id: str) -> Hit:
    return Hit(Chunk(f"{doc_id}#0", doc_id, "text", "Key points"), 1.0)


def test_retrieval_backs_a_one_word_match_but_never_stands_alone() -> None:
    (board,) = [m for m in SHIPPED_MODULES if m.doc_id == "module-governance-evaluation"]
    assert phrase_score("governance", board) == 1  # one phrase word: not enough alone
    assert match_modules("governance", SHIPPED_MODULES, []) == []
    elsewhere = [_hit("pa2023-frameworks"), _hit("module-governance-evaluation")]
    assert match_modules("governance", SHIPPED_MODULES, elsewhere[:1]) == []
    found = match_modules("governance", SHIPPED_MODULES, elsewhere[::-1])  # its passage leads
    assert [m.doc_id for m in found] == ["module-governance-evaluation"]
    uncovered = "Nottinghamshire's Acme partnership outcomes"  # no phrase word at all
    assert match_modules(uncovered, SHIPPED_MODULES, elsewhere[::-1]) == []
