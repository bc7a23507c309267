"""The report queries, answered from the read models in the caller's scope (routes: crm_api.reports).

Scope: a branch caller sees its own branch only; an HQ caller the branch it names, or the whole
company. A branch outside the caller's reach is answered like one that does not exist (404).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import uuid4

import httpx
import polars as pl
from crm_api import reports as api
from crm_platform.auth import Actor, internal_headers
from crm_platform.consistency import ConsistencyToken
from crm_platform.http import Problem, json_response
from crm_platform.service import CurrentActor, handles
from crm_platform.settings import Settings
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_projections import rollups, value
from crm_projections.forecast import (
    OpenDeal,
    Pipeline,
    Stay,
    forecast,
    stage_stats,
    weighted_pipeline,
)

router = APIRouter()
log = logging.getLogger("crm.projections.reports")

# the default pipeline; a branch's own pipeline (sales settings) is not yet projected
PIPELINE = Pipeline(
    stages=("prospecting", "bidding", "negotiation", "won"),
    probabilities={
        "prospecting": Decimal("0.10"),
        "bidding": Decimal("0.40"),
        "negotiation": Decimal("0.70"),
        "won": Decimal("1"),
    },
)


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


Engine = Annotated[AsyncEngine, Depends(_engine)]


def scope(actor: Actor, branch: str | None) -> str | None:
    """The branch a report covers: None is the whole company (HQ only)."""
    if branch is None:
        return None if actor.is_hq else actor.branch
    if not actor.sees(branch):
        raise Problem(404, "Not found", "There is no such branch.", field="branch")
    return branch


async def caught_up(
    engine: AsyncEngine, followers: dict[str, list[str]], raw: str | None, wait: float
) -> bool:
    """Wait (bounded) until every read model following the token's context has applied the write
    behind it. `followers`: context -> the read models that follow it."""
    if raw is None:
        return True
    try:
        token = ConsistencyToken.parse(raw)
    except ValueError as exc:
        raise Problem(422, "The request is not valid", str(exc), field="consistent_with") from None
    projections = followers.get(token.context, [])
    deadline = time.monotonic() + wait
    query = text(
        "select count(*) from projections.stream_progress"
        " where projection = any(:p) and stream_id = :s and version >= :v"
    )
    while True:
        async with engine.connect() as conn:
            done = (
                await conn.execute(
                    query, {"p": projections, "s": token.stream_id, "v": token.version}
                )
            ).scalar()
        if done == len(projections):
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)


async def _fresh(request: Request, engine: AsyncEngine, raw: str | None) -> dict[str, str]:
    wait = request.app.state.settings.consistency_wait_seconds
    followers = request.app.state.followers
    return {} if await caught_up(engine, followers, raw, wait) else {"X-CRM-Stale": "true"}


# a branch's pipeline, or every branch's, or those of one region (by the tree as it is now)
IN_SCOPE = (
    "(cast(:b as text) is null or branch = :b)"
    " and (cast(:r as text) is null or reporting.region_at(branch, now()) = :r)"
)


@handles(router, api.FUNNEL)
async def funnel(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Pipeline, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "select stage, sum(opportunities)::int, coalesce(sum(amount), 0)"
                f" from reporting.funnel where {IN_SCOPE} group by stage"
            ),
            {"b": covered, "r": q.region},
        )
        found = {stage: (count, amount) for stage, count, amount in rows}
    stages = [
        {"stage": s, "count": found.get(s, (0, 0))[0], "amount": float(found.get(s, (0, 0))[1])}
        for s in PIPELINE.stages
    ]
    body = {"branch": covered, "region": q.region, "stages": stages}
    return json_response(body, headers=headers)


@handles(router, api.FORECAST)
async def forecast_report(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Forecast, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    where = f"where {IN_SCOPE}"
    args = {"b": covered, "r": q.region}
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot
        finished = await conn.execute(
            text(
                "select opportunity_id, stage, entered_at, left_at, next_stage, lost"
                f" from reporting.stage_stays {where}"
            ),
            args,
        )
        stays = [Stay(*r) for r in finished]
        current = await conn.execute(
            text(
                "select opportunity_id, stage, amount, stage_entered_at, status"
                f" from reporting.opportunities {where}"
            ),
            args,
        )
        deals: list[OpenDeal] = []
        for oid, stage, amount, entered, status in current:
            if status == "open":
                deals.append(OpenDeal(oid, stage, amount, entered))
                stays.append(Stay(oid, stage, entered, None, None))
    now = datetime.now(UTC)
    stats = stage_stats(PIPELINE, stays)
    months = forecast(PIPELINE, stats, deals, now)
    first = date(now.year, now.month, 1)
    horizon = [
        date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        for i in range(q.months)
    ]
    body = {
        "branch": covered,
        "region": q.region,
        "as_of": now.isoformat(),
        "open_opportunities": len(deals),
        "weighted_pipeline": float(weighted_pipeline(PIPELINE, deals)),
        "months": [
            {"month": m.isoformat()[:7], "expected": float(months.get(m, Decimal(0)))}
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
    return json_response(body, headers=headers)


def _grouped(rows: list[tuple[str, int, Decimal]]) -> list[dict[str, object]]:
    totals: dict[str, tuple[int, Decimal]] = {}
    for key, n, amount in rows:
        count, total = totals.get(key, (0, Decimal(0)))
        totals[key] = (count + n, total + (amount or Decimal(0)))
    return [
        {"key": k, "opportunities": n, "amount": float(a)}
        for k, (n, a) in sorted(totals.items(), key=lambda kv: -kv[1][0])
    ]


def during(column: str) -> str:
    """SQL: `column` falls in the asked period (:since inclusive, :until exclusive; either open)."""
    return (
        f"(cast(:since as date) is null or {column} >= cast(:since as date))"
        f" and (cast(:until as date) is null or {column} < cast(:until as date))"
    )


def _period(q: api.Period, covered: str | None) -> dict[str, object]:
    return {"b": covered, "since": q.since, "until": q.until}


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
    headers = await _fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(LOST), _period(q, covered))).all()
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
    headers = await _fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        rows = (await conn.execute(text(COMPETITOR_RESULTS), _period(q, covered))).all()
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


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


SERVICE_TOTALS = f"""
select count(*)::int, count(*) filter (where ticket_type = 'complaint')::int,
       count(*) filter (where breached_at is not null)::int,
       count(*) filter (where feedback_kind is not null)::int,
       count(*) filter (where feedback_kind = 'praise')::int
