"""The reports read from the contracts: receivables, and product rankings (with the complaints
the service desk recorded against each product)."""

from __future__ import annotations

from typing import Annotated

from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text

from crm_projections.queries import Engine, during, fresh, number, period, rows_of, scope

router = APIRouter()


@handles(router, api.RECEIVABLES)
async def receivables(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Scope, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    rows = await rows_of(engine, "receivables", covered, "overdue desc, outstanding desc")
    amount = sum(number(r["amount"]) for r in rows)
    collected = sum(number(r["collected"]) for r in rows)
    body = {
        "branch": covered,
        "contracts": len(rows),
        "amount": round(amount, 2),
        "collected": round(collected, 2),
        "outstanding": round(amount - collected, 2),
        "percent_collected": round(collected / amount, 4) if amount else None,
        "overdue": round(sum(number(r["overdue"]) for r in rows), 2),
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
    headers = await fresh(request, engine, q.consistent_with)
    async with engine.connect() as conn:
        found = (await conn.execute(text(PRODUCTS), period(q, covered))).all()
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
