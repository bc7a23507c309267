"""Sales settings: the pipeline with its probabilities and the quote discount threshold.

Set for the company and overridable per branch (streams `sales-settings-company`,
`sales-settings-<branch>`). The application resolves a branch's settings (branch, else company,
else these defaults) and hands them to the commands that need them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import assert_never

from crm_events.opportunities import PipelineStage, SalesSettingsChanged
from crm_platform.domain import Decider, DomainError

DEFAULT_PIPELINE: tuple[PipelineStage, ...] = (
    PipelineStage("prospecting", Decimal(10)),
    PipelineStage("bidding", Decimal(40)),
    PipelineStage("negotiation", Decimal(70)),
    PipelineStage("won", Decimal(100)),
)
DEFAULT_DISCOUNT_THRESHOLD = Decimal(10)
WON = "won"


@dataclass(frozen=True, slots=True)
class SalesSettings:
    pipeline: tuple[PipelineStage, ...] | None = None
    discount_threshold_percent: Decimal | None = None

    def over(self, wider: SalesSettings) -> SalesSettings:
        """These settings, falling back to `wider` where unset."""
        return SalesSettings(
            self.pipeline if self.pipeline is not None else wider.pipeline,
            self.discount_threshold_percent
            if self.discount_threshold_percent is not None
            else wider.discount_threshold_percent,
        )


DEFAULTS = SalesSettings(DEFAULT_PIPELINE, DEFAULT_DISCOUNT_THRESHOLD)


@dataclass(frozen=True, slots=True)
class ChangeSalesSettings:
    scope: str
    pipeline: tuple[PipelineStage, ...] | None
    discount_threshold_percent: Decimal | None
    at: datetime


def validate_pipeline(pipeline: tuple[PipelineStage, ...]) -> None:
    names = [s.stage for s in pipeline]
    if len(pipeline) < 2 or names[-1] != WON:
        raise DomainError("A pipeline has at least two stages and ends with won.", field="pipeline")
    if len(set(names)) != len(names) or "lost" in names:
        raise DomainError("Stage names must be distinct and not 'lost'.", field="pipeline")
    probabilities = [s.probability for s in pipeline]
    if any(p <= 0 or p > 100 for p in probabilities) or probabilities[-1] != 100:
        raise DomainError("Probabilities are percentages above 0; won is 100.", field="pipeline")
    if probabilities != sorted(probabilities):
        raise DomainError("Probabilities must not fall along the pipeline.", field="pipeline")


def decide(command: ChangeSalesSettings, state: SalesSettings) -> list[SalesSettingsChanged]:
    match command:
        case ChangeSalesSettings():
            if command.pipeline is not None:
                validate_pipeline(command.pipeline)
            threshold = command.discount_threshold_percent
            if threshold is not None and not 0 <= threshold <= 100:
                raise DomainError(
                    "The discount threshold is a percentage.", field="discount_threshold_percent"
                )
            if SalesSettings(command.pipeline, threshold) == state:
                return []
            return [SalesSettingsChanged(command.scope, command.pipeline, threshold, command.at)]
        case _:
            assert_never(command)


def evolve(state: SalesSettings, event: SalesSettingsChanged) -> SalesSettings:
    return replace(
        state, pipeline=event.pipeline, discount_threshold_percent=event.discount_threshold_percent
    )


sales_settings: Decider[ChangeSalesSettings, SalesSettings, SalesSettingsChanged] = Decider(
    decide, evolve, SalesSettings
)


def stream_id(scope: str) -> str:
    return f"sales-settings-{scope}"
