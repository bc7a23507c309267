"""The scheduled SLA check and the agent's queue, both served from the desk's `Index`."""

from __future__ import annotations

from datetime import datetime

from crm_events import Metadata
from crm_events.service_desk import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

from crm_service_desk.application.index import Index, catch_up
from crm_service_desk.domain.queue import in_queue_order
from crm_service_desk.domain.ticket import stream_id, ticket
from crm_service_desk.domain.ticket_commands import CheckSla
from crm_service_desk.domain.ticket_state import Ticket

SCHEDULER = "sla-check"


async def check_sla(store: EventStore, now: datetime, index: Index) -> tuple[Index, list[Accepted]]:
    """Flag, breach and escalate what is due at `now`; answers the caught-up index to keep.

    The aggregate decides (never twice), so a check repeated or run by two schedulers is harmless.
    """
    index = await catch_up(store, index)
    accepted = []
    for t in index.due_for_sla_check(now):
        metadata = Metadata(SCHEDULER, "system", t.branch, f"sla-check:{now.isoformat()}")
        result = await handle(
            store, ticket, stream_id(t.ticket_id), CheckSla(now), metadata=metadata, occurred_at=now
        )
        accepted.append(Accepted.of(CONTEXT, t.ticket_id, result))
    return index, accepted


def queue(index: Index, actor: Actor, assignee: str | None = None) -> list[Ticket]:
    """Unresolved tickets the actor may see (their branch; HQ: all), optionally one agent's,
    in queue order: grade, then deadline, then opening time."""
    return in_queue_order(
        t
        for t in index.open_tickets()
        if actor.sees(t.branch) and (assignee is None or t.assignee == assignee)
    )
