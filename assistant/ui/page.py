"""The page's own styles and script, read from `static/` next to this file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


@cache
def css() -> str:
    return (STATIC / "page.css").read_text(encoding="utf-8")


@cache
def head() -> str:
    """What the page's <head> gets: its script, run once when the page loads."""
    return f"<script>\n{(STATIC / 'page.js').read_text(encoding='utf-8')}\n</script>"
