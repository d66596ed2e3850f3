"""The Assistant is the one face of the features (issue 15, item 1): the CLI and the page call
these methods, and the endpoints' JSON comes from the value objects' own `to_dict()`."""

from __future__ import annotations

import json
from pathlib import Path

from assistant import Assistant, CaseFilters
from assistant.features.cases import cases_answer, cases_like, find_cases
from assistant.features.export import to_markdown
from assistant.features.trainer import build_pack, pack_dict, pack_report
from assistant.features.which_rules import advice_report, which_rules_apply
from assistant.types import Answer

GOODS = "Goods or services"


def test_which_rules_is_the_feature_and_its_json_is_the_endpoints(mini_assistant) -> None:
    advice = mini_assistant.which_rules("2019-05-01", GOODS)
    data = advice.to_dict()
    assert data == which_rules_apply(mini_assistant, "2019-05-01", GOODS).to_dict()
    assert data["regime"] == "PCR2015" == advice.regime
    assert data["markdown"] == to_markdown(advice_report(advice))
    assert [p["pinpoint"] for p in data["provisions"]] == [p for p, _, _ in advice.provisions()]
    assert len(data["references"]) == len(advice_report(advice).references) > 0
    json.dumps(data)


def test_a_trainer_pack_from_the_assistant_with_both_json_shapes(mini_assistant) -> None:
    topic = "the innovation partnership procedure and its minimum periods"
    pack = mini_assistant.trainer_pack(topic)
    assert pack_dict(pack) == pack_dict(build_pack(mini_assistant, topic)) == pack.to_dict()
    summary = pack.summary_dict()
    assert summary["topic"] == pack.topic
    assert summary["markdown"] == to_markdown(pack_report(pack))
    assert summary["references"] == len(pack.refs.references)
    assert [q["answer"] for q in summary["quiz"]] == [q.answer for q in pack.quiz]


def test_case_search_through_the_assistant(mini_assistant) -> None:
    filters = CaseFilters()
    assert mini_assistant.find_cases(filters) == find_cases(mini_assistant.library, filters)
    matches, answer = mini_assistant.cases_like("a council and a charity partner", 2)
    assert matches == cases_like(mini_assistant.library, "a council and a charity partner", 2)
    assert answer == cases_answer("a council and a charity partner", matches)


def test_users_documents_are_one_registry_per_assistant(mini_assistant, tmp_path: Path) -> None:
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    assistant = Assistant(settings)
    assert assistant.users is assistant.users
    mine = assistant.users.collection(user="alice")
    assert assistant.users.collection(user="alice") is mine
    assert assistant.users.collection(session="s1") is not mine


def test_feedback_through_the_assistant(mini_assistant, tmp_path: Path) -> None:
    settings = mini_assistant.settings.model_copy(update={"user_data_dir": tmp_path / "ud"})
    answer = Answer(question="How long?", text="Thirty days.", citations=(), abstained=False)
    stored = Assistant(settings).record_feedback(answer, "helpful", "clear", "alice")
    lines = (tmp_path / "ud" / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [stored.id]


def test_the_library_pages_through_the_assistant(mini_assistant) -> None:
    listed = mini_assistant.catalogue()
    doc_id = sorted(listed)[0]
    assert mini_assistant.document(doc_id).doc_id == doc_id
