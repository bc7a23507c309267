"""Funnel statistics and the time-phased forecast (DOMAIN.md §2), as pure functions.

Measured from history, within the scope asked for (a branch, a region, the company):
- the conversion rate from a stage to the next: of the opportunities whose stay in that stage is
  decided (they moved on, or were lost while in it), the share that reached the next stage;
- the average time spent in a stage: over the stays that ended (moved on or lost).
Where fewer than `min_sample` stays are decided, the configured fallback is used instead: the
conversion rate implied by the stage probabilities (p(next) > 0: p(stage) / p(next), so that the
rates multiply to the stage's win probability) and a configured duration.

The forecast: an open opportunity in stage s contributes amount x the product of the conversion
rates from s to won, in the month reached after the average remaining stage durations from s to
won, less the time it has already spent in s (never below zero). With durations of one month each
and rates 50 % -> 60 % -> won, an opportunity of 100 just entered into the first stage contributes
30 two months from now (DOMAIN.md's example). Months are counted in average-length months
(30.436875 days) and rounded half up to a whole month offset from the current month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from crm_events.opportunities import PipelineStage

DAYS_PER_MONTH = 30.436875
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Stay:
    """One opportunity's time in one stage, and how it ended (None: it is still there)."""

    opportunity_id: str
    stage: str
    entered_at: datetime
    left_at: datetime | None
    next_stage: str | None  # where it went; None when lost, suspended or still open
    lost: bool = False


@dataclass(frozen=True, slots=True)
class OpenDeal:
    opportunity_id: str
    stage: str
    amount: Decimal
    stage_entered_at: datetime


@dataclass(frozen=True, slots=True)
class Pipeline:
    stages: tuple[str, ...]  # in order, the last one is won
    probabilities: dict[str, Decimal]  # per stage, as a fraction (0.40)
    fallback_days: dict[str, float] = field(default_factory=dict)  # per stage; default 30
    min_sample: int = 10

    @property
    def won(self) -> str:
        return self.stages[-1]

    @classmethod
    def of(cls, stages: Sequence[PipelineStage]) -> Pipeline:
        """The pipeline of configured stages (probabilities in percent)."""
        return cls(tuple(s.stage for s in stages), {s.stage: s.probability / 100 for s in stages})


@dataclass(frozen=True, slots=True)
class StageStats:
    stage: str
    conversion: Decimal  # to the next stage (1 for won)
    conversion_measured: bool
    avg_days: float
    days_measured: bool
    decided: int  # stays the rate was measured on


def stage_stats(pipeline: Pipeline, stays: Iterable[Stay]) -> list[StageStats]:
    moved: dict[str, int] = {}
    decided: dict[str, int] = {}
    durations: dict[str, list[float]] = {}
    order = {s: i for i, s in enumerate(pipeline.stages)}
    for stay in stays:
        if stay.stage not in order or stay.stage == pipeline.won:
            continue
        nxt = pipeline.stages[order[stay.stage] + 1]
        if stay.left_at is None:
            continue
        if stay.next_stage is None and not stay.lost:
            continue  # suspended or otherwise paused: undecided
        decided[stay.stage] = decided.get(stay.stage, 0) + 1
        if stay.next_stage is not None and order.get(stay.next_stage, -1) >= order[nxt]:
            moved[stay.stage] = moved.get(stay.stage, 0) + 1
        durations.setdefault(stay.stage, []).append(
            (stay.left_at - stay.entered_at).total_seconds() / 86400
        )
    stats = []
    for i, stage in enumerate(pipeline.stages):
        if stage == pipeline.won:
            stats.append(StageStats(stage, Decimal(1), True, 0.0, True, 0))
            continue
        n = decided.get(stage, 0)
        measured = n >= pipeline.min_sample
        if measured:
            rate = Decimal(moved.get(stage, 0)) / Decimal(n)
        else:
            here, there = (
                pipeline.probabilities[stage],
                pipeline.probabilities[pipeline.stages[i + 1]],
            )
            rate = here / there if there else Decimal(0)
        days = durations.get(stage, [])
        days_measured = len(days) >= pipeline.min_sample
        avg = sum(days) / len(days) if days_measured else pipeline.fallback_days.get(stage, 30.0)
        stats.append(StageStats(stage, rate, measured, avg, days_measured, n))
    return stats


def _month_plus(month: date, offset: int) -> date:
    m = month.month - 1 + offset
    return date(month.year + m // 12, m % 12 + 1, 1)


def forecast(
    pipeline: Pipeline, stats: Sequence[StageStats], deals: Iterable[OpenDeal], now: datetime
) -> dict[date, Decimal]:
    """Expected revenue per coming month (first day of the month), rounded to cents."""
    by_stage = {s.stage: s for s in stats}
    order = {s: i for i, s in enumerate(pipeline.stages)}
    this_month = date(now.year, now.month, 1)
    out: dict[date, Decimal] = {}
    for deal in deals:
        if deal.stage not in order or deal.stage == pipeline.won:
            continue
        ahead = pipeline.stages[order[deal.stage] : -1]
        chance = Decimal(1)
        days = 0.0
        for stage in ahead:
            chance *= by_stage[stage].conversion
            days += by_stage[stage].avg_days
        spent = (now - deal.stage_entered_at).total_seconds() / 86400
        remaining = max(days - max(spent, 0.0), 0.0)
        offset = int(Decimal(remaining / DAYS_PER_MONTH).quantize(Decimal(1), ROUND_HALF_UP))
        month = _month_plus(this_month, offset)
        out[month] = out.get(month, Decimal(0)) + deal.amount * chance
    return {m: v.quantize(CENT, ROUND_HALF_UP) for m, v in sorted(out.items())}


def weighted_pipeline(pipeline: Pipeline, deals: Iterable[OpenDeal]) -> Decimal:
    total = sum(
        (d.amount * pipeline.probabilities.get(d.stage, Decimal(0)) for d in deals), Decimal(0)
    )
    return total.quantize(CENT, ROUND_HALF_UP)
