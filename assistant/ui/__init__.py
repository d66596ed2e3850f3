"""The web page's own code: rendering (`render`, no Gradio) and the Gradio handlers built on it.

Only this package and `app.py` may import Gradio; the core (`assistant/` outside `ui/`) never
does (tests/test_boundaries.py).
"""
