"""Innovation Partnership Assistant: cited answers on UK innovation partnership practice."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.config import Settings, get_settings
    from assistant.types import Answer, Chunk, Citation

__all__ = ["Answer", "Assistant", "Chunk", "Citation", "Settings", "get_settings"]
__version__ = "0.1.0"

# Loaded on first use: the upload parser's child process imports assistant.ingest.parsers, and must
# not pay for numpy and the answer pipeline it never uses (see assistant/ingest/sandbox.py).
_EXPORTS = {
    "Assistant": "assistant.api",
    "Settings": "assistant.config",
    "get_settings": "assistant.config",
    "Answer": "assistant.types",
    "Chunk": "assistant.types",
    "Citation": "assistant.types",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
