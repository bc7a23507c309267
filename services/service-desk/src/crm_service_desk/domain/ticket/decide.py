"""What a ticket decides: each command checked against its rules and the ticket's status, and
answered with the events it records (or a DomainError in words an agent understands)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import assert_never

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
from crm_platform.domain import DomainError

from crm_service_desk.domain.sla import TICKET_TYPES, deadlines, effective_grade
from crm_service_desk.domain.ticket.commands import (
    CHANNELS,
    FEEDBACK_KINDS,
    SEVERITIES,
    AssignTicket,
    CheckSla,
    CloseTicket,
    Command,
    Event,
    GiveFeedback,
    OpenTicket,
    RecordServiceCharge,
    RecordSparePart,
    ReopenTicket,
    ResolveTicket,
    StartWork,
)
from crm_service_desk.domain.ticket.state import (
    Assigned,
    Closed,
    InProgress,
    Open,
    Opened,
    Resolved,
    Settled,
    Staffed,
    State,
    Ticket,
    assignee_of,
    opened,
    unresolved,
)

CENT = Decimal("0.01")
MANAGER = "branch_manager"

Working = AssignTicket | StartWork | ResolveTicket
Settling = CloseTicket | ReopenTicket | GiveFeedback
Billing = RecordSparePart | RecordServiceCharge


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case OpenTicket():
            return _open(command, state)
        case AssignTicket() | StartWork() | ResolveTicket():
            return _work(command, unresolved(state))
        case CloseTicket() | ReopenTicket() | GiveFeedback():
            return _settling(command, opened(state))
        case RecordSparePart() | RecordServiceCharge():
            return _billing(command, state)
        case CheckSla():
            return _check_sla(command, state)
        case _:
            assert_never(command)


# --- opening ------------------------------------------------------------------------------------
def _open(c: OpenTicket, state: State) -> list[Event]:
    if isinstance(state, Ticket):
        raise DomainError("This ticket has already been opened.")
    if not c.account_id.strip():
        raise DomainError("Name the customer account.", field="account_id")
    if c.ticket_type not in TICKET_TYPES:
        raise DomainError(
            f"A ticket type is one of {', '.join(sorted(TICKET_TYPES))}.", field="ticket_type"
        )
    if c.channel not in CHANNELS:
        raise DomainError(f"A channel is one of {', '.join(sorted(CHANNELS))}.", field="channel")
    if c.severity not in SEVERITIES:
        raise DomainError("The severity is normal or urgent.", field="severity")
    if not c.subject.strip():
        raise DomainError("Give the ticket a subject.", field="subject")
    grade = effective_grade(c.grade)
    sla = deadlines(c.policy, grade, c.ticket_type, c.severity == "urgent", c.at)
    return [
        TicketOpened(
            ticket_id=c.ticket_id,
            account_id=c.account_id,
            branch=c.branch,
            ticket_type=c.ticket_type,
            channel=c.channel,
            severity=c.severity,
            subject=c.subject,
            description=c.description,
            grade=grade,
            sla_hours=sla.sla_hours,
            deadline=sla.deadline,
            near_breach_at=sla.near_breach_at,
            opened_by=c.by,
            opened_at=c.at,
            product=c.product,
            contract_id=c.contract_id,
        )
    ]


# --- working on it: assigning, starting, resolving ------------------------------------------------
def _work(command: Working, t: Open | Assigned | InProgress) -> list[Event]:
    match command:
        case AssignTicket():
            if not command.agent_id.strip():
                raise DomainError("Name the agent.", field="agent_id")
            if command.agent_id == assignee_of(t):
                raise DomainError("The ticket is already assigned to them.", field="agent_id")
            return [
                TicketAssigned(
                    t.ticket_id, assignee_of(t), command.agent_id, command.by, command.at
                )
            ]
        case StartWork():
            if isinstance(t, Open):
                raise DomainError("Assign the ticket before work starts.")
            if isinstance(t, InProgress):
                raise DomainError("Work on this ticket has already started.")
            _agent_or_manager(t, command.by, command.by_role, "start work on it")
            return [TicketWorkStarted(t.ticket_id, command.by, command.at)]
        case ResolveTicket():
            if not isinstance(t, InProgress):
                raise DomainError("Start work on the ticket before resolving it.")
            _agent_or_manager(t, command.by, command.by_role, "resolve it")
            if not command.note.strip():
                raise DomainError("Say how the ticket was resolved.", field="note")
            return [
                TicketResolved(
                    t.ticket_id,
                    t.branch,
                    t.resolution + 1,
                    command.note,
                    command.by,
                    command.at <= t.deadline,
                    command.at,
                )
            ]


def _agent_or_manager(t: Staffed, by: str, by_role: str, action: str) -> None:
    if by != t.assignee and by_role != MANAGER:
        raise DomainError(f"Only the assigned agent or the branch manager can {action}.")


# --- once resolved: closing, reopening, the customer's feedback -----------------------------------
def _settling(command: Settling, t: Opened) -> list[Event]:
    match command:
        case CloseTicket():
            if isinstance(t, Closed):
                raise DomainError("This ticket is already closed.")
            if not isinstance(t, Resolved):
                raise DomainError("Only a resolved ticket can be closed.")
            return [TicketClosed(t.ticket_id, command.by, command.at)]
        case ReopenTicket():
            if not isinstance(t, Settled):
                raise DomainError("Only a resolved or closed ticket can be reopened.")
            if not command.reason.strip():
                raise DomainError("Say why the ticket is reopened.", field="reason")
            return [
                TicketReopened(
                    t.ticket_id,
                    t.status,
                    command.reason,
                    t.assignee,
                    t.deadline,
                    command.by,
                    command.at,
                )
            ]
        case GiveFeedback():
            if not isinstance(t, Settled):
                raise DomainError("Feedback is given once the ticket is resolved.")
            if t.feedback_for == t.resolution:
                raise DomainError("The customer has already given feedback on this resolution.")
            if command.kind not in FEEDBACK_KINDS:
                raise DomainError("Feedback is praise or a complaint.", field="kind")
            if not 1 <= command.score <= 5:
                raise DomainError("The satisfaction score is 1 to 5.", field="score")
            return [
                TicketFeedbackGiven(
                    t.ticket_id,
                    t.branch,
                    t.resolution,
                    command.kind,
                    command.score,
                    command.comment,
                    t.resolved_by,
                    command.at,
                )
            ]


# --- a repair's bill: spare parts and service charges --------------------------------------------
def _repair(state: State, field: str) -> Opened:
    t = opened(state)
    if t.ticket_type != "repair":
        raise DomainError(
            "Parts and service charges are recorded on repair tickets only.", field=field
        )
    if isinstance(t, Closed):
        raise DomainError("This ticket is closed; reopen it first.")
    return t


def _billing(command: Billing, state: State) -> list[Event]:
    match command:
        case RecordSparePart():
            t = _repair(state, "part")
            if not command.part.strip():
                raise DomainError("Name the part.", field="part")
            if command.quantity <= 0:
                raise DomainError("The quantity must be above zero.", field="quantity")
            if command.unit_price < 0:
                raise DomainError("A unit price cannot be negative.", field="unit_price")
            amount = (command.quantity * command.unit_price).quantize(CENT, ROUND_HALF_UP)
            part = SparePart(command.part, command.quantity, command.unit_price, amount)
            return [TicketSparePartUsed(t.ticket_id, part, command.by, command.at)]
        case RecordServiceCharge():
            t = _repair(state, "amount")
            if command.amount <= 0 or command.amount != command.amount.quantize(CENT):
                raise DomainError("A charge is an amount above zero in cents.", field="amount")
            if not command.description.strip():
                raise DomainError("Say what the charge is for.", field="description")
            return [
                TicketServiceCharged(
                    t.ticket_id, command.description, command.amount, command.by, command.at
                )
            ]


# --- the scheduled SLA check ----------------------------------------------------------------------
def _check_sla(c: CheckSla, state: State) -> list[Event]:
    if not isinstance(state, Ticket) or not state.sla_running or state.breached:
        return []
    if c.now > state.deadline:
        return [
            TicketSlaBreached(
                state.ticket_id,
                state.branch,
                state.grade,
                assignee_of(state),
                state.deadline,
                c.now,
            ),
            TicketEscalated(state.ticket_id, state.branch, MANAGER, "sla_breached", c.now),
        ]
    if c.now >= state.near_breach_at and not state.near_breach_flagged:
        return [TicketSlaNearBreach(state.ticket_id, state.branch, state.deadline, c.now)]
    return []
