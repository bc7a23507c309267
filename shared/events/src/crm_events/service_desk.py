"""Events of the `service-desk` context.

Streams: `ticket-<uuid>`, `care-<account id>`, `customer-grade-<account id>` (the desk's own copy of
the grade the leads context publishes) and `sla-settings-company`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from crm_events.registry import event

CONTEXT = "service-desk"


# --- tickets (stream `ticket-<uuid>`) ----------------------------------------------------------
@event("TicketOpened")
@dataclass(frozen=True, slots=True)
class TicketOpened:
    """The SLA is fixed here, from the customer's grade and the policy in force at opening."""

    ticket_id: str
    account_id: str
    branch: str
    ticket_type: str  # complaint | repair | service_request | inquiry
    channel: str  # phone | email | web | visit
    severity: str  # normal | urgent
    subject: str
    description: str
    grade: str  # the grade the SLA was computed from: A | B | C
    sla_hours: Decimal  # after halving for urgent severity
    deadline: datetime
    near_breach_at: datetime
    opened_by: str
    opened_at: datetime
    product: str | None = None
    contract_id: str | None = None


@event("TicketAssigned")
@dataclass(frozen=True, slots=True)
class TicketAssigned:
    ticket_id: str
    from_agent: str | None
    to_agent: str
    by: str
    at: datetime


@event("TicketWorkStarted")
@dataclass(frozen=True, slots=True)
class TicketWorkStarted:
    ticket_id: str
    by: str
    at: datetime


@event("TicketResolved")
@dataclass(frozen=True, slots=True)
class TicketResolved:
    ticket_id: str
    branch: str
    resolution: int  # 1 for the first resolution, 2 after one reopen, ...
    note: str
    by: str
    within_sla: bool  # resolved at or before the deadline set at opening
    at: datetime


@event("TicketClosed")
@dataclass(frozen=True, slots=True)
class TicketClosed:
    ticket_id: str
    by: str
    at: datetime


@event("TicketReopened")
@dataclass(frozen=True, slots=True)
class TicketReopened:
    """Back to its last agent; the deadline set at opening still stands (no new SLA is granted)."""

    ticket_id: str
    from_status: str  # resolved | closed
    reason: str
    assignee: str | None
    deadline: datetime
    by: str
    at: datetime


@event("TicketFeedbackGiven")
@dataclass(frozen=True, slots=True)
class TicketFeedbackGiven:
    ticket_id: str
    branch: str
    resolution: int  # the resolution the customer judged
    kind: str  # praise | complaint
    score: int  # 1..5
    comment: str
    agent_id: str | None  # who resolved it: praise and complaints are credited to people
    at: datetime


@dataclass(frozen=True, slots=True)
class SparePart:
    part: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal  # quantity x unit price, to the cent


@event("TicketSparePartUsed")
@dataclass(frozen=True, slots=True)
class TicketSparePartUsed:
    ticket_id: str
    part: SparePart
    by: str
    at: datetime


@event("TicketServiceCharged")
@dataclass(frozen=True, slots=True)
class TicketServiceCharged:
    ticket_id: str
    description: str
    amount: Decimal
    by: str
    at: datetime


@event("TicketSlaNearBreach")
@dataclass(frozen=True, slots=True)
class TicketSlaNearBreach:
    ticket_id: str
    branch: str
    deadline: datetime
    at: datetime  # when the scheduled check noticed


@event("TicketSlaBreached")
@dataclass(frozen=True, slots=True)
class TicketSlaBreached:
    ticket_id: str
    branch: str
    grade: str
    assignee: str | None
    deadline: datetime
    at: datetime  # when the scheduled check noticed


@event("TicketEscalated")
@dataclass(frozen=True, slots=True)
class TicketEscalated:
    ticket_id: str
    branch: str
    to_role: str  # branch_manager: the manager of the ticket's branch
    reason: str  # sla_breached
    at: datetime


# --- proactive care (stream `care-<account id>`) ----------------------------------------------
@event("CareContactLogged")
@dataclass(frozen=True, slots=True)
class CareContactLogged:
    contact_id: str
    account_id: str
    branch: str
    kind: str  # courtesy_call | follow_up
    by: str
    note: str
    at: datetime  # when the contact took place
    logged_at: datetime
    ticket_id: str | None = None  # a follow-up of this ticket


# --- the desk's copy of customer grades (stream `customer-grade-<account id>`) ------------------
@event("ServiceDeskGradeRecorded")
@dataclass(frozen=True, slots=True)
class ServiceDeskGradeRecorded:
    """The service desk took note of a `leads.CustomerGradeChanged`."""

    account_id: str
    branch: str
    grade: str  # A | B | C
    previous_grade: str | None
    source: str  # as published by leads: computed | override | override-cleared | admin
    changed_at: datetime


# --- SLA policy (stream `sla-settings-company`) ------------------------------------------------
@dataclass(frozen=True, slots=True)
class SlaTarget:
    grade: str  # A | B | C
    ticket_type: str | None  # None: every type of this grade without its own target
    hours: int


@event("SlaPolicyChanged")
@dataclass(frozen=True, slots=True)
class SlaPolicyChanged:
    """The whole policy after the change; grades without a target keep DOMAIN.md's defaults."""

    targets: tuple[SlaTarget, ...]
    near_breach_percent: Decimal
    at: datetime
