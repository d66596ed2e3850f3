"""Error hierarchy; each class carries a policy (skip the file, abort with a hint, abstain)."""

from __future__ import annotations

from pathlib import Path


class AssistantError(Exception):
    """Base class: the CLI prints these as one line and exits non-zero."""


class IngestError(AssistantError):
    """This file cannot be ingested: report it, skip it, carry on."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")

    def __reduce__(self) -> tuple[type[IngestError], tuple[Path, str]]:
        # Pickled by path and reason (not the message), so it crosses from a parse worker.
        return (type(self), (self.path, self.reason))


class UnsupportedFormat(IngestError):
    """No parser for this file type."""


class IndexMissing(AssistantError):
    """There is no built index: run `assistant ingest`."""

    def __init__(self, index_dir: Path | str) -> None:
        super().__init__(f"No index at {index_dir}; run `assistant ingest` first.")


class IndexBusy(AssistantError):
    """Another ingest holds the lock."""


class ConfigError(AssistantError):
    """Configuration that cannot work (e.g. an embedding model that is not there)."""
