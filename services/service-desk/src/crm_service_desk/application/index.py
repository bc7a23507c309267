"""The desk's working index: every ticket not yet closed, folded from the context's own event log.

Built by tailing `store.read_all(after, limit)` from the last position seen, so a scheduler keeps one
`Index` value and brings it up to date before each use. `fold` is pure; `catch_up` does the reading.
A closed ticket leaves the index; if it is reopened, `catch_up` reads its stream back in (up to the
index's position, so no event is applied twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, get_args

from crm_events import Envelope, decode
from crm_events.service_desk import TicketClosed, TicketOpened, TicketReopened
from crm_platform.eventstore import EventStore

from crm_service_desk.domain.ticket import stream_id, ticket
from crm_service_desk.domain.ticket_state import (
    Event,
    Nothing,
    Ticket,
    evolve,
)

TICKET_EVENTS = frozenset(cls.event_type for cls in get_args(Event))
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Index:
    position: int = 0
    tickets: Mapping[str, Ticket] = field(default_factory=dict)
    to_reload: frozenset[str] = frozenset()  # reopened after closing: read their streams again

    def open_tickets(self) -> list[Ticket]:
        return [t for t in self.tickets.values() if t.sla_running]

    def due_for_sla_check(self, now: datetime) -> list[Ticket]:
        return [
            t
            for t in self.open_tickets()
            if not t.breached
            and (now > t.deadline or (now >= t.near_breach_at and not t.near_breach_flagged))
        ]


def _apply(tickets: dict[str, Ticket], to_reload: set[str], e: Event) -> None:
    if isinstance(e, TicketOpened):
        state = evolve(Nothing(), e)
        assert isinstance(state, Ticket)
        tickets[e.ticket_id] = state
        return
    current = tickets.get(e.ticket_id)
    if current is None:
        if isinstance(e, TicketReopened):
            to_reload.add(e.ticket_id)
        return
    if isinstance(e, TicketClosed):
        del tickets[e.ticket_id]
        return
    updated = evolve(current, e)
    assert isinstance(updated, Ticket)
    tickets[e.ticket_id] = updated


def fold(index: Index, envelopes: Sequence[Envelope]) -> Index:
    """The index after these envelopes (read in store order, after `index.position`)."""
    if not envelopes:
        return index
    tickets = dict(index.tickets)
    to_reload = set(index.to_reload)
    for envelope in envelopes:
        if envelope.type in TICKET_EVENTS:
            event: Any = decode(envelope)
            _apply(tickets, to_reload, event)
    return Index(envelopes[-1].position, tickets, frozenset(to_reload))


async def catch_up(store: EventStore, index: Index, batch: int = BATCH) -> Index:
    while True:
        envelopes = await store.read_all(index.position, batch)
        index = fold(index, envelopes)
        if len(envelopes) < batch:
            break
    if not index.to_reload:
        return index
    tickets = dict(index.tickets)
    for ticket_id in index.to_reload:
        stream = await store.read_stream(stream_id(ticket_id))
        state = ticket.fold([decode(e) for e in stream if e.position <= index.position])
        if isinstance(state, Ticket) and state.status != "closed":
            tickets[ticket_id] = state
    return replace(index, tickets=tickets, to_reload=frozenset())
