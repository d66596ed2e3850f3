"""Command line: a thin layer over `assistant.api.Assistant`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.config import get_settings
from assistant.errors import AssistantError

app = typer.Typer(add_completion=False, help="Innovation Partnership Assistant: cited answers.")
# soft_wrap: a message is one line however long (paths!), not folded at 80 columns.
console = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Debug logging.")] = False):
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("bm25s").setLevel(logging.DEBUG if verbose else logging.WARNING)


def _assistant():
    from assistant.api import Assistant

    return Assistant(get_settings())


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(str(exc))}")
    return typer.Exit(2)


def _filters(doc_type: list[str] | None, regime: list[str] | None) -> dict[str, list[str]]:
    return {k: v for k, v in (("doc_type", doc_type), ("regime", regime)) if v}


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default corpus/).")
    ] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start the index afresh.")] = False,
) -> None:
    """Parse, chunk, embed and index documents; unchanged ones are skipped."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("parsing", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "parse":
                bar.advance(task)
            else:
                bar.update(task, description="embedding", completed=done, total=total)

        try:
            report = _assistant().ingest(paths or None, rebuild, progress)
        except AssistantError as exc:
            raise _fail(exc) from exc
    for error in report.errors:
        console.print(f"[yellow]skipped[/yellow] {escape(f'{error.path}: {error.reason}')}")
    console.print(
        f"{report.files} files: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged, "
        f"{len(report.errors)} failed; {report.chunks_total} chunks "
        f"({report.chunks_embedded} embedded) in {report.seconds:.1f}s"
    )
    raise typer.Exit(1 if report.errors else 0)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    doc_type: Annotated[list[str] | None, typer.Option(help="Only this document type.")] = None,
    regime: Annotated[list[str] | None, typer.Option(help="Only this regime.")] = None,
    k: Annotated[int | None, typer.Option("--k", help="Sources to consider.")] = None,
) -> None:
    """Answer a question with numbered citations (or say the library does not cover it)."""
    try:
        answer = _assistant().ask(question, _filters(doc_type, regime), top_k=k)
    except (AssistantError, ValueError) as exc:
        raise _fail(exc) from exc
    if as_json:
        out.print_json(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    out.print(answer.text)
    for c in answer.citations:
        out.print(f"[{c.n}] {c.title} — {c.locator}  {c.source_url}")


@app.command(name="eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="JSONL with id, question, expectations.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Write results JSONL.")] = None,
    k: Annotated[int, typer.Option("--k", help="Cut-off for hit@k.")] = 5,
) -> None:
    """Run a question set; print hit@k, MRR, fact coverage and abstention accuracy."""
    from assistant.evaluation import evaluate_file

    try:
        metrics = evaluate_file(_assistant(), questions, out_path, k)
    except (AssistantError, OSError, ValueError) as exc:
        raise _fail(exc) from exc
    out.print_json(json.dumps(metrics))


@app.command()
def info() -> None:
    """What is indexed: documents, chunks, model, where the index lives."""
    out.print_json(json.dumps(_assistant().info()))


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Build the index if missing, then serve the web app."""
    sys.path.insert(0, str(Path.cwd()))
    import app as web  # the Gradio layer lives outside the core package

    web.main(host=host, port=port)


if __name__ == "__main__":
    app()
