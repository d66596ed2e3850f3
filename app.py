"""Gradio web app: `python app.py` (the same as `assistant serve`). The page lives in
assistant/ui/ (layout, handlers, rendering, serving), on `assistant.Assistant`.

Tabs: Ask (streamed, cited chat with a sources panel, feedback on each answer, export), Which
rules apply?, Trainer pack, Case studies, Library (each document as a page, also opened by
`?doc=<doc_id>`), My documents (uploads into a separate user collection). Named API endpoints:
/ask, /which_rules, /trainer_pack.
"""

from __future__ import annotations

import logging
import sys

from assistant.errors import AssistantError
from assistant.ui.server import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    try:
        main()
    except (AssistantError, ValueError) as exc:
        sys.exit(f"error: {exc}")
