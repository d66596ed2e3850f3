"""Command line: a thin layer over `assistant.api.Assistant`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from assistant import Settings, get_settings, strip_controls
from assistant.errors import AssistantError
from assistant.logs import bound_output

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
    try:
        bound_output(get_settings().log_max_chars)
    except ValueError:  # a bad setting is reported, in one line, by the command that reads it
        bound_output(Settings.model_fields["log_max_chars"].default)


def _assistant():
    from assistant import Assistant

    return Assistant(get_settings())


def _fail(exc: Exception) -> typer.Exit:
    console.print(f"[red]error:[/red] {_plain(str(exc))}")
    return typer.Exit(2)


def _plain(text: str) -> str:
    """Text from documents or users, printable: no terminal escape sequences or other control
    characters (a document cannot hide text, retitle the window or plant links), no markup."""
    return escape(strip_controls(text))


def _clean(data: Any) -> Any:
    """JSON-able data with control characters stripped from every string in it."""
    if isinstance(data, str):
        return strip_controls(data)
    if isinstance(data, dict):
        return {_clean(k): _clean(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_clean(v) for v in data]
    return data


def _print_json(data: Any) -> None:
    out.print_json(json.dumps(_clean(data), ensure_ascii=False))


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
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("parsing files", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            if stage == "parse":
                bar.advance(task)
            else:  # chunks embedded, with their answer sentences
                bar.update(task, description="embedding chunks", completed=done, total=total)

        try:
            report = _assistant().ingest(paths or None, rebuild, progress)
        except AssistantError as exc:
            raise _fail(exc) from exc
    if report.reembedded:
        console.print(f"[yellow]re-embedded[/yellow] {escape(report.reembedded)}")
    for error in report.errors:
        console.print(f"[yellow]skipped[/yellow] {_plain(f'{error.path}: {error.reason}')}")
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
    k: Annotated[
        int | None, typer.Option("--k", min=1, max=50, help="Sources to consider (1-50).")
    ] = None,
    stream: Annotated[
        bool, typer.Option("--stream", help="Print the model's words as they come.")
    ] = False,
    persona: Annotated[
        str | None, typer.Option(help="Answer shape: commissioner, solicitor or trainer.")
    ] = None,
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at",
            help="The law as at this date (YYYY-MM-DD), e.g. 2018-09-01; without it, a date "
            "written in the question, else today.",
        ),
    ] = None,
) -> None:
    """Answer a question with numbered citations (or say the library does not cover it)."""
    filters = _filters(doc_type, regime)
    try:
        day = _as_at(as_at)
        if stream and not as_json:
            answer = _print_stream(_assistant(), question, filters, k, persona, day)
        else:
            answer = _assistant().ask(question, filters, top_k=k, persona=persona, as_at=day)
    except (AssistantError, ValueError) as exc:
        raise _fail(exc) from exc
    if as_json:
        _print_json(answer.to_dict())
        return
    if not stream:
        out.print(_plain(answer.text))
    if answer.citations:
        out.print(_plain(reference_lines(answer)))
    for note in answer.notes:
        console.print(f"[dim]note:[/dim] {_plain(note)}")


def reference_lines(answer) -> str:
    """One line a source: `[n] title — pinpoint  link`."""
    return "\n".join(f"[{c.n}] {c.title} — {c.locator}  {c.source_url}" for c in answer.citations)


def render_answer(answer) -> str:
    """What `assistant ask` prints for an answer (stdout, then the notes it prints to stderr)."""
    parts = [answer.text, reference_lines(answer), *(f"note: {n}" for n in answer.notes)]
    return strip_controls("\n".join(p for p in parts if p))


def _as_at(value: str | None):
    """The --as-at date, or None; a malformed one is an error, not a silent 'today'."""
    from assistant import parse_day

    if value is None:
        return None
    day = parse_day(value)
    if day is None:
        raise AssistantError(f"--as-at takes a date such as 2018-09-01, not '{value}'.")
    return day


def _print_stream(
    assistant, question: str, filters, k: int | None, persona: str | None, as_at=None
):
    """Print deltas as they arrive; then the verified text when verification changed it."""
    from assistant.types import Answer

    streamed: list[str] = []
    for item in assistant.ask_stream(question, filters, top_k=k, persona=persona, as_at=as_at):
        if isinstance(item, Answer):
            out.print()
            if item.text.strip() != "".join(streamed).strip():
                out.print("\n[bold]Verified answer:[/bold]")
                out.print(_plain(item.text))
            return item
        streamed.append(item)
        out.print(_plain(item), end="")
    raise AssistantError("The answer stream ended without an answer.")


@app.command()
def pack(
    topic: Annotated[str, typer.Argument(help="The session topic, e.g. 'the light touch regime'.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Also write the pack to FILE (.md or .docx).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the pack as JSON.")] = False,
) -> None:
    """A trainer's pack for a learning session, from the library's learning modules."""
    from assistant.features.export import to_markdown

    if out_file is not None and out_file.suffix.lower() not in (".md", ".docx"):
        raise _fail(AssistantError(f"--out takes a .md or .docx file, not '{out_file.name}'."))
    try:
        built = _assistant().trainer_pack(topic)
    except AssistantError as exc:
        raise _fail(exc) from exc
    report = built.report()
    if out_file is not None:
        _write_pack(report, out_file)
    if as_json:
        _print_json(built.to_dict())
    else:
        out.print(_plain(to_markdown(report)))


def _write_pack(report, path: Path) -> None:
    from assistant import open_private
    from assistant.features.export import to_docx, to_markdown

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".docx":
        to_docx(report, path)
    else:
        with open_private(path) as handle:
            handle.write(to_markdown(report))
    console.print(f"written to {_plain(str(path))}")


@app.command(name="eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="JSONL with id, question, expectations.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="Write results JSONL.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Cut-off for hit@k.")] = 5,
) -> None:
    """Run a question set; print hit@k, MRR, fact coverage and abstention accuracy."""
    try:
        metrics = _assistant().evaluate_file(questions, out_path, k)
    except (AssistantError, OSError, ValueError) as exc:
        raise _fail(exc) from exc
    _print_json(metrics)


@app.command()
def info() -> None:
    """What is indexed: documents, chunks, model, where the index lives."""
    _print_json(_assistant().info())


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Build the index if missing, then serve the web app."""
    from assistant.ui.server import main as serve_app  # gradio loads only for this command

    try:
        serve_app(host=host, port=port)
    except (AssistantError, ValueError) as exc:
        raise _fail(exc) from exc


