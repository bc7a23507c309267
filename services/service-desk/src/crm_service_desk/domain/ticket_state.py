"""What a ticket's history folds into: one record with a status, because every status shares the
same facts (customer, SLA, parts, charges) and only a few rules depend on where it stands."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypeAlias, assert_never

from crm_events.service_desk import (
    SparePart,
    TicketAssigned,
    TicketClosed,
    TicketEscalated,
    TicketFeedbackGiven,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketServiceCharged,
    TicketSlaBreached,
    TicketSlaNearBreach,
    TicketSparePartUsed,
    TicketWorkStarted,
)

Event: TypeAlias = (
    TicketOpened
    | TicketAssigned
    | TicketWorkStarted
    | TicketResolved
    | TicketClosed
    | TicketReopened
    | TicketFeedbackGiven
    | TicketSparePartUsed
    | TicketServiceCharged
    | TicketSlaNearBreach
    | TicketSlaBreached
    | TicketEscalated
)

Status = Literal["open", "assigned", "in_progress", "resolved", "closed"]


@dataclass(frozen=True, slots=True)
class Nothing:
    """No ticket has been opened on this stream."""


@dataclass(frozen=True, slots=True)
class Ticket:
    ticket_id: str
    account_id: str
    branch: str
    ticket_type: str
    severity: str
    grade: str
    opened_at: datetime
    deadline: datetime
    near_breach_at: datetime
    product: str | None = None
    contract_id: str | None = None
    status: Status = "open"
    assignee: str | None = None
    resolution: int = 0  # how often it has been resolved
    resolved_by: str | None = None
    feedback_for: int = 0  # the resolution the latest feedback judged
    parts: tuple[SparePart, ...] = ()
    charges: Decimal = Decimal(0)
    near_breach_flagged: bool = False
    breached: bool = False
    escalated: bool = False

    @property
    def billed(self) -> Decimal:
        """Spare parts and service charges together."""
        return sum((p.amount for p in self.parts), self.charges)

    @property
    def sla_running(self) -> bool:
        """The SLA clock stops at resolution and runs again on reopening."""
        return self.status in ("open", "assigned", "in_progress")


State = Nothing | Ticket


def initial_state() -> State:
    return Nothing()


def evolve(state: State, event: Event) -> State:
    if isinstance(event, TicketOpened):
        return Ticket(
            ticket_id=event.ticket_id,
            account_id=event.account_id,
            branch=event.branch,
            ticket_type=event.ticket_type,
            severity=event.severity,
            grade=event.grade,
            opened_at=event.opened_at,
            deadline=event.deadline,
            near_breach_at=event.near_breach_at,
            product=event.product,
            contract_id=event.contract_id,
        )
    assert isinstance(state, Ticket), f"{type(event).__name__} needs an opened ticket"
    match event:
        case TicketAssigned():
            status: Status = "in_progress" if state.status == "in_progress" else "assigned"
            return replace(state, assignee=event.to_agent, status=status)
        case TicketWorkStarted():
            return replace(state, status="in_progress")
        case TicketResolved():
            return replace(
                state, status="resolved", resolution=event.resolution, resolved_by=event.by
            )
        case TicketClosed():
            return replace(state, status="closed")
        case TicketReopened():
            return replace(state, status="assigned" if state.assignee else "open")
        case TicketFeedbackGiven():
            return replace(state, feedback_for=event.resolution)
        case TicketSparePartUsed():
            return replace(state, parts=(*state.parts, event.part))
        case TicketServiceCharged():
            return replace(state, charges=state.charges + event.amount)
        case TicketSlaNearBreach():
            return replace(state, near_breach_flagged=True)
        case TicketSlaBreached():
            return replace(state, breached=True)
        case TicketEscalated():
            return replace(state, escalated=True)
        case _:
            assert_never(event)
