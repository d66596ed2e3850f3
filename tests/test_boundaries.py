"""Dependency boundaries: core never imports the UI or CLI layers; heavy libraries load lazily.

The page's own code lives in `assistant/ui/` (and app.py): it may import Gradio, and nothing
else in the package may import it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "assistant"
SOURCES = sorted(PACKAGE.rglob("*.py"))
UI = PACKAGE / "ui"
CORE = [p for p in SOURCES if not p.is_relative_to(UI)]
HEAVY = ("torch", "chromadb", "pypdf", "docx", "lxml", "sentence_transformers", "gradio")


def _imports(module: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:import|from)\s+{module}\b", re.MULTILINE)


def test_package_sources_found() -> None:
    assert PACKAGE / "cli.py" in SOURCES
    assert len(SOURCES) > 10


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_core_module_imports_gradio_the_page_or_the_app(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not _imports("gradio").search(text)
    assert not _imports(r"assistant\.ui").search(text)
    assert "from assistant import ui" not in text
    if path.name != "cli.py":  # `serve` imports the web app lazily; nothing else may
        assert not _imports("app").search(text)


def test_the_page_code_is_found_and_never_imports_the_app() -> None:
    page = [p for p in SOURCES if p.is_relative_to(UI)]
    assert UI / "render.py" in page and len(CORE) + len(page) == len(SOURCES)
    for path in page:
        assert not _imports("app").search(path.read_text(encoding="utf-8")), path


def test_typer_is_imported_only_by_the_cli() -> None:
    users = [p.relative_to(PACKAGE) for p in SOURCES if _imports("typer").search(p.read_text())]
    assert users == [Path("cli.py")]


def test_import_assistant_loads_no_heavy_library() -> None:
    code = (
        "import json, sys\n"
        "import assistant\n"
        f"heavy = {HEAVY!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
