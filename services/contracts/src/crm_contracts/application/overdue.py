"""The scheduled overdue check, served from a small index of the contracts that may still owe money.

The `Index` is folded from the context's own event log by tailing `store.read_all(after, limit)`
from the last position seen: a scheduler keeps one `Index` value and passes it to every
`check_overdue`, which brings it up to date first. `fold` is pure; `catch_up` does the reading.
A contract leaves the index once nothing can fall overdue on it any more (closed, or completed or
terminated with nothing outstanding: neither takes amendments).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args

from crm_events import Envelope, Metadata, decode
from crm_events.contracts import CONTEXT, ContractDrafted
from crm_platform.commands import Accepted
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

from crm_contracts.application.settings import bad_debt_days
from crm_contracts.domain.contract import contract, stream_id
from crm_contracts.domain.contract_commands import CheckOverdue
from crm_contracts.domain.contract_state import Contract, Event, Nothing, evolve
from crm_contracts.domain.receivables import check_overdue as overdue_events

CONTRACT_EVENTS = frozenset(cls.event_type for cls in get_args(Event))
BATCH = 1000
SCHEDULER = "overdue-check"


@dataclass(frozen=True, slots=True)
class Index:
    position: int = 0
    contracts: Mapping[str, Contract] = field(default_factory=dict)

    def due_for_check(self, now: datetime, threshold: Callable[[str], int]) -> list[Contract]:
        """Contracts on which a check at `now` records something (`threshold(branch)`: the
        branch's bad-debt days); the aggregate's own rule decides, so nothing is missed."""
        return [
            c
            for c in self.contracts.values()
            if overdue_events(c, CheckOverdue(now, threshold(c.branch)))
        ]


def _finished(c: Contract) -> bool:
    return c.status == "closed" or (c.status in ("completed", "terminated") and c.outstanding == 0)


def fold(index: Index, envelopes: Sequence[Envelope]) -> Index:
    """The index after these envelopes (read in store order, after `index.position`)."""
    if not envelopes:
        return index
    contracts = dict(index.contracts)
    for envelope in envelopes:
        if envelope.type not in CONTRACT_EVENTS:
            continue
        event: Any = decode(envelope)
        current = contracts.get(event.contract_id)
        if current is None and not isinstance(event, ContractDrafted):
            continue  # a contract that already left the index
        state = evolve(current or Nothing(), event)
        assert isinstance(state, Contract)
        if _finished(state):
            contracts.pop(state.contract_id, None)
        else:
            contracts[state.contract_id] = state
    return Index(envelopes[-1].position, contracts)


async def catch_up(store: EventStore, index: Index, batch: int = BATCH) -> Index:
    while True:
        envelopes = await store.read_all(index.position, batch)
        index = fold(index, envelopes)
        if len(envelopes) < batch:
            return index


async def check_overdue(
    store: EventStore, now: datetime, index: Index
) -> tuple[Index, list[Accepted]]:
    """Flag overdue instalments and raise bad-debt risks due at `now`; answers the caught-up index
    to keep. The aggregate records each thing once, so a repeated or doubled run is harmless."""
    index = await catch_up(store, index)
    thresholds: dict[str, int] = {}
    for branch in {c.branch for c in index.contracts.values()}:
        thresholds[branch] = await bad_debt_days(store, branch)
    accepted = []
    for c in index.due_for_check(now, thresholds.__getitem__):
        metadata = Metadata(SCHEDULER, "system", c.branch, f"{SCHEDULER}:{now.isoformat()}")
        result = await handle(
            store,
            contract,
            stream_id(c.contract_id),
            CheckOverdue(now, thresholds[c.branch]),
            metadata=metadata,
            occurred_at=now,
        )
        accepted.append(Accepted.of(CONTEXT, c.contract_id, result))
    return index, accepted
