"""The contracts context's command table (crm_platform.commands). Who may call a route is written
in the route table alone; what depends on the contract stays here and in the aggregate: a contract
of a branch the caller may not see does not exist for them (404), and only the branch manager of
the contract's own branch approves or rejects it."""

from __future__ import annotations

from typing import Any

from crm_api import contracts as api
from crm_events.contracts import ContractLine, Instalment
from crm_platform.commands import Build, Call, Records, Spec, branch_for
from crm_platform.http import plain

from crm_contracts.domain.contract import Contract, State, contract, stream_id
from crm_contracts.domain.contract import commands as cmd
from crm_contracts.domain.plan import even_plan


def _lines(call: Call, lines: list[api.ContractLine]) -> tuple[ContractLine, ...]:
    """A line keeps its id across versions; a new line gets one."""
    return tuple(
        ContractLine(
            x.line_id or call.new_id(),
            x.product,
            x.product_line,
            x.quantity,
            x.unit_price,
            x.unit_cost,
        )
        for x in lines
    )


def _plan(items: list[api.InstalmentBody]) -> tuple[Instalment, ...]:
    return tuple(Instalment(i.number, i.due, i.amount) for i in items)


def _draft(call: Call, _: State) -> cmd.DraftContract:
    """A contract drafted directly (not from a won opportunity); the caller owns it."""
    body: api.DraftContract = call.body
    return cmd.DraftContract(
        contract_id=call.record_id,
        account_id=body.account_id,
        branch=branch_for(call.actor, body.branch),
        owner_id=call.by,
        currency=body.currency,
        lines=_lines(call, body.lines),
        payment_terms=body.payment_terms,
        at=call.at,
    )


def _even_plan(call: Call, state: Contract) -> cmd.SetPaymentPlan:
    """`count` instalments of the draft's amount, equal to the cent (the last takes the rest)."""
    body: api.EvenPlan = call.body
    plan = even_plan(state.amount, body.count, body.first_due, body.every_months)
    return cmd.SetPaymentPlan(plan, call.at)


def _decide(approve: bool) -> Build:
    return lambda c, _: cmd.DecideContract(
        approve, c.by, c.actor.role, c.actor.branch, c.reason, c.at
    )


# the fields only some statuses have, as the others answer them (after the shared ones)
EMPTY: dict[str, Any] = {
    "status": None,
    "reason": None,
    "instalments": [],
    "versions": [],
    "delivered": {},
    "returned": {},
    "returned_value": 0.0,
    "received": 0.0,
    "credit": 0.0,
    "bad_debt_raised": False,
}


def present(state: Contract) -> dict[str, Any]:
    """The record as the API answers it: every status shows the same fields."""
    body: dict[str, Any] = plain(state)
    head = {name: body.pop(name) for name in list(body) if name not in EMPTY}
    return head | EMPTY | body | {"status": state.status, "id": state.contract_id}


_contract = Records(contract, stream_id, "contract", "contract_id")


COMMANDS: tuple[Spec, ...] = (
    _contract.opens(api.DRAFT_CONTRACT, _draft),
    _contract(
        api.REVISE_CONTRACT_DRAFT,
        lambda c, _: cmd.ReviseDraft(_lines(c, c.body.lines), c.body.payment_terms, c.at),
    ),
    _contract(
        api.SET_PAYMENT_PLAN, lambda c, _: cmd.SetPaymentPlan(_plan(c.body.instalments), c.at)
    ),
    _contract(api.SET_EVEN_PAYMENT_PLAN, _even_plan),
    _contract(api.SUBMIT_CONTRACT, lambda c, _: cmd.SubmitContract(c.by, c.at)),
    _contract(api.APPROVE_CONTRACT, _decide(approve=True)),
    _contract(api.REJECT_CONTRACT, _decide(approve=False)),
    _contract(api.SIGN_CONTRACT, lambda c, _: cmd.SignContract(c.by, c.at)),
    _contract(api.START_CONTRACT_EXECUTION, lambda c, _: cmd.StartExecution(c.at)),
    _contract(api.SUSPEND_CONTRACT, lambda c, _: cmd.SuspendContract(c.body.reason, c.at)),
    _contract(api.RESUME_CONTRACT, lambda c, _: cmd.ResumeContract(c.at)),
    _contract(
        api.TERMINATE_CONTRACT, lambda c, _: cmd.TerminateContract(c.body.reason, c.by, c.at)
    ),
    _contract(api.COMPLETE_CONTRACT, lambda c, _: cmd.CompleteContract(c.at)),
    _contract(api.CLOSE_CONTRACT, lambda c, _: cmd.CloseContract(c.at)),
    _contract(
        api.AMEND_CONTRACT,
        lambda c, _: cmd.AmendContract(
            c.body.reason, _lines(c, c.body.lines), _plan(c.body.instalments), c.by, c.at
        ),
    ),
    _contract(
        api.RECORD_CONTRACT_PAYMENT,
        lambda c, _: cmd.RecordPayment(
            c.new_id(), c.body.instalment, c.body.amount, c.body.received_at, c.body.reference, c.at
        ),
    ),
    _contract(
        api.RECORD_CONTRACT_DELIVERY,
        lambda c, _: cmd.RecordDelivery(c.new_id(), c.body.line_id, c.body.quantity, c.at),
    ),
    _contract(
        api.RECORD_CONTRACT_RETURN,
        lambda c, _: cmd.RecordReturn(
            c.new_id(), c.body.line_id, c.body.quantity, c.body.reason, c.at
        ),
    ),
    _contract.read(api.GET_CONTRACT, present),
)
