"""The scheduled SLA check: every unresolved ticket past its near-breach time is flagged, every one
past its deadline breached and escalated. The aggregate decides (never twice), so a check repeated
or run by two schedulers is harmless."""

from __future__ import annotations

from datetime import datetime

from crm_events import Metadata
from crm_events.service_desk import CONTEXT
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

from crm_service_desk.domain.ticket import CheckSla, stream_id, ticket
from crm_service_desk.queue import unresolved

SCHEDULER = "sla-check"


async def check_sla(store: EventStore, now: datetime) -> list[Accepted]:
    """What the check at `now` recorded, one answer per ticket it changed."""
    breached = await store.streams_of(("TicketSlaBreached",))  # nothing more to record
    accepted = []
    for t in await unresolved(store, skip=breached):
        if now <= t.deadline and (now < t.near_breach_at or t.near_breach_flagged):
            continue
        metadata = Metadata(SCHEDULER, "system", t.branch, f"sla-check:{now.isoformat()}")
        result = await handle(
            store, ticket, stream_id(t.ticket_id), CheckSla(now), metadata=metadata, occurred_at=now
        )
        accepted.append(Accepted.of(CONTEXT, t.ticket_id, result))
    return accepted
