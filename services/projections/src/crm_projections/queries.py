"""What every report route shares (routes: crm_api.reports): the caller's scope, waiting for the
caller's own writes, periods, and the rows of a reporting view.

Scope: a branch caller sees its own branch only; an HQ caller the branch it names, or the whole
company. A branch outside the caller's reach is answered like one that does not exist (404).
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from crm_api import reports as api
from crm_platform.auth import Actor
from crm_platform.consistency import ConsistencyToken
from crm_platform.http import Problem
from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


def _engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


Engine = Annotated[AsyncEngine, Depends(_engine)]

# a branch, or every branch, or those of one region (by the tree as it is now)
IN_SCOPE = (
    "(cast(:b as text) is null or branch = :b)"
    " and (cast(:r as text) is null or reporting.region_at(branch, now()) = :r)"
)


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


async def fresh(request: Request, engine: AsyncEngine, raw: str | None) -> dict[str, str]:
    """The headers of an answer: `X-CRM-Stale` when the caller's write is not applied yet."""
    wait = request.app.state.settings.consistency_wait_seconds
    followers = request.app.state.followers
    return {} if await caught_up(engine, followers, raw, wait) else {"X-CRM-Stale": "true"}


def during(column: str) -> str:
    """SQL: `column` falls in the asked period (:since inclusive, :until exclusive; either open)."""
    return (
        f"(cast(:since as date) is null or {column} >= cast(:since as date))"
        f" and (cast(:until as date) is null or {column} < cast(:until as date))"
    )


def period(q: api.Period, covered: str | None) -> dict[str, object]:
    return {"b": covered, "since": q.since, "until": q.until}


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def number(v: object) -> float:
    return float(v) if isinstance(v, int | float) else 0.0


async def rows_of(
    engine: AsyncEngine,
    view: str,
    covered: str | None,
    order: str,
    also: str = "true",
    args: dict[str, object] | None = None,
) -> list[dict[str, object]]:
    """The rows of `reporting.<view>` in the scope, as JSON-ready dicts."""
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
