"""The leads service's scheduled check: an assigned lead whose first follow-up is overdue (by the
limit of its branch's roster) is flagged, once (LeadFollowUpOverdue)."""

from __future__ import annotations

from datetime import datetime

from crm_events.leads import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Request
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_leads.domain import lead as ld
from crm_leads.domain import routing as r

SETTLED = (
    "LeadFollowUpLogged",
    "LeadFollowUpOverdue",
    "LeadConverted",
    "LeadDisqualified",
    "LeadMerged",
)


async def check_follow_ups(store: EventStore, now: datetime) -> None:
    req = Request(
        Actor(f"system:{CONTEXT}", "admin", "HQ"), f"follow-up-check-{now.isoformat()}", now
    )
    limits: dict[str, int] = {}

    async def check(state: ld.State) -> ld.CheckFollowUp:
        if isinstance(state, ld.Nothing):
            return ld.CheckFollowUp(now)
        if state.branch not in limits:
            roster = await load(store, r.roster, r.roster_stream(state.branch))
            limits[state.branch] = roster.state.follow_up_hours
        return ld.CheckFollowUp(now, limits[state.branch])

    waiting = await store.streams_of(("LeadAssigned",)) - await store.streams_of(SETTLED)
    for stream in sorted(waiting):
        await handle(
            store,
            ld.lead,
            stream,
            check,
            metadata=req.metadata(),
            occurred_at=now,
            name="CheckFollowUp",
        )
