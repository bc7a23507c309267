"""Events of the `contracts` context (stream ids: contract-<uuid>).

Settings live on `contracts-settings-company` / `contracts-settings-<branch>` (not `contract-…`, so
that no settings stream can ever be mistaken for a contract).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from crm_events.registry import event

CONTEXT = "contracts"


@dataclass(frozen=True, slots=True)
class ContractLine:
    line_id: str  # stable across versions: deliveries, returns and version diffs refer to it
    product: str
    product_line: str
    quantity: Decimal
    unit_price: Decimal
    unit_cost: Decimal  # margin = quantity x (unit_price - unit_cost)


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1..n, in due order
    due: date
    amount: Decimal  # whole cents; a plan's instalments add up to the contract amount


@dataclass(frozen=True, slots=True)
class PaymentAllocation:
    instalment: int
    amount: Decimal


@event("ContractDrafted")
@dataclass(frozen=True, slots=True)
class ContractDrafted:
    """A contract is drafted, directly or from a won opportunity (then `opportunity_id` is set)."""

    contract_id: str
    account_id: str
    branch: str
    owner_id: str
    currency: str
    lines: tuple[ContractLine, ...]
    amount: Decimal  # sum of quantity x unit price, rounded to cents
    payment_terms: str
    opportunity_id: str | None
    campaign_id: str | None
    drafted_at: datetime


@event("ContractDraftRevised")
@dataclass(frozen=True, slots=True)
class ContractDraftRevised:
    contract_id: str
    lines: tuple[ContractLine, ...]
    amount: Decimal
    payment_terms: str
    at: datetime


@event("ContractPaymentPlanSet")
@dataclass(frozen=True, slots=True)
class ContractPaymentPlanSet:
    contract_id: str
    instalments: tuple[Instalment, ...]
    at: datetime


@event("ContractSubmitted")
@dataclass(frozen=True, slots=True)
class ContractSubmitted:
    contract_id: str
    by: str
    at: datetime


@event("ContractApproved")
@dataclass(frozen=True, slots=True)
class ContractApproved:
    contract_id: str
    by: str  # a branch manager of the contract's branch
    at: datetime


@event("ContractRejected")
@dataclass(frozen=True, slots=True)
class ContractRejected:
    """The branch manager sends the contract back to draft, saying why."""

    contract_id: str
    by: str
    reason: str
    at: datetime


@event("ContractSigned")
@dataclass(frozen=True, slots=True)
class ContractSigned:
    """Signed: version 1. Carries what attainment and campaign reports need."""

    contract_id: str
    account_id: str
    branch: str
    owner_id: str
    amount: Decimal
    currency: str
    lines: tuple[ContractLine, ...]
    opportunity_id: str | None
    campaign_id: str | None
    by: str
    signed_at: datetime


@event("ContractExecutionStarted")
@dataclass(frozen=True, slots=True)
class ContractExecutionStarted:
    contract_id: str
    at: datetime


@event("ContractSuspended")
@dataclass(frozen=True, slots=True)
class ContractSuspended:
    contract_id: str
    reason: str
    at: datetime


@event("ContractResumed")
@dataclass(frozen=True, slots=True)
class ContractResumed:
    contract_id: str
    at: datetime


@event("ContractTerminated")
@dataclass(frozen=True, slots=True)
class ContractTerminated:
    contract_id: str
    reason: str
    by: str
    at: datetime


@event("ContractCompleted")
@dataclass(frozen=True, slots=True)
class ContractCompleted:
    contract_id: str
    at: datetime


@event("ContractClosed")
@dataclass(frozen=True, slots=True)
class ContractClosed:
    contract_id: str
    at: datetime


@event("ContractAmended")
@dataclass(frozen=True, slots=True)
class ContractAmended:
    """A new version after signing; every earlier version stays in the contract's history."""

    contract_id: str
    version: int  # 2, 3, ... (version 1 is the contract as signed)
    reason: str
    lines: tuple[ContractLine, ...]
    amount: Decimal
    previous_amount: Decimal
    instalments: tuple[Instalment, ...]
    by: str
    at: datetime


@event("ContractPaymentReceived")
@dataclass(frozen=True, slots=True)
class ContractPaymentReceived:
    """A payment against an instalment. What exceeds that instalment's open amount is allocated to
    the other open instalments in due order; what exceeds the whole contract is `credit`."""

    contract_id: str
    payment_id: str
    instalment: int  # the instalment the customer paid against
    amount: Decimal
    received_at: datetime
    reference: str
    allocations: tuple[PaymentAllocation, ...]
    credit: Decimal  # added to the contract's credit balance
    at: datetime


@event("ContractLineDelivered")
@dataclass(frozen=True, slots=True)
class ContractLineDelivered:
    contract_id: str
    delivery_id: str
    line_id: str
    product: str
    quantity: Decimal
    at: datetime


@event("ContractLineReturned")
@dataclass(frozen=True, slots=True)
class ContractLineReturned:
    """Goods sent back: `value` (quantity x unit price, to the cent) is taken off net revenue."""

    contract_id: str
    return_id: str
    line_id: str
    product: str
    product_line: str
    quantity: Decimal
    value: Decimal
    reason: str
    at: datetime


@event("InstalmentOverdue")
@dataclass(frozen=True, slots=True)
class InstalmentOverdue:
    """An instalment is unpaid after its due date (recorded once per instalment)."""

    contract_id: str
    account_id: str
    branch: str
    instalment: int
    due: date
    outstanding: Decimal
    at: datetime


@event("InstalmentOverdueSettled")
@dataclass(frozen=True, slots=True)
class InstalmentOverdueSettled:
    """An instalment paid in full after its due date: how late it was (the customer's credit
    history)."""

    contract_id: str
    account_id: str
    branch: str
    instalment: int
    due: date
    settled_at: datetime
    days_late: int
    at: datetime


@event("ContractBadDebtRiskRaised")
@dataclass(frozen=True, slots=True)
class ContractBadDebtRiskRaised:
    """The oldest overdue instalment is more than `threshold_days` late (raised once a contract)."""

    contract_id: str
    account_id: str
    branch: str
    instalment: int
    due: date
    days_overdue: int
    overdue_amount: Decimal  # all instalments past due, unpaid part
    threshold_days: int
    at: datetime


@event("ContractSettingsChanged")
@dataclass(frozen=True, slots=True)
class ContractSettingsChanged:
    """Stream `contracts-settings-company` or `contracts-settings-<branch>`; None keeps the wider
    setting."""

    scope: str  # "company" or a branch
    bad_debt_days: int | None
    at: datetime
