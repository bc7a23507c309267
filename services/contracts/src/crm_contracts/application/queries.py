"""Reading contracts: a contract as of now (with its version), and two versions side by side."""

from __future__ import annotations

from collections.abc import Callable

from crm_platform.auth import Actor
from crm_platform.commands import visible_to
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.handler import load

from crm_contracts.domain.contract import contract, stream_id
from crm_contracts.domain.contract_state import Contract, State
from crm_contracts.domain.lines import VersionDiff, diff


def visible_contract(actor: Actor) -> Callable[[State], None]:
    """An `authorize` hook: a contract of a branch the actor may not see does not exist for them."""
    check: Callable[[State], None] = visible_to(
        actor, "contract", lambda s: s.branch if isinstance(s, Contract) else None
    )
    return check


async def get_contract(store: EventStore, actor: Actor, contract_id: str) -> tuple[Contract, int]:
    loaded = await load(store, contract, stream_id(contract_id))
    visible_contract(actor)(loaded.state)
    return loaded.state, loaded.version


async def compare_versions(
    store: EventStore, actor: Actor, contract_id: str, version_a: int, version_b: int
) -> VersionDiff:
    """Two versions side by side (1 = as signed, then one per amendment)."""
    state, _ = await get_contract(store, actor, contract_id)
    versions = {v.version: v for v in state.versions}
    for v, name in ((version_a, "version_a"), (version_b, "version_b")):
        if v not in versions:
            raise DomainError(f"This contract has no version {v}.", field=name)
    return diff(versions[version_a], versions[version_b])
