"""A branch's pipeline: its own, else the company's, else the defaults (as the opportunities
context resolves it when it moves an opportunity through its stages)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from crm_events.opportunities import PipelineStage
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

Stages = tuple[PipelineStage, ...]
COMPANY = "company"
DEFAULT: Stages = (
    PipelineStage("prospecting", Decimal(10)),
    PipelineStage("bidding", Decimal(40)),
    PipelineStage("negotiation", Decimal(70)),
    PipelineStage("won", Decimal(100)),
)


def resolve(settings: Mapping[str, Stages | None], scope: str | None) -> Stages:
    """The pipeline of `scope` (a branch, or None for the company)."""
    for wider in (scope or COMPANY, COMPANY):
        if (stages := settings.get(wider)) is not None:
            return stages
    return DEFAULT


async def settings(conn: AsyncConnection) -> dict[str, Stages | None]:
    """Every scope's own pipeline (None where it keeps the wider one)."""
    found = await conn.execute(text("select scope, pipeline from projections.sales_settings"))
    return {scope: None if raw is None else from_json(raw) for scope, raw in found}


def from_json(raw: str) -> Stages:
    return tuple(PipelineStage(s["stage"], Decimal(s["probability"])) for s in json.loads(raw))
