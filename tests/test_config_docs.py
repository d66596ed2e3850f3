"""Every setting is documented, with its real default, in README.md and .env.example."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _env(name: str) -> str:
    return f"ASSISTANT_{name.upper()}"


def test_env_example_lists_every_setting_with_its_default():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert _env(name) in text, f"{_env(name)} missing from .env.example"
        match = re.search(rf"^# {_env(name)}=(.*)$", text, re.M)
        if match and field.default is not None and match.group(1):
            assert match.group(1) == str(field.default), f"{_env(name)} default differs"


def test_readme_table_lists_every_setting_with_its_default():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `ASSISTANT_")]
    for name, field in Settings.model_fields.items():
        row = next((r for r in rows if f"`{_env(name)}`" in r.split("|")[1]), None)
        assert row, f"{_env(name)} missing from the README configuration table"
        names = re.findall(r"`(ASSISTANT_\w+)`", row.split("|")[1])
        defaults = re.findall(r"`([^`]*)`", row.split("|")[2])
        if field.default is None or len(defaults) != len(names):
            continue
        shown = defaults[names.index(_env(name))]
        default = field.default
        if isinstance(default, float) and default.is_integer() and "." not in shown:
            default = int(default)
        assert shown == str(default), f"README shows {shown} for {_env(name)}, code {default}"
