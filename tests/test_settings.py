"""Settings in groups (index, embedding, chunking, fusion, answer, llm, server, uploads,
import) with flat environment names, and settings that bound one another checked together."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.config import COMPOSER, GROUPS, SUPPORT, Settings


def test_every_setting_is_in_exactly_one_group() -> None:
    assert list(GROUPS) == [
        "index",
        "embedding",
        "chunking",
        "fusion",
        "answer",
        "llm",
        "server",
        "uploads",
        "import",
    ]
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(Settings.model_fields)
    assert len(grouped) == len(set(grouped))


def test_a_group_reads_the_flat_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_RRF_K", "12")
    monkeypatch.setenv("ASSISTANT_SPARSE_WEIGHT", "2.5")
    settings = Settings()
    fusion = settings.group("fusion")
    assert fusion["rrf_k"] == 12 == settings.rrf_k
    assert fusion["sparse_weight"] == 2.5
    with pytest.raises(KeyError, match="no settings group 'fusing'"):
        settings.group("fusing")


def test_calibrated_settings_name_the_bench_script_that_tunes_them() -> None:
    for name in ("rrf_k", "dense_weight", "sparse_weight", "pinpoint_weight", "secondary_weight"):
        assert "bench/baselines.py" in (Settings.model_fields[name].description or "")
    assert "bench/calibrate.py" in (Settings.model_fields["abstain_threshold"].description or "")
    assert "bench/chunking.py" in (Settings.model_fields["chunk_size"].description or "")
    benches = {
        **dict.fromkeys(COMPOSER, "bench/answers.py"),
        **dict.fromkeys(SUPPORT, "bench/verify_extractive.py"),
        **dict.fromkeys(
            ("search_depth", "out_of_force", "out_of_force_at_date"), "bench/currency.py"
        ),
    }
    for name, bench in benches.items():
        assert bench in (Settings.model_fields[name].description or ""), name


def test_the_calibrated_numbers_reach_the_assistant(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant import Assistant
    from assistant.answering.weights import DEFAULT_SUPPORT, DEFAULT_WEIGHTS

    monkeypatch.delenv("ASSISTANT_KEEP_RATIO", raising=False)
    plain = Assistant(Settings())
    assert (plain.weights, plain.support) == (DEFAULT_WEIGHTS, DEFAULT_SUPPORT)
    monkeypatch.setenv("ASSISTANT_KEEP_RATIO", "0.5")
    monkeypatch.setenv("ASSISTANT_SUPPORT_MIN", "0.7")
    tuned = Assistant(Settings())
    assert (tuned.weights.keep_ratio, tuned.support.minimum) == (0.5, 0.7)


@pytest.mark.parametrize(
    "values",
    [{"keep_ratio": 1.5}, {"lead_ratio": -0.1}, {"unit_cosine_weight": -1}, {"search_depth": 0}],
)
def test_calibrated_numbers_out_of_range_are_refused(values) -> None:
    with pytest.raises(ValidationError, match=next(iter(values))):
        Settings(**values)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"chunk_size": 400, "chunk_max": 350}, "chunk_max (350) must be at least chunk_size"),
        ({"chunk_size": 60, "chunk_overlap": 60}, "chunk_overlap (60) must be less than"),
        (
            {"upload_max_mb": 200, "upload_transfer_max_mb": 100},
            "upload_transfer_max_mb (100.0) must be at least upload_max_mb (200.0)",
        ),
        (
            {"upload_max_passages": 600, "upload_max_user_passages": 500},
            "upload_max_user_passages (500) must be at least upload_max_passages (600)",
        ),
        (
            {"lead_ratio": 0.7, "lead_typed_floor": 0.75},
            "lead_typed_floor (0.75) must be at most lead_ratio (0.7)",
        ),
    ],
)
def test_settings_that_bound_one_another_are_checked_together(values, message) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings(**values)


def test_the_defaults_are_consistent() -> None:
    settings = Settings()
    assert settings.chunk_overlap < settings.chunk_size <= settings.chunk_max
