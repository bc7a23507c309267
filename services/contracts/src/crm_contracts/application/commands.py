"""Contract commands: who may touch which contract, then the generic handler.

Roles (DOMAIN.md §0): the branch's sales reps and managers work on their own branch's contracts; an
admin may act for any branch (naming it when drafting); only a branch manager of the contract's
branch approves or rejects (the aggregate checks it), and terminating needs a manager or an admin.
HQ analysts, auditors, marketing and service agents only read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import uuid4

from crm_events.contracts import CONTEXT, ContractLine, Instalment
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle

from crm_contracts.application.queries import get_contract, visible_contract
from crm_contracts.domain import contract_commands as c
from crm_contracts.domain.contract import contract, stream_id
from crm_contracts.domain.plan import even_plan

SALES = frozenset({"sales_rep", "branch_manager", "admin"})
MANAGERS = frozenset({"branch_manager", "admin"})


def require_role(actor: Actor, roles: frozenset[str], action: str) -> None:
    if actor.role not in roles:
        raise DomainError(f"Your role ({actor.role}) cannot {action}.")


async def _handle(
    store: EventStore, req: Request, contract_id: str, command: c.Command, name: str
) -> Accepted:
    result = await handle(
        store,
        contract,
        stream_id(contract_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"{name}:{contract_id}"),
        authorize=visible_contract(req.actor),
    )
    return Accepted.of(CONTEXT, contract_id, result)


async def draft_contract(
    store: EventStore,
    req: Request,
    *,
    account_id: str,
    currency: str,
    lines: tuple[ContractLine, ...],
    payment_terms: str,
    branch: str | None = None,
) -> Accepted:
    """A contract drafted directly (not from a won opportunity); the caller owns it."""
    require_role(req.actor, SALES, "draft contracts")
    contract_id = str(uuid4())
    command = c.DraftContract(
        contract_id=contract_id,
        account_id=account_id,
        branch=branch_for(req.actor, branch),
        owner_id=req.actor.user_id,
        currency=currency,
        lines=lines,
        payment_terms=payment_terms,
        at=req.at,
    )
    result = await handle(
        store,
        contract,
        stream_id(contract_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key("draft-contract"),
    )
    if result.replayed:  # the first call with this key drafted its own contract
        contract_id = result.stream_id.removeprefix("contract-")
    return Accepted.of(CONTEXT, contract_id, result)


async def revise_draft(
    store: EventStore,
    req: Request,
    contract_id: str,
    *,
    lines: tuple[ContractLine, ...],
    payment_terms: str,
) -> Accepted:
    require_role(req.actor, SALES, "edit contracts")
    command = c.ReviseDraft(lines, payment_terms, req.at)
    return await _handle(store, req, contract_id, command, "revise-draft")


async def set_payment_plan(
    store: EventStore, req: Request, contract_id: str, instalments: tuple[Instalment, ...]
) -> Accepted:
    require_role(req.actor, SALES, "set payment plans")
    command = c.SetPaymentPlan(instalments, req.at)
    return await _handle(store, req, contract_id, command, "payment-plan")


async def set_even_payment_plan(
    store: EventStore,
    req: Request,
    contract_id: str,
    *,
    count: int,
    first_due: date,
    every_months: int = 1,
) -> Accepted:
    """`count` instalments of the draft's amount, equal to the cent (the last takes the rest)."""
    draft, _ = await get_contract(store, req.actor, contract_id)
    plan = even_plan(draft.amount, count, first_due, every_months)
    return await set_payment_plan(store, req, contract_id, plan)


async def submit_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "submit contracts")
    command = c.SubmitContract(req.actor.user_id, req.at)
    return await _handle(store, req, contract_id, command, "submit")


async def approve_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    command = c.DecideContract(
        True, req.actor.user_id, req.actor.role, req.actor.branch, "", req.at
    )
    return await _handle(store, req, contract_id, command, "approve")


async def reject_contract(
    store: EventStore, req: Request, contract_id: str, reason: str
) -> Accepted:
    command = c.DecideContract(
        False, req.actor.user_id, req.actor.role, req.actor.branch, reason, req.at
    )
    return await _handle(store, req, contract_id, command, "reject")


async def sign_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "record signatures")
    command = c.SignContract(req.actor.user_id, req.at)
    return await _handle(store, req, contract_id, command, "sign")


async def start_execution(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "start contracts")
    return await _handle(store, req, contract_id, c.StartExecution(req.at), "start")


async def suspend_contract(
    store: EventStore, req: Request, contract_id: str, reason: str
) -> Accepted:
    require_role(req.actor, SALES, "suspend contracts")
    command = c.SuspendContract(reason, req.at)
    return await _handle(store, req, contract_id, command, "suspend")


async def resume_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "resume contracts")
    return await _handle(store, req, contract_id, c.ResumeContract(req.at), "resume")


async def terminate_contract(
    store: EventStore, req: Request, contract_id: str, reason: str
) -> Accepted:
    require_role(req.actor, MANAGERS, "terminate contracts")
    command = c.TerminateContract(reason, req.actor.user_id, req.at)
    return await _handle(store, req, contract_id, command, "terminate")


async def complete_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "complete contracts")
    return await _handle(store, req, contract_id, c.CompleteContract(req.at), "complete")


async def close_contract(store: EventStore, req: Request, contract_id: str) -> Accepted:
    require_role(req.actor, SALES, "close contracts")
    return await _handle(store, req, contract_id, c.CloseContract(req.at), "close")


async def amend_contract(
    store: EventStore,
    req: Request,
    contract_id: str,
    *,
    reason: str,
    lines: tuple[ContractLine, ...],
    instalments: tuple[Instalment, ...],
) -> Accepted:
    require_role(req.actor, SALES, "amend contracts")
    command = c.AmendContract(reason, lines, instalments, req.actor.user_id, req.at)
    return await _handle(store, req, contract_id, command, "amend")


async def record_payment(
    store: EventStore,
    req: Request,
    contract_id: str,
    *,
    instalment: int,
    amount: Decimal,
    received_at: datetime,
    reference: str,
) -> Accepted:
    require_role(req.actor, SALES, "record payments")
    command = c.RecordPayment(str(uuid4()), instalment, amount, received_at, reference, req.at)
    return await _handle(store, req, contract_id, command, "payment")


async def record_delivery(
    store: EventStore, req: Request, contract_id: str, *, line_id: str, quantity: Decimal
) -> Accepted:
    require_role(req.actor, SALES, "record deliveries")
    command = c.RecordDelivery(str(uuid4()), line_id, quantity, req.at)
    return await _handle(store, req, contract_id, command, "delivery")


async def record_return(
    store: EventStore,
    req: Request,
    contract_id: str,
    *,
    line_id: str,
    quantity: Decimal,
    reason: str,
) -> Accepted:
    require_role(req.actor, SALES, "record returns")
    command = c.RecordReturn(str(uuid4()), line_id, quantity, reason, req.at)
    return await _handle(store, req, contract_id, command, "return")
