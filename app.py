"""Gradio web app: a thin layer over `assistant` (the logic lives in assistant/*, the page's
rendering, script and styles in assistant/ui/).

Tabs: Ask (streamed, cited chat with a sources panel, feedback on each answer, export), Which
rules apply?, Trainer pack, Case studies, Library (each document as a page, also opened by
`?doc=<doc_id>`), My documents (uploads into a separate user collection). Named API endpoints:
/ask, /which_rules, /trainer_pack.
"""

from __future__ import annotations

import atexit
import functools
import html
import inspect
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# the start-up progress lines are ours; no model-loading bars between them
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import gradio as gr

from assistant.api import Assistant
from assistant.config import Settings, auth_users, get_settings
from assistant.errors import AssistantError
from assistant.features.documents import catalogue
from assistant.features.export import (
    Report,
    answer_report,
    conversation_report,
    to_markdown,
    write_report,
)
from assistant.features.private import private_dir
from assistant.features.trainer import SUGGESTED_TOPICS, TrainerPack, build_pack, pack_report
from assistant.features.uploads import ALLOWED_SUFFIXES, UserCollection, search_scope
from assistant.features.which_rules import (
    CONTRACT_KINDS,
    RegimeAdvice,
    advice_report,
    which_rules_apply,
)
from assistant.logs import bound_output
from assistant.text.dates import parse_day
from assistant.types import DOC_TYPES, REGIMES
from assistant.ui import page
from assistant.ui.chat import FieldError, parse_as_at, parse_year, turn
from assistant.ui.library import LibraryPages, library_tab
from assistant.ui.ratings import Ratings
from assistant.ui.render import (
    SOURCES_EMPTY,
    cases_markdown,
    chat_text,
    sources_html,
    sources_panel,
)
from assistant.ui.render import card as _card  # noqa: F401  (tests/test_output_safety.py)
from assistant.ui.serving import LoginGuard, check_exposure, sweep_cache

logger = logging.getLogger("app")

EXAMPLES = {
    "commissioner": [
        "How did Leicestershire run market engagement before the tender?",
        "What must a light-touch procurement publish under the Procurement Act 2023?",
        "When was Barnardo's appointed as Leicestershire's innovation partner?",
    ],
    "solicitor": [
        "What is the minimum period for requests to participate in an innovation partnership?",
        "Which regime applies to a procurement started in January 2025?",
        "What is the standstill period under the Procurement Act 2023?",
    ],
    "trainer": [
        "Explain the difference between the light touch regime and an innovation partnership.",
        "Why did Leicestershire not use the regulation 31 procedure?",
        "What did the Phase One evaluation of the CIP find?",
    ],
}
SCOPES = {  # label -> (search the shipped library, search my documents)
    "Library": (True, False),
    "Library + my documents": (True, True),
    "My documents only": (False, True),
}
FORMATS = {"Word (.docx)": "docx", "Markdown (.md)": "md"}
SESSIONS_DIR = "sessions"  # anonymous sessions' uploads, under user_data_dir
STALE_SESSION_S = 24 * 3600  # an anonymous session untouched this long has surely ended
SWEEP_EVERY_S = 60  # how often the upload cache is checked against its size and age limits
UNEXPECTED = (
    "Something went wrong on the server; it has been logged as {ref}. Please try again, and "
    "if it keeps happening tell the maintainers that reference."
)


