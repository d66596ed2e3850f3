"""Serving the page: the ASGI app with our CORS policy and login guard, start-up (index,
model, a first answer) with a console line per step, and the upload-cache sweeper.
`assistant serve` and `python app.py` both call `main`."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

import gradio as gr

from assistant import Assistant, Settings, get_settings
from assistant.config import auth_users
from assistant.logs import bound_output
from assistant.ui import page
from assistant.ui.layout import build_app
from assistant.ui.serving import LoginGuard, check_exposure
from assistant.ui.workspace import Workspace

logger = logging.getLogger("app")

SWEEP_EVERY_S = 60  # how often the upload cache is checked against its size and age limits


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
