"""The app's private (0700) temporary folders: Gradio's upload cache and the exports."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Settings, private_dir
from assistant.features.export import Report, write_report
from assistant.ui.serving import sweep_cache

FORMATS = {"Word (.docx)": "docx", "Markdown (.md)": "md"}


@dataclass(frozen=True)
class Workspace:
    """The app's private (0700) temporary folders: Gradio's upload cache and the exports."""

    root: Path

    @property
    def uploads(self) -> Path:
        return self.root / "gradio"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @classmethod
    def create(cls, settings: Settings) -> Workspace:
        """`settings.temp_dir`, or a fresh folder removed at exit."""
        if settings.temp_dir is not None:
            root = private_dir(Path(settings.temp_dir))
        else:
            root = Path(tempfile.mkdtemp(prefix="ipa-"))
            atexit.register(shutil.rmtree, root, True)
        workspace = cls(root)
        private_dir(workspace.uploads)
        private_dir(workspace.exports)
        return workspace

    def sweep(self, settings: Settings) -> None:
        limit = int(settings.upload_cache_mb * 1_000_000)
        for folder in (self.uploads, self.exports):
            sweep_cache(folder, limit, settings.upload_cache_minutes * 60)

    def forget(self, paths: list[Path]) -> None:
        """Delete uploaded files from Gradio's cache once they are added (or refused), so a
        removed document is never served from there."""
        cache = self.uploads.resolve()
        for path in paths:
            resolved = path.resolve()
            if resolved.is_relative_to(cache) and resolved != cache:
                resolved.unlink(missing_ok=True)
                if resolved.parent != cache and not any(resolved.parent.iterdir()):
                    resolved.parent.rmdir()


def export_file(report: Report, fmt_label: str, folder: Path) -> Any:
    """Write the report (0600) to a fresh private folder and show it for download."""
    target = Path(tempfile.mkdtemp(prefix="export-", dir=private_dir(folder)))
    path = write_report(report, target, FORMATS.get(fmt_label, "docx"))  # type: ignore[arg-type]
    return gr.update(value=str(path), visible=True)
