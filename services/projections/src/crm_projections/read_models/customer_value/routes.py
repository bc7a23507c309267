"""The customer-value reports and settings, and the on-demand run."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import polars as pl
from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import crm_projections.read_models.customer_value.value as value
from crm_projections.queries import Engine, number, rows_of, scope
from crm_projections.read_models.customer_value.run import run_analysis

router = APIRouter()


@handles(router, api.CUSTOMER_VALUE)
async def customer_value(
    actor: CurrentActor,
    engine: Engine,
    request: Request,
    q: Annotated[api.CustomerValueQuery, Query()],
) -> Response:
    """The latest run's results within the caller's scope; the 80/20 share within that scope."""
    covered = scope(actor, q.branch)
    rows = await rows_of(engine, "customer_values", covered, "score desc, account_id")
    frame = pl.DataFrame(
        {"revenue": [number(r["revenue"]) for r in rows]},
        schema={"revenue": pl.Float64},
    )
    grades = {g: sum(1 for r in rows if r["grade"] == g) for g in ("A", "B", "C")}
    body = {
        "branch": covered,
        "computed_at": rows[0]["computed_at"] if rows else None,
        "customers_graded": len(rows),
        "grades": grades,
        "top_20_percent_revenue_share": value.top_share(frame),
        "customers": [r for r in rows if q.grade is None or r["grade"] == q.grade],
    }
    return json_response(body)


@handles(router, api.RUN_CUSTOMER_VALUE)
async def run_customer_value(actor: CurrentActor, request: Request) -> Response:
    return json_response(await run_analysis(request.app.state))


@handles(router, api.VALUE_SETTINGS)
async def value_settings(actor: CurrentActor, engine: Engine) -> Response:
    async with engine.connect() as conn:
        current = await value.current_settings(conn)
    return json_response(dataclasses.asdict(current))


@handles(router, api.CHANGE_VALUE_SETTINGS)
async def change_value_settings(
    body: api.ValueSettings, actor: CurrentActor, engine: Engine
) -> Response:
    settings = value.ValueSettings(**body.model_dump())
    await value.change_settings(engine, settings, actor.user_id)
    return json_response(dataclasses.asdict(settings))
