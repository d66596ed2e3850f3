"""Errors on the page: an expected error (AssistantError) is shown as its message, anything
unexpected as a message with a log reference, never Gradio's bare "Error"."""

from __future__ import annotations

import functools
import inspect
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from assistant.errors import AssistantError

logger = logging.getLogger("app")

UNEXPECTED = (
    "Something went wrong on the server; it has been logged as {ref}. Please try again, and "
    "if it keeps happening tell the maintainers that reference."
)


def user_error(message: str) -> gr.Error:
    """An expected error: shown to the user, logged without a traceback."""
    return gr.Error(message, print_exception=False)


def fail(exc: AssistantError) -> gr.Error:
    return user_error(str(exc))


def unexpected(name: str) -> gr.Error:
    """Log the exception being handled (with a reference) and tell the user clearly."""
    return user_error(logged(name))


def logged(name: str) -> str:
    """Log the exception being handled with a reference; the message naming it."""
    ref = uuid.uuid4().hex[:8]
    logger.exception("unexpected error in %s (reference %s)", name, ref)
    return UNEXPECTED.format(ref=ref)


def inline(message: str) -> str:
    """A message shown next to the field it concerns (empty: no message)."""
    return f"⚠ {message}" if message else ""


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with errors made clear: AssistantError becomes its message, anything unexpected a
    message with a log reference (not Gradio's bare "Error"). Signature kept for Gradio."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except AssistantError as exc:
                raise fail(exc) from exc
            except Exception as exc:
                raise unexpected(fn.__name__) from exc

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except AssistantError as exc:
            raise fail(exc) from exc
        except Exception as exc:
            raise unexpected(getattr(fn, "__name__", "handler")) from exc

    return call


def on(trigger: Any, fn: Any, inputs: Any, outputs: Any) -> None:
    """Wire a UI event; UI events are not API endpoints (those are the gr.api ones)."""
    trigger(guarded(fn), inputs, outputs, api_visibility="private")
