"""A real HTTP model server on 127.0.0.1 for tests, returning scripted replies.

It speaks the OpenAI chat-completions protocol (POST /v1/chat/completions, JSON or streamed
server-sent events) and the Ollama chat API (POST /api/chat, JSON or streamed NDJSON), so
the assistant's real llama-index clients talk to it over real sockets. Each request takes
the next scripted `Reply`; a reply's text may be a function of the request's messages (to
cite the source number a passage actually got). Every request is recorded.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Messages = list[dict[str, Any]]


@dataclass
class Reply:
    """One scripted response."""

    text: str | Callable[[Messages], str] = ""
    status: int = 200  # non-200: an error body instead of a reply
    delay: float = 0.0  # seconds before answering (to trip the client's timeout)
    pieces: int = 6  # stream the text in this many deltas
    cut_after: int | None = None  # stream: drop the connection after this many deltas

    def render(self, messages: Messages) -> str:
        return self.text(messages) if callable(self.text) else self.text


def source_number(messages: Messages, title_part: str) -> int:
    """The number the assistant gave the source whose title contains `title_part`."""
    text = " ".join(str(m.get("content", "")) for m in messages)
    for n, title in re.findall(r'<source id="(\d+)" title="([^"]*)"', text):
        if title_part.lower() in title.lower():
            return int(n)
    raise AssertionError(f"no source titled like {title_part!r} in the prompt")


def _split(text: str, pieces: int) -> list[str]:
    size = max(1, -(-len(text) // max(1, pieces)))
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class ScriptedLLMServer:
    """Start with `start()`, stop with `stop()`; script replies with `script(...)`."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def script(self, *replies: Reply | str) -> None:
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def openai_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def ollama_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ScriptedLLMServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def next_reply(self) -> Reply:
        if not self.replies:
            return Reply("no scripted reply left", status=500)
        return self.replies.popleft()


class _Handler(BaseHTTPRequestHandler):
    owner: ScriptedLLMServer
    protocol_version = "HTTP/1.1"  # chunked streams, so a cut stream is an error
    timeout = 10  # an idle keep-alive connection closes

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        self.owner.requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/api/chat"):
            self._json(404, {"error": f"no route {self.path}"})
            return
        reply = self.owner.next_reply()
        time.sleep(reply.delay)
        if reply.status != 200:
            self._json(reply.status, {"error": {"message": reply.render([]), "type": "server"}})
            return
        text = reply.render(body.get("messages", []))
        ollama = self.path.startswith("/api/")
        try:
            if body.get("stream", ollama):  # Ollama streams unless told not to
                self._stream(text, body.get("model", ""), ollama, reply)
            else:
                self._json(200, _ollama(text, body, True) if ollama else _openai(text, body))
        except OSError:  # the client gave up (timeout test): nothing to answer
            pass

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, text: str, model: str, ollama: bool, reply: Reply) -> None:
        self.send_response(200)
        kind = "application/x-ndjson" if ollama else "text/event-stream"
        self.send_header("Content-Type", kind)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i, event in enumerate(_events(text, model, ollama, reply.pieces)):
            if reply.cut_after is not None and i >= reply.cut_after:
                self.wfile.flush()
                self.close_connection = True
                return  # no terminating chunk: the client sees a broken stream
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
            time.sleep(0.005)
        self.wfile.write(b"0\r\n\r\n")


def _openai(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _ollama(text: str, body: dict[str, Any], done: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "model": body.get("model", ""),
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": text},
        "done": done,
    }
    if done:
        out |= {"done_reason": "stop", "prompt_eval_count": 10, "eval_count": 10}
    return out


def _events(text: str, model: str, ollama: bool, pieces: int) -> Iterator[str]:
    body = {"model": model}
    for piece in _split(text, pieces):
        if ollama:
            yield json.dumps(_ollama(piece, body, False)) + "\n"
        else:
            chunk = {
                "id": "chatcmpl-test",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
            yield f"data: {json.dumps(chunk)}\n\n"
    if ollama:
        yield json.dumps(_ollama("", body, True)) + "\n"
    else:
        yield "data: [DONE]\n\n"


@pytest.fixture
def llm_server() -> Iterator[ScriptedLLMServer]:
    """A scripted model server on a free loopback port, stopped after the test."""
    server = ScriptedLLMServer().start()
    yield server
    server.stop()