@app.command(name="import-legislation")
def import_legislation(
    reference: Annotated[
        str, typer.Argument(help="An id (uksi/2015/102, ukpga/2023/54) or legislation.gov.uk URL.")
    ],
) -> None:
    """Fetch an Act or SI from legislation.gov.uk (CLML XML) and index it by provision."""
    try:
        result = _assistant().import_legislation(reference)
    except AssistantError as exc:
        raise _fail(exc) from exc
    report = result.report
    state = "unchanged" if report.unchanged else "indexed"
    console.print(
        _plain(
            f"{result.title} ({result.doc_id}): {result.provisions} provisions {state}, "
            f"{report.chunks_total} passages in the library; saved to {result.path}"
        )
    )


@app.command()
def cases(
    like: Annotated[
        str | None, typer.Option("--like", help="Describe your situation: the closest cases.")
    ] = None,
    route: Annotated[str, typer.Option(help="Words in the route, e.g. 'light touch'.")] = "",
    regime: Annotated[str, typer.Option(help="PCR2015, PA2023 or general.")] = "",
    authority: Annotated[str, typer.Option(help="Words in the authority's name.")] = "",
    service_area: Annotated[str, typer.Option(help="Words in the service area.")] = "",
    partner_type: Annotated[str, typer.Option(help="Words in the partner type.")] = "",
    year_from: Annotated[int | None, typer.Option(help="Earliest year.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Latest year.")] = None,
    min_value: Annotated[float | None, typer.Option(help="Smallest value in £.")] = None,
    max_value: Annotated[float | None, typer.Option(help="Largest value in £.")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Cases to show with --like.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Case studies by what happened: filter on their attributes, or find cases like yours."""
    from assistant import CaseFilters

    chosen = CaseFilters(
        authority, service_area, route, partner_type, regime, year_from, year_to,
        min_value, max_value,
    )  # fmt: skip
    try:
        assistant = _assistant()
        if like:
            matches, answer = assistant.cases_like(like, k, chosen)
            rows = [m.to_dict() for m in matches]
        else:
            rows = [c.to_dict() for c in assistant.find_cases(chosen)]
    except AssistantError as exc:
        raise _fail(exc) from exc
    if as_json:
        _print_json(rows)
    elif like:
        out.print(_plain(answer.text))
        for c in answer.citations:
            out.print(_plain(f"[{c.n}] {c.title} — {c.locator}  {c.source_url}"))
    else:
        for row in rows:
            facts = "; ".join(f"{k}: {v}" for k, v in row.items() if v and k not in ("case",))
            out.print(_plain(f"{row['case']} — {facts}"))
        if not rows:
            console.print("No case study matches these filters.")


if __name__ == "__main__":
    app()
