"""The Contract's state and `evolve`: one record whose `status` walks the lifecycle of DOMAIN.md §3.

draft -> submitted -> approved | (rejected: back to draft) -> signed -> in_execution -> completed
-> closed; in_execution <-> suspended; in_execution | suspended -> terminated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Literal, TypeAlias, assert_never

from crm_events.contracts import (
    ContractAmended,
    ContractApproved,
    ContractBadDebtRiskRaised,
    ContractClosed,
    ContractCompleted,
    ContractDrafted,
    ContractDraftRevised,
    ContractExecutionStarted,
    ContractLine,
    ContractLineDelivered,
    ContractLineReturned,
    ContractPaymentPlanSet,
    ContractPaymentReceived,
    ContractRejected,
    ContractResumed,
    ContractSigned,
    ContractSubmitted,
    ContractSuspended,
    ContractTerminated,
    Instalment,
    InstalmentOverdue,
    InstalmentOverdueSettled,
)

from crm_contracts.domain.lines import Version, margin_of
from crm_contracts.domain.plan import InstalmentState, apply_payment, flag_overdue, replan

Event: TypeAlias = (
    ContractDrafted
    | ContractDraftRevised
    | ContractPaymentPlanSet
    | ContractSubmitted
    | ContractApproved
    | ContractRejected
    | ContractSigned
    | ContractExecutionStarted
    | ContractSuspended
    | ContractResumed
    | ContractTerminated
    | ContractCompleted
    | ContractClosed
    | ContractAmended
    | ContractPaymentReceived
    | ContractLineDelivered
    | ContractLineReturned
    | InstalmentOverdue
    | InstalmentOverdueSettled
    | ContractBadDebtRiskRaised
)

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
# signed and not closed: the customer owes the plan, payments and overdue checks apply
BINDING: frozenset[Status] = frozenset(
    {"signed", "in_execution", "suspended", "completed", "terminated"}
)
HUNDRED = Decimal(100)
PERCENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Nothing:
    """No contract has been drafted on this stream."""


@dataclass(frozen=True, slots=True)
class Contract:
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
    status: Status = "draft"
    reason: str | None = None  # why it was last rejected, suspended or terminated
    instalments: tuple[InstalmentState, ...] = ()
    versions: tuple[Version, ...] = ()  # from signing on: every version, oldest first
    delivered: Mapping[str, Decimal] = field(default_factory=dict)  # line id -> quantity
    returned: Mapping[str, Decimal] = field(default_factory=dict)
    returned_value: Decimal = Decimal(0)
    received: Decimal = Decimal(0)  # every payment, whatever it was allocated to
    credit: Decimal = Decimal(0)  # received beyond the whole contract: owed back or carried on
    bad_debt_raised: bool = False

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

    @property
    def net_revenue(self) -> Decimal:
        """The contract amount less the value of returned goods."""
        return self.amount - self.returned_value

    @property
    def version(self) -> int:
        """The current version: 0 before signing, 1 as signed, +1 per amendment."""
        return len(self.versions)

    @property
    def binding(self) -> bool:
        return self.status in BINDING


State = Nothing | Contract


def initial_state() -> State:
    return Nothing()


def _add(totals: Mapping[str, Decimal], key: str, quantity: Decimal) -> dict[str, Decimal]:
    return {**totals, key: totals.get(key, Decimal(0)) + quantity}


def evolve(state: State, event: Event) -> State:
    if isinstance(event, ContractDrafted):
        return Contract(
            contract_id=event.contract_id,
            account_id=event.account_id,
            branch=event.branch,
            owner_id=event.owner_id,
            currency=event.currency,
            lines=event.lines,
            amount=event.amount,
            payment_terms=event.payment_terms,
            drafted_at=event.drafted_at,
            opportunity_id=event.opportunity_id,
            campaign_id=event.campaign_id,
        )
    assert isinstance(state, Contract), f"{type(event).__name__} needs a drafted contract"
    return _evolve_drafted(state, event)


def _evolve_drafted(state: Contract, event: Event) -> Contract:
    match event:
        case ContractDraftRevised():
            return replace(
                state, lines=event.lines, amount=event.amount, payment_terms=event.payment_terms
            )
        case ContractPaymentPlanSet():
            return replace(
                state,
                instalments=tuple(
                    InstalmentState(i.number, i.due, i.amount) for i in event.instalments
                ),
            )
        case ContractSubmitted():
            return replace(state, status="submitted", reason=None)
        case ContractApproved():
            return replace(state, status="approved")
        case ContractRejected():
            return replace(state, status="draft", reason=event.reason)
        case ContractSigned():
            signed = Version(1, state.lines, state.amount, state.plan, "signed", event.signed_at)
            return replace(state, status="signed", versions=(signed,))
        case ContractExecutionStarted() | ContractResumed():
            return replace(state, status="in_execution", reason=None)
        case ContractSuspended():
            return replace(state, status="suspended", reason=event.reason)
        case ContractTerminated():
            return replace(state, status="terminated", reason=event.reason)
        case ContractCompleted():
            return replace(state, status="completed")
        case ContractClosed():
            return replace(state, status="closed")
        case ContractAmended():
            version = Version(
                event.version, event.lines, event.amount, event.instalments, event.reason, event.at
            )
            return replace(
                state,
                lines=event.lines,
                amount=event.amount,
                instalments=replan(state.instalments, event.instalments),
                versions=(*state.versions, version),
            )
        case ContractPaymentReceived():
            return replace(
                state,
                instalments=apply_payment(state.instalments, event.allocations),
                received=state.received + event.amount,
                credit=state.credit + event.credit,
            )
        case ContractLineDelivered():
            return replace(state, delivered=_add(state.delivered, event.line_id, event.quantity))
        case ContractLineReturned():
            return replace(
                state,
                returned=_add(state.returned, event.line_id, event.quantity),
                returned_value=state.returned_value + event.value,
            )
        case InstalmentOverdue():
            return replace(state, instalments=flag_overdue(state.instalments, event.instalment))
        case InstalmentOverdueSettled():
            return state  # the payment already settled it; this records how late it was
        case ContractBadDebtRiskRaised():
            return replace(state, bad_debt_raised=True)
        case ContractDrafted():
            return state  # decide never drafts a drafted contract twice
        case _:
            assert_never(event)
