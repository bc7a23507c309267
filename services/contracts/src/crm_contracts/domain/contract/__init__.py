"""The Contract aggregate (DOMAIN.md §3): drafting, approval, signing, execution, versions, payments.

A contract is a draft, submitted, approved, signed, in execution, suspended, completed, terminated
or closed. `commands` holds what it is asked and records, `state` what its history folds into (a
type per status), `decide` and `evolve` the two pure functions; money owed is decided in
`receivables`, amendments, deliveries and returns in `execution`.
"""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid5

from crm_events.contracts import ContractLine
from crm_events.opportunities import OpportunityWon
from crm_platform.domain import Decider

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
from crm_contracts.domain.contract.decide import decide
from crm_contracts.domain.contract.evolve import evolve
from crm_contracts.domain.contract.state import (
    AfterSigning,
    Agreed,
    Approved,
    Binding,
    Closed,
    Completed,
    Contract,
    Draft,
    Drafted,
    InExecution,
    Nothing,
    Signed,
    State,
    Status,
    Submitted,
    Suspended,
    Terminated,
    initial_state,
)

# contract ids drafted from won opportunities: uuid5(this namespace, opportunity id)
FROM_OPPORTUNITY = UUID("c57c7c23-8334-4d87-99eb-8083f0a0b8ec")

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


__all__ = [
    "FROM_OPPORTUNITY",
    "AfterSigning",
    "Agreed",
    "AmendContract",
    "Approved",
    "Binding",
    "CheckOverdue",
    "CloseContract",
    "Closed",
    "Command",
    "CompleteContract",
    "Completed",
    "Contract",
    "DecideContract",
    "Draft",
    "DraftContract",
    "Drafted",
    "Event",
    "InExecution",
    "Nothing",
    "RecordDelivery",
    "RecordPayment",
    "RecordReturn",
    "ResumeContract",
    "ReviseDraft",
    "SetPaymentPlan",
    "SignContract",
    "Signed",
    "StartExecution",
    "State",
    "Status",
    "SubmitContract",
    "Submitted",
    "SuspendContract",
    "Suspended",
    "TerminateContract",
    "Terminated",
    "contract",
    "contract_id_for",
    "decide",
    "evolve",
    "initial_state",
    "on_opportunity_won",
    "stream_id",
]
