"""What a contract's history folds into: nothing yet, or the contract in one of its statuses.

draft -> submitted -> approved | (rejected: back to draft) -> signed -> in_execution -> completed
-> closed; in_execution <-> suspended; in_execution | suspended -> terminated (DOMAIN.md §3).

Each status is its own type, carrying what only it has: a rejected draft, a suspended or a
terminated contract knows why; from signing on (`Agreed`) a contract has its versions and what was
delivered, returned and paid. What every status shares is the contract itself (`Contract`): its
parties, lines, amount and payment plan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from crm_events.contracts import ContractLine, Instalment
from crm_platform.domain import DomainError

from crm_contracts.domain.lines import Version, margin_of
from crm_contracts.domain.plan import InstalmentState

Status = Literal[
    "draft",
    "submitted",
    "approved",
    "signed",
    "in_execution",
    "suspended",
    "completed",
    "terminated",
    "closed",
]
HUNDRED = Decimal(100)
PERCENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Nothing:
    """No contract has been drafted on this stream."""


@dataclass(frozen=True, slots=True)
class Contract:
    """The contract, whatever its status."""

    status: ClassVar[Status]
    contract_id: str
    account_id: str
    branch: str
    owner_id: str
    currency: str
    lines: tuple[ContractLine, ...]
    amount: Decimal
    payment_terms: str
    drafted_at: datetime
    opportunity_id: str | None = None
    campaign_id: str | None = None
    instalments: tuple[InstalmentState, ...] = ()

    @property
    def plan(self) -> tuple[Instalment, ...]:
        return tuple(Instalment(i.number, i.due, i.amount) for i in self.instalments)

    @property
    def collected(self) -> Decimal:
        return sum((i.paid for i in self.instalments), Decimal(0))

    @property
    def outstanding(self) -> Decimal:
        return sum((i.open for i in self.instalments), Decimal(0))

    @property
    def percent_collected(self) -> Decimal:
        """Collected / contract amount, as a percent to 2 places (DOMAIN.md: percent complete)."""
        if self.amount == 0:
            return Decimal(0).quantize(PERCENT)
        return (self.collected / self.amount * HUNDRED).quantize(PERCENT)

    @property
    def margin(self) -> Decimal:
        return margin_of(self.lines)


@dataclass(frozen=True, slots=True)
class Draft(Contract):
    status: ClassVar[Status] = "draft"
    reason: str | None = field(default=None, kw_only=True)  # why it was last rejected


@dataclass(frozen=True, slots=True)
class Submitted(Contract):
    status: ClassVar[Status] = "submitted"


@dataclass(frozen=True, slots=True)
class Approved(Contract):
    status: ClassVar[Status] = "approved"


@dataclass(frozen=True, slots=True)
class Agreed(Contract):
    """Signed, and every status after: its versions and what was delivered, returned and paid."""

    versions: tuple[Version, ...] = ()  # every version, oldest first
    delivered: Mapping[str, Decimal] = field(default_factory=dict)  # line id -> quantity
    returned: Mapping[str, Decimal] = field(default_factory=dict)
    returned_value: Decimal = Decimal(0)
    received: Decimal = Decimal(0)  # every payment, whatever it was allocated to
    credit: Decimal = Decimal(0)  # received beyond the whole contract: owed back or carried on
    bad_debt_raised: bool = False

    @property
    def net_revenue(self) -> Decimal:
        """The contract amount less the value of returned goods."""
        return self.amount - self.returned_value

    @property
    def version(self) -> int:
        """The current version: 1 as signed, +1 per amendment."""
        return len(self.versions)


@dataclass(frozen=True, slots=True)
class Signed(Agreed):
    status: ClassVar[Status] = "signed"


@dataclass(frozen=True, slots=True)
class InExecution(Agreed):
    status: ClassVar[Status] = "in_execution"


@dataclass(frozen=True, slots=True)
class Suspended(Agreed):
    status: ClassVar[Status] = "suspended"
    reason: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Terminated(Agreed):
    status: ClassVar[Status] = "terminated"
    reason: str = field(kw_only=True)


@dataclass(frozen=True, slots=True)
class Completed(Agreed):
    status: ClassVar[Status] = "completed"


@dataclass(frozen=True, slots=True)
class Closed(Agreed):
    """Completed and everything collected: it changes no more."""

    status: ClassVar[Status] = "closed"


AfterSigning = Signed | InExecution | Suspended | Terminated | Completed | Closed
Drafted = Draft | Submitted | Approved | AfterSigning
State = Nothing | Drafted
# signed and not closed: the customer owes the plan, payments and overdue checks apply
Binding = Signed | InExecution | Suspended | Completed | Terminated
Kind = TypeVar("Kind", bound=Contract)


def initial_state() -> State:
    return Nothing()


def become(kind: type[Kind], state: Contract, **changes: Any) -> Kind:
    """The same contract in another status: what the new status has and the old one had is kept,
    what only the old status had (a reason) is left behind."""
    kept = {
        f.name: getattr(state, f.name) for f in dataclasses.fields(kind) if hasattr(state, f.name)
    }
    return kind(**kept | changes)


def drafted(state: State) -> Contract:
    if isinstance(state, Nothing):
        raise DomainError("There is no such contract.")
    return state


def label(c: Contract) -> str:
    return c.status.replace("_", " ")


def being(state: State, kind: type[Kind], refusal: str) -> Kind:
    """The contract, if it is in the status `kind` (else why the command is refused)."""
    c = drafted(state)
    if not isinstance(c, kind):
        raise DomainError(f"This contract is {label(c)}; {refusal}")
    return c
