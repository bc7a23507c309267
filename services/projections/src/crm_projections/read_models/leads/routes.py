"""The reports read from leads, accounts, campaigns and activities: overdue leads, campaigns,
neglected customers, and people (with the opportunities and tickets each person handled)."""

from __future__ import annotations

from typing import Annotated

from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text

from crm_projections.queries import Engine, during, fresh, period, rows_of, scope

router = APIRouter()


@handles(router, api.OVERDUE_LEADS)
async def overdue_leads(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Scope, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    rows = await rows_of(engine, "overdue_leads", covered, "overdue_since")
    return json_response({"branch": covered, "leads": rows}, headers=headers)


@handles(router, api.CAMPAIGNS)
async def campaigns(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Period, Query()]
) -> Response:
    """The campaigns starting in the period (all of them without one)."""
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    rows = await rows_of(
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
    headers = await fresh(request, engine, q.consistent_with)
    rows = [
        r
        for r in await rows_of(engine, "neglected_customers", covered, "days_without_contact desc")
        if isinstance(r["days_without_contact"], int) and r["days_without_contact"] >= q.days
    ]
    return json_response({"branch": covered, "days": q.days, "customers": rows}, headers=headers)


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
    headers = await fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        found = (await conn.execute(text(PEOPLE), period(q, covered))).all()
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
