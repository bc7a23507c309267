"""Reactions to other contexts' events: a won opportunity drafts its contract."""

from __future__ import annotations

from uuid import UUID

from crm_events import Envelope, Metadata, decode
from crm_events.contracts import CONTEXT
from crm_events.opportunities import OpportunityWon
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

from crm_contracts.domain.contract import contract, on_opportunity_won, stream_id


async def draft_from_opportunity_won(
    store: EventStore,
    won: Envelope | OpportunityWon,
    *,
    event_id: UUID | str | None = None,
    cause: Metadata | None = None,
) -> Accepted:
    """The Kafka reaction to `opportunities.OpportunityWon`; safe to deliver any number of times.

    Pass the envelope, or the decoded event with its envelope's `event_id` and metadata (`cause`).
    The contract is drafted in the name of whoever won the deal, caused by that event; its id is
    derived from the opportunity, so a repeated event finds it drafted and appends nothing.
    """
    if isinstance(won, OpportunityWon):
        if event_id is None or cause is None:
            raise ValueError("a decoded OpportunityWon needs its event_id and cause")
        event = won
    else:
        decoded = decode(won)
        if not isinstance(decoded, OpportunityWon):
            raise ValueError(f"expected OpportunityWon, got {won.type}")
        event, event_id, cause = decoded, won.event_id, won.metadata
    command = on_opportunity_won(event)
    result = await handle(
        store,
        contract,
        stream_id(command.contract_id),
        command,
        metadata=cause._replace(causation_id=str(event_id)),
        occurred_at=event.won_at,
        idempotency_key=f"opportunity-won:{event_id}",
    )
    return Accepted.of(CONTEXT, command.contract_id, result)
