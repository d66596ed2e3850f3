"""Logs that stay readable when someone sends a huge value: every line the process writes to
stderr, and every log record, is cut at a limit saying how much was cut (docs/security.md,
item 5). The CLI and the web app call `bound_output` once at start."""

from __future__ import annotations

import logging
import sys
from typing import Any

from assistant.text.sanitize import shorten


class BoundedStream:
    """A text stream that cuts any line over `limit` characters (Gradio prints the traceback
    of a failed event straight to stderr, with the offending value in it)."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream, self._limit = stream, limit

    def write(self, text: str) -> int:
        if len(text) > self._limit:
            text = "\n".join(shorten(line, self._limit) for line in text.split("\n"))
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ShortRecords(logging.Filter):
    """Cuts a log record's message and traceback lines to `limit` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if len(message) > self.limit:
            record.msg, record.args = shorten(message, self.limit), ()
        if record.exc_info and not record.exc_text:
            trace = logging.Formatter().formatException(record.exc_info)
            record.exc_text = "\n".join(shorten(x, self.limit) for x in trace.split("\n"))
        return True


def bound_output(limit: int) -> None:
    """Keep huge values out of the logs: stderr lines and log records are cut at `limit`."""
    if not isinstance(sys.stderr, BoundedStream):
        original = sys.stderr
        sys.stderr = BoundedStream(original, limit)
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is original:
                handler.setStream(sys.stderr)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, ShortRecords) for f in handler.filters):
            handler.addFilter(ShortRecords(limit))
