"""Regional rollups (DOMAIN.md §5): per branch, region or the company and per month, quarter or
year, with the previous period and the same period last year.

Flows are counted in the period by when they happened (won revenue, contracts signed, tickets
opened, SLA breaches, feedback); stocks are taken at the period's end, or now while it runs
(open pipeline by stage, receivables, overdue). A fact belongs to the region its branch was in
when it happened (`tree=as_then`), or to its branch's current region (`tree=current`). Quota
attainment compares won revenue with the branch quotas of the period's months so far, and month,
quarter and year to date.

A report across read models (funnel, contracts, service, quotas, organisation), so it sits beside
them rather than in one of their folders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from crm_api import reports as api
from crm_platform.http import json_response
from crm_platform.service import CurrentActor, handles
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from crm_projections.queries import Engine, fresh, scope

router = APIRouter()


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # exclusive

    @property
    def label(self) -> str:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        if months == 1:
            return self.start.isoformat()[:7]
        if months == 3:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def window(period: str, at: date, back: int = 0) -> Window:
    """The `period` containing `at`, moved `back` periods earlier."""
    size = {"month": 1, "quarter": 3, "year": 12}[period]
    first = date(at.year, 1 if period == "year" else at.month - (at.month - 1) % size, 1)
    start = _add_months(first, -size * back)
    return Window(start, _add_months(start, size))


def last_year(w: Window) -> Window:
    return Window(_add_months(w.start, -12), _add_months(w.end, -12))


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
def _group(group_by: str, tree: str, at: str) -> str:  # pragma: no mutate block
    """The SQL expression naming a fact's group (whitelisted: never built from input)."""
    if group_by == "branch":
        return "branch"
    if group_by == "company":
        return "'company'"
    moment = "now()" if tree == "current" else at
    return f"coalesce(reporting.region_at(branch, {moment}), '(no region)')"


SCOPE = "(cast(:b as text) is null or branch = :b)"


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
def _flows(g: Any) -> dict[str, str]:  # pragma: no mutate block
    """Measures counted by when they happened in [:start, :end)."""
    within = "{0} >= :start and {0} < :end"
    return {
        "won": f"select {g('closed_at')}, count(*), coalesce(sum(amount), 0)"
        " from projections.funnel_opportunities"
        f" where status = 'won' and {within.format('closed_at')} and {SCOPE} group by 1",
        "signed": f"select {g('signed_at')}, count(*), coalesce(sum(amount), 0)"
        f" from projections.contracts where {within.format('signed_at')} and {SCOPE} group by 1",
        "tickets": f"select {g('opened_at')}, count(*),"
        " count(*) filter (where ticket_type = 'complaint')"
        f" from projections.service_tickets where {within.format('opened_at')} and {SCOPE}"
        " group by 1",
        "breaches": f"select {g('breached_at')}, count(*), 0 from projections.service_tickets"
        f" where {within.format('breached_at')} and {SCOPE} group by 1",
        "feedback": f"select {g('feedback_at')}, count(*),"
        " count(*) filter (where feedback_kind = 'praise'), avg(feedback_score)"
        f" from projections.service_tickets where {within.format('feedback_at')} and {SCOPE}"
        " group by 1",
    }


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
def _quota(g: Any) -> str:  # pragma: no mutate block
    """The branch quotas of the months from :start to :quota_end."""
    return (
        f"select {g('make_date(year, month, 1)::timestamptz')}, coalesce(sum(amount), 0)"
        " from (select coalesce(branch, key) as branch, year, month, amount"
        "       from projections.quota_months where dimension = 'branch') q"
        " where make_date(year, month, 1) >= :start and make_date(year, month, 1) < :quota_end"
        f" and {SCOPE} group by 1"
    )


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def _attainment(
    conn: AsyncConnection, w: Window, g: Any, branch: str | None, now: datetime
) -> dict[str, tuple[float, float | None]]:  # pragma: no mutate block
    """Per group: the quota of the months of `w` begun by `now`, and its attainment (won
    revenue so far / that quota)."""
    start = datetime.combine(w.start, time(), UTC)
    end = datetime.combine(w.end, time(), UTC)
    args = {"start": start, "end": min(end, now), "b": branch, "quota_end": quota_end(w, now)}
    quotas = {row[0]: _money(row[1]) for row in await conn.execute(text(_quota(g)), args)}
    won = {row[0]: _money(row[2]) for row in await conn.execute(text(_flows(g)["won"]), args)}
    return attained(quotas, won)


