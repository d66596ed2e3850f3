"""The page: its tabs, fields and buttons, each wired to a handler (`assistant.ui.handlers`)."""

from __future__ import annotations

import os
from typing import Any

import gradio as gr

from assistant import ALLOWED_SUFFIXES, CONTRACT_KINDS, SUGGESTED_TOPICS, Assistant
from assistant.types import DOC_TYPES, REGIMES
from assistant.ui.guards import guarded, on
from assistant.ui.handlers import SCOPES, Handlers
from assistant.ui.library import library_tab
from assistant.ui.render import SOURCES_EMPTY
from assistant.ui.workspace import FORMATS, Workspace

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


def exporter(name: str) -> tuple[gr.Radio, gr.Button, gr.File]:
    """Format choice, Export button (#name) and the file to download (#name-file)."""
    with gr.Row():
        fmt = gr.Radio(list(FORMATS), value="Word (.docx)", label="Format")
        button = gr.Button("Export", elem_id=name)
    exported = gr.File(label="Exported file", visible=False, elem_id=f"{name}-file")
    return fmt, button, exported


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
                fmt, export, exported = exporter("export")
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
        on(trigger, h.respond, inputs, outputs)
    on(as_at.blur, h.check_as_at, as_at, as_at_error)
    on(
        clear.click,
        lambda: ([], [], SOURCES_EMPTY, None, None, gr.update(visible=False), ""),
        None,
        [chat, answers, sources, exported, rated, feedback_panel, question_error],
    )
    on(
        persona.change,
        lambda p: gr.update(samples=[[q] for q in EXAMPLES.get(p, [])]),
        persona,
        examples,
    )
    on(examples.click, lambda sample: sample[0], examples, question)
    on(
        chat.like,
        h.ratings.rate,
        [chat, answers, persona],
        [rated, thanks, feedback_panel, comment],
    )
    for trigger in (send_comment.click, comment.submit):
        on(trigger, h.ratings.comment, [answers, rated, comment, persona], [thanks, comment, rated])
    on(export.click, h.export_chat, [answers, what, fmt], exported)


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
        fmt, export, exported = exporter("rules-export")
    for trigger in (check.click, start.submit):
        on(trigger, h.check_rules, [start, kind], [result, advice, start_error])
    on(export.click, h.export_advice, [advice, fmt], exported)


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
        fmt, export, exported = exporter("pack-export")
    on(topics.click, lambda sample: sample[0], topics, topic)
    for trigger in (build.click, topic.submit):
        on(trigger, h.make_pack, topic, [result, pack])
    on(export.click, h.export_pack, [pack, fmt], exported)


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
    on(add.click, h.add_files, upload, [outcome, listing, pick, upload])
    on(remove.click, h.remove_file, pick, [outcome, listing, pick])
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
        on(trigger, h.find_cases, inputs, [result, sources, year_error])


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
            library_pick, library_doc = library_tab(h.library_pages, on)
            listing, pick = _documents_tab(h)
        on(demo.load, h.show_documents, None, [listing, pick])
        on(
            demo.load,
            h.library_pages.open_from_address,
            None,
            [tabs, library_pick, library_doc],
        )
        demo.unload(guarded(h.end_session))
        gr.api(guarded(h.ask_json), api_name="ask")
        gr.api(guarded(h.which_rules_json), api_name="which_rules")
        gr.api(guarded(h.trainer_pack_json), api_name="trainer_pack")
    return demo
