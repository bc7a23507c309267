"""The SLA policy (admin) and the lookups a new ticket needs: the policy and the customer's grade."""

from __future__ import annotations

from decimal import Decimal

from crm_events.service_desk import CONTEXT, SlaTarget
from crm_platform.commands import Accepted, Request
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_service_desk.domain import grade, sla
from crm_service_desk.domain.sla import DEFAULT_NEAR_BREACH_PERCENT, ChangeSlaPolicy, SlaPolicy


async def sla_policy_in_force(store: EventStore) -> SlaPolicy:
    loaded = await load(store, sla.sla_policy, sla.stream_id())
    policy: SlaPolicy = loaded.state
    return policy


async def get_sla_policy(store: EventStore) -> tuple[SlaPolicy, int]:
    """Every role may read the policy: it is what the desk promises customers."""
    loaded = await load(store, sla.sla_policy, sla.stream_id())
    return loaded.state, loaded.version


async def change_sla_policy(
    store: EventStore,
    req: Request,
    *,
    targets: tuple[SlaTarget, ...],
    near_breach_percent: Decimal = DEFAULT_NEAR_BREACH_PERCENT,
) -> Accepted:
    """Admin only. Applies to tickets opened from now on; open tickets keep their deadlines."""
    if req.actor.role != "admin":
        raise DomainError("Only an administrator can change the SLA policy.")
    result = await handle(
        store,
        sla.sla_policy,
        sla.stream_id(),
        ChangeSlaPolicy(targets, near_breach_percent, req.at),
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key("change-sla-policy"),
    )
    return Accepted.of(CONTEXT, "company", result)


async def grade_of(store: EventStore, account_id: str) -> str | None:
    """The desk's copy of the customer's grade; None when no grade has reached it."""
    loaded = await load(store, grade.customer_grade, grade.stream_id(account_id))
    return grade.current_grade(loaded.state)
