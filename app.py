"""Gradio web app: a thin layer over `assistant.api.Assistant` (no logic of its own)."""

from __future__ import annotations

import html
import logging
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr

from assistant.api import Assistant
from assistant.config import get_settings
from assistant.errors import AssistantError
from assistant.types import DOC_TYPES, REGIMES, Answer

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
CSS = """
.source-card {border: 1px solid #ccc; border-radius: 6px; padding: 0.6em; margin-bottom: 0.6em;}
.badge {display: inline-block; font-size: 0.8em; padding: 0 0.4em; margin-right: 0.3em;
        border-radius: 4px; background: #e8eef7; color: #1d3a6b;}
.source-card mark {background: #fff3b0;}
"""


def sources_html(answer: Answer) -> str:
    """The sources panel: one card per citation, the quoted sentences highlighted."""
    if not answer.citations:
        nearest = "".join(f"<li>{html.escape(n)}</li>" for n in answer.nearest)
        extra = f"<p>Nearest passages:</p><ul>{nearest}</ul>" if nearest else ""
        return f"<p>No sources cited.</p>{extra}"
    cards = []
    for c in answer.citations:
        passage = html.escape(c.text)
        for sentence in filter(None, (c.quote or "").split("\n")):
            quoted = html.escape(sentence)
            passage = passage.replace(quoted, f"<mark>{quoted}</mark>")
        link = (
            (
                f'<a href="{html.escape(c.source_url)}" target="_blank" rel="noopener">'
                f"{html.escape(c.source_url)}</a>"
            )
            if c.source_url
            else ""
        )
        cards.append(
            f'<div class="source-card" id="source-{c.n}"><b>[{c.n}] {html.escape(c.title)}</b>'
            f"<br><span class='badge'>{html.escape(c.doc_type)}</span>"
            f"<span class='badge'>{html.escape(c.regime)}</span> <i>{html.escape(c.locator)}</i>"
            f"<br>{link}<details><summary>Passage</summary><p>{passage}</p></details></div>"
        )
    return "".join(cards)


def build_app(assistant: Assistant) -> gr.Blocks:
    def ask_json(
        question: str, doc_types: list[str] | None = None, regimes: list[str] | None = None
    ) -> dict:
        """Named API endpoint: the same JSON as `assistant ask --json`."""
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        try:
            return assistant.ask(question, filters).to_dict()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc

    def respond(question, history, doc_types, regimes):
        history = list(history or [])
        if not (question or "").strip():
            return "", history, gr.update()
        filters = {"doc_type": doc_types or [], "regime": regimes or []}
        try:
            answer = assistant.ask(question, filters, history=history)
        except AssistantError as exc:
            raise gr.Error(str(exc)) from exc
        text = answer.text
        if answer.citations:
            text += "\n\n" + "\n".join(f"[{c.n}] {c.title} — {c.locator}" for c in answer.citations)
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
        return "", history, sources_html(answer)

    def show_examples(persona: str):
        return gr.update(samples=[[q] for q in EXAMPLES.get(persona, [])])

    with gr.Blocks(title="Innovation Partnership Assistant") as demo:
        gr.Markdown(
            "# Innovation Partnership Assistant\n"
            "Cited answers on innovation partnerships in UK public procurement "
            "(Leicestershire CIP, PCR 2015, Procurement Act 2023). Every sentence links to its "
            "source; when the library does not cover a question, it says so."
        )
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=460)
                question = gr.Textbox(
                    label="Your question", placeholder="Ask about ...", lines=2, elem_id="question"
                )
                with gr.Row():
                    send = gr.Button("Ask", variant="primary", elem_id="ask")
                    clear = gr.Button("Clear conversation")
                persona = gr.Radio(list(EXAMPLES), value="commissioner", label="I am a ...")
                examples = gr.Dataset(
                    components=[question],
                    label="Example questions",
                    samples=[[q] for q in EXAMPLES["commissioner"]],
                )
            with gr.Column(scale=2):
                doc_types = gr.CheckboxGroup(list(DOC_TYPES), label="Document types")
                regimes = gr.CheckboxGroup(list(REGIMES), label="Regimes")
                sources = gr.HTML("<p>Sources appear here.</p>", label="Sources", elem_id="sources")
        send.click(
            respond,
            [question, chat, doc_types, regimes],
            [question, chat, sources],
            api_visibility="private",
        )
        question.submit(
            respond,
            [question, chat, doc_types, regimes],
            [question, chat, sources],
            api_visibility="private",
        )
        clear.click(
            lambda: ([], "<p>Sources appear here.</p>"),
            None,
            [chat, sources],
            api_visibility="private",
        )
        persona.change(show_examples, persona, examples, api_visibility="private")
        examples.click(lambda sample: sample[0], examples, question, api_visibility="private")
        gr.api(ask_json, api_name="ask")
    return demo


def main(host: str | None = None, port: int | None = None) -> None:
    settings = get_settings()
    assistant = Assistant(settings)
    if assistant.ensure_index() is not None:
        logger.warning("built the index from %s", settings.corpus_dir)
    demo = build_app(assistant)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=host or settings.host,
        server_port=port or settings.port,
        share=False,
        footer_links=["api"],
        css=CSS,
        theme=gr.themes.Default(
            font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]
        ),
    )


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main()
