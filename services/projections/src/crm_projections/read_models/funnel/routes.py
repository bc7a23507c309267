"""The reports read from the funnel: the funnel by stage, the forecast, lost deals, competitors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text

from crm_projections.queries import IN_SCOPE, Engine, during, fresh, period, scope
from crm_projections.read_models.funnel.forecast import OpenDeal, Stay
from crm_projections.read_models.funnel.scoped import forecast_body, funnel_stages
from crm_projections.read_models.sales_settings import pipelines

router = APIRouter()


@handles(router, api.FUNNEL)
async def funnel(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Pipeline, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "select branch, stage, opportunities, amount"
                    f" from reporting.funnel where {IN_SCOPE}"
                ),
                {"b": covered, "r": q.region},
            )
        ).all()
        settings = await pipelines.settings(conn)
    found: dict[str, tuple[int, Decimal]] = {}
    for _, stage, count, amount in rows:
        n, total = found.get(stage, (0, Decimal(0)))
        found[stage] = (n + count, total + (amount or Decimal(0)))
    stages = [
        {"stage": s, "count": found.get(s, (0, 0))[0], "amount": float(found.get(s, (0, 0))[1])}
        for s in funnel_stages(settings, covered, {r[0] for r in rows})
    ]
    body = {"branch": covered, "region": q.region, "stages": stages}
    return json_response(body, headers=headers)


@handles(router, api.FORECAST)
async def forecast_report(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Forecast, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    where = f"where {IN_SCOPE}"
    args = {"b": covered, "r": q.region}
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot
        finished = await conn.execute(
            text(
                "select branch, opportunity_id, stage, entered_at, left_at, next_stage, lost"
                f" from reporting.stage_stays {where}"
            ),
            args,
        )
        stays = [(branch, Stay(*r)) for branch, *r in finished]
        current = await conn.execute(
            text(
                "select branch, opportunity_id, stage, amount, stage_entered_at, status"
                f" from reporting.opportunities {where}"
            ),
            args,
        )
        deals = [(branch, OpenDeal(*r), status) for branch, *r, status in current]
        settings = await pipelines.settings(conn)
    body = forecast_body(settings, covered, stays, deals, datetime.now(UTC), q.months)
    return json_response({"branch": covered, "region": q.region, **body}, headers=headers)


def _grouped(rows: list[tuple[str, int, Decimal]]) -> list[dict[str, object]]:
    totals: dict[str, tuple[int, Decimal]] = {}
    for key, n, amount in rows:
        count, total = totals.get(key, (0, Decimal(0)))
        totals[key] = (count + n, total + (amount or Decimal(0)))
    return [
        {"key": k, "opportunities": n, "amount": float(a)}
        for k, (n, a) in sorted(totals.items(), key=lambda kv: -kv[1][0])
    ]


LOST = f"""
select lost_reason, lost_stage, coalesce(competitor, ''), count(*)::int, sum(amount)
from reporting.opportunities
where status = 'lost' and (cast(:b as text) is null or branch = :b) and {during("closed_at")}
group by 1, 2, 3
"""


@handles(router, api.LOST_DEALS)
async def lost_deals(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(LOST), period(q, covered))).all()
    body = {
        "branch": covered,
        "since": q.since,
        "until": q.until,
        "lost": sum(r[3] for r in rows),
        "by_reason": _grouped([(r[0], r[3], r[4]) for r in rows]),
        "by_stage": _grouped([(r[1], r[3], r[4]) for r in rows]),
        "by_competitor": _grouped([(r[2], r[3], r[4]) for r in rows if r[2]]),
    }
    return json_response(body, headers=headers)


# reporting.competitor_results, for the deals decided in the period
COMPETITOR_RESULTS = f"""
with decided as (
    select * from projections.funnel_opportunities
    where status in ('won', 'lost') and (cast(:b as text) is null or branch = :b)
      and {during("closed_at")}
), faced as (
    select c.competitor, o.status, o.competitor as winner, o.amount, o.opportunity_id
    from projections.opportunity_competitors c join decided o using (opportunity_id)
    union
    select o.competitor, o.status, o.competitor, o.amount, o.opportunity_id
    from decided o where o.status = 'lost' and o.competitor is not null
)
select competitor, count(*)::int,
       count(*) filter (where status = 'won')::int,
       count(*) filter (where status = 'lost' and winner = competitor)::int,
       count(*) filter (where status = 'lost' and winner is distinct from competitor)::int,
       coalesce(sum(amount) filter (where status = 'won'), 0),
       coalesce(sum(amount) filter (where status = 'lost' and winner = competitor), 0)
from faced group by competitor order by 2 desc, 1
"""


@handles(router, api.COMPETITORS)
async def competitors(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(COMPETITOR_RESULTS), period(q, covered))).all()
    body = {
        "branch": covered,
        "since": q.since,
        "until": q.until,
        "competitors": [
            {
                "competitor": name,
                "decided": decided,
                "we_won": ours,
                "they_won": theirs,
                "others_won": others,
                "win_rate": round(ours / decided, 4) if decided else None,
                "their_share": round(theirs / decided, 4) if decided else None,
                "amount_we_won": float(won),
                "amount_they_won": float(lost),
            }
            for name, decided, ours, theirs, others, won, lost in rows
        ],
    }
    return json_response(body, headers=headers)
