"""Report routes: answered from the read models, in the caller's scope."""

from __future__ import annotations

import asyncio
import time

from crm_platform.auth import Actor
from crm_platform.consistency import ConsistencyToken
from crm_platform.http import Problem, json_response
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm_gateway.deps import CurrentActor, ReadModels

router = APIRouter(prefix="/v1/reports", tags=["reports"])

STAGES = ("prospecting", "bidding", "negotiation", "won")


def scope(actor: Actor, branch: str | None) -> str | None:
    """The branch a report covers: None is the whole company (HQ only)."""
    if branch is None:
        return None if actor.is_hq else actor.branch
    if not actor.sees(branch):  # told apart from an unknown branch by nothing
        raise Problem(404, "Not found", "There is no such branch.", field="branch")
    return branch


async def caught_up(engine: AsyncEngine, projection: str, raw: str | None, wait: float) -> bool:
    """Wait (bounded) until `projection` has applied the write behind the consistency token."""
    if raw is None:
        return True
    try:
        token = ConsistencyToken.parse(raw)
    except ValueError as exc:
        raise Problem(422, "The request is not valid", str(exc), field="consistent_with") from None
    deadline = time.monotonic() + wait
    query = text(
        "select version from reporting.projection_progress where projection = :p and stream_id = :s"
    )
    while True:
        async with engine.connect() as conn:
            version = (await conn.execute(query, {"p": projection, "s": token.stream_id})).scalar()
        if version is not None and version >= token.version:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)


@router.get("/funnel")
async def funnel(
    actor: CurrentActor,
    engine: ReadModels,
    request: Request,
    branch: str | None = Query(None, description="One branch; HQ roles may omit it"),
    consistent_with: str | None = Query(None, description="A command's consistency_token"),
) -> Response:
    """Opportunities per stage of the pipeline: how many, and their total amount."""
    covered = scope(actor, branch)
    wait = request.app.state.settings.consistency_wait_seconds
    fresh = await caught_up(engine, "funnel", consistent_with, wait)
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "select stage, sum(opportunities)::int, coalesce(sum(amount), 0)"
                " from reporting.funnel where cast(:b as text) is null or branch = :b"
                " group by stage"
            ),
            {"b": covered},
        )
        found = {stage: (count, amount) for stage, count, amount in rows}
    stages = [
        {"stage": s, "count": found.get(s, (0, 0))[0], "amount": float(found.get(s, (0, 0))[1])}
        for s in STAGES
    ]
    headers = {} if fresh else {"X-CRM-Stale": "true"}
    return json_response({"branch": covered, "stages": stages}, headers=headers)