class Users:
    """Each login has its own uploaded documents; without a login each browser session has
    its own, under `<user_data_dir>/sessions/`, deleted when the session ends."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions_dir = Path(settings.user_data_dir) / SESSIONS_DIR
        self._anonymous = settings.model_copy(update={"user_data_dir": self.sessions_dir})
        self._collections: dict[tuple[str, str], UserCollection] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(request: gr.Request | None) -> tuple[str, str]:
        user = getattr(request, "username", None)
        if user:
            return ("user", user)
        session = getattr(request, "session_hash", None)
        if not session:
            raise AssistantError("This page has no session; reload it and try again.")
        return ("session", session)

    def collection(self, request: gr.Request | None) -> UserCollection:
        key = self._key(request)
        with self._lock:
            if key not in self._collections:
                settings = self.settings if key[0] == "user" else self._anonymous
                self._collections[key] = UserCollection(settings, key[1])
            return self._collections[key]

    def end_session(self, request: gr.Request | None) -> None:
        """Forget an anonymous session's documents (a login keeps its own)."""
        if getattr(request, "username", None) or not getattr(request, "session_hash", None):
            return
        with self._lock:
            gone = self._collections.pop(("session", request.session_hash), None)  # type: ignore[union-attr]
        if gone is not None:
            shutil.rmtree(gone.files_dir.parent, ignore_errors=True)

    def clear_stale_sessions(self, max_age_s: float = STALE_SESSION_S) -> None:
        """Remove sessions nothing has touched for `max_age_s` (a crash or restart skipped
        their unload). Other workers' live sessions stay."""
        if not self.sessions_dir.is_dir():
            return
        cutoff = time.time() - max_age_s
        for folder in self.sessions_dir.glob("users/*"):
            newest = max((p.stat().st_mtime for p in folder.rglob("*")), default=0.0)
            if max(newest, folder.stat().st_mtime) < cutoff:
                shutil.rmtree(folder, ignore_errors=True)


def _documents_md(collection: UserCollection) -> str:
    docs = collection.documents()
    if not docs:
        return "You have no documents yet."
    rows = "\n".join(f"| {d.title} | {d.file_name} | {d.chunks} |" for d in docs)
    return f"**Your documents**\n\n| Title | File | Passages |\n|---|---|---|\n{rows}"


def _documents_choices(collection: UserCollection) -> Any:
    choices = [(f"{d.title} ({d.file_name})", d.doc_id) for d in collection.documents()]
    return gr.update(choices=choices, value=choices[0][1] if choices else None)


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


def _export(report: Report, fmt_label: str, folder: Path) -> Any:
    """Write the report (0600) to a fresh private folder and show it for download."""
    target = Path(tempfile.mkdtemp(prefix="export-", dir=private_dir(folder)))
    path = write_report(report, target, FORMATS.get(fmt_label, "docx"))  # type: ignore[arg-type]
    return gr.update(value=str(path), visible=True)


def _user_error(message: str) -> gr.Error:
    """An expected error: shown to the user, logged without a traceback."""
    return gr.Error(message, print_exception=False)


def _fail(exc: AssistantError) -> gr.Error:
    return _user_error(str(exc))


def _unexpected(name: str) -> gr.Error:
    """Log the exception being handled (with a reference) and tell the user clearly."""
    return _user_error(_logged(name))


def _logged(name: str) -> str:
    """Log the exception being handled with a reference; the message naming it."""
    ref = uuid.uuid4().hex[:8]
    logger.exception("unexpected error in %s (reference %s)", name, ref)
    return UNEXPECTED.format(ref=ref)


