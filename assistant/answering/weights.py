"""The answer's calibrated numbers, as the settings of the same names give them: the extractive
composer's weights and the verifier's support rule. A function given none uses the settings'
defaults (read without the environment), so tests and benches call it as before."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import Settings


@dataclass(frozen=True, slots=True)
class ComposerWeights:
    """The composer's calibrated numbers, from the settings `from_settings` names (their
    descriptions say what each does and which bench script measures a change)."""

    cosine: float  # a unit's score: meaning first, shared terms second, rank a tie-break,
    terms: float  # then the answer type, the case named, and penalties
    rank: float
    novel: float
    type: float
    entity: float
    other_case: float
    dangling: float
    quoted: float
    # a unit naming only the other regime than the question ("under the Act ..." for "under
    # the old rules, how long?") is context, not the answer; wrong_day when the day is fixed
    other_regime: float
    wrong_day: float
    lead_ratio: float  # the direct answer is chosen among units this near the best
    lead_typed_floor: float  # ... or, when none states the wanted figure, this near
    anchor_share: float  # rarity-weighted share of the question's terms a figure's unit holds
    keep_ratio: float  # a supporting unit's least share of the best score (tight answers)
    mmr_lambda: float  # redundancy penalty in the maximal-marginal-relevance selection
    repeat_share: float  # a supporting unit this much inside one already chosen is left out
    # a name in at most this many passages is specific (a council, a case): the passages found
    # must mention it; commoner names (England, NPPS) need only be in the library
    rare_df: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ComposerWeights:
        return cls(
            settings.unit_cosine_weight,
            settings.unit_terms_weight,
            settings.unit_rank_weight,
            settings.unit_novel_weight,
            settings.unit_type_weight,
            settings.unit_entity_weight,
            settings.other_case_penalty,
            settings.dangling_penalty,
            settings.quoted_penalty,
            settings.other_regime_penalty,
            settings.wrong_day_penalty,
            settings.lead_ratio,
            settings.lead_typed_floor,
            settings.anchor_share,
            settings.keep_ratio,
            settings.mmr_lambda,
            settings.repeat_share,
            settings.rare_df,
        )


@dataclass(frozen=True, slots=True)
class SupportRule:
    """When a claim counts as supported by a source: support = cosine * its best cosine with
    a sentence of the source + terms * the share of its key terms the source holds, at least
    `minimum` (and its numbers and dates stated exactly)."""

    cosine: float
    terms: float
    minimum: float

    @classmethod
    def from_settings(cls, settings: Settings) -> SupportRule:
        return cls(
            settings.support_cosine_weight, settings.support_terms_weight, settings.support_min
        )


_DEFAULTS = Settings.model_construct()
DEFAULT_WEIGHTS = ComposerWeights.from_settings(_DEFAULTS)
DEFAULT_SUPPORT = SupportRule.from_settings(_DEFAULTS)
