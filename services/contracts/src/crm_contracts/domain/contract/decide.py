"""What a contract decides: each command checked against its rules and the contract's status, and
answered with the events it records (or a DomainError in words a salesperson understands)."""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never

from crm_events.contracts import (
    ContractApproved,
    ContractClosed,
    ContractCompleted,
    ContractDrafted,
    ContractDraftRevised,
    ContractExecutionStarted,
    ContractPaymentPlanSet,
    ContractRejected,
    ContractResumed,
    ContractSigned,
    ContractSubmitted,
    ContractSuspended,
    ContractTerminated,
)
from crm_platform.domain import DomainError

from crm_contracts.domain.contract.commands import (
    AmendContract,
    CheckOverdue,
    CloseContract,
    Command,
    CompleteContract,
    DecideContract,
    DraftContract,
    Event,
    RecordDelivery,
    RecordPayment,
    RecordReturn,
    ResumeContract,
    ReviseDraft,
    SetPaymentPlan,
    SignContract,
    StartExecution,
    SubmitContract,
    SuspendContract,
    TerminateContract,
)
from crm_contracts.domain.contract.execution import amend, deliver, take_back
from crm_contracts.domain.contract.receivables import check_overdue, pay
from crm_contracts.domain.contract.state import (
    Approved,
    Completed,
    Contract,
    Draft,
    InExecution,
    Signed,
    State,
    Submitted,
    Suspended,
    being,
    drafted,
    label,
)
from crm_contracts.domain.lines import amount_of, validate_lines
from crm_contracts.domain.plan import validate_plan

Drafting = DraftContract | ReviseDraft | SetPaymentPlan | SubmitContract
Approval = DecideContract | SignContract
Running = (
    StartExecution
    | SuspendContract
    | ResumeContract
    | TerminateContract
    | CompleteContract
    | CloseContract
)


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case DraftContract() | ReviseDraft() | SetPaymentPlan() | SubmitContract():
            return _drafting(command, state)
        case DecideContract() | SignContract():
            return _approval(command, state)
        case (
            StartExecution()
            | SuspendContract()
            | ResumeContract()
            | TerminateContract()
            | CompleteContract()
            | CloseContract()
        ):
            return _running(command, state)
        case AmendContract():
            return amend(drafted(state), command)
        case RecordPayment():
            return pay(drafted(state), command)
        case RecordDelivery():
            return deliver(drafted(state), command)
        case RecordReturn():
            return take_back(drafted(state), command)
        case CheckOverdue():
            return check_overdue(state, command)
        case _:
            assert_never(command)


def _reason(reason: str, doing: str) -> str:
    if not reason.strip():
        raise DomainError(f"Say why the contract is {doing}.", field="reason")
    return reason


def _plan_ready(c: Contract) -> None:
    if not c.instalments:
        raise DomainError("Set the payment plan first.", field="instalments")
    validate_plan(c.plan, c.amount)


# --- drafting: the draft, its lines and plan, and its submission ---------------------------------
def _drafting(command: Drafting, state: State) -> list[Event]:
    match command:
        case DraftContract():
            return _draft(command, state)
        case ReviseDraft():
            c = being(state, Draft, "only a draft is edited (once signed, amend it).")
            validate_lines(command.lines)
            if (command.lines, command.payment_terms) == (c.lines, c.payment_terms):
                return []
            amount = amount_of(command.lines)
            return [
                ContractDraftRevised(
                    c.contract_id, command.lines, amount, command.payment_terms, command.at
                )
            ]
        case SetPaymentPlan():
            c = being(state, Draft, "only a draft's plan is set (once signed, amend it).")
            validate_plan(command.instalments, c.amount)
            if command.instalments == c.plan:
                return []
            return [ContractPaymentPlanSet(c.contract_id, command.instalments, command.at)]
        case SubmitContract():
            c = being(state, Draft, "only a draft is submitted for approval.")
            validate_lines(c.lines)
            _plan_ready(c)
            return [ContractSubmitted(c.contract_id, command.by, command.at)]


def _draft(command: DraftContract, state: State) -> list[Event]:
    if isinstance(state, Contract):
        if command.from_opportunity:
            return []  # the same won opportunity delivered again
        raise DomainError("This contract has already been drafted.")
    if not command.from_opportunity:  # a won deal is recorded as won; submit checks lines
        validate_lines(command.lines)
    return [
        ContractDrafted(
            contract_id=command.contract_id,
            account_id=command.account_id,
            branch=command.branch,
            owner_id=command.owner_id,
            currency=command.currency,
            lines=command.lines,
            amount=amount_of(command.lines),
            payment_terms=command.payment_terms,
            opportunity_id=command.opportunity_id,
            campaign_id=command.campaign_id,
            drafted_at=command.at,
        )
    ]


# --- approval and signing -----------------------------------------------------------------------
def _approval(command: Approval, state: State) -> list[Event]:
    match command:
        case DecideContract():
            c = drafted(state)
            if command.by_role != "branch_manager" or command.by_branch != c.branch:
                raise DomainError(
                    f"Only a branch manager of {c.branch} approves or rejects this contract."
                )
            c = being(state, Submitted, "it is not waiting for approval.")
            if command.approve:
                return [ContractApproved(c.contract_id, command.by, command.at)]
            reason = _reason(command.reason, "rejected")
            return [ContractRejected(c.contract_id, command.by, reason, command.at)]
        case SignContract():
            c = being(state, Approved, "only an approved contract can be signed.")
            _plan_ready(c)
            return [
                ContractSigned(
                    contract_id=c.contract_id,
                    account_id=c.account_id,
                    branch=c.branch,
                    owner_id=c.owner_id,
                    amount=c.amount,
                    currency=c.currency,
                    lines=c.lines,
                    opportunity_id=c.opportunity_id,
                    campaign_id=c.campaign_id,
                    by=command.by,
                    signed_at=command.at,
                )
            ]


# --- execution: start, pause, end ---------------------------------------------------------------
def _running(command: Running, state: State) -> list[Event]:
    c: Contract
    match command:
        case StartExecution():
            c = being(state, Signed, "only a signed contract goes into execution.")
            return [ContractExecutionStarted(c.contract_id, command.at)]
        case SuspendContract():
            c = being(state, InExecution, "only a contract in execution can be suspended.")
            return [
                ContractSuspended(c.contract_id, _reason(command.reason, "suspended"), command.at)
            ]
        case ResumeContract():
            c = being(state, Suspended, "only a suspended contract can be resumed.")
            return [ContractResumed(c.contract_id, command.at)]
        case TerminateContract():
            c = drafted(state)
            if not isinstance(c, InExecution | Suspended):
                raise DomainError(
                    f"This contract is {label(c)}; only a contract in execution can be terminated."
                )
            reason = _reason(command.reason, "terminated")
            return [ContractTerminated(c.contract_id, reason, command.by, command.at)]
        case CompleteContract():
            c = being(state, InExecution, "only a contract in execution can be completed.")
            short = [
                ln.product
                for ln in c.lines
                if c.delivered.get(ln.line_id, Decimal(0)) < ln.quantity
            ]
            if short:
                raise DomainError(f"Not everything is delivered yet: {', '.join(short)}.")
            return [ContractCompleted(c.contract_id, command.at)]
        case CloseContract():
            c = being(state, Completed, "only a completed contract can be closed.")
            if c.outstanding > 0:
                raise DomainError(
                    f"{c.outstanding} {c.currency} is still outstanding; "
                    "a contract closes once everything is collected."
                )
            return [ContractClosed(c.contract_id, command.at)]
