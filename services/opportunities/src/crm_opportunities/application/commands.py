"""Commands of the opportunities context: who may touch which record, then the generic handler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import uuid4

from crm_events.opportunities import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for, visible_to
from crm_platform.eventstore import AppendResult, EventStore
from crm_platform.handler import handle, load

from crm_opportunities.domain.opportunity import (
    ChangeStage,
    OpenOpportunity,
    Opportunity,
    State,
    opportunity,
    stream_id,
)


def _accepted(opportunity_id: str, result: AppendResult) -> Accepted:
    return Accepted.of(CONTEXT, opportunity_id, result)


def _visible_to(actor: Actor) -> Callable[[State], None]:
    return visible_to(
        actor, "opportunity", lambda s: s.branch if isinstance(s, Opportunity) else None
    )


async def open_opportunity(
    store: EventStore,
    req: Request,
    *,
    account_id: str,
    name: str,
    amount: Decimal,
    currency: str,
    expected_close: date,
    branch: str | None,
) -> Accepted:
    opportunity_id = str(uuid4())
    command = OpenOpportunity(
        opportunity_id=opportunity_id,
        account_id=account_id,
        name=name,
        amount=amount,
        currency=currency,
        expected_close=expected_close,
        branch=branch_for(req.actor, branch),
        owner_id=req.actor.user_id,
        at=req.at,
    )
    result = await handle(
        store,
        opportunity,
        stream_id(opportunity_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key("open-opportunity"),
    )
    if result.replayed:  # the first call with this key opened its own opportunity
        opportunity_id = result.stream_id.removeprefix("opportunity-")
    return _accepted(opportunity_id, result)


async def change_stage(
    store: EventStore, req: Request, opportunity_id: str, stage: str
) -> Accepted:
    result = await handle(
        store,
        opportunity,
        stream_id(opportunity_id),
        ChangeStage(stage=stage, at=req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"change-stage:{opportunity_id}"),
        authorize=_visible_to(req.actor),
    )
    return _accepted(opportunity_id, result)


async def get_opportunity(
    store: EventStore, actor: Actor, opportunity_id: str
) -> tuple[Opportunity, int]:
    loaded = await load(store, opportunity, stream_id(opportunity_id))
    _visible_to(actor)(loaded.state)
    return loaded.state, loaded.version
