"""The scheduled overdue check: instalments unpaid after their due date are flagged, and a
contract overdue longer than its branch's threshold raises its bad-debt risk.

The candidates are the contracts the store holds as signed and not closed (`streams_of`); the
aggregate's own rule decides what a check at `now` records, so nothing is missed, and it records
each thing once, so a repeated or doubled run is harmless.
"""

from __future__ import annotations

from datetime import datetime

from crm_events import Metadata
from crm_events.contracts import CONTEXT
from crm_platform.commands import Accepted, settings_in_force
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_contracts.domain import settings as s
from crm_contracts.domain.contract import CheckOverdue, Nothing, contract
from crm_contracts.domain.contract.receivables import check_overdue as overdue_events

SCHEDULER = "overdue-check"


async def settings_for(store: EventStore, branch: str) -> s.ContractSettings:
    """The branch's settings: its own, else the company's, else the defaults (60 days)."""
    own = await settings_in_force(store, s.contract_settings, s.stream_id, branch)
    resolved: s.ContractSettings = own.over(s.DEFAULTS)
    return resolved


async def check_overdue(store: EventStore, now: datetime) -> list[Accepted]:
    """Record what falls due at `now` on every signed contract; answers the contracts changed."""
    signed = await store.streams_of(("ContractSigned",))
    candidates = signed - await store.streams_of(("ContractClosed",))
    thresholds: dict[str, int] = {}
    accepted = []
    for stream in sorted(candidates):
        state = (await load(store, contract, stream)).state
        assert not isinstance(state, Nothing)
        if state.branch not in thresholds:
            days = (await settings_for(store, state.branch)).bad_debt_days
            assert days is not None
            thresholds[state.branch] = days
        command = CheckOverdue(now, thresholds[state.branch])
        if not overdue_events(state, command):
            continue  # nothing to record: no append, no second read
        metadata = Metadata(SCHEDULER, "system", state.branch, f"{SCHEDULER}:{now.isoformat()}")
        result = await handle(store, contract, stream, command, metadata=metadata, occurred_at=now)
        accepted.append(Accepted.of(CONTEXT, state.contract_id, result))
    return accepted
