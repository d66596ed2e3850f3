"""Innovation Partnership Assistant: cited answers on UK innovation partnership practice."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant
    from assistant.config import Settings, get_settings
    from assistant.features.cases import ATTRIBUTES as CASE_ATTRIBUTES
    from assistant.features.cases import LABELS as CASE_LABELS
    from assistant.features.cases import Case, CaseFilters
    from assistant.features.documents import LibraryDocument, Listing
    from assistant.features.private import open_private, private_dir
    from assistant.features.trainer import SUGGESTED_TOPICS, TrainerPack
    from assistant.features.uploads import ALLOWED_SUFFIXES, UserCollection
    from assistant.features.which_rules import CONTRACT_KINDS, RegimeAdvice
    from assistant.text.dates import day_text, parse_day
    from assistant.text.sanitize import (
        markdown_link_text,
        markdown_text,
        markdown_url,
        safe_url,
        strip_controls,
    )
    from assistant.types import Answer, Chunk, Citation

__all__ = [
    "ALLOWED_SUFFIXES",
    "CASE_ATTRIBUTES",
    "CASE_LABELS",
    "CONTRACT_KINDS",
    "SUGGESTED_TOPICS",
    "Answer",
    "Assistant",
    "Case",
    "CaseFilters",
    "Chunk",
    "Citation",
    "LibraryDocument",
    "Listing",
    "RegimeAdvice",
    "Settings",
    "TrainerPack",
    "UserCollection",
    "day_text",
    "get_settings",
    "markdown_link_text",
    "markdown_text",
    "markdown_url",
    "open_private",
    "parse_day",
    "private_dir",
    "safe_url",
    "strip_controls",
]
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
    # what the CLI and the web page pass to, or get from, the Assistant's features
    "ALLOWED_SUFFIXES": "assistant.features.uploads",
    "CONTRACT_KINDS": "assistant.features.which_rules",
    "CaseFilters": "assistant.features.cases",
    # what the page shows: cases and their labels, the library's documents
    "Case": "assistant.features.cases",
    "CASE_ATTRIBUTES": "assistant.features.cases:ATTRIBUTES",
    "CASE_LABELS": "assistant.features.cases:LABELS",
    "LibraryDocument": "assistant.features.documents",
    "Listing": "assistant.features.documents",
    "RegimeAdvice": "assistant.features.which_rules",
    "SUGGESTED_TOPICS": "assistant.features.trainer",
    "TrainerPack": "assistant.features.trainer",
    "UserCollection": "assistant.features.uploads",
    # reading a date field; printing text from documents safely; private files
    "open_private": "assistant.features.private",
    "parse_day": "assistant.text.dates",
    "day_text": "assistant.text.dates",
    "private_dir": "assistant.features.private",
    "strip_controls": "assistant.text.sanitize",
    "markdown_link_text": "assistant.text.sanitize",
    "markdown_text": "assistant.text.sanitize",
    "markdown_url": "assistant.text.sanitize",
    "safe_url": "assistant.text.sanitize",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    module, _, attribute = _EXPORTS[name].partition(":")  # "module:attribute" renames
    return getattr(importlib.import_module(module), attribute or name)
