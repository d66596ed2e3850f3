"""The real Gradio app, called through gradio_client on a loopback port."""

from __future__ import annotations

import os
import re

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def client(app_url: str):
    from gradio_client import Client

    return Client(app_url, verbose=False)


def test_named_ask_endpoint_returns_the_cli_json_shape(client) -> None:
    result = client.predict(
        "What is the standstill period under the Procurement Act 2023?", [], [], api_name="/ask"
    )
    assert set(result) >= {"question", "answer", "abstained", "citations", "timings"}
    assert not result["abstained"]
    assert "8 working days" in result["answer"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}
    assert markers == {c["n"] for c in result["citations"]}
    for citation in result["citations"]:
        assert {"n", "doc_id", "title", "locator", "source_url", "score", "text"} <= set(citation)
    # the figure stands in a passage the answer cites (which one ranks first depends on the
    # embedder: these tests run on the hashing one)
    assert any("8 working days" in c["text"] for c in result["citations"])


def test_filters_pass_through_the_api(client) -> None:
    result = client.predict(
        "What is the minimum period for requests to participate?",
        ["regulation"],
        ["PCR2015"],
        api_name="/ask",
    )
    assert result["citations"]
    assert {c["doc_type"] for c in result["citations"]} == {"regulation"}
    assert {c["regime"] for c in result["citations"]} == {"PCR2015"}


def test_off_topic_question_abstains(client) -> None:
    result = client.predict(
        "What did Nottinghamshire's partnership with Acme achieve?", [], [], api_name="/ask"
    )
    assert result["abstained"]
    assert result["citations"] == []


def test_empty_question_is_a_clear_error(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="type a question"):
        client.predict("   ", [], [], api_name="/ask")


def test_which_rules_endpoint_cites_the_commencement_date(client) -> None:
    before = client.predict("2019-05-01", "Goods or services", api_name="/which_rules")
    assert before["regime"] == "PCR2015"
    assert "falls under the Public Contracts Regulations 2015" in before["markdown"]
    assert "24 February 2025" in before["markdown"]
    assert before["references"]
    after = client.predict(
        "01/03/2026",
        "Light touch services (social care, education, health-related)",
        api_name="/which_rules",
    )
    assert after["regime"] == "PA2023"
    for provision in after["provisions"]:
        assert provision["pinpoint"] and provision["title"]


def test_which_rules_endpoint_rejects_a_bad_date(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="YYYY-MM-DD"):
        client.predict("next spring", "Goods or services", api_name="/which_rules")


def test_trainer_pack_endpoint_builds_a_cited_pack(client) -> None:
    pack = client.predict("the light touch regime", api_name="/trainer_pack")
    text = pack["markdown"]
    for heading in ("## Summary", "## Key points", "## Discussion questions", "## References"):
        assert heading in text
    assert pack["references"] >= 3
    cited = {int(n) for n in re.findall(r"\[(\d+)\](?!\()", text.split("## References")[0])}
    assert cited == set(range(1, pack["references"] + 1))
    assert pack["quiz"]
    for item in pack["quiz"]:  # a learning module's question, or a generated fill-the-gap one
        assert item["options"].count(item["answer"]) == 1
        assert item["question"].endswith("?") or "_____" in item["question"]


def test_trainer_pack_for_an_uncovered_topic_says_so(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="does not cover"):
        client.predict("Nottinghamshire's Acme partnership", api_name="/trainer_pack")


@pytest.mark.parametrize(
    ("auth", "message"),
    [(None, "credentials were not provided"), (("alice", "wrong"), "Could not login")],
)
def test_login_is_required_when_users_are_configured(auth_app, auth, message) -> None:
    import httpx
    from gradio_client import Client

    assert httpx.get(auth_app + "config", timeout=10).status_code == 401
    with pytest.raises(ValueError, match=message):
        Client(auth_app, auth=auth, verbose=False)


def test_a_user_from_the_auth_file_can_ask(auth_app) -> None:
    from gradio_client import Client

    client = Client(auth_app, auth=("bob", "builder"), verbose=False)
    result = client.predict(
        "What is the minimum period for requests to participate?", [], [], api_name="/ask"
    )
    assert result["citations"]


def test_no_login_by_default(app_url) -> None:
    import httpx

    config = httpx.get(app_url + "config", timeout=10).json()
    assert not config.get("auth_required")


def test_as_at_date_answers_with_the_regime_then_in_force(client) -> None:
    result = client.predict(
        "How long is the standstill period before the contract is signed?",
        [],
        [],
        "2018-09-01",
        api_name="/ask",
    )
    assert not result["abstained"]
    assert "Public Contracts Regulations 2015" in result["answer"]


def test_bad_as_at_date_is_a_clear_error(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="YYYY-MM-DD"):
        client.predict("How long is the standstill period?", [], [], "soon", api_name="/ask")