from reporting.service_tickets
where (cast(:b as text) is null or branch = :b) and {during("opened_at")}
"""
COMPLAINT_DELAYS = f"""
select grade, count(*)::int, avg(hours_late) from reporting.complaint_delays
where (cast(:b as text) is null or branch = :b) and {during("opened_at")}
group by grade order by grade
"""
REPAIRS = f"""
select coalesce(product, ''), severity, count(*)::int,
       avg(extract(epoch from (first_resolved_at - opened_at)) / 3600),
       sum(parts_amount), sum(charges_amount)
from reporting.service_tickets
where ticket_type = 'repair' and (cast(:b as text) is null or branch = :b)
  and {during("opened_at")}
group by 1, 2 order by 3 desc
"""


@handles(router, api.SERVICE_QUALITY)
async def service_quality(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    """Over the tickets opened in the period (all of them without one)."""
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    args = _period(q, covered)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="REPEATABLE READ")  # one snapshot
        totals = (await conn.execute(text(SERVICE_TOTALS), args)).one()
        delays = (await conn.execute(text(COMPLAINT_DELAYS), args)).all()
        repairs = (await conn.execute(text(REPAIRS), args)).all()
    tickets, complaints, breaches, feedback, praise = totals
    body = {
        "branch": covered,
        "since": q.since,
        "until": q.until,
        "tickets": tickets,
        "satisfaction_rate": _rate(praise, feedback),
        "complaint_rate": _rate(complaints, tickets),
        "sla_breach_rate": _rate(breaches, tickets),
        "complaint_delays_by_grade": [
            {"grade": g, "complaints": n, "average_hours_late": round(float(h or 0), 1)}
            for g, n, h in delays
        ],
        "repairs": [
            {
                "product": p or None,
                "severity": sev,
                "repairs": n,
                "average_hours": round(float(h), 1) if h is not None else None,
                "parts_amount": float(parts or 0),
                "charges_amount": float(charges or 0),
            }
            for p, sev, n, h, parts, charges in repairs
        ],
    }
    return json_response(body, headers=headers)


async def _rows(
    engine: AsyncEngine,
    view: str,
    covered: str | None,
    order: str,
    also: str = "true",
    args: dict[str, object] | None = None,
) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        found = await conn.execute(
            text(
                f"select * from reporting.{view}"
                f" where (cast(:b as text) is null or branch = :b) and {also} order by {order}"
            ),
            {"b": covered, **(args or {})},
        )
        return [
            {
                k: float(v)
                if isinstance(v, Decimal)
                else v.isoformat()
                if isinstance(v, date | datetime)
                else v
                for k, v in row.items()
            }
            for row in found.mappings()
        ]


@handles(router, api.OVERDUE_LEADS)
async def overdue_leads(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Scope, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    rows = await _rows(engine, "overdue_leads", covered, "overdue_since")
    return json_response({"branch": covered, "leads": rows}, headers=headers)


@handles(router, api.CAMPAIGNS)
async def campaigns(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    """The campaigns starting in the period (all of them without one)."""
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    rows = await _rows(
        engine,
        "campaign_effectiveness",
        covered,
        "starts_on desc, campaign_id",
        during("starts_on"),
        {"since": q.since, "until": q.until},
    )
    body = {"branch": covered, "since": q.since, "until": q.until, "campaigns": rows}
    return json_response(body, headers=headers)


@handles(router, api.NEGLECTED)
async def neglected(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Neglected, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    rows = [
        r
        for r in await _rows(engine, "neglected_customers", covered, "days_without_contact desc")
        if isinstance(r["days_without_contact"], int) and r["days_without_contact"] >= q.days
    ]
    return json_response({"branch": covered, "days": q.days, "customers": rows}, headers=headers)


def _num(v: object) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


@handles(router, api.RECEIVABLES)
async def receivables(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Scope, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    rows = await _rows(engine, "receivables", covered, "overdue desc, outstanding desc")
    amount = sum(_num(r["amount"]) for r in rows)
    collected = sum(_num(r["collected"]) for r in rows)
    body = {
        "branch": covered,
        "contracts": len(rows),
        "amount": round(amount, 2),
        "collected": round(collected, 2),
        "outstanding": round(amount - collected, 2),
        "percent_collected": round(collected / amount, 4) if amount else None,
        "overdue": round(sum(_num(r["overdue"]) for r in rows), 2),
        "bad_debt_risks": sum(1 for r in rows if r["bad_debt_risk"]),
        "overdue_contracts": [r for r in rows if r["overdue"]],
    }
    return json_response(body, headers=headers)


PRODUCTS = f"""
with sales as (
    select product, sum(quantity - returned) as volume,
           sum(revenue - returned_value) as revenue, sum(margin - returned_margin) as margin,
           sum(returned) as returned, sum(returned_value) as returned_value
    from reporting.product_sales
    where (cast(:b as text) is null or branch = :b) and {during("signed_at")}
    group by product
), complaints as (
    select product, count(*) as complaints from reporting.service_tickets
    where ticket_type = 'complaint' and product is not null
      and (cast(:b as text) is null or branch = :b) and {during("opened_at")}
    group by product
)
select product, coalesce(volume, 0), coalesce(revenue, 0), coalesce(margin, 0),
       coalesce(returned, 0), coalesce(returned_value, 0), coalesce(complaints, 0)
