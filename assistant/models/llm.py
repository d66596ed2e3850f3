"""Language-model backends behind llama-index's LLM interface (an OpenAI-compatible server or
Ollama), with a timeout, bounded retries and one clear error when the server cannot answer.

The caller (`assistant.api`) catches `LLMUnavailable` and falls back to the extractive answer,
so a missing or broken model server never fails a question.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from assistant.config import Settings
from assistant.errors import AssistantError, ConfigError

logger = logging.getLogger(__name__)

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
# Low temperature: grounded answers should copy facts, not vary them.
TEMPERATURE = 0.1
# Ollama asks the server for the model's context size unless told; 8k tokens holds the
# sources (top_k passages of ~350 words) plus the answer.
OLLAMA_CONTEXT = 8192
# Back-off before retry n (seconds): short, because a person is waiting for the answer.
BACKOFF_S = (0.25, 0.5, 1.0, 2.0)

Messages = Sequence[tuple[str, str]]  # (role, content); role in system / user / assistant


class LLMUnavailable(AssistantError):
    """The model server could not produce an answer: unreachable, timed out or an error."""


@cache
def transport_errors() -> tuple[type[BaseException], ...]:
    """What a model server or its client library raises when the call itself fails. Decoding
    errors of a malformed reply (ValueError, KeyError, ...) count too: the server is at fault."""
    import httpx
    import ollama
    import openai

    return (
        openai.OpenAIError,
        httpx.HTTPError,
        ollama.ResponseError,
        ollama.RequestError,
        ConnectionError,
        TimeoutError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
    )


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) and status > 0 else None


def _transient(exc: BaseException) -> bool:
    """Worth another try: connection errors, timeouts, 429 and 5xx; not 4xx or bad replies."""
    status = _status(exc)
    if status is not None:
        return status == 429 or status >= 500
    return not isinstance(exc, ValueError | KeyError | IndexError | TypeError)


def _describe(exc: BaseException) -> str:
    status = _status(exc)
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    return f"HTTP {status}: {text}" if status else text


def make_llm(settings: Settings) -> Any:
    """The llama-index LLM for the configured backend (no request is made here)."""
    if not settings.llm_model:
        raise ConfigError("Set ASSISTANT_LLM_MODEL to the model name the server knows.")
    if settings.llm_backend == "openai":
        if not settings.llm_base_url:
            raise ConfigError(
                "Set ASSISTANT_LLM_BASE_URL to the server's OpenAI-compatible URL "
                "(e.g. http://127.0.0.1:8000/v1)."
            )
        from llama_index.llms.openai_like import OpenAILike

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
        return OpenAILike(
            model=settings.llm_model,
            api_base=settings.llm_base_url,
            api_key=key or "not-needed",  # local servers ignore it; the client insists on one
            is_chat_model=True,
            temperature=TEMPERATURE,
            timeout=settings.llm_timeout,
            max_retries=0,  # retries are ours (short back-off, same for every backend)
        )
    if settings.llm_backend == "ollama":
        from llama_index.llms.ollama import Ollama

        return Ollama(
            model=settings.llm_model,
            base_url=settings.llm_base_url or OLLAMA_DEFAULT_URL,
            request_timeout=settings.llm_timeout,
            context_window=OLLAMA_CONTEXT,
            temperature=TEMPERATURE,
        )
    raise ConfigError(f"Unknown llm_backend '{settings.llm_backend}'.")


def _chat_messages(messages: Messages) -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role=role, content=content) for role, content in messages]


@dataclass
class ChatModel:
    """A configured model: `complete` returns the whole reply, `stream` yields text deltas.
    Both retry transient failures before the first token and raise `LLMUnavailable` after."""

    llm: Any
    retries: int = 2
    label: str = "model"
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatModel | None:
        """None when no backend is configured (the extractive composer answers)."""
        if settings.llm_backend == "none":
            return None
        url = settings.llm_base_url or OLLAMA_DEFAULT_URL
        label = f"{settings.llm_backend} model '{settings.llm_model}' at {url}"
        return cls(make_llm(settings), settings.llm_retries, label)

    def complete(self, messages: Messages) -> str:
        chat = _chat_messages(messages)
        response = self._with_retries(lambda: self.llm.chat(chat))
        return str(response.message.content or "")

    def stream(self, messages: Messages) -> Iterator[str]:
        chat = _chat_messages(messages)

        def first() -> tuple[Iterator[Any], str | None]:
            responses = iter(self.llm.stream_chat(chat))
            head = next(responses, None)
            return responses, (head.delta or "") if head is not None else None

        responses, head = self._with_retries(first)
        if head is None:
            return
        if head:
            yield head
        try:
            for response in responses:
                if response.delta:
                    yield response.delta
        except transport_errors() as exc:
            raise LLMUnavailable(
                f"The {self.label} stopped mid-answer ({_describe(exc)})."
            ) from exc

    def _with_retries(self, call: Callable[[], Any]) -> Any:
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return call()
            except transport_errors() as exc:
                last = exc
                if not _transient(exc) or attempt + 1 == attempts:
                    break
                logger.info("%s failed (%s); retry %d", self.label, _describe(exc), attempt + 1)
                self.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
        tries = f" after {attempt + 1} tries" if attempt else ""
        raise LLMUnavailable(
            f"The {self.label} did not answer{tries}: {_describe(last)}."
        ) from last