def quota_end(w: Window, now: datetime) -> date:
    """The end (exclusive) of the quota months of `w` begun by `now`: the whole period once it
    is over, else up to the month `now` is in."""
    if datetime.combine(w.end, time(), UTC) <= now:
        return w.end
    return _add_months(date(now.year, now.month, 1), 1)


def attained(
    quotas: dict[str, float], won: dict[str, float]
) -> dict[str, tuple[float, float | None]]:
    """Per group: its quota and won revenue / quota (None without a quota)."""
    return {
        k: (quotas.get(k, 0.0), _rate(won.get(k, 0.0), quotas.get(k, 0.0))) for k in quotas | won
    }


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
def _stocks(g: Any) -> dict[str, str]:  # pragma: no mutate block
    """Measures taken at the moment :t."""
    return {
        "pipeline": f"select {g(':t')}, stage, count(*), coalesce(sum(amount), 0) from ("
        " select o.branch, o.amount, coalesce("
        "   (select s.stage from projections.opportunity_stays s"
        "    where s.opportunity_id = o.opportunity_id and s.entered_at <= :t and s.left_at > :t"
        "    limit 1),"
        "   case when o.stage_entered_at <= :t then o.stage end) as stage"
        " from projections.funnel_opportunities o"
        " where o.opened_at <= :t and (o.closed_at is null or o.closed_at > :t)"
        f"   and {SCOPE.replace('branch', 'o.branch')}"
        ") x where stage is not null group by 1, 2",
        "receivables": f"select {g(':t')}, count(*),"
        " coalesce(sum(c.amount - coalesce(p.paid, 0)), 0)"
        " from projections.contracts c left join ("
        "   select contract_id, sum(amount) as paid from projections.contract_allocations"
        "   where received_at <= :t group by 1) p using (contract_id)"
        " where c.signed_at <= :t and (c.status <> 'terminated' or c.ended_at > :t)"
        f" and {SCOPE.replace('branch', 'c.branch')} group by 1",
        "overdue": f"select {g(':t')}, count(*), coalesce(sum(open), 0) from ("
        " select i.branch, i.amount - coalesce(a.paid, 0) as open"
        " from projections.contract_instalments i"
        " join projections.contracts c using (contract_id)"
        " left join ("
        "   select contract_id, instalment as number, sum(amount) as paid"
        "   from projections.contract_allocations where received_at <= :t group by 1, 2"
        " ) a using (contract_id, number)"
        " where i.due < cast(:t as date) and c.signed_at <= :t"
        " and (c.status <> 'terminated' or c.ended_at > :t)"
        f" and {SCOPE.replace('branch', 'i.branch')}"
        ") x where open > 0 group by 1",
    }


def _money(value: Any) -> float:
    return float(value or Decimal(0))


