"""The web page's own code, on the public API (`assistant.Assistant`):

- `layout`: the tabs, fields and buttons, wired to `handlers`;
- `handlers`: the page's event functions; `guards`: their errors, said clearly;
- `chat`, `library`, `ratings`: the Ask tab's turn, the Library tab, feedback on answers;
- `render`: Markdown and HTML for answers, sources and documents (no Gradio);
- `workspace`: private temporary folders; `serving`: who may reach the app, rate limits;
- `server`: the ASGI app and start-up (`assistant serve`, `python app.py`).

Only this package and `app.py` may import Gradio; the core (`assistant/` outside `ui/`) never
does (tests/test_boundaries.py).
"""

import os

# Before any module of this package imports gradio: no telemetry, no downloads, and the
# start-up progress lines are ours (no model-loading bars between them).
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
