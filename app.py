"""Gradio web app: a thin layer over `assistant` (the logic lives in assistant/*).

Tabs: Ask (streamed, cited chat with a sources panel, feedback and export), Which rules apply?,
Trainer pack, My documents (uploads into a separate user collection). Named API endpoints:
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
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.api import Assistant
from assistant.config import Settings, auth_users, get_settings
from assistant.dates import parse_day
from assistant.errors import AssistantError
from assistant.export import Report, answer_report, conversation_report, to_markdown, write_report
from assistant.feedback import record_feedback
from assistant.logs import bound_output
from assistant.private import private_dir
from assistant.regime import CONTRACT_KINDS, RegimeAdvice, advice_report, which_rules_apply
from assistant.sanitize import safe_url
from assistant.serving import LoginGuard, RateLimiter, check_exposure, sweep_cache
from assistant.trainer import SUGGESTED_TOPICS, TrainerPack, build_pack, pack_report
from assistant.types import DOC_TYPES, REGIMES, Answer, Citation
from assistant.uploads import ALLOWED_SUFFIXES, UPLOAD_DOC_TYPE, UserCollection, search_scope

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
SOURCES_EMPTY = "<p>Sources appear here.</p>"
# An upload's claims about itself, in the order and words its source card shows them.
CLAIM_LABELS = {
    "doc_type": "type",
    "regime": "regime",
    "publisher": "publisher",
    "source_url": "source",
}
SESSIONS_DIR = "sessions"  # anonymous sessions' uploads, under user_data_dir
STALE_SESSION_S = 24 * 3600  # an anonymous session untouched this long has surely ended
SWEEP_EVERY_S = 60  # how often the upload cache is checked against its size and age limits
UNEXPECTED = (
    "Something went wrong on the server; it has been logged as {ref}. Please try again, and "
    "if it keeps happening tell the maintainers that reference."
)
CSS = """
.source-card {border: 1px solid #c8ccd2; border-radius: 6px; padding: 0.6em; margin-bottom: 0.6em;}
.source-card h3 {font-size: 1em; margin: 0 0 0.3em 0;}
.badge {display: inline-block; font-size: 0.8em; padding: 0 0.4em; margin-right: 0.3em;
        border-radius: 4px; background: #e8eef7; color: #1d3a6b;}
.badge.upload {background: #e9f5e9; color: #1f5a24;}
.source-card.upload {border-style: dashed; border-color: #1f5a24;}
.source-card .claims {font-size: 0.85em; margin: 0.2em 0; overflow-wrap: anywhere;}
.source-card mark {background: #fff3b0; color: inherit;}
.source-card summary {cursor: pointer;}
.source-card a {overflow-wrap: anywhere;}
:focus-visible {outline: 3px solid #1d5fbf !important; outline-offset: 2px;}
@media (max-width: 640px) { .gradio-container {padding: 4px !important;} }
"""


def _card(c: Citation | Any, passage: str) -> str:
    """One source: number, title, badges, pinpoint, link, passage with the quote marked."""
    body = html.escape(passage)
    for sentence in filter(None, (c.quote or "").split("\n")):
        quoted = html.escape(sentence)
        body = body.replace(quoted, f"<mark>{quoted}</mark>")
    upload = c.doc_type == UPLOAD_DOC_TYPE
    badges = [("your document", "badge upload")] if upload else []
    badges += [(b, "badge") for b in (c.doc_type, c.regime) if b and not upload]
    url = "" if upload else safe_url(getattr(c, "source_url", "") or getattr(c, "url", ""))
    link = (
        f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
        f"{html.escape(url)}</a>"
        if url
        else _claims(getattr(c, "claims", ()))
    )
    return (
        f'<div class="source-card{" upload" if upload else ""}" id="source-{c.n}">'
        f"<h3>[{c.n}] {html.escape(c.title)}</h3>"
        + "".join(f"<span class='{k}'>{html.escape(b)}</span>" for b, k in badges)
        + f" <i>{html.escape(c.locator)}</i><br>{link}"
        + f"<details><summary>Supporting passage [{c.n}]</summary><p>{body}</p></details></div>"
    )


def _claims(claims: tuple[tuple[str, str], ...]) -> str:
    """What an uploaded file says about itself, as its claims: plain text, never a link or a
    badge like the library's."""
    shown = [(CLAIM_LABELS[k], v) for k, v in claims if k in CLAIM_LABELS]
    if not shown:
        return ""
    items = "; ".join(f"{label} <q>{html.escape(value)}</q>" for label, value in shown)
    return f"<p class='claims'>The file says of itself (not checked by the library): {items}</p>"


def sources_html(answer: Answer) -> str:
    if not answer.citations:
        nearest = "".join(f"<li>{html.escape(n)}</li>" for n in answer.nearest)
        extra = f"<p>Nearest passages:</p><ul>{nearest}</ul>" if nearest else ""
        return f"<p>No sources cited.</p>{extra}"
    return "".join(_card(c, c.text) for c in answer.citations)


def chat_text(answer: Answer) -> str:
    """Answer text for the chat; sentences the verifier could not support are struck through
    in bold warning form and listed, so they never read like cited facts."""
    text = answer.text
    for sentence in answer.unsupported:
        text = text.replace(sentence, f"**⚠ {sentence}**")
    if answer.unsupported:
        text += "\n\n_⚠ Not supported by the cited sources: " + "; ".join(answer.unsupported) + "_"
    if answer.citations:
        text += "\n\n" + "\n".join(f"[{c.n}] {c.title} — {c.locator}" for c in answer.citations)
    if answer.notes:
        text += "\n\n" + "\n".join(f"_{note}_" for note in answer.notes)
    return text


def answer_stream(
    assistant: Assistant,
    question: str,
    filters: dict,
    history: list,
    persona: str,
    as_at: date | None = None,
) -> Iterator[str | Answer]:
    """The answer's text so far, as it grows, then the final Answer."""
    # Switch point: `assistant.ask_stream` streams a model's deltas (the extractive composer
    # sends its text as one delta); without it use `[assistant.ask(question, filters, history)]`.
    text = ""
    for item in assistant.ask_stream(question, filters, history, persona=persona, as_at=as_at):
        if isinstance(item, Answer):
            yield item
            return
        text += item
        yield text


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
    ref = uuid.uuid4().hex[:8]
    logger.exception("unexpected error in %s (reference %s)", name, ref)
    return _user_error(UNEXPECTED.format(ref=ref))


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


def _client_key(request: gr.Request | None) -> str:
    """Whom a rate limit counts: the login, else the address the request came from."""
    user = getattr(request, "username", None)
    if user:
        return f"user:{user}"
    client = getattr(request, "client", None)
    return f"address:{getattr(client, 'host', None) or 'unknown'}"


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
        self.feedback_limit = RateLimiter(self.settings.feedback_per_hour, 3600)

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

    def find_cases(self, description, route, regime, year_from) -> tuple[str, str]:
        """Case studies like the one described (or all that pass the filters), cited."""
        from assistant.cases import CaseFilters, cases_answer, cases_like, find_cases

        filters = CaseFilters(
            route=route or "", regime=regime or "", year_from=int(year_from) if year_from else None
        )
        library = self.assistant.library
        if (description or "").strip():
            answer = cases_answer(description, cases_like(library, description, 3, filters))
            return chat_text(answer), sources_html(answer)
        found = find_cases(library, filters)
        if not found:
            return "No case study in the library matches these filters.", ""
        lines = [
            f"- **{c.name}** ({', '.join(v for v in c.attributes.values() if v)[:200]})"
            for c in found
        ]
        return "\n".join(lines), ""

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
        """Stream the answer into the chat; the sources panel fills when it is complete."""
        history, answers = list(history or []), list(answers or [])
        if not (question or "").strip():
            yield question, history, answers, gr.update()
            return
        as_at = parse_day(as_at_text) if (as_at_text or "").strip() else None
        if (as_at_text or "").strip() and as_at is None:
            raise _user_error("Write the 'law as at' date as YYYY-MM-DD, e.g. 2018-09-01.")
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        library, mine = SCOPES.get(scope, (True, False))
        try:
            uploads = self.users.collection(request)
            scoped = search_scope(self.assistant, uploads, library, mine)
            earlier = list(history)
            history += [
                {"role": "user", "content": question},
                {"role": "assistant", "content": "…"},
            ]
            yield "", history, answers, "<p>Searching the library…</p>"
            for item in answer_stream(scoped, question, filters, earlier, persona, as_at):
                if isinstance(item, Answer):
                    history[-1] = {"role": "assistant", "content": chat_text(item)}
                    yield "", history, [*answers, item], sources_html(item)
                else:
                    history[-1] = {"role": "assistant", "content": item}
                    yield "", history, answers, gr.update()
        except AssistantError as exc:
            raise _fail(exc) from exc

    def feedback(self, rating: str) -> Any:
        def record(answers, comment, persona, request: gr.Request):
            if not answers:
                return "Ask a question first, then say whether the answer helped.", comment
            if not self.feedback_limit.allow(_client_key(request)):
                return (
                    "You have sent a lot of feedback in the last hour; thank you. Please try "
                    "again later.",
                    comment,
                )
            user = getattr(request, "username", None) or ""
            record_feedback(self.settings, answers[-1], rating, comment, user, persona)
            return "Thank you: your feedback is saved on this machine.", ""

        return record

    def export_chat(self, answers, what, fmt_label) -> Any:
        if not answers:
            raise _user_error("Ask a question first; then export the answer or the conversation.")
        if what == "Last answer":
            return _export(answer_report(answers[-1]), fmt_label, self.workspace.exports)
        return _export(conversation_report(answers), fmt_label, self.workspace.exports)

    def check_rules(self, start_date, kind):
        advice = self._advice(start_date, kind)
        return to_markdown(advice_report(advice)), advice

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
            raise _user_error("Choose one or more files first.")

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
            raise _user_error("Choose a document to remove.")
        try:
            collection.remove(doc_id)
        except AssistantError as exc:
            raise _fail(exc) from exc
        return f"Removed {doc_id}.", _documents_md(collection), _documents_choices(collection)

    def show_documents(self, request: gr.Request):
        collection = self.users.collection(request)
        return _documents_md(collection), _documents_choices(collection)


def _ask_tab(h: Handlers) -> None:
    with gr.Tab("Ask", id="tab-ask"), gr.Row(equal_height=False):
        answers = gr.State([])  # the Answers of this conversation
        with gr.Column(scale=3, min_width=320):
            chat = gr.Chatbot(
                label="Conversation", height=440, buttons=["copy", "copy_all"], elem_id="chat"
            )
            question = gr.Textbox(
                label="Your question",
                placeholder="Ask about innovation partnerships, the light touch regime, "
                "thresholds, notices ... (Enter to send)",
                lines=1,
                max_lines=6,
                elem_id="question",
            )
            with gr.Row():
                send = gr.Button("Ask", variant="primary", elem_id="ask")
                clear = gr.Button("Clear conversation", elem_id="clear")
            persona = gr.Radio(list(EXAMPLES), value="commissioner", label="I am a ...")
            examples = gr.Dataset(
                components=[question],
                label="Example questions",
                samples=[[q] for q in EXAMPLES["commissioner"]],
            )
            with gr.Accordion("Was the last answer helpful?", open=True):
                comment = gr.Textbox(label="Comment (optional)", elem_id="feedback-comment")
                with gr.Row():
                    helpful = gr.Button("Helpful", elem_id="helpful")
                    unhelpful = gr.Button("Not helpful", elem_id="not-helpful")
                thanks = gr.Markdown(elem_id="feedback-status")
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
            gr.Markdown(
                "Filters narrow the shipped library; your documents are searched whenever "
                "they are included."
            )
            sources = gr.HTML(SOURCES_EMPTY, label="Sources", elem_id="sources")
    inputs = [question, chat, answers, doc_types, regimes, scope, persona, as_at]
    for trigger in (send.click, question.submit):
        _on(trigger, h.respond, inputs, [question, chat, answers, sources])
    _on(
        clear.click, lambda: ([], [], SOURCES_EMPTY, None), None, [chat, answers, sources, exported]
    )
    _on(
        persona.change,
        lambda p: gr.update(samples=[[q] for q in EXAMPLES.get(p, [])]),
        persona,
        examples,
    )
    _on(examples.click, lambda sample: sample[0], examples, question)
    for button, rating in ((helpful, "helpful"), (unhelpful, "not_helpful")):
        _on(button.click, h.feedback(rating), [answers, comment, persona], [thanks, comment])
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
        check = gr.Button("Check which rules apply", variant="primary", elem_id="rules")
        result = gr.Markdown(elem_id="rules-result")
        fmt, export, exported = _exporter("rules-export")
    for trigger in (check.click, start.submit):
        _on(trigger, h.check_rules, [start, kind], [result, advice])
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
            year_from = gr.Number(label="Year from", precision=0, value=None)
        find = gr.Button("Find cases like ours", variant="primary", elem_id="cases-find")
        result = gr.Markdown(elem_id="cases-result")
        sources = gr.HTML(elem_id="cases-sources")
    for trigger in (find.click, description.submit):
        _on(trigger, h.find_cases, [description, route, regime, year_from], [result, sources])


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
        with gr.Tabs():
            _ask_tab(h)
            _rules_tab(h)
            _trainer_tab(h)
            _cases_tab(h)
            listing, pick = _documents_tab(h)
        _on(demo.load, h.show_documents, None, [listing, pick])
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
        css=CSS,
        theme=gr.themes.Default(
            font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
        ),
    )


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
    if assistant.ensure_index() is not None:
        logger.warning("built the index from %s", settings.corpus_dir)
    workspace = Workspace.create(settings)
    demo = build_app(assistant, workspace)
    threading.Thread(target=_sweeper, args=(workspace, settings), daemon=True).start()
    app = server_app(demo, settings, users)
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
