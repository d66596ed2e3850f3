"""The Library tab: every document of the library as a page, also opened by `?doc=<doc_id>`
in the page's address (how a source card's title opens it, in a new tab)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.ui.render import document_markdown, library_choices

TAB_ID = "tab-library"
CHOOSE = "Choose a document to read it in full."


class LibraryPages:
    """Events of the Library tab, on the assistant's library."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant

    def show(self, doc_id: str | None) -> str:
        """A library document as a page (Markdown)."""
        if not doc_id:
            return CHOOSE
        doc = self.assistant.document(doc_id)
        return document_markdown(doc, self.assistant.catalogue())

    def open_from_address(self, request: gr.Request):
        """`?doc=<doc_id>` in the address opens this tab on that document. Outputs: tabs,
        picker, page."""
        listed = self.assistant.catalogue()
        choices = library_choices(listed)
        doc_id = (getattr(request, "query_params", None) or {}).get("doc", "")
        if not doc_id:
            return gr.update(), gr.update(choices=choices), gr.update()
        if doc_id not in listed:
            return (
                gr.Tabs(selected=TAB_ID),
                gr.update(choices=choices),
                ("The library has no such document. " + CHOOSE),
            )
        return gr.Tabs(selected=TAB_ID), gr.update(choices=choices, value=doc_id), self.show(doc_id)


def library_tab(pages: LibraryPages, on: Callable[..., None]) -> tuple[gr.Dropdown, gr.Markdown]:
    """The tab; `on(trigger, fn, inputs, outputs)` wires an event as app.py does."""
    with gr.Tab("Library", id=TAB_ID):
        gr.Markdown(
            "Every document the answers draw on, written for this library from the sources "
            "it lists. Choose one to read it in full, with its sources and the date it was "
            "last reviewed. A document's title on a source card opens it here, in a new tab."
        )
        listed = pages.assistant.catalogue()
        pick = gr.Dropdown(library_choices(listed), label="Document", elem_id="library-pick")
        shown = gr.Markdown(CHOOSE, elem_id="library-doc")
    on(pick.input, pages.show, pick, shown)
    return pick, shown