from sales full join complaints using (product)
"""


@handles(router, api.PRODUCTS)
async def products(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    """Sales of the contracts signed in the period, complaints of the tickets opened in it."""
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        found = (await conn.execute(text(PRODUCTS), _period(q, covered))).all()
    items = [
        {
            "product": p,
            "volume": float(v),
            "revenue": float(r),
            "margin": float(m),
            "returned": float(rq),
            "returned_value": float(rv),
            "complaints": int(c),
        }
        for p, v, r, m, rq, rv, c in found
    ]
    for measure in ("revenue", "volume", "margin", "complaints", "returned_value"):
        ordered = sorted(items, key=lambda i: (-i[measure], i["product"]))
        for rank, item in enumerate(ordered, 1):
            item[f"{measure}_rank"] = rank
    items.sort(key=lambda i: i["revenue_rank"])
    body = {"branch": covered, "since": q.since, "until": q.until, "products": items}
    return json_response(body, headers=headers)


PEOPLE = f"""
with people as (
    select branch, assignee as person, 'leads' as measure, count(*)::numeric as value
    from projections.leads where assignee is not null and {during("assigned_at")} group by 1, 2
    union all
    select branch, owner_id, 'opportunities', count(*) from projections.funnel_opportunities
    where {during("opened_at")} group by 1, 2
    union all
    select branch, owner_id, 'quotes', sum(quotes) from projections.funnel_opportunities
    where {during("opened_at")} group by 1, 2
    union all
    select branch, owner_id, 'won', count(*) from projections.funnel_opportunities
    where status = 'won' and {during("closed_at")} group by 1, 2
    union all
    select branch, owner_id, 'won_revenue', sum(amount) from projections.funnel_opportunities
    where status = 'won' and {during("closed_at")} group by 1, 2
    union all
    select branch, user_id, 'visits', count(*) from projections.activities
    where kind = 'visit' and {during("at")} group by 1, 2
    union all
    select branch, user_id, 'contacts', count(*) from projections.activities
    where {during("at")} group by 1, 2
    union all
    select branch, feedback_agent, 'praise', count(*) from projections.service_tickets
    where feedback_kind = 'praise' and feedback_agent is not null and {during("feedback_at")}
    group by 1, 2
    union all
    select branch, feedback_agent, 'complaints', count(*) from projections.service_tickets
    where feedback_kind = 'complaint' and feedback_agent is not null and {during("feedback_at")}
    group by 1, 2
)
select branch, person, measure, value from people
where cast(:b as text) is null or branch = :b
"""
PEOPLE_MEASURES = (
    "leads",
    "opportunities",
    "quotes",
    "visits",
    "contacts",
    "won",
    "won_revenue",
    "praise",
    "complaints",
)


@handles(router, api.PEOPLE)
async def people(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    """Per person and per branch. Complaints and praise are the customers' verdicts on the
    tickets a person resolved; visits and contacts are logged interactions and follow-ups.
    In a period: leads assigned, opportunities (and their quotes) opened, deals won, contacts
    made and verdicts given in it."""
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        found = (await conn.execute(text(PEOPLE), _period(q, covered))).all()
    zero = dict.fromkeys(PEOPLE_MEASURES, 0.0)
    persons: dict[tuple[str, str], dict[str, float]] = {}
    branches: dict[str, dict[str, float]] = {}
    for branch, person, measure, amount in found:
        persons.setdefault((branch, person), dict(zero))[measure] += float(amount)
        branches.setdefault(branch, dict(zero))[measure] += float(amount)
    body = {
        "branch": covered,
        "since": q.since,
        "until": q.until,
        "people": [
            {"branch": b, "person": p, **m}
            for (b, p), m in sorted(persons.items(), key=lambda kv: (-kv[1]["won_revenue"], kv[0]))
        ],
        "branches": [{"branch": b, **m} for b, m in sorted(branches.items())],
    }
    return json_response(body, headers=headers)


@handles(router, api.CUSTOMER_VALUE)
async def customer_value(
    actor: CurrentActor,
    engine: Engine,
    request: Request,
    q: Annotated[api.CustomerValueQuery, Query()],
) -> Response:
    """The latest run's results within the caller's scope; the 80/20 share within that scope."""
    covered = scope(actor, q.branch)
    rows = await _rows(engine, "customer_values", covered, "score desc, account_id")
    frame = pl.DataFrame(
        {"revenue": [_num(r["revenue"]) for r in rows]},
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


async def run_analysis(app_state: Any, now: datetime | None = None) -> dict[str, Any]:
    """Grade every customer now and send the changed grades to the leads context."""
    engine: AsyncEngine = app_state.engine
    settings: Settings = app_state.settings
    frame = await value.compute(engine, now or datetime.now(UTC))
    analyst = Actor(api.ANALYST, "admin", "HQ")
    async with httpx.AsyncClient(base_url=settings.url_of("leads"), timeout=10) as client:

        async def send(account_id: str, grade: str) -> bool:
            try:
                answer = await client.put(
                    f"/accounts/{account_id}/grade",
                    json={"grade": grade},
                    headers={
                        **internal_headers(settings.internal_key, analyst),
                        "Idempotency-Key": f"analysis:{account_id}:{grade}:{uuid4()}",
                    },
                )
            except httpx.HTTPError as exc:
                log.warning("grade of %s not sent: %s", account_id, exc)
                return False
            if answer.status_code != 200:
                log.warning("grade of %s refused: %s", account_id, answer.text)
            return answer.status_code == 200

        published = await value.publish(engine, frame, send)
    counts = frame.group_by("grade").len().rows() if frame.height else []
    return {
        "customers_graded": frame.height,
        "grades": {g: n for g, n in sorted(counts)},
        "grades_published": published,
    }


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


@handles(router, api.ROLLUPS)
async def rollups_report(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Rollup, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await _fresh(request, engine, q.consistent_with)
    now = datetime.now(UTC)
    current = rollups.window(q.period, q.at or now.date())
    windows = {
        "current": current,
        "previous": rollups.window(q.period, current.start, back=1),
        "last_year": rollups.last_year(current),
    }
    async with engine.connect() as conn:
        # one snapshot for every query of the report, so its windows cannot disagree
        await conn.execution_options(isolation_level="REPEATABLE READ")
        measured = {
            name: await rollups.measure(
                conn, w, branch=covered, group_by=q.group_by, tree=q.tree, now=now
            )
            for name, w in windows.items()
        }
        to_date = await rollups.attainment(
            conn, branch=covered, group_by=q.group_by, tree=q.tree, now=now
        )
    groups = sorted({g for m in measured.values() for g in m} | set(to_date))
    body = {
        "branch": covered,
        "period": q.period,
        "group_by": q.group_by,
        "tree": q.tree,
        "periods": {name: w.label for name, w in windows.items()},
        "groups": [
            {
                "group": g,
                **{name: m.get(g) for name, m in measured.items()},
                "quota_attainment_to_date": to_date.get(g, {}),
            }
            for g in groups
        ],
    }
    return json_response(body, headers=headers)
