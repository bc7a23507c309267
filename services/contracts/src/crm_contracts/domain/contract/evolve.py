"""How each recorded event changes a contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import assert_never

from crm_events.contracts import (
    ContractAmended,
    ContractApproved,
    ContractBadDebtRiskRaised,
    ContractClosed,
    ContractCompleted,
    ContractDrafted,
    ContractDraftRevised,
    ContractExecutionStarted,
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
    InstalmentOverdue,
    InstalmentOverdueSettled,
)

from crm_contracts.domain.contract.commands import Event
from crm_contracts.domain.contract.state import (
    AfterSigning,
    Agreed,
    Approved,
    Closed,
    Completed,
    Contract,
    Draft,
    Drafted,
    InExecution,
    Signed,
    State,
    Submitted,
    Suspended,
    Terminated,
    become,
)
from crm_contracts.domain.lines import Version
from crm_contracts.domain.plan import InstalmentState, apply_payment, flag_overdue, replan


def evolve(state: State, event: Event) -> State:
    if isinstance(event, ContractDrafted):
        return Draft(
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
    return _status(state, event) or _contract(state, event)


def _status(state: Drafted, event: Event) -> State | None:
    """A change of status, or None when the event changes the contract within its status."""
    match event:
        case ContractSubmitted():
            return become(Submitted, state)
        case ContractApproved():
            return become(Approved, state)
        case ContractRejected():
            return become(Draft, state, reason=event.reason)
        case ContractSigned():
            signed = Version(1, state.lines, state.amount, state.plan, "signed", event.signed_at)
            return become(Signed, state, versions=(signed,))
        case ContractExecutionStarted() | ContractResumed():
            return become(InExecution, state)
        case ContractSuspended():
            return become(Suspended, state, reason=event.reason)
        case ContractTerminated():
            return become(Terminated, state, reason=event.reason)
        case ContractCompleted():
            return become(Completed, state)
        case ContractClosed():
            return become(Closed, state)
    return None


def _contract(state: Drafted, event: Event) -> Drafted:
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
        case ContractAmended():
            version = Version(
                event.version, event.lines, event.amount, event.instalments, event.reason, event.at
            )
            s = _agreed(state, event)
            return replace(
                s,
                lines=event.lines,
                amount=event.amount,
                instalments=replan(s.instalments, event.instalments),
                versions=(*s.versions, version),
            )
        case ContractPaymentReceived():
            s = _agreed(state, event)
            return replace(
                s,
                instalments=apply_payment(s.instalments, event.allocations),
                received=s.received + event.amount,
                credit=s.credit + event.credit,
            )
        case ContractLineDelivered():
            s = _agreed(state, event)
            return replace(s, delivered=_add(s.delivered, event.line_id, event.quantity))
        case ContractLineReturned():
            s = _agreed(state, event)
            return replace(
                s,
                returned=_add(s.returned, event.line_id, event.quantity),
                returned_value=s.returned_value + event.value,
            )
        case InstalmentOverdue():
            return replace(state, instalments=flag_overdue(state.instalments, event.instalment))
        case InstalmentOverdueSettled():
            return state  # the payment already settled it; this records how late it was
        case ContractBadDebtRiskRaised():
            return replace(_agreed(state, event), bad_debt_raised=True)
        case (
            ContractDrafted()  # decide never drafts a drafted contract twice
            | ContractSubmitted()
            | ContractApproved()
            | ContractRejected()
            | ContractSigned()
            | ContractExecutionStarted()
            | ContractResumed()
            | ContractSuspended()
            | ContractTerminated()
            | ContractCompleted()
            | ContractClosed()
        ):
            return state
        case _:
            assert_never(event)


def _agreed(state: Drafted, event: Event) -> AfterSigning:
    assert isinstance(state, Agreed), f"{type(event).__name__} needs a signed contract"
    return state


def _add(totals: Mapping[str, Decimal], key: str, quantity: Decimal) -> dict[str, Decimal]:
    return {**totals, key: totals.get(key, Decimal(0)) + quantity}
