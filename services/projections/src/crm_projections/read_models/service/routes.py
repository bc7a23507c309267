"""The report read from the service tickets: service quality."""

from __future__ import annotations

from typing import Annotated

from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text

from crm_projections.queries import Engine, during, fresh, period, rate, scope

router = APIRouter()

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
    headers = await fresh(request, engine, q.consistent_with)
    args = period(q, covered)
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
        "satisfaction_rate": rate(praise, feedback),
        "complaint_rate": rate(complaints, tickets),
        "sla_breach_rate": rate(breaches, tickets),
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
