"""Ticket commands: who may touch which ticket, the configuration they need, then the handler.

Roles (DOMAIN.md §0): branch staff work on their own branch's tickets; an admin may act for any
branch (naming it when opening); HQ analysts and auditors only read.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import uuid4

from crm_events.service_desk import CONTEXT
from crm_platform.auth import Actor
from crm_platform.commands import Accepted, Request, branch_for, visible_to
from crm_platform.domain import DomainError
from crm_platform.eventstore import EventStore
from crm_platform.handler import handle, load

from crm_service_desk.application.settings import grade_of, sla_policy_in_force
from crm_service_desk.domain.ticket import stream_id, ticket
from crm_service_desk.domain.ticket_commands import (
    AssignTicket,
    CloseTicket,
    Command,
    GiveFeedback,
    OpenTicket,
    RecordServiceCharge,
    RecordSparePart,
    ReopenTicket,
    ResolveTicket,
    StartWork,
)
from crm_service_desk.domain.ticket_state import State, Ticket

DESK = frozenset({"service_agent", "branch_manager", "admin"})
FRONT_LINE = DESK | {"sales_rep"}  # whoever hears from the customer may open, reopen, note feedback


def require_role(actor: Actor, roles: frozenset[str], action: str) -> None:
    if actor.role not in roles:
        raise DomainError(f"Your role ({actor.role}) cannot {action}.")


def _visible_to(actor: Actor) -> Callable[[State], None]:
    check: Callable[[State], None] = visible_to(
        actor, "ticket", lambda s: s.branch if isinstance(s, Ticket) else None
    )
    return check


async def _handle(
    store: EventStore, req: Request, ticket_id: str, command: Command, name: str
) -> Accepted:
    result = await handle(
        store,
        ticket,
        stream_id(ticket_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        expected_version=req.expected_version,
        idempotency_key=req.key(f"{name}:{ticket_id}"),
        authorize=_visible_to(req.actor),
    )
    return Accepted.of(CONTEXT, ticket_id, result)


async def open_ticket(
    store: EventStore,
    req: Request,
    *,
    account_id: str,
    ticket_type: str,
    channel: str,
    severity: str,
    subject: str,
    description: str,
    branch: str | None = None,
    product: str | None = None,
    contract_id: str | None = None,
) -> Accepted:
    require_role(req.actor, FRONT_LINE, "open tickets")
    ticket_id = str(uuid4())
    command = OpenTicket(
        ticket_id=ticket_id,
        account_id=account_id,
        branch=branch_for(req.actor, branch),
        ticket_type=ticket_type,
        channel=channel,
        severity=severity,
        subject=subject,
        description=description,
        grade=await grade_of(store, account_id),
        by=req.actor.user_id,
        at=req.at,
        product=product,
        contract_id=contract_id,
        policy=await sla_policy_in_force(store),
    )
    result = await handle(
        store,
        ticket,
        stream_id(ticket_id),
        command,
        metadata=req.metadata(),
        occurred_at=req.at,
        idempotency_key=req.key("open-ticket"),
    )
    if result.replayed:  # the first call with this key opened its own ticket
        ticket_id = result.stream_id.removeprefix("ticket-")
    return Accepted.of(CONTEXT, ticket_id, result)


async def assign_ticket(store: EventStore, req: Request, ticket_id: str, agent_id: str) -> Accepted:
    """A branch manager (or admin) assigns anyone; a service agent may only take a ticket."""
    require_role(req.actor, DESK, "assign tickets")
    if req.actor.role == "service_agent" and agent_id != req.actor.user_id:
        raise DomainError("A service agent can take a ticket, not hand it to someone else.")
    command = AssignTicket(agent_id, req.actor.user_id, req.at)
    return await _handle(store, req, ticket_id, command, "assign-ticket")


async def start_work(store: EventStore, req: Request, ticket_id: str) -> Accepted:
    require_role(req.actor, DESK, "work on tickets")
    command = StartWork(req.actor.user_id, req.actor.role, req.at)
    return await _handle(store, req, ticket_id, command, "start-work")


async def resolve_ticket(store: EventStore, req: Request, ticket_id: str, note: str) -> Accepted:
    require_role(req.actor, DESK, "resolve tickets")
    command = ResolveTicket(note, req.actor.user_id, req.actor.role, req.at)
    return await _handle(store, req, ticket_id, command, "resolve-ticket")


async def close_ticket(store: EventStore, req: Request, ticket_id: str) -> Accepted:
    require_role(req.actor, DESK, "close tickets")
    return await _handle(
        store, req, ticket_id, CloseTicket(req.actor.user_id, req.at), "close-ticket"
    )


async def reopen_ticket(store: EventStore, req: Request, ticket_id: str, reason: str) -> Accepted:
    require_role(req.actor, FRONT_LINE, "reopen tickets")
    command = ReopenTicket(reason, req.actor.user_id, req.at)
    return await _handle(store, req, ticket_id, command, "reopen-ticket")


async def give_feedback(
    store: EventStore, req: Request, ticket_id: str, *, kind: str, score: int, comment: str
) -> Accepted:
    """Staff record what the customer said about the resolution."""
    require_role(req.actor, FRONT_LINE, "record customer feedback")
    command = GiveFeedback(kind, score, comment, req.at)
    return await _handle(store, req, ticket_id, command, "give-feedback")


async def record_spare_part(
    store: EventStore,
    req: Request,
    ticket_id: str,
    *,
    part: str,
    quantity: Decimal,
    unit_price: Decimal,
) -> Accepted:
    require_role(req.actor, DESK, "record spare parts")
    command = RecordSparePart(part, quantity, unit_price, req.actor.user_id, req.at)
    return await _handle(store, req, ticket_id, command, "record-spare-part")


async def record_service_charge(
    store: EventStore, req: Request, ticket_id: str, *, description: str, amount: Decimal
) -> Accepted:
    require_role(req.actor, DESK, "record service charges")
    command = RecordServiceCharge(description, amount, req.actor.user_id, req.at)
    return await _handle(store, req, ticket_id, command, "record-service-charge")


async def get_ticket(store: EventStore, actor: Actor, ticket_id: str) -> tuple[Ticket, int]:
    loaded = await load(store, ticket, stream_id(ticket_id))
    _visible_to(actor)(loaded.state)
    state: Any = loaded.state
    return state, loaded.version