def _rate(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def tally(
    flows: Mapping[str, Iterable[Sequence[Any]]],
    attainment: dict[str, tuple[float, float | None]],
    stocks: Mapping[str, Iterable[Sequence[Any]]],
) -> dict[str, dict[str, Any]]:
    """Every measure per group, from the rows of `_flows` and `_stocks` (each row names its
    group first) and the quota and attainment per group."""
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "won_count": 0,
            "won_revenue": 0.0,
            "contracts_signed": 0,
            "contracts_amount": 0.0,
            "tickets_opened": 0,
            "complaints": 0,
            "sla_breaches": 0,
            "feedback": 0,
            "praise": 0,
            "average_score": None,
            "open_pipeline": {},
            "open_pipeline_amount": 0.0,
            "receivables": 0.0,
            "overdue": 0.0,
            "overdue_instalments": 0,
            "quota": 0.0,
            "quota_attainment": None,
        }
    )
    for name, rows in flows.items():
        for row in rows:
            r = out[row[0]]
            match name:
                case "won":
                    r["won_count"], r["won_revenue"] = row[1], _money(row[2])
                case "signed":
                    r["contracts_signed"], r["contracts_amount"] = row[1], _money(row[2])
                case "tickets":
                    r["tickets_opened"], r["complaints"] = row[1], row[2]
                case "breaches":
                    r["sla_breaches"] = row[1]
                case "feedback":
                    r["feedback"], r["praise"] = row[1], row[2]
                    r["average_score"] = round(float(row[3]), 2) if row[3] is not None else None
    for group, (quota, rate) in attainment.items():
        out[group]["quota"], out[group]["quota_attainment"] = quota, rate
    for name, rows in stocks.items():
        for row in rows:
            r = out[row[0]]
            match name:
                case "pipeline":
                    r["open_pipeline"][row[1]] = {"count": row[2], "amount": _money(row[3])}
                    r["open_pipeline_amount"] += _money(row[3])
                case "receivables":
                    r["receivables"] = _money(row[2])
                case "overdue":
                    r["overdue_instalments"], r["overdue"] = row[1], _money(row[2])
    for r in out.values():
        r["satisfaction_rate"] = _rate(r["praise"], r["feedback"])
        r["sla_breach_rate"] = _rate(r["sla_breaches"], r["tickets_opened"])
    return dict(out)


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def measure(
    conn: AsyncConnection,
    w: Window,
    *,
    branch: str | None,
    group_by: str,
    tree: str,
    now: datetime,
) -> dict[str, dict[str, Any]]:  # pragma: no mutate block
    """Every measure of window `w` per group."""
    start = datetime.combine(w.start, time(), UTC)
    end = datetime.combine(w.end, time(), UTC)
    args = {"start": start, "end": end, "t": min(end, now), "b": branch}

    def g(column: str) -> str:
        return _group(group_by, tree, column)

    flows = {name: (await conn.execute(text(sql), args)).all() for name, sql in _flows(g).items()}
    attainment = await _attainment(conn, w, g, branch, now)
    stocks = {name: (await conn.execute(text(sql), args)).all() for name, sql in _stocks(g).items()}
    return tally(flows, attainment, stocks)


# SQL run against PostgreSQL: verified by tests/e2e/test_analysis.py, not by mutation
async def attainment(
    conn: AsyncConnection, *, branch: str | None, group_by: str, tree: str, now: datetime
) -> dict[str, dict[str, float | None]]:  # pragma: no mutate block
    """Quota attainment month, quarter and year to date, per group."""
    found: dict[str, dict[str, float | None]] = defaultdict(dict)

    def g(column: str) -> str:
        return _group(group_by, tree, column)

    for key, period in (("mtd", "month"), ("qtd", "quarter"), ("ytd", "year")):
        for group, (_, attained) in (
            await _attainment(conn, window(period, now.date()), g, branch, now)
        ).items():
            found[group][key] = attained
    return dict(found)


@handles(router, api.ROLLUPS)
async def rollups_report(
    actor: CurrentActor, engine: Engine, request: Request, q: Annotated[api.Rollup, Query()]
) -> Response:
    covered = scope(actor, q.branch)
    headers = await fresh(request, engine, q.consistent_with)
    now = datetime.now(UTC)
    current = window(q.period, q.at or now.date())
    windows = {
        "current": current,
        "previous": window(q.period, current.start, back=1),
        "last_year": last_year(current),
    }
    async with engine.connect() as conn:
        # one snapshot for every query of the report, so its windows cannot disagree
        await conn.execution_options(isolation_level="REPEATABLE READ")
        measured = {
            name: await measure(conn, w, branch=covered, group_by=q.group_by, tree=q.tree, now=now)
            for name, w in windows.items()
        }
        to_date = await attainment(conn, branch=covered, group_by=q.group_by, tree=q.tree, now=now)
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
