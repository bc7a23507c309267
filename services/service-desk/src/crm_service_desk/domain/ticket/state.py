"""What a ticket's history folds into: nothing yet, or the ticket in one of its statuses.

What every status shares is the ticket itself (`Ticket`): the customer, the SLA, the repair's bill,
and how often it has been resolved and judged (counts that outlive a reopening). From the first
assignment on it has an agent (`Staffed`); once resolved or closed (`Settled`) its SLA clock stops
and feedback may be given. A rule that holds for any opened ticket reads `isinstance(state,
Ticket)`; a rule for one status names its type.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from crm_events.service_desk import SparePart
from crm_platform.domain import DomainError

Status = Literal["open", "assigned", "in_progress", "resolved", "closed"]


@dataclass(frozen=True, slots=True)
class Nothing:
    """No ticket has been opened on this stream."""


@dataclass(frozen=True, slots=True)
class Ticket:
    """The ticket, whatever its status."""

    status: ClassVar[Status]
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
    resolution: int = 0  # how often it has been resolved
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
        return not isinstance(self, Settled)


@dataclass(frozen=True, slots=True)
class Open(Ticket):
    """Waiting for an agent."""

    status: ClassVar[Status] = "open"


@dataclass(frozen=True, slots=True)
class Staffed(Ticket):
    """Assigned to an agent, in any status from the first assignment on."""

    assignee: str = field(kw_only=True)
    # who resolved it last: feedback is credited to them, and a reopening keeps the name
    resolved_by: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class Assigned(Staffed):
    status: ClassVar[Status] = "assigned"


@dataclass(frozen=True, slots=True)
class InProgress(Staffed):
    status: ClassVar[Status] = "in_progress"


@dataclass(frozen=True, slots=True)
class Settled(Staffed):
    """Resolved or closed: the SLA clock has stopped, the customer may judge the resolution."""


@dataclass(frozen=True, slots=True)
class Resolved(Settled):
    status: ClassVar[Status] = "resolved"


@dataclass(frozen=True, slots=True)
class Closed(Settled):
    status: ClassVar[Status] = "closed"


Opened = Open | Assigned | InProgress | Resolved | Closed
State = Nothing | Opened
Kind = TypeVar("Kind", bound=Ticket)


def initial_state() -> State:
    return Nothing()


def become(kind: type[Kind], state: Ticket, **changes: Any) -> Kind:
    """The same ticket in another status: what both statuses have is kept, the rest left behind."""
    kept = {
        f.name: getattr(state, f.name) for f in dataclasses.fields(kind) if hasattr(state, f.name)
    }
    return kind(**kept | changes)


def assignee_of(state: Ticket) -> str | None:
    return state.assignee if isinstance(state, Staffed) else None


def opened(state: State) -> Opened:
    """The ticket, if one has been opened on this stream."""
    if isinstance(state, Nothing):
        raise DomainError("There is no such ticket.")
    return state


def unresolved(state: State) -> Open | Assigned | InProgress:
    """The ticket, if its SLA clock runs (else the reason it cannot be worked on)."""
    t = opened(state)
    if isinstance(t, Settled):
        raise DomainError(f"This ticket is {t.status}; reopen it first.")
    return t
