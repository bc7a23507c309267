"""What can be asked of a ticket, and what it records. Time, ids, the customer's grade and the SLA
policy arrive in the command."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

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

from crm_service_desk.domain.sla import DEFAULT_POLICY, SlaPolicy

CHANNELS = frozenset({"phone", "email", "web", "visit"})
SEVERITIES = frozenset({"normal", "urgent"})
FEEDBACK_KINDS = frozenset({"praise", "complaint"})


@dataclass(frozen=True, slots=True)
class OpenTicket:
    ticket_id: str
    account_id: str
    branch: str
    ticket_type: str
    channel: str
    severity: str
    subject: str
    description: str
    grade: str | None  # the desk's copy of the customer's grade; None when it has none
    by: str
    at: datetime
    product: str | None = None
    contract_id: str | None = None
    policy: SlaPolicy = DEFAULT_POLICY


@dataclass(frozen=True, slots=True)
class AssignTicket:
    agent_id: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StartWork:
    by: str
    by_role: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ResolveTicket:
    note: str
    by: str
    by_role: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CloseTicket:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ReopenTicket:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class GiveFeedback:
    kind: str
    score: int
    comment: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordSparePart:
    part: str
    quantity: Decimal
    unit_price: Decimal
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordServiceCharge:
    description: str
    amount: Decimal
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckSla:
    """The scheduled check: flags a ticket near its deadline, and breaches and escalates it past."""

    now: datetime


Command: TypeAlias = (
    OpenTicket
    | AssignTicket
    | StartWork
    | ResolveTicket
    | CloseTicket
    | ReopenTicket
    | GiveFeedback
    | RecordSparePart
    | RecordServiceCharge
    | CheckSla
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
