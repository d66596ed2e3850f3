"""The page's event functions: each calls the assistant (the one face of the core) and turns
AssistantError into a short message on the page."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import gradio as gr

from assistant import Assistant, CaseFilters, RegimeAdvice, TrainerPack, UserCollection, parse_day
from assistant.errors import AssistantError
from assistant.features.export import answer_report, conversation_report, to_markdown
from assistant.ui.chat import FieldError, parse_as_at, parse_year, turn
from assistant.ui.guards import fail, inline, logged, user_error
from assistant.ui.library import LibraryPages
from assistant.ui.ratings import Ratings
from assistant.ui.render import cases_markdown, chat_text, sources_html, sources_panel
from assistant.ui.workspace import Workspace, export_file

SCOPES = {  # label -> (search the shipped library, search my documents)
    "Library": (True, False),
    "Library + my documents": (True, True),
    "My documents only": (False, True),
}


def who(request: gr.Request | None) -> tuple[str | None, str | None]:
    """The caller of an event: its login, and its browser session."""
    return getattr(request, "username", None), getattr(request, "session_hash", None)


def _documents_md(collection: UserCollection) -> str:
    docs = collection.documents()
    if not docs:
        return "You have no documents yet."
    rows = "\n".join(f"| {d.title} | {d.file_name} | {d.chunks} |" for d in docs)
    return f"**Your documents**\n\n| Title | File | Passages |\n|---|---|---|\n{rows}"


def _documents_choices(collection: UserCollection) -> Any:
    choices = [(f"{d.title} ({d.file_name})", d.doc_id) for d in collection.documents()]
    return gr.update(choices=choices, value=choices[0][1] if choices else None)


class Handlers:
    """The page's event functions: each calls the core and turns AssistantError into a short
    message on the page."""

    def __init__(self, assistant: Assistant, workspace: Workspace | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.users = assistant.users
        self.workspace = workspace or Workspace.create(assistant.settings)
        self.ratings = Ratings(assistant)
        self.library_pages = LibraryPages(assistant)

    def ask_json(
        self,
        question: str,
        doc_types: list[str] | None = None,
        regimes: list[str] | None = None,
        as_at: str = "",
    ) -> dict:
        """Named API endpoint: the same JSON as `assistant ask --json` (`as_at` YYYY-MM-DD is
        the `--as-at` option: the law as at that date)."""
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        day = parse_day(as_at) if (as_at or "").strip() else None
        if (as_at or "").strip() and day is None:
            raise user_error("Write as_at as YYYY-MM-DD, e.g. 2018-09-01.")
        try:
            return self.assistant.ask(question, filters, as_at=day).to_dict()
        except AssistantError as exc:
            raise fail(exc) from exc

    def which_rules_json(self, start_date: str, kind: str) -> dict:
        """Named API endpoint: the regime for a start date and kind of contract, cited."""
        return self._advice(start_date, kind).to_dict()

    def find_cases(self, description, route, regime, year_from) -> tuple[Any, Any, str]:
        """Case studies like the one described (or all that pass the filters), cited; a bad
        year is said next to its field."""
        try:
            year = parse_year(year_from)
        except FieldError as exc:
            return gr.update(), gr.update(), inline(exc.message)
        filters = CaseFilters(route=route or "", regime=regime or "", year_from=year)
        listed = self.assistant.catalogue()
        if (description or "").strip():
            _, answer = self.assistant.cases_like(description, 3, filters)
            text = chat_text(answer, 0, listed, prefix="case-src")
            return text, sources_html(answer, 0, listed, prefix="case-src"), ""
        found = self.assistant.find_cases(filters)
        if not found:
            return "No case study in the library matches these filters.", "", ""
        return cases_markdown(found, listed), "", ""

    def trainer_pack_json(self, topic: str) -> dict:
        """Named API endpoint: a cited learning-session pack for a topic."""
        return self._pack(topic).summary_dict()

    def _advice(self, start_date: str, kind: str) -> RegimeAdvice:
        try:
            return self.assistant.which_rules(start_date or "", kind)
        except AssistantError as exc:
            raise fail(exc) from exc

    def _pack(self, topic: str) -> TrainerPack:
        try:
            return self.assistant.trainer_pack(topic)
        except AssistantError as exc:
            raise fail(exc) from exc

    def respond(
        self,
        question,
        history,
        answers,
        doc_types,
        regimes,
        scope,
        persona,
        as_at_text,
        request: gr.Request,
    ):
        """Stream the answer into the chat with a status line; the sources panel fills when it
        is complete. Outputs: question box, chat, answers, sources, and the messages next to
        the question and the date. A refused input or a failure leaves the conversation as it
        was and the question in its box, with the message next to the field."""
        history, answers = list(history or []), list(answers or [])
        unchanged = gr.update()
        if not (question or "").strip():
            yield question, history, answers, unchanged, inline("Type a question first."), ""
            return
        try:
            as_at = parse_as_at(as_at_text)
        except FieldError as exc:
            yield question, history, answers, unchanged, "", inline(exc.message)
            return
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        library, mine = SCOPES.get(scope, (True, False))
        listed = self.assistant.catalogue()
        try:
            scoped = self.assistant.scope(self.users.collection(*who(request)), library, mine)
            for view in turn(scoped, question, filters, history, answers, persona, as_at, listed):
                sources = unchanged if view.sources is None else view.sources
                yield "", view.messages, view.answers, sources, "", ""
        except AssistantError as exc:
            message = str(exc)
        except Exception:
            message = logged("respond")
        else:
            return
        panel = sources_panel(answers, listed)
        yield question, history, answers, panel, inline(message), ""

    def check_as_at(self, as_at_text) -> str:
        """The date field's own message, as soon as the reader leaves the field."""
        try:
            parse_as_at(as_at_text)
        except FieldError as exc:
            return inline(exc.message)
        return ""

    def export_chat(self, answers, what, fmt_label) -> Any:
        if not answers:
            raise user_error("Ask a question first; then export the answer or the conversation.")
        if what == "Last answer":
            return export_file(answer_report(answers[-1]), fmt_label, self.workspace.exports)
        return export_file(conversation_report(answers), fmt_label, self.workspace.exports)

    def check_rules(self, start_date, kind):
        """The regime and provisions; a bad date or kind is said next to the date field."""
        try:
            advice = self.assistant.which_rules(start_date or "", kind)
        except AssistantError as exc:
            return gr.update(), gr.update(), inline(str(exc))
        return to_markdown(advice.report()), advice, ""

    def make_pack(self, topic):
        pack = self._pack(topic)
        return to_markdown(pack.report()), pack

    def export_advice(self, advice: RegimeAdvice | None, fmt_label: str) -> Any:
        if advice is None:
            raise user_error("Check which rules apply first, then export the result.")
        return export_file(advice.report(), fmt_label, self.workspace.exports)

    def export_pack(self, pack: TrainerPack | None, fmt_label: str) -> Any:
        if pack is None:
            raise user_error("Build the pack first, then export it.")
        return export_file(pack.report(), fmt_label, self.workspace.exports)

    def add_files(self, files, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        collection = self.users.collection(*who(request))
        paths = [Path(f) for f in (files or [])]
        if not paths:
            return inline("Choose one or more files first."), gr.update(), gr.update(), None

        def tick(stage: str, done: int, total: int) -> None:
            progress((done, total) if total else None, desc=f"Indexing ({stage})")

        try:
            results = collection.add(paths, progress=tick)
        except AssistantError as exc:
            raise fail(exc) from exc
        finally:  # kept in user_data if added; never served from the cache either way
            self.workspace.forget(paths)
        rows = [
            f"| {html.escape(r.name)} | {'Added' if r.ok else 'Not added'} "
            f"| {html.escape(r.message)} |"
            for r in results
        ]
        table = "| File | Result | Details |\n|---|---|---|\n" + "\n".join(rows)
        return table, _documents_md(collection), _documents_choices(collection), None

    def remove_file(self, doc_id, request: gr.Request):
        collection = self.users.collection(*who(request))
        if not doc_id:
            return inline("Choose a document to remove."), gr.update(), gr.update()
        try:
            collection.remove(doc_id)
        except AssistantError as exc:
            raise fail(exc) from exc
        return f"Removed {doc_id}.", _documents_md(collection), _documents_choices(collection)

    def end_session(self, request: gr.Request) -> None:
        """The page was closed: an anonymous session's documents go with it."""
        self.users.end_session(*who(request))

    def show_documents(self, request: gr.Request):
        collection = self.users.collection(*who(request))
        return _documents_md(collection), _documents_choices(collection)
