"""What a contract is asked (commands: time, ids, the actor's role and configuration arrive in them, so
`decide` stays pure) and what it records (its events)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeAlias

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

DEFAULT_BAD_DEBT_DAYS = 60


@dataclass(frozen=True, slots=True)
class DraftContract:
    contract_id: str
    account_id: str
    branch: str
    owner_id: str
    currency: str
    lines: tuple[ContractLine, ...]
    payment_terms: str
    at: datetime
    opportunity_id: str | None = None
    campaign_id: str | None = None
    from_opportunity: bool = False  # drafted by a won opportunity: a repeat is no error


@dataclass(frozen=True, slots=True)
class ReviseDraft:
    lines: tuple[ContractLine, ...]
    payment_terms: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SetPaymentPlan:
    instalments: tuple[Instalment, ...]
    at: datetime


@dataclass(frozen=True, slots=True)
class SubmitContract:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DecideContract:
    """Approve or reject (back to draft): only a branch manager of the contract's branch."""

    approve: bool
    by: str
    by_role: str
    by_branch: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SignContract:
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class StartExecution:
    at: datetime


@dataclass(frozen=True, slots=True)
class SuspendContract:
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ResumeContract:
    at: datetime


@dataclass(frozen=True, slots=True)
class TerminateContract:
    reason: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CompleteContract:
    at: datetime


@dataclass(frozen=True, slots=True)
class CloseContract:
    at: datetime


@dataclass(frozen=True, slots=True)
class AmendContract:
    reason: str
    lines: tuple[ContractLine, ...]
    instalments: tuple[Instalment, ...]
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordPayment:
    payment_id: str
    instalment: int
    amount: Decimal
    received_at: datetime
    reference: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordDelivery:
    delivery_id: str
    line_id: str
    quantity: Decimal
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordReturn:
    return_id: str
    line_id: str
    quantity: Decimal
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckOverdue:
    """The scheduled check; `bad_debt_days` is the branch's setting (default 60)."""

    now: datetime
    bad_debt_days: int = DEFAULT_BAD_DEBT_DAYS


Command: TypeAlias = (
    DraftContract
    | ReviseDraft
    | SetPaymentPlan
    | SubmitContract
    | DecideContract
    | SignContract
    | StartExecution
    | SuspendContract
    | ResumeContract
    | TerminateContract
    | CompleteContract
    | CloseContract
    | AmendContract
    | RecordPayment
    | RecordDelivery
    | RecordReturn
    | CheckOverdue
)

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
