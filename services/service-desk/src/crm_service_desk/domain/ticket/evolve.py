"""How each recorded event changes a ticket."""

from __future__ import annotations

from dataclasses import replace
from typing import assert_never

from crm_events.service_desk import (
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

from crm_service_desk.domain.ticket.commands import Event
from crm_service_desk.domain.ticket.state import (
    Assigned,
    Closed,
    InProgress,
    Open,
    Opened,
    Resolved,
    State,
    Ticket,
    become,
)

StatusChange = TicketAssigned | TicketWorkStarted | TicketResolved | TicketClosed | TicketReopened
Change = (
    TicketFeedbackGiven
    | TicketSparePartUsed
    | TicketServiceCharged
    | TicketSlaNearBreach
    | TicketSlaBreached
    | TicketEscalated
)


def evolve(state: State, event: Event) -> State:
    if isinstance(event, TicketOpened):
        return Open(
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
        case (
            TicketAssigned()
            | TicketWorkStarted()
            | TicketResolved()
            | TicketClosed()
            | TicketReopened()
        ):
            return _status(state, event)
        case (
            TicketFeedbackGiven()
            | TicketSparePartUsed()
            | TicketServiceCharged()
            | TicketSlaNearBreach()
            | TicketSlaBreached()
            | TicketEscalated()
        ):
            return _within(state, event)
        case _:
            assert_never(event)


def _status(state: Opened, event: StatusChange) -> Opened:
    """The ticket in its next status."""
    match event:
        case TicketAssigned() if isinstance(state, InProgress):
            return replace(state, assignee=event.to_agent)  # handed over, the work goes on
        case TicketAssigned():
            return become(Assigned, state, assignee=event.to_agent)
        case TicketWorkStarted():
            return become(InProgress, state)
        case TicketResolved():
            return become(Resolved, state, resolution=event.resolution, resolved_by=event.by)
        case TicketClosed():
            return become(Closed, state)
        case TicketReopened():
            # back to its last agent: only a ticket worked on (so assigned) is ever resolved
            return become(Assigned, state)


def _within(state: Opened, event: Change) -> Opened:
    """The ticket changed within its status."""
    match event:
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
