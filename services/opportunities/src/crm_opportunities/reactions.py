"""Reactions to the leads context: a converted lead opens its opportunity; a transferred owner's
open opportunities move to the successor (of the transfer's branch only)."""

from __future__ import annotations

import contextlib

from crm_events import Envelope, decode
from crm_events.leads import LeadConverted, OwnerTransferred
from crm_platform.handler import OtherBranch, handle, same_branch
from crm_platform.service import Service
from crm_platform.workers import reactions, system_request

from crm_opportunities.commands import pipeline
from crm_opportunities.domain import opportunity as o


async def lead_converted(service: Service, envelope: Envelope) -> None:
    event = decode(envelope)
    assert isinstance(event, LeadConverted)
    req = system_request(service, envelope)
    await handle(
        service.store,
        o.opportunity,
        o.stream_id(event.opportunity_id),
        o.on_lead_converted(event, await pipeline(service.store, event.branch)),
        metadata=req.metadata(),
        occurred_at=event.converted_at,
        idempotency_key=req.idempotency_key,
    )


async def owner_transferred(service: Service, envelope: Envelope) -> None:
    """Reassign every open opportunity `from_user` owns, among the streams they ever owned; the
    aggregate skips what is closed, owned by someone else, or already moved."""
    event = decode(envelope)
    assert isinstance(event, OwnerTransferred)
    store = service.store
    candidates = await store.streams_with(
        ("OpportunityOpened", "OpportunityOwnerChanged"), "owner_id", event.from_user
    ) + await store.streams_with(("OpportunityOwnerChanged",), "to_owner", event.from_user)
    req = system_request(service, envelope)
    for stream in sorted(set(candidates)):
        with contextlib.suppress(OtherBranch):  # a transfer moves its own branch's deals only
            await handle(
                store,
                o.opportunity,
                stream,
                o.on_owner_transferred(event),
                metadata=req.metadata(),
                occurred_at=event.transferred_at,
                authorize=same_branch(event.branch),
            )


REACTIONS = reactions(
    "leads", {"LeadConverted": lead_converted, "OwnerTransferred": owner_transferred}
)
