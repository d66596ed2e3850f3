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
        "When was Barnardo's appointed as Leicestershire's innovation partner?",
        [],
        [],
        api_name="/ask",
    )
    assert set(result) >= {"question", "answer", "abstained", "citations", "timings"}
    assert not result["abstained"]
    assert "December 2018" in result["answer"]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}
    assert markers == {c["n"] for c in result["citations"]}
    for citation in result["citations"]:
        assert {"n", "doc_id", "title", "locator", "source_url", "score", "text"} <= set(citation)
    assert any(c["doc_id"].startswith("leics-cip") for c in result["citations"])


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
