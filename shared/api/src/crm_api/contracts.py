"""Routes and request models of the contracts context (DOMAIN.md §3).

Decisions: the branch's sales staff (reps and the manager) and admin draft and run contracts;
only the branch manager of the contract's branch approves or rejects, and the manager (or admin)
terminates; everyone reads, auditors included. Contracts of won opportunities are drafted by the
system from OpportunityWon.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from crm_api.routes import MANAGER, READERS, Body, Day, Route, example

SALES = frozenset({"sales_rep", "branch_manager", "admin"})
MANAGERS = frozenset({"branch_manager", "admin"})
Money = Decimal
Text = Field(min_length=1, max_length=200)


class ContractLine(Body):
    line_id: str | None = Field(None, max_length=100, description="Kept across versions")
    product: str = Text
    product_line: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money = Field(ge=0, max_digits=16, decimal_places=2)
    unit_cost: Money = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)


LINE = {
    "product": "PX-200 pump",
    "product_line": "pumps",
    "quantity": 2,
    "unit_price": 48000,
    "unit_cost": 31000,
}


class DraftContract(Body):
    model_config = example(
        account_id="acct-1042",
        currency="CNY",
        lines=[LINE],
        payment_terms="30% on signing, rest in 3 months",
    )

    account_id: str = Field(min_length=1, max_length=100)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: list[ContractLine] = Field(min_length=1, max_length=200)
    payment_terms: str = Field("", max_length=500)
    branch: str | None = Field(None, max_length=64, description="Required for HQ callers")


class ReviseDraft(Body):
    model_config = example(lines=[LINE], payment_terms="net 60")

    lines: list[ContractLine] = Field(min_length=1, max_length=200)
    payment_terms: str = Field("", max_length=500)


class InstalmentBody(Body):
    number: int = Field(ge=1, le=600)
    due: Day
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)


class PaymentPlan(Body):
    model_config = example(instalments=[{"number": 1, "due": "2027-03-31", "amount": 96000}])

    instalments: list[InstalmentBody] = Field(min_length=1, max_length=600)


class EvenPlan(Body):
    model_config = example(count=3, first_due="2027-03-31", every_months=1)

    count: int = Field(ge=1, le=600)
    first_due: Day
    every_months: int = Field(1, ge=1, le=12)


class ContractReason(Body):
    model_config = example(reason="Margin below the branch's floor")

    reason: str = Text


class Amend(Body):
    model_config = example(
        reason="Customer adds a pump",
        lines=[LINE],
        instalments=[{"number": 1, "due": "2027-03-31", "amount": 96000}],
    )

    reason: str = Text
    lines: list[ContractLine] = Field(min_length=1, max_length=200)
    instalments: list[InstalmentBody] = Field(min_length=1, max_length=600)


class Payment(Body):
    model_config = example(
        instalment=1, amount=50000, received_at="2027-03-30T10:00:00+08:00", reference="BANK-7781"
    )

    instalment: int = Field(ge=1, le=600)
    amount: Money = Field(gt=0, max_digits=16, decimal_places=2)
    received_at: datetime
    reference: str = Field("", max_length=200)


class Delivery(Body):
    model_config = example(line_id="line-1", quantity=1)

    line_id: str = Field(min_length=1, max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)


class Return(Delivery):
    model_config = example(line_id="line-1", quantity=1, reason="Damaged in transport")

    reason: str = Text


def _r(
    name: str, method: str, path: str, summary: str, roles: frozenset[str], **kw: object
) -> Route:
    return Route(name, method, path, summary, roles, tags=("contracts",), **kw)  # type: ignore[arg-type]


ONE = "/contracts/{contract_id}"
DRAFT_CONTRACT = _r(
    "draft_contract",
    "POST",
    "/contracts",
    "Draft a contract directly",
    SALES,
    body=DraftContract,
    status=201,
)
REVISE_CONTRACT_DRAFT = _r(
    "revise_contract_draft",
    "PUT",
    ONE,
    "Change a draft's lines and payment terms",
    SALES,
    body=ReviseDraft,
)
SET_PAYMENT_PLAN = _r(
    "set_payment_plan",
    "PUT",
    ONE + "/payment-plan",
    "Set the instalments; they add up to the amount",
    SALES,
    body=PaymentPlan,
)
SET_EVEN_PAYMENT_PLAN = _r(
    "set_even_payment_plan",
    "POST",
    ONE + "/payment-plan/even",
    "Split the amount into equal instalments",
    SALES,
    body=EvenPlan,
)
SUBMIT_CONTRACT = _r(
    "submit_contract",
    "POST",
    ONE + "/submit",
    "Submit for the branch manager's approval",
    SALES,
)
APPROVE_CONTRACT = _r(
    "approve_contract", "POST", ONE + "/approve", "Approve a submitted contract", MANAGER
)
REJECT_CONTRACT = _r(
    "reject_contract",
    "POST",
    ONE + "/reject",
    "Reject a submitted contract (back to draft)",
    MANAGER,
    body=ContractReason,
)
SIGN_CONTRACT = _r("sign_contract", "POST", ONE + "/sign", "Record the signature", SALES)
START_CONTRACT_EXECUTION = _r(
    "start_contract_execution",
    "POST",
    ONE + "/start",
    "Start executing a signed contract",
    SALES,
)
SUSPEND_CONTRACT = _r(
    "suspend_contract",
    "POST",
    ONE + "/suspend",
    "Suspend execution",
    SALES,
    body=ContractReason,
)
RESUME_CONTRACT = _r("resume_contract", "POST", ONE + "/resume", "Resume execution", SALES)
TERMINATE_CONTRACT = _r(
    "terminate_contract",
    "POST",
    ONE + "/terminate",
    "Terminate a contract in execution",
    MANAGERS,
    body=ContractReason,
)
COMPLETE_CONTRACT = _r(
    "complete_contract", "POST", ONE + "/complete", "Complete a delivered contract", SALES
)
CLOSE_CONTRACT = _r("close_contract", "POST", ONE + "/close", "Close a completed contract", SALES)
AMEND_CONTRACT = _r(
    "amend_contract",
    "POST",
    ONE + "/amendments",
    "A new version with a reason",
    SALES,
    body=Amend,
)
RECORD_CONTRACT_PAYMENT = _r(
    "record_contract_payment",
    "POST",
    ONE + "/payments",
    "Record a payment against an instalment",
    SALES,
    body=Payment,
)
RECORD_CONTRACT_DELIVERY = _r(
    "record_contract_delivery",
    "POST",
    ONE + "/deliveries",
    "Record a delivery of a line",
    SALES,
    body=Delivery,
)
RECORD_CONTRACT_RETURN = _r(
    "record_contract_return",
    "POST",
    ONE + "/returns",
    "Record a return of a line",
    SALES,
    body=Return,
)
GET_CONTRACT = _r(
    "get_contract",
    "GET",
    ONE,
    "A contract's current state with its plan and collections",
    READERS,
)

ROUTES = (
    DRAFT_CONTRACT,
    REVISE_CONTRACT_DRAFT,
    SET_PAYMENT_PLAN,
    SET_EVEN_PAYMENT_PLAN,
    SUBMIT_CONTRACT,
    APPROVE_CONTRACT,
    REJECT_CONTRACT,
    SIGN_CONTRACT,
    START_CONTRACT_EXECUTION,
    SUSPEND_CONTRACT,
    RESUME_CONTRACT,
    TERMINATE_CONTRACT,
    COMPLETE_CONTRACT,
    CLOSE_CONTRACT,
    AMEND_CONTRACT,
    RECORD_CONTRACT_PAYMENT,
    RECORD_CONTRACT_DELIVERY,
    RECORD_CONTRACT_RETURN,
    GET_CONTRACT,
)
