"""The Contract aggregate (DOMAIN.md §3): approval, signing, execution, versions, payments.

Commands are in `contract_commands`, state and `evolve` in `contract_state`; money owed is decided
in `receivables`, amendments, deliveries and returns in `execution`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import assert_never
from uuid import UUID, uuid5

from crm_events.contracts import (
    ContractApproved,
    ContractClosed,
    ContractCompleted,
    ContractDrafted,
    ContractDraftRevised,
    ContractExecutionStarted,
    ContractLine,
    ContractPaymentPlanSet,
    ContractRejected,
    ContractResumed,
    ContractSigned,
    ContractSubmitted,
    ContractSuspended,
    ContractTerminated,
)
from crm_events.opportunities import OpportunityWon
from crm_platform.domain import Decider, DomainError

from crm_contracts.domain.contract_commands import (
    AmendContract,
    CheckOverdue,
    CloseContract,
    Command,
    CompleteContract,
    DecideContract,
    DraftContract,
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
from crm_contracts.domain.contract_state import Contract, Event, State, evolve, initial_state
from crm_contracts.domain.execution import amend, deliver, take_back
from crm_contracts.domain.lines import amount_of, validate_lines
from crm_contracts.domain.plan import validate_plan
from crm_contracts.domain.receivables import check_overdue, pay

# contract ids drafted from won opportunities: uuid5(this namespace, opportunity id)
FROM_OPPORTUNITY = UUID("c57c7c23-8334-4d87-99eb-8083f0a0b8ec")


def _drafted(state: State) -> Contract:
    if not isinstance(state, Contract):
        raise DomainError("There is no such contract.")
    return state


def _label(c: Contract) -> str:
    return c.status.replace("_", " ")


def _in(state: State, status: str, refusal: str) -> Contract:
    c = _drafted(state)
    if c.status != status:
        raise DomainError(f"This contract is {_label(c)}; {refusal}")
    return c


def _reason(reason: str, doing: str) -> str:
    if not reason.strip():
        raise DomainError(f"Say why the contract is {doing}.", field="reason")
    return reason


def _plan_ready(c: Contract) -> None:
    if not c.instalments:
        raise DomainError("Set the payment plan first.", field="instalments")
    validate_plan(c.plan, c.amount)


def decide(command: Command, state: State) -> list[Event]:
    match command:
        case DraftContract():
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
        case ReviseDraft():
            c = _in(state, "draft", "only a draft is edited (once signed, amend it).")
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
            c = _in(state, "draft", "only a draft's plan is set (once signed, amend it).")
            validate_plan(command.instalments, c.amount)
            if command.instalments == c.plan:
                return []
            return [ContractPaymentPlanSet(c.contract_id, command.instalments, command.at)]
        case SubmitContract():
            c = _in(state, "draft", "only a draft is submitted for approval.")
            validate_lines(c.lines)
            _plan_ready(c)
            return [ContractSubmitted(c.contract_id, command.by, command.at)]
        case DecideContract():
            c = _drafted(state)
            if command.by_role != "branch_manager" or command.by_branch != c.branch:
                raise DomainError(
                    f"Only a branch manager of {c.branch} approves or rejects this contract."
                )
            c = _in(state, "submitted", "it is not waiting for approval.")
            if command.approve:
                return [ContractApproved(c.contract_id, command.by, command.at)]
            reason = _reason(command.reason, "rejected")
            return [ContractRejected(c.contract_id, command.by, reason, command.at)]
        case SignContract():
            c = _in(state, "approved", "only an approved contract can be signed.")
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
        case StartExecution():
            c = _in(state, "signed", "only a signed contract goes into execution.")
            return [ContractExecutionStarted(c.contract_id, command.at)]
        case SuspendContract():
            c = _in(state, "in_execution", "only a contract in execution can be suspended.")
            return [
                ContractSuspended(c.contract_id, _reason(command.reason, "suspended"), command.at)
            ]
        case ResumeContract():
            c = _in(state, "suspended", "only a suspended contract can be resumed.")
            return [ContractResumed(c.contract_id, command.at)]
        case TerminateContract():
            c = _drafted(state)
            if c.status not in ("in_execution", "suspended"):
                raise DomainError(
                    f"This contract is {_label(c)}; only a contract in execution can be terminated."
                )
            reason = _reason(command.reason, "terminated")
            return [ContractTerminated(c.contract_id, reason, command.by, command.at)]
        case CompleteContract():
            c = _in(state, "in_execution", "only a contract in execution can be completed.")
            short = [
                ln.product
                for ln in c.lines
                if c.delivered.get(ln.line_id, Decimal(0)) < ln.quantity
            ]
            if short:
                raise DomainError(f"Not everything is delivered yet: {', '.join(short)}.")
            return [ContractCompleted(c.contract_id, command.at)]
        case CloseContract():
            c = _in(state, "completed", "only a completed contract can be closed.")
            if c.outstanding > 0:
                raise DomainError(
                    f"{c.outstanding} {c.currency} is still outstanding; "
                    "a contract closes once everything is collected."
                )
            return [ContractClosed(c.contract_id, command.at)]
        case AmendContract():
            return amend(_drafted(state), command)
        case RecordPayment():
            return pay(_drafted(state), command)
        case RecordDelivery():
            return deliver(_drafted(state), command)
        case RecordReturn():
            return take_back(_drafted(state), command)
        case CheckOverdue():
            return check_overdue(state, command)
        case _:
            assert_never(command)


contract: Decider[Command, State, Event] = Decider(decide, evolve, initial_state)


def stream_id(contract_id: str) -> str:
    return f"contract-{contract_id}"


# --- reactions to other contexts (pure: a foreign event -> a command, or None) ------------------
def contract_id_for(opportunity_id: str) -> str:
    """The one contract a won opportunity drafts: the same id however often the event arrives."""
    return str(uuid5(FROM_OPPORTUNITY, opportunity_id))


def on_opportunity_won(e: OpportunityWon) -> DraftContract:
    """Lines come from the won deal with unit cost 0 (the opportunity does not know costs; they are
    filled in while the contract is a draft). A deal won without lines gets one line for its
    amount."""
    lines = tuple(
        ContractLine(str(n), ln.product, ln.product_line, ln.quantity, ln.unit_price, Decimal(0))
        for n, ln in enumerate(e.lines, start=1)
    ) or (ContractLine("1", "Won opportunity", "", Decimal(1), e.amount, Decimal(0)),)
    return DraftContract(
        contract_id=contract_id_for(e.opportunity_id),
        account_id=e.account_id,
        branch=e.branch,
        owner_id=e.owner_id,
        currency=e.currency,
        lines=lines,
        payment_terms="",
        at=e.won_at,
        opportunity_id=e.opportunity_id,
        campaign_id=e.campaign_id,
        from_opportunity=True,
    )
