"""Contract settings: the bad-debt threshold for the company, overridable per branch."""

from __future__ import annotations

from crm_events.contracts import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request
from crm_platform.domain import DomainError, NotFound
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_contracts.domain import settings as s


async def settings_for(store: EventStore, branch: str) -> s.ContractSettings:
    """The branch's settings: its own, else the company's, else the defaults (60 days)."""
    company = (await load(store, s.contract_settings, s.stream_id("company"))).state
    own = (await load(store, s.contract_settings, s.stream_id(branch))).state
    resolved: s.ContractSettings = own.over(company).over(s.DEFAULTS)
    return resolved


async def bad_debt_days(store: EventStore, branch: str) -> int:
    days = (await settings_for(store, branch)).bad_debt_days
    assert days is not None
    return days


async def get_contract_settings(
    store: EventStore, actor: Actor, scope: str
) -> tuple[s.ContractSettings, int]:
    """The settings as set on `scope` (unset fields: the wider setting applies)."""
    if scope != "company" and not actor.sees(scope):
        raise NotFound("There is no such branch.")
    loaded = await load(store, s.contract_settings, s.stream_id(scope))
    return loaded.state, loaded.version


async def change_contract_settings(
    store: EventStore, req: Request, scope: str, *, bad_debt_days: int | None
) -> Accepted:
    """An admin sets the company's or any branch's threshold; a branch manager their branch's."""
    actor = req.actor
    if actor.role != "admin" and not (actor.role == "branch_manager" and scope == actor.branch):
        raise DomainError(
            "Only an administrator, or the branch manager for the branch, changes contract settings."
        )
    result = await handle(
        store,
        s.contract_settings,
        s.stream_id(scope),
        s.ChangeContractSettings(scope, bad_debt_days, req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"contract-settings:{scope}"),
    )
    return Accepted.of(CONTEXT, scope, result)
