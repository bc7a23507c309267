"""The forecast of a scope whose branches may each use their own pipeline (pure).

The opportunities of the branches that share a pipeline are measured and forecast together with
that pipeline's stages and probabilities; the expected months and the weighted pipeline add up
over those groups. The stage statistics shown are those of the scope's own pipeline: a branch's,
or the company's for a region or the whole company.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from crm_projections.read_models.funnel.forecast import (
    OpenDeal,
    Pipeline,
    Stay,
    forecast,
    stage_stats,
    weighted_pipeline,
)
from crm_projections.read_models.sales_settings.pipelines import Stages, resolve


@dataclass
class _Group:
    stays: list[Stay]
    deals: list[OpenDeal]


def forecast_body(
    settings: Mapping[str, Stages | None],
    covered: str | None,
    stays: Iterable[tuple[str, Stay]],
    opportunities: Iterable[tuple[str, OpenDeal, str]],
    now: datetime,
    months: int,
) -> dict[str, Any]:
    """The forecast report's answer, less the fields naming its scope: from the finished stays
    and the current opportunities (with their status) of the scope, each with its branch."""
    groups: dict[Stages, _Group] = {}

    def group(branch: str) -> _Group:
        return groups.setdefault(resolve(settings, branch), _Group([], []))

    for branch, stay in stays:
        group(branch).stays.append(stay)
    deals = 0
    for branch, deal, status in opportunities:
        if status == "open":
            deals += 1
            found = group(branch)
            found.deals.append(deal)
            found.stays.append(
                Stay(deal.opportunity_id, deal.stage, deal.stage_entered_at, None, None)
            )
    expected: dict[date, Decimal] = {}
    weighted = Decimal(0)
    for stages, g in groups.items():
        pipeline = Pipeline.of(stages)
        for month, amount in forecast(
            pipeline, stage_stats(pipeline, g.stays), g.deals, now
        ).items():
            expected[month] = expected.get(month, Decimal(0)) + amount
        weighted += weighted_pipeline(pipeline, g.deals)
    own = resolve(settings, covered)
    stats = stage_stats(Pipeline.of(own), groups.get(own, _Group([], [])).stays)
    first = date(now.year, now.month, 1)
    horizon = [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(months)
    ]
    return {
        "as_of": now.isoformat(),
        "open_opportunities": deals,
        "weighted_pipeline": float(weighted),
        "months": [
            {"month": m.isoformat()[:7], "expected": float(expected.get(m, Decimal(0)))}
            for m in horizon
        ],
        "stages": [
            {
                "stage": s.stage,
                "conversion_to_next": float(s.conversion),
                "conversion_measured": s.conversion_measured,
                "average_days": round(s.avg_days, 1),
                "days_measured": s.days_measured,
                "decided": s.decided,
            }
            for s in stats
        ],
    }


def funnel_stages(
    settings: Mapping[str, Stages | None], covered: str | None, branches: Iterable[str]
) -> list[str]:
    """The stages a funnel report lists: the scope's pipeline, then those only other branches'
    pipelines have (in their order)."""
    stages = [s.stage for s in resolve(settings, covered)]
    for branch in sorted(branches):
        stages += [s.stage for s in resolve(settings, branch) if s.stage not in stages]
    return stages
