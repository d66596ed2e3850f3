"""The served app's limits and hygiene (issue 17, item 5), over HTTP on a loopback port."""

from __future__ import annotations

import os
import time
import uuid

import httpx
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

pytestmark = pytest.mark.server
FOREIGN = "http://localhost:9999"  # another page on this machine, e.g. a dev server


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access")}


def test_other_origins_cannot_read_responses_with_credentials(app) -> None:
    got = httpx.get(app.url + "config", headers={"Origin": FOREIGN}, timeout=30)
    assert got.status_code == 200
    headers = _cors_headers(got)
    assert "access-control-allow-origin" not in headers
    assert headers.get("access-control-allow-credentials") != "true"
    preflight = httpx.options(
        app.url + "gradio_api/queue/join",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    headers = _cors_headers(preflight)
    assert "access-control-allow-origin" not in headers
    assert headers.get("access-control-allow-credentials") != "true"


def _login(url: str, user: str, password: str) -> tuple[int, float]:
    start = time.perf_counter()
    response = httpx.post(url + "login", data={"username": user, "password": password}, timeout=60)
    return response.status_code, time.perf_counter() - start


def test_failed_logins_are_slowed_and_then_locked(auth_app) -> None:
    """carol: ASSISTANT_LOGIN_FAIL_DELAY=0.5, ASSISTANT_LOGIN_MAX_FAILURES=3 (conftest)."""
    assert _login(auth_app, "carol", "pw")[0] == 200
    failures = [_login(auth_app, "carol", "guess") for _ in range(3)]
    assert all(code == 400 and took >= 0.5 for code, took in failures)
    code, _ = _login(auth_app, "carol", "pw")
    assert code == 400  # locked: the right password is not even checked
    assert _login(auth_app, "bob", "builder")[0] == 200  # other names are not locked


def _log_tail(app, start: int) -> str:
    return app.log.read_text(encoding="utf-8", errors="replace")[start:]


def _private_event(app, output_elem_id: str, input_elem_id: str) -> tuple[int, list[int]]:
    """fn_index and input component ids of the page event reading #input_elem_id and writing
    to #output_elem_id."""
    config = httpx.get(app.url + "config", timeout=30).json()
    ids = {c["id"]: c.get("props", {}).get("elem_id") for c in config["components"]}
    for dep in config["dependencies"]:
        writes = any(ids.get(o) == output_elem_id for o in dep["outputs"])
        if writes and any(ids.get(i) == input_elem_id for i in dep["inputs"]):
            return dep["id"], dep["inputs"]
    raise AssertionError(f"no event reads #{input_elem_id} and writes to #{output_elem_id}")


def test_a_huge_value_is_not_logged_in_full(app) -> None:
    """A 5 MB persona sent to the feedback event as the page would send it: Gradio refuses it
    and prints its traceback, value and all; the app cuts the line."""
    fn_index, inputs = _private_event(app, "feedback-status", "feedback-comment")
    assert len(inputs) == 4  # answers (state), the rating (state), comment, persona
    start = app.log.stat().st_size
    session = uuid.uuid4().hex[:10]
    body = {
        "data": [None, None, "a comment", "P" * 5_000_000],
        "fn_index": fn_index,
        "session_hash": session,
        "event_data": None,
        "trigger_id": None,
    }
    joined = httpx.post(app.url + "gradio_api/queue/join", json=body, timeout=60)
    assert joined.status_code == 200, joined.text[:300]
    with httpx.stream(
        "GET", app.url + "gradio_api/queue/data", params={"session_hash": session}, timeout=60
    ) as events:
        for line in events.iter_lines():
            if "process_completed" in line:
                assert '"success":false' in line.replace(" ", "")
                break
    time.sleep(0.5)
    logged = _log_tail(app, start)
    assert "PPPP" in logged  # the refusal was logged ...
    assert "characters cut" in logged
    assert max(len(line) for line in logged.splitlines()) < 2200  # ... cut to a line


def _ask(app, *args):
    from gradio_client import Client

    return Client(app.url, verbose=False).predict(*args, api_name="/ask")


def test_an_expected_error_is_a_message_without_a_traceback(app) -> None:
    from gradio_client.exceptions import AppError

    start = app.log.stat().st_size
    with pytest.raises(AppError, match=r"Filter 'doc_type' takes a list of text values"):
        _ask(app, "What is the standstill period?", [{"$ne": "x"}], [])
    with pytest.raises(AppError, match=r"Unknown regime 'XYZ': use one of PCR2015"):
        _ask(app, "What is the standstill period?", [], ["XYZ"])
    time.sleep(0.5)
    assert "Traceback" not in _log_tail(app, start)


def test_an_unexpected_error_is_explained_and_logged_with_its_reference(app) -> None:
    from gradio_client.exceptions import AppError

    start = app.log.stat().st_size
    with pytest.raises(AppError) as caught:
        _ask(app, "What is the standstill period?", [], [], 20180901)  # as_at is not text
    message = str(caught.value)
    assert "Something went wrong on the server; it has been logged as " in message
    ref = message.split("logged as ")[1].split(".")[0]
    time.sleep(0.5)
    logged = _log_tail(app, start)
    assert f"unexpected error in ask_json (reference {ref})" in logged
    assert "AttributeError" in logged
