"""The forecast and the funnel use the pipeline configured for each branch: its own, else the
company's, else the defaults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from crm_events.opportunities import PipelineStage
from crm_projections.read_models.funnel.forecast import OpenDeal
from crm_projections.read_models.funnel.scoped import forecast_body, funnel_stages
from crm_projections.read_models.sales_settings.pipelines import DEFAULT, Stages

NOW = datetime(2026, 5, 10, 9, tzinfo=UTC)
GZ01: Stages = (
    PipelineStage("prospecting", Decimal(20)),
    PipelineStage("contact", Decimal(50)),
    PipelineStage("won", Decimal(100)),
)
SETTINGS: dict[str, Stages | None] = {"GZ01": GZ01, "SH01": None}


def deal(oid: str, stage: str) -> OpenDeal:
    return OpenDeal(oid, stage, Decimal(1000), NOW - timedelta(days=1))


OPEN = [("SH01", deal("o1", "bidding"), "open"), ("GZ01", deal("o2", "contact"), "open")]


def stages(body: dict[str, Any]) -> dict[str, float]:
    return {s["stage"]: s["conversion_to_next"] for s in body["stages"]}


def test_a_branch_with_its_own_pipeline_gets_its_own_stage_probabilities() -> None:
    own = forecast_body(SETTINGS, "GZ01", [], [o for o in OPEN if o[0] == "GZ01"], NOW, 3)
    # unmeasured: the rates implied by the probabilities, 20 % -> 50 % -> won
    assert stages(own) == {"prospecting": 0.4, "contact": 0.5, "won": 1.0}
    assert own["weighted_pipeline"] == 500.0  # 1000 x 50 %
    assert sum(m["expected"] for m in own["months"]) == 500.0


def test_a_branch_without_one_keeps_the_default_pipeline() -> None:
    other = forecast_body(SETTINGS, "SH01", [], [o for o in OPEN if o[0] == "SH01"], NOW, 3)
    assert list(stages(other)) == [s.stage for s in DEFAULT]
    assert other["weighted_pipeline"] == 400.0  # 1000 x 40 % (bidding)


def test_the_company_adds_up_each_branch_with_its_own_pipeline() -> None:
    company = forecast_body(SETTINGS, None, [], OPEN, NOW, 3)
    assert company["open_opportunities"] == 2
    assert company["weighted_pipeline"] == 900.0
    assert list(stages(company)) == [s.stage for s in DEFAULT]  # the company's own pipeline


def test_a_company_pipeline_applies_to_the_branches_without_their_own() -> None:
    settings = {**SETTINGS, "company": GZ01}
    other = forecast_body(settings, "SH01", [], [("SH01", deal("o3", "contact"), "open")], NOW, 3)
    assert stages(other) == {"prospecting": 0.4, "contact": 0.5, "won": 1.0}


def test_the_funnel_lists_the_scopes_stages_then_those_of_other_branches() -> None:
    assert funnel_stages(SETTINGS, "GZ01", ["GZ01"]) == ["prospecting", "contact", "won"]
    assert funnel_stages(SETTINGS, None, ["GZ01", "SH01"]) == [
        "prospecting",
        "bidding",
        "negotiation",
        "won",
        "contact",
    ]
