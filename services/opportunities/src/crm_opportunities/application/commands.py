"""Commands of the opportunities context: who may touch which record, then the generic handler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from crm_events import Metadata
from crm_events.opportunities import CONTEXT
from crm_platform.auth import Actor
from crm_platform.consistency import ConsistencyToken
from crm_platform.domain import DomainError, NotFound
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


@dataclass(frozen=True, slots=True)
class Accepted:
    id: str
    version: int
    position: int
    consistency_token: str


@dataclass(frozen=True, slots=True)
class Request:
    """What every command call carries besides its own fields."""

    actor: Actor
    correlation_id: str
    at: datetime
    idempotency_key: str | None = None
    expected_version: int | None = None

    def key(self, command: str) -> str | None:
        """Idempotency keys are scoped to the caller and the command, so they never collide."""
        if self.idempotency_key is None:
            return None
        return f"{self.actor.user_id}|{command}|{self.idempotency_key}"

    def metadata(self) -> Metadata:
        return Metadata(
            self.actor.user_id,
            self.actor.role,
            self.actor.branch,
            self.correlation_id,
            causation_id=str(uuid4()),
        )


def _accepted(opportunity_id: str, result: AppendResult) -> Accepted:
    token = ConsistencyToken(CONTEXT, result.stream_id, result.version)
    return Accepted(opportunity_id, result.version, result.position, str(token))


def _visible_to(actor: Actor) -> Callable[[State], None]:
    def check(state: State) -> None:
        if not isinstance(state, Opportunity) or not actor.sees(state.branch):
            raise NotFound("There is no such opportunity.")

    return check


def branch_for(actor: Actor, requested: str | None) -> str:
    """The branch a new record belongs to: the caller's own, or the one an HQ caller names."""
    if actor.is_hq:
        if not requested:
            raise DomainError(
                "HQ staff must say which branch the record belongs to.", field="branch"
            )
        return requested
    if requested and requested != actor.branch:
        raise DomainError("You can only create records for your own branch.", field="branch")
    return actor.branch


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
