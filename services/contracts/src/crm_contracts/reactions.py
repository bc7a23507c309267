"""Reactions to the opportunities context: a won opportunity drafts its contract."""

from __future__ import annotations

from crm_events import Envelope, decode
from crm_events.contracts import CONTEXT
from crm_events.opportunities import OpportunityWon
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle
from crm_platform.service import Service
from crm_platform.workers import reactions

from crm_contracts.domain.contract import contract, on_opportunity_won, stream_id


async def draft_from_won(store: EventStore, won: Envelope) -> Accepted:
    """Draft the won deal's contract; safe to deliver any number of times.

    The contract is drafted in the name of whoever won the deal, caused by that event; its id is
    derived from the opportunity, so the same deal published again finds it drafted and appends
    nothing.
    """
    event = decode(won)
    if not isinstance(event, OpportunityWon):
        raise ValueError(f"expected OpportunityWon, got {won.type}")
    command = on_opportunity_won(event)
    result = await handle(
        store,
        contract,
        stream_id(command.contract_id),
        command,
        metadata=won.metadata._replace(causation_id=str(won.event_id)),
        occurred_at=event.won_at,
        idempotency_key=f"opportunity-won:{won.event_id}",
    )
    return Accepted.of(CONTEXT, command.contract_id, result)


async def opportunity_won(service: Service, envelope: Envelope) -> None:
    await draft_from_won(service.store, envelope)


REACTIONS = reactions("opportunities", {"OpportunityWon": opportunity_won})