def _inline(message: str) -> str:
    """A message shown next to the field it concerns (empty: no message)."""
    return f"⚠ {message}" if message else ""


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with errors made clear: AssistantError becomes its message, anything unexpected a
    message with a log reference (not Gradio's bare "Error"). Signature kept for Gradio."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except gr.Error:
                raise
            except AssistantError as exc:
                raise _fail(exc) from exc
            except Exception as exc:
                raise _unexpected(fn.__name__) from exc

        return stream

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except AssistantError as exc:
            raise _fail(exc) from exc
        except Exception as exc:
            raise _unexpected(getattr(fn, "__name__", "handler")) from exc

    return call


def _on(trigger: Any, fn: Any, inputs: Any, outputs: Any) -> None:
    """Wire a UI event; UI events are not API endpoints (those are the gr.api ones)."""
    trigger(_guarded(fn), inputs, outputs, api_visibility="private")


def _exporter(name: str) -> tuple[gr.Radio, gr.Button, gr.File]:
    """Format choice, Export button (#name) and the file to download (#name-file)."""
    with gr.Row():
        fmt = gr.Radio(list(FORMATS), value="Word (.docx)", label="Format")
        button = gr.Button("Export", elem_id=name)
    exported = gr.File(label="Exported file", visible=False, elem_id=f"{name}-file")
    return fmt, button, exported


class Handlers:
    """The page's event functions: each calls the core and turns AssistantError into a short
    message on the page."""

    def __init__(self, assistant: Assistant, workspace: Workspace | None = None) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.users = Users(assistant.settings)
        self.workspace = workspace or Workspace.create(assistant.settings)
        self.ratings = Ratings(self.settings)
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
            raise _user_error("Write as_at as YYYY-MM-DD, e.g. 2018-09-01.")
        try:
            return self.assistant.ask(question, filters, as_at=day).to_dict()
        except AssistantError as exc:
            raise _fail(exc) from exc

    def which_rules_json(self, start_date: str, kind: str) -> dict:
        """Named API endpoint: the regime for a start date and kind of contract, cited."""
        advice = self._advice(start_date, kind)
        report = advice_report(advice)
        return {
            "regime": advice.regime,
            "regime_name": advice.regime_name,
            "markdown": to_markdown(report),
            "provisions": [
                {"pinpoint": p, "title": t, "url": u} for p, t, u in advice.provisions()
            ],
            "references": [
                {"n": r.n, "title": r.title, "locator": r.locator, "url": r.url}
                for r in report.references
            ],
        }

    def find_cases(self, description, route, regime, year_from) -> tuple[str, str, str]:
        """Case studies like the one described (or all that pass the filters), cited; a bad
        year is said next to its field."""
        from assistant.features.cases import CaseFilters, cases_answer, cases_like, find_cases

        try:
            year = parse_year(year_from)
        except FieldError as exc:
            return gr.update(), gr.update(), _inline(exc.message)
        filters = CaseFilters(route=route or "", regime=regime or "", year_from=year)
        library, listed = self.assistant.library, catalogue(self.settings)
        if (description or "").strip():
            answer = cases_answer(description, cases_like(library, description, 3, filters))
            text = chat_text(answer, 0, listed, prefix="case-src")
            return text, sources_html(answer, 0, listed, prefix="case-src"), ""
        found = find_cases(library, filters)
        if not found:
            return "No case study in the library matches these filters.", "", ""
        return cases_markdown(found, listed), "", ""

    def trainer_pack_json(self, topic: str) -> dict:
        """Named API endpoint: a cited learning-session pack for a topic."""
        pack = self._pack(topic)
        return {
            "topic": pack.topic,
            "markdown": to_markdown(pack_report(pack)),
            "quiz": [
                {"question": q.question, "options": list(q.options), "answer": q.answer}
                for q in pack.quiz
            ],
            "references": len(pack.refs.references),
        }

    def _advice(self, start_date: str, kind: str) -> RegimeAdvice:
        try:
            return which_rules_apply(self.assistant, start_date or "", kind)
        except AssistantError as exc:
            raise _fail(exc) from exc

    def _pack(self, topic: str) -> TrainerPack:
        try:
            return build_pack(self.assistant, topic)
        except AssistantError as exc:
            raise _fail(exc) from exc

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
            yield question, history, answers, unchanged, _inline("Type a question first."), ""
            return
        try:
            as_at = parse_as_at(as_at_text)
        except FieldError as exc:
            yield question, history, answers, unchanged, "", _inline(exc.message)
            return
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        library, mine = SCOPES.get(scope, (True, False))
        listed = catalogue(self.settings)
        try:
            scoped = search_scope(self.assistant, self.users.collection(request), library, mine)
            for view in turn(scoped, question, filters, history, answers, persona, as_at, listed):
                sources = unchanged if view.sources is None else view.sources
                yield "", view.messages, view.answers, sources, "", ""
        except AssistantError as exc:
            message = str(exc)
        except Exception:
            message = _logged("respond")
        else:
            return
        panel = sources_panel(answers, listed)
        yield question, history, answers, panel, _inline(message), ""

    def check_as_at(self, as_at_text) -> str:
        """The date field's own message, as soon as the reader leaves the field."""
        try:
            parse_as_at(as_at_text)
        except FieldError as exc:
            return _inline(exc.message)
        return ""

    def export_chat(self, answers, what, fmt_label) -> Any:
        if not answers:
            raise _user_error("Ask a question first; then export the answer or the conversation.")
        if what == "Last answer":
            return _export(answer_report(answers[-1]), fmt_label, self.workspace.exports)
        return _export(conversation_report(answers), fmt_label, self.workspace.exports)

    def check_rules(self, start_date, kind):
        """The regime and provisions; a bad date or kind is said next to the date field."""
        try:
            advice = which_rules_apply(self.assistant, start_date or "", kind)
        except AssistantError as exc:
            return gr.update(), gr.update(), _inline(str(exc))
        return to_markdown(advice_report(advice)), advice, ""

    def make_pack(self, topic):
        pack = self._pack(topic)
        return to_markdown(pack_report(pack)), pack

    def export_advice(self, advice: RegimeAdvice | None, fmt_label: str) -> Any:
        if advice is None:
            raise _user_error("Check which rules apply first, then export the result.")
        return _export(advice_report(advice), fmt_label, self.workspace.exports)

    def export_pack(self, pack: TrainerPack | None, fmt_label: str) -> Any:
        if pack is None:
            raise _user_error("Build the pack first, then export it.")
        return _export(pack_report(pack), fmt_label, self.workspace.exports)

    def add_files(self, files, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        collection = self.users.collection(request)
        paths = [Path(f) for f in (files or [])]
        if not paths:
            return _inline("Choose one or more files first."), gr.update(), gr.update(), None

        def tick(stage: str, done: int, total: int) -> None:
            progress((done, total) if total else None, desc=f"Indexing ({stage})")

        try:
            results = collection.add(paths, progress=tick)
        except AssistantError as exc:
            raise _fail(exc) from exc
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
        collection = self.users.collection(request)
        if not doc_id:
            return _inline("Choose a document to remove."), gr.update(), gr.update()
        try:
            collection.remove(doc_id)
        except AssistantError as exc:
            raise _fail(exc) from exc
        return f"Removed {doc_id}.", _documents_md(collection), _documents_choices(collection)

    def show_documents(self, request: gr.Request):
        collection = self.users.collection(request)
        return _documents_md(collection), _documents_choices(collection)


def _field_message(elem_id: str) -> gr.Markdown:
    """The place next to a field where its input is refused, in words (never an overlay)."""
    return gr.Markdown("", elem_id=elem_id, elem_classes=["field-error"], container=False)


def _ask_tab(h: Handlers) -> None:
    with gr.Tab("Ask", id="tab-ask"), gr.Row(equal_height=False):
        answers = gr.State([])  # the Answers of this conversation, one per answer in the chat
        rated = gr.State(None)  # the last rating given: {"answer", "rating", "id"}
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(
                label="Conversation",
                height=520,
                buttons=["copy", "copy_all"],
                elem_id="chat",
                autoscroll=False,  # assets keep the question and its answer's start in view
                feedback_options=("Like", "Dislike"),
            )
            with gr.Group(visible=False, elem_id="feedback-panel") as feedback_panel:
                thanks = gr.Markdown(elem_id="feedback-status", container=False)
                comment = gr.Textbox(
                    label="Comment on your rating (optional)", elem_id="feedback-comment"
                )
                send_comment = gr.Button("Send comment", size="sm", elem_id="feedback-send")
            question = gr.Textbox(
                label="Your question",
                placeholder="Ask about innovation partnerships, the light touch regime, "
                "thresholds, notices ... (Enter to send)",
                lines=1,
                max_lines=6,
                elem_id="question",
            )
            question_error = _field_message("question-error")
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask")
                clear = gr.Button("Clear conversation", elem_id="clear")
            persona = gr.Radio(list(EXAMPLES), value="commissioner", label="I am a ...")
            examples = gr.Dataset(
                components=[question],
                label="Example questions",
                samples=[[q] for q in EXAMPLES["commissioner"]],
            )
            with gr.Accordion("Export", open=False, elem_id="export-panel"):
                what = gr.Radio(
                    ["Last answer", "Whole conversation"],
                    value="Whole conversation",
                    label="What to export",
                )
                fmt, export, exported = _exporter("export")
        with gr.Column(scale=2, min_width=300):
            scope = gr.Radio(list(SCOPES), value="Library", label="Search in")
            doc_types = gr.CheckboxGroup(list(DOC_TYPES), label="Document types")
            regimes = gr.CheckboxGroup(list(REGIMES), label="Regimes")
            as_at = gr.Textbox(
                label="Law as at (YYYY-MM-DD, optional)",
                placeholder="e.g. 2018-09-01 for a 2018 procurement; empty = a date in the "
                "question, else today",
                elem_id="as-at",
            )
            as_at_error = _field_message("as-at-error")
            gr.Markdown(
                "Filters narrow the shipped library; your documents are searched whenever "
                "they are included."
            )
            sources = gr.HTML(SOURCES_EMPTY, label="Sources", elem_id="sources")
    inputs = [question, chat, answers, doc_types, regimes, scope, persona, as_at]
    outputs = [question, chat, answers, sources, question_error, as_at_error]
    for trigger in (send.click, question.submit):
        _on(trigger, h.respond, inputs, outputs)
    _on(as_at.blur, h.check_as_at, as_at, as_at_error)
    _on(
        clear.click,
        lambda: ([], [], SOURCES_EMPTY, None, None, gr.update(visible=False), ""),
        None,
        [chat, answers, sources, exported, rated, feedback_panel, question_error],
    )
    _on(
        persona.change,
        lambda p: gr.update(samples=[[q] for q in EXAMPLES.get(p, [])]),
        persona,
        examples,
    )
    _on(examples.click, lambda sample: sample[0], examples, question)
    _on(
        chat.like,
        h.ratings.rate,
        [chat, answers, persona],
        [rated, thanks, feedback_panel, comment],
    )
    for trigger in (send_comment.click, comment.submit):
        _on(
            trigger, h.ratings.comment, [answers, rated, comment, persona], [thanks, comment, rated]
        )
    _on(export.click, h.export_chat, [answers, what, fmt], exported)


def _rules_tab(h: Handlers) -> None:
    with gr.Tab("Which rules apply?", id="tab-rules"):
        advice = gr.State(None)
        gr.Markdown(
            "Enter when the procurement started or will start (when the call for competition "
            "was or will be sent) and the kind of contract. The regime and the relevant "
            "provisions come from the library, cited."
        )
        with gr.Row():
            start = gr.Textbox(
                label="Start date (YYYY-MM-DD)", placeholder="2025-03-01", elem_id="start-date"
            )
            kind = gr.Radio(
                list(CONTRACT_KINDS), value="Goods or services", label="Kind of contract"
            )
        start_error = _field_message("start-date-error")
        check = gr.Button("Check which rules apply", variant="primary", elem_id="rules")
        result = gr.Markdown(elem_id="rules-result")
        fmt, export, exported = _exporter("rules-export")
    for trigger in (check.click, start.submit):
        _on(trigger, h.check_rules, [start, kind], [result, advice, start_error])
    _on(export.click, h.export_advice, [advice, fmt], exported)


def _trainer_tab(h: Handlers) -> None:
    with gr.Tab("Trainer pack", id="tab-trainer"):
        pack = gr.State(None)
        gr.Markdown(
            "A learning-session pack on a topic: summary, key points, discussion questions and "
            "a short quiz with answers, every item cited."
        )
        topic = gr.Textbox(
            label="Topic", placeholder="e.g. the light touch regime", elem_id="topic"
        )
        topics = gr.Dataset(
            components=[topic], label="Suggested topics", samples=[[t] for t in SUGGESTED_TOPICS]
        )
        build = gr.Button("Build the pack", variant="primary", elem_id="pack-build")
        result = gr.Markdown(elem_id="pack")
        fmt, export, exported = _exporter("pack-export")
    _on(topics.click, lambda sample: sample[0], topics, topic)
    for trigger in (build.click, topic.submit):
        _on(trigger, h.make_pack, topic, [result, pack])
    _on(export.click, h.export_pack, [pack, fmt], exported)


def _documents_tab(h: Handlers) -> Any:
    settings = h.settings
    with gr.Tab("My documents", id="tab-docs"):
        kinds = ", ".join(s.lstrip(".").upper() for s in ALLOWED_SUFFIXES)
        gr.Markdown(
            "Add your own documents to a separate collection, kept on this machine. Choose "
            "**Search in: Library + my documents** (or **My documents only**) on the Ask tab "
            f"to use them. Accepted: {kinds}; up to {settings.upload_max_mb:g} MB each, "
            f"{settings.upload_max_files} documents."
        )
        upload = gr.File(
            label="Files to add",
            file_count="multiple",
            file_types=list(ALLOWED_SUFFIXES),
            type="filepath",
            elem_id="upload",
        )
        add = gr.Button("Add to my documents", variant="primary", elem_id="upload-add")
        outcome = gr.Markdown(elem_id="upload-results")
        listing = gr.Markdown(elem_id="my-documents")
        with gr.Row():
            pick = gr.Dropdown([], label="Document to remove", elem_id="doc-pick")
            remove = gr.Button("Remove", variant="stop", elem_id="upload-remove")
    _on(add.click, h.add_files, upload, [outcome, listing, pick, upload])
    _on(remove.click, h.remove_file, pick, [outcome, listing, pick])
    return listing, pick


CASE_ROUTES = ["", "light touch", "innovation partnership", "competitive flexible", "alliance"]


def _cases_tab(h: Handlers) -> None:
    with gr.Tab("Case studies", id="tab-cases"):
        gr.Markdown(
            "Describe your situation (authority, service, route, value, term) to find the most "
            "similar case studies, with the attributes that match, cited. Filters narrow the set."
        )
        description = gr.Textbox(
            label="Our situation",
            lines=2,
            elem_id="cases-description",
            placeholder="A county council wanting a long-term partner to co-design children's "
            "placements under the light touch regime",
        )
        with gr.Row():
            route = gr.Dropdown(CASE_ROUTES, value="", label="Route", allow_custom_value=True)
            regime = gr.Dropdown(["", *REGIMES], value="", label="Regime")
            with gr.Column(min_width=120):
                year_from = gr.Textbox(
                    label="Year from", placeholder="e.g. 2018", elem_id="cases-year"
                )
                year_error = _field_message("cases-year-error")
        find = gr.Button("Find cases like ours", variant="primary", elem_id="cases-find")
        result = gr.Markdown(elem_id="cases-result")
        sources = gr.HTML(elem_id="cases-sources")
    inputs = [description, route, regime, year_from]
    for trigger in (find.click, description.submit, year_from.submit):
        _on(trigger, h.find_cases, inputs, [result, sources, year_error])


def build_app(assistant: Assistant, workspace: Workspace | None = None) -> gr.Blocks:
    h = Handlers(assistant, workspace or Workspace.create(assistant.settings))
    h.users.clear_stale_sessions()
    # Gradio reads its cache folder when Blocks and the server app are made
    os.environ["GRADIO_TEMP_DIR"] = str(h.workspace.uploads)
    with gr.Blocks(title="Innovation Partnership Assistant") as demo:
        gr.Markdown(
            "# Innovation Partnership Assistant\n"
            "Cited answers on innovation partnerships in UK public procurement "
            "(Leicestershire CIP, PCR 2015, Procurement Act 2023). Every sentence links to its "
            "source; when the library does not cover a question, it says so. Not legal advice."
        )
        with gr.Tabs() as tabs:
            _ask_tab(h)
            _rules_tab(h)
            _trainer_tab(h)
            _cases_tab(h)
            library_pick, library_doc = library_tab(h.library_pages, _on)
            listing, pick = _documents_tab(h)
        _on(demo.load, h.show_documents, None, [listing, pick])
        _on(
            demo.load,
            h.library_pages.open_from_address,
            None,
            [tabs, library_pick, library_doc],
        )
        demo.unload(_guarded(h.users.end_session))
        gr.api(_guarded(h.ask_json), api_name="ask")
        gr.api(_guarded(h.which_rules_json), api_name="which_rules")
        gr.api(_guarded(h.trainer_pack_json), api_name="trainer_pack")
    return demo


def _sweeper(workspace: Workspace, settings: Settings) -> None:
    while True:
        time.sleep(SWEEP_EVERY_S)
        try:
            workspace.sweep(settings)
        except OSError:
            logger.exception("could not sweep the upload cache")


def server_app(demo: gr.Blocks, settings: Settings, users: list[tuple[str, str]]) -> Any:
    """The ASGI app: Gradio mounted under a FastAPI app whose CORS policy is ours (Gradio's
    own lets any localhost page, and any page when served elsewhere, read responses with the
    user's cookies): only `cors_origins`, and never with credentials."""
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    origins = [o.strip() for o in (settings.cors_origins or "").split(",") if o.strip()]
    parent = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    parent.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
    )
    guard = LoginGuard(
        users, settings.login_fail_delay, settings.login_max_failures, settings.login_lockout_s
    )
    return gr.mount_gradio_app(
        parent,
        demo.queue(default_concurrency_limit=4),
        path="/",
        auth=guard.check if users else None,
        auth_message="Sign in to the Innovation Partnership Assistant.",
        show_error=False,
        max_file_size=f"{settings.upload_transfer_max_mb:g}mb",
        footer_links=["api"],
        css=page.css(),
        head=page.head(),
        theme=gr.themes.Default(
            font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
        ),
    )


def _say(line: str) -> None:
    """A start-up line on the console (stderr), whatever the logging level."""
    print(line, file=sys.stderr, flush=True)


def _progress(step: int, steps: int, label: str, seconds: float | None) -> None:
    """Start-up progress: '[2/4] Loading the embedding model ... done in 8.1 s'."""
    if seconds is None:
        print(f"[{step}/{steps}] {label} ...", end="", file=sys.stderr, flush=True)
    else:
        print(f" done in {seconds:.1f} s", file=sys.stderr, flush=True)


def _warm_page() -> None:
    """What Gradio first does on the first event of all, done now: it switches matplotlib's
    backend around every event, and its first import of matplotlib (when installed) added
    about a second to the first answer after start-up."""
    manager = getattr(gr.utils, "MatplotlibBackendMananger", None)  # sic: Gradio's spelling
    if manager is not None:
        with manager():
            pass


def _start_up(assistant: Assistant) -> None:
    """Everything the first answer would otherwise wait for, before serving: the assistant's
    steps (index, model, one question), then the page's own; a console line for each."""
    began = time.perf_counter()
    steps = len(assistant.warm_up(lambda n, total, *rest: _progress(n, total + 1, *rest))) + 1
    _progress(steps, steps, "Preparing the page", None)
    mark = time.perf_counter()
    _warm_page()
    _progress(steps, steps, "Preparing the page", time.perf_counter() - mark)
    _say(f"Ready in {time.perf_counter() - began:.1f} s.")


def main(host: str | None = None, port: int | None = None) -> None:
    """Serve the app; raises ConfigError (before building anything) when the address and
    login settings would open it to other machines without a login."""
    import uvicorn

    settings = get_settings()
    host = host or settings.host
    users = auth_users(settings.auth)
    check_exposure(host, users, settings.allow_anonymous)
    bound_output(settings.log_max_chars)
    os.umask(0o077)  # everything the app writes (uploads, their index, feedback) is private
    assistant = Assistant(settings)
    if not assistant.has_index():
        _say(f"Building the index from {settings.corpus_dir} (first start only) ...")
    if assistant.ensure_index() is not None:
        logger.warning("built the index from %s", settings.corpus_dir)
    _start_up(assistant)
    workspace = Workspace.create(settings)
    demo = build_app(assistant, workspace)
    threading.Thread(target=_sweeper, args=(workspace, settings), daemon=True).start()
    app = server_app(demo, settings, users)
    _say(f"Serving on http://{host}:{port or settings.port}/")
    uvicorn.run(
        app,
        host=host,
        port=port or settings.port,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    try:
        main()
    except (AssistantError, ValueError) as exc:
        sys.exit(f"error: {exc}")
