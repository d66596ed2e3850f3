"""Dependency boundaries: imports point down the pipeline, the core never imports the UI or
the CLI, there are no import cycles, and heavy libraries load lazily.

The packages of `assistant/` are the pipeline's stages (README, "How it works"). The rules,
read from each module's imports with `ast` (function-level imports count too):

- `text/` imports nothing else from the package; `law/` only `text/` and the value types;
  each layer (text, law, models, index, ingest | retrieval, answering, features) only lower
  ones.
- `ui/`, `app.py` and the CLI use only the public API: `assistant` itself, `assistant.api`,
  `assistant.types`, `assistant.errors`, `assistant.config` and `assistant.features.export`.
- Only `assistant/ui/` (and app.py) may import gradio; only the CLI imports typer.
- No import cycles among the package's modules.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assistant"
SOURCES = sorted(PACKAGE.rglob("*.py"))
UI = PACKAGE / "ui"
CORE = [p for p in SOURCES if not p.is_relative_to(UI)]
HEAVY = ("torch", "chromadb", "pypdf", "docx", "lxml", "sentence_transformers", "gradio")

FOUNDATION = {"assistant.types", "assistant.errors", "assistant.config"}
# `logs`: the faces bound their output once at start
PUBLIC = {"assistant", "assistant.api", "assistant.features.export", "assistant.logs"} | FOUNDATION
# What each layer may import from the package (beyond itself).
ALLOWED = {
    "assistant.text": {"assistant.errors", "assistant.config"},
    "assistant.law": {"assistant.text"} | FOUNDATION,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, *, top_level_only: bool = False) -> set[str]:
    """The absolute module names a source imports (`from a.b import c` gives a.b and a.b.c:
    c may be a module; callers keep the names that are)."""
    tree = ast.parse(source)
    nodes: Iterable[ast.AST] = tree.body if top_level_only else ast.walk(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = {module_name(p): p for p in SOURCES}
APP = ROOT / "app.py"


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _breaks_layer(module: str, name: str) -> bool:
    """True when `module` sits in a low layer (text/, law/) and `name` is above it."""
    return any(
        _inside(module, layer)
        and not _inside(name, layer)
        and not any(_inside(name, a) for a in allowed)
        for layer, allowed in ALLOWED.items()
    )


# The pipeline's layers, lowest first (README, "Where each step lives"): a package imports
# only from lower ranks; ingest/ and retrieval/ share one and import nothing of each other.
RANKS = {
    "assistant.text": 0,
    "assistant.law": 1,
    "assistant.models": 2,
    "assistant.index": 3,
    "assistant.ingest": 4,
    "assistant.retrieval": 4,
    "assistant.protocols": 5,
    "assistant.answering": 6,
    "assistant.features": 7,
}


def _rank(name: str) -> tuple[str, int] | None:
    return next(((p, r) for p, r in RANKS.items() if _inside(name, p)), None)


def _breaks_order(module: str, name: str) -> bool:
    """True when `module` imports from its own rank's or a higher layer's package."""
    mine, theirs = _rank(module), _rank(name)
    if mine is None or theirs is None or mine[0] == theirs[0]:
        return False
    return theirs[1] >= mine[1]


def violations(module: str, source: str) -> list[str]:
    """Every import in `source` (the text of `module`) that breaks a boundary rule."""
    page = module == "app" or _inside(module, "assistant.ui")
    face = page or module == "assistant.cli"
    found = []
    for name in sorted(imported(source)):
        if name.split(".")[0] == "gradio" and not page:
            found.append(f"{module} imports gradio")
        if name not in MODULES:
            continue
        if _breaks_layer(module, name) or _breaks_order(module, name):
            found.append(f"{module} -> {name}")
        outside = not _inside(name, "assistant.ui") and name not in PUBLIC
        if face and outside:
            found.append(f"{module} -> {name}")
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def import_graph(*, top_level_only: bool) -> dict[str, set[str]]:
    return {
        name: {
            m
            for m in imported(path.read_text("utf-8"), top_level_only=top_level_only)
            if m in MODULES and m != name
        }
        for name, path in MODULES.items()
    }


def test_package_sources_found() -> None:
    assert PACKAGE / "cli.py" in SOURCES
    assert {"assistant.text.tokens", "assistant.law.in_force", "assistant.ui.render"} <= set(
        MODULES
    )


def test_every_import_points_down_the_layers() -> None:
    found = [v for name, path in MODULES.items() for v in violations(name, path.read_text("utf-8"))]
    found += violations("app", APP.read_text("utf-8"))
    assert found == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("assistant.text.tokens", "from assistant.answering.extractive import cite\n"),
        ("assistant.text.dates", "def f():\n    from assistant.law import thresholds\n"),
        ("assistant.law.in_force", "import assistant.retrieval.library\n"),
        ("assistant.law.query", "from assistant.features import cases\n"),
        ("assistant.ui.chat", "from assistant.index.store import Manifest\n"),
        ("assistant.ui.render", "from assistant.features.cases import Case\n"),
        ("assistant.ui.render", "from assistant.text.sanitize import safe_url\n"),
        ("assistant.cli", "def serve():\n    from assistant.answering.generate import answer\n"),
        ("app", "from assistant.retrieval.library import Library\n"),
        ("assistant.models.llm", "import gradio as gr\n"),
        ("assistant.api", "from gradio import Blocks\n"),
        ("assistant.index.store", "from assistant.ingest.chunking import chunk_document\n"),
        ("assistant.retrieval.library", "from assistant.ingest.pipeline import build_index\n"),
        ("assistant.models.embedding", "def f():\n    from assistant.index import store\n"),
        ("assistant.answering.verify", "from assistant.features.export import Report\n"),
    ],
)
def test_a_violating_import_is_caught(module: str, source: str) -> None:
    assert violations(module, source) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("assistant.law.in_force", "from assistant.text.dates import day_text\n"),
        ("assistant.law.thresholds", "from assistant.types import Chunk\n"),
        ("assistant.ui.chat", "from assistant import Assistant\nimport gradio as gr\n"),
        ("assistant.cli", "from assistant.features.export import to_markdown\n"),
        ("assistant.answering.extractive", "from assistant.law.query import ACRONYMS\n"),
        ("assistant.ingest.pipeline", "from assistant.index.staging import stage\n"),
        ("assistant.features.trainer", "from assistant.protocols import Asker\n"),
    ],
)
def test_an_allowed_import_passes(module: str, source: str) -> None:
    assert violations(module, source) == []


def test_no_import_cycles_at_module_level() -> None:
    assert cycles(import_graph(top_level_only=True)) == []


def test_no_import_cycles_hidden_in_functions() -> None:
    """A cycle "broken" by importing inside a function is still a cycle of concepts."""
    assert cycles(import_graph(top_level_only=False)) == []


def test_a_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def _imports(module: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(?:import|from)\s+{module}\b", re.MULTILINE)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_core_module_imports_gradio_the_page_or_the_app(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not _imports("gradio").search(text)
    assert not _imports("app").search(text)
    assert "from assistant import ui" not in text
    if path.name != "cli.py":  # `serve` imports the page's server lazily; nothing else may
        assert not _imports(r"assistant\.ui").search(text)


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


def test_the_public_api_gives_every_name_it_lists() -> None:
    import assistant

    assert sorted(assistant.__all__) == sorted(assistant._EXPORTS)
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name
    from assistant.features.cases import LABELS

    assert assistant.CASE_LABELS is LABELS  # a renamed export is the same object
