"""Official legislation from legislation.gov.uk into the library.

`assistant import-legislation uksi/2015/102` (or a legislation.gov.uk address) fetches the
item's CLML XML (`<base>/<id>/data.xml`), checks that it parses, keeps it under
`<user_data_dir>/legislation/` and indexes it: each provision becomes a passage with its own
locator ("reg. 31(5)") and a link to it on legislation.gov.uk, dated for currency (see
assistant/ingest/parsers/clml.py). Offline, or on any failure, nothing is written and the index is
left as it was.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from assistant.config import Settings
from assistant.errors import AssistantError, IngestError
from assistant.ingest.pipeline import IngestReport, Progress, build_index

logger = logging.getLogger(__name__)
FETCH_TIMEOUT = 30.0  # seconds; legislation.gov.uk serves even large Acts well within this
USER_AGENT = "innovation-partnership-assistant (import-legislation)"
# type/year/number, then optionally a version: enacted, made or a point-in-time date.
_ID = re.compile(r"^(?P<type>[a-z]{2,8})/(?P<year>\d{4})/(?P<number>\d{1,5})(?P<rest>/.*)?$")
_VERSION = re.compile(r"^(enacted|made|\d{4}-\d{2}-\d{2})$")
_HOSTS = {"legislation.gov.uk", "www.legislation.gov.uk"}


class LegislationError(AssistantError):
    """The item could not be imported; the message says why and that nothing changed."""


@dataclass(frozen=True, slots=True)
class LegislationRef:
    """One item on legislation.gov.uk: 'uksi/2015/102', optionally a version of it."""

    kind: str
    year: str
    number: str
    version: str = ""

    @property
    def path(self) -> str:
        base = f"{self.kind}/{self.year}/{self.number}"
        return f"{base}/{self.version}" if self.version else base

    @property
    def file_name(self) -> str:
        return self.path.replace("/", "-") + ".xml"


@dataclass(frozen=True, slots=True)
class ImportResult:
    ref: LegislationRef
    url: str
    path: Path
    doc_id: str
    title: str
    provisions: int
    report: IngestReport


def parse_reference(text: str) -> LegislationRef:
    """'ukpga/2023/54', 'uksi/2015/102/made', or a legislation.gov.uk address such as
    https://www.legislation.gov.uk/ukpga/2023/54/section/20 (the whole item is imported)."""
    value = (text or "").strip()
    if "legislation.gov.uk" in value:
        url = urlparse(value if "://" in value else f"https://{value}")
        if url.hostname not in _HOSTS:
            raise LegislationError(f"'{value}' is not a legislation.gov.uk address.")
        value = url.path
    value = value.strip("/").removeprefix("id/").removesuffix("/data.xml")
    match = _ID.match(value)
    if not match:
        raise LegislationError(
            f"'{text}' is not a legislation.gov.uk id or address; use for example "
            "uksi/2015/102, ukpga/2023/54 or https://www.legislation.gov.uk/ukpga/2023/54"
        )
    rest = [p for p in (match.group("rest") or "").split("/") if p]
    version = next((p for p in (rest[:1] + rest[-1:]) if _VERSION.match(p)), "")
    return LegislationRef(match.group("type"), match.group("year"), match.group("number"), version)


def data_url(settings: Settings, ref: LegislationRef) -> str:
    return f"{settings.legislation_base_url.rstrip('/')}/{ref.path}/data.xml"


def legislation_folder(settings: Settings) -> Path:
    """Imported legislation lives with the user's documents, never in corpus/."""
    return Path(settings.user_data_dir) / "legislation"


def fetch(url: str, max_bytes: int, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The document at `url`, or LegislationError saying why not (offline, not found...)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    unchanged = "nothing was changed"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        hint = " (check the id: no such item or version)" if exc.code == 404 else ""
        raise LegislationError(f"{url} answered HTTP {exc.code}{hint}; {unchanged}.") from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LegislationError(
            f"Cannot reach {urlparse(url).netloc} ({reason}): importing legislation needs an "
            f"internet connection; {unchanged}."
        ) from exc
    if len(data) > max_bytes:
        raise LegislationError(
            f"{url} is larger than {max_bytes / 1e6:.0f} MB (max_file_mb); {unchanged}."
        )
    return data


def import_legislation(
    settings: Settings, reference: str, progress: Progress | None = None
) -> ImportResult:
    """Fetch, check, store and index one item; on any failure nothing is left changed."""
    from assistant.ingest.parsers.clml import parse_clml

    ref = parse_reference(reference)
    url = data_url(settings, ref)
    data = fetch(url, int(settings.max_file_mb * 1_000_000))
    path = legislation_folder(settings) / ref.file_name
    try:
        doc = parse_clml(path, data)
    except IngestError as exc:
        raise LegislationError(f"{url}: {exc.reason}; nothing was changed.") from exc
    if not doc.sections:
        raise LegislationError(f"{url} holds no provisions to index; nothing was changed.")
    previous = path.read_bytes() if path.exists() else None
    _write(path, data)
    try:
        report = build_index(settings, [path], progress=progress)
        if report.errors:
            raise LegislationError(f"{report.errors[0]}; nothing was changed.")
    except BaseException:
        _restore(path, previous)
        raise
    logger.info("imported %s from %s: %d provisions", doc.doc_id, url, len(doc.sections))
    return ImportResult(ref, url, path, doc.doc_id, doc.title, len(doc.sections), report)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.part")
    staged.write_bytes(data)
    staged.replace(path)


def _restore(path: Path, previous: bytes | None) -> None:
    if previous is None:
        path.unlink(missing_ok=True)
    else:
        _write(path, previous)
