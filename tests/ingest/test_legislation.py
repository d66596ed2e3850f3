"""import-legislation against a loopback server that serves the real CLML files in
../shared/realdocs under legislation.gov.uk-style paths (/asc/2025/1/data.xml)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.index.store import Manifest, read_chunks
from assistant.ingest.legislation import (
    LegislationError,
    LegislationRef,
    import_legislation,
    legislation_folder,
    parse_reference,
)
from assistant.law import in_force as currency
from tests.conftest import FAKE_ABSTAIN_THRESHOLD, FAKE_MODEL

REALDOCS = Path(__file__).resolve().parents[3] / "shared" / "realdocs"
needs_realdocs = pytest.mark.skipif(not REALDOCS.is_dir(), reason=f"{REALDOCS} is absent")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("uksi/2015/102", LegislationRef("uksi", "2015", "102")),
        ("ukpga/2023/54", LegislationRef("ukpga", "2023", "54")),
        (" /ukpga/2023/54/enacted ", LegislationRef("ukpga", "2023", "54", "enacted")),
        (
            "https://www.legislation.gov.uk/uksi/2015/102/regulation/31",
            LegislationRef("uksi", "2015", "102"),
        ),
        (
            "https://www.legislation.gov.uk/uksi/2015/102/regulation/31/2024-01-01",
            LegislationRef("uksi", "2015", "102", "2024-01-01"),
        ),
        ("legislation.gov.uk/id/ukpga/2023/54", LegislationRef("ukpga", "2023", "54")),
        ("https://www.legislation.gov.uk/asc/2025/1/data.xml", LegislationRef("asc", "2025", "1")),
    ],
)
def test_references_and_addresses(text: str, expected: LegislationRef) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    "text", ["", "PCR 2015", "uksi/15/102", "https://example.org/ukpga/2023/54", "ukpga/2023"]
)
def test_bad_references_are_refused_clearly(text: str) -> None:
    with pytest.raises(LegislationError, match=r"legislation\.gov\.uk"):
        parse_reference(text)


class _Server:
    """legislation.gov.uk in miniature: path -> bytes; anything else is a 404."""

    def __init__(self, routes: dict[str, bytes]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/xml")
                self.end_headers()
                self.wfile.write(body if body is not None else b"not found")

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)


@pytest.fixture
def legislation_server() -> Iterator[_Server]:
    routes = {}
    for pattern, path in (
        ("clml_asc-2025-1*.xml", "/asc/2025/1/data.xml"),
        ("clml_nia-2022-21*.xml", "/nia/2022/21/data.xml"),
    ):
        found = sorted(REALDOCS.glob(pattern)) if REALDOCS.is_dir() else []
        if found:
            routes[path] = found[0].read_bytes()
    routes["/ukpga/2099/1/data.xml"] = b"<html><body>Maintenance</body></html>"
    server = _Server(routes)
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(timeout=5)


def _settings(tmp_path: Path, base_url: str) -> Settings:
    return Settings(
        index_dir=tmp_path / "index",
        corpus_dir=tmp_path / "corpus",
        user_data_dir=tmp_path / "user_data",
        embed_model=FAKE_MODEL,
        abstain_threshold=FAKE_ABSTAIN_THRESHOLD,
        legislation_base_url=base_url,
    )


@needs_realdocs
def test_import_stores_and_indexes_each_provision_with_its_link(tmp_path, legislation_server):
    settings = _settings(tmp_path, legislation_server.url)
    result = import_legislation(settings, "asc/2025/1")
    assert legislation_server.requests == ["/asc/2025/1/data.xml"]
    assert result.doc_id == "asc-2025-1"
    assert result.title == "Health and Social Care (Wales) Act 2025"
    assert result.path == legislation_folder(settings) / "asc-2025-1.xml"
    assert result.path.read_bytes() == legislation_server.routes["/asc/2025/1/data.xml"]
    assert result.path.parent == tmp_path / "user_data" / "legislation"
    chunks = [c for c in read_chunks(settings.index_dir) if c.doc_id == "asc-2025-1"]
    assert len(chunks) == result.report.chunks_total > 20
    assert all(c.locator.startswith(("s. ", "Sch. ")) for c in chunks)
    assert all(c.url.startswith("https://www.legislation.gov.uk/asc/2025/1/") for c in chunks)
    assert {c.meta["regime"] for c in chunks} == {"general"}
    # Currency per provision, from the CLML: prospective ones were never in force in this
    # version; the rest are in force from 25 March 2025.
    prospective = [c for c in chunks if currency.in_force(c, date(2026, 1, 1)) is False]
    in_force = [c for c in chunks if currency.in_force(c, date(2026, 1, 1)) is True]
    assert prospective and in_force and len(prospective) + len(in_force) == len(chunks)
    assert all(currency.in_force(c, date(2025, 3, 24)) is False for c in in_force)


@needs_realdocs
def test_imported_legislation_answers_questions(tmp_path, legislation_server) -> None:
    from assistant.api import Assistant

    settings = _settings(tmp_path, legislation_server.url)
    import_legislation(settings, "https://www.legislation.gov.uk/nia/2022/21/contents")
    answer = Assistant(settings).ask(
        "What does the School Age Act say about compulsory school age?"
    )
    assert not answer.abstained
    assert answer.citations[0].doc_id == "nia-2022-21"
    assert answer.citations[0].source_url.startswith("https://www.legislation.gov.uk/nia/2022/21/")
    # Importing the same item again changes nothing.
    again = import_legislation(settings, "nia/2022/21")
    assert again.report.unchanged == 1 and not again.report.added


def _snapshot(tmp_path: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}


@needs_realdocs
@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("uksi/2099/9", r"HTTP 404 \(check the id"),
        ("ukpga/2099/1", r"not legislation\.gov\.uk CLML"),
    ],
)
def test_a_failed_import_changes_nothing(tmp_path, legislation_server, reference, message):
    settings = _settings(tmp_path, legislation_server.url)
    import_legislation(settings, "nia/2022/21")
    manifest = Manifest.read(settings.index_dir)
    before = _snapshot(tmp_path)
    with pytest.raises(LegislationError, match=message) as caught:
        import_legislation(settings, reference)
    assert "nothing was changed" in str(caught.value)
    assert _snapshot(tmp_path) == before
    assert Manifest.read(settings.index_dir).docs == manifest.docs


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_offline_fails_with_a_clear_message_and_changes_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(LegislationError) as caught:
        import_legislation(settings, "uksi/2015/102")
    message = str(caught.value)
    assert message.startswith("Cannot reach 127.0.0.1:")
    assert "needs an internet connection; nothing was changed." in message
    assert not any(tmp_path.rglob("*"))


@needs_realdocs
def test_cli_import_legislation(tmp_path, legislation_server, monkeypatch) -> None:
    from assistant.cli import app
    from assistant.config import get_settings

    for key, value in (
        ("INDEX_DIR", tmp_path / "index"),
        ("USER_DATA_DIR", tmp_path / "user_data"),
        ("LEGISLATION_BASE_URL", legislation_server.url),
    ):
        monkeypatch.setenv(f"ASSISTANT_{key}", str(value))
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["import-legislation", "asc/2025/1"])
    assert result.exit_code == 0, result.output
    assert "Health and Social Care (Wales) Act 2025 (asc-2025-1):" in result.output
    offline = f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("ASSISTANT_LEGISLATION_BASE_URL", offline)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["import-legislation", "nia/2022/21"])
    assert result.exit_code == 2
    assert "error: Cannot reach" in result.output and "Traceback" not in result.output
