"""What a contract's history folds into, field by field: what its read answers and later rules use."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from crm_contracts.commands import present
from crm_contracts.domain.contract import (
    Agreed,
    Approved,
    Binding,
    Closed,
    Completed,
    Contract,
    Draft,
    InExecution,
    Nothing,
    Signed,
    Submitted,
    Suspended,
    Terminated,
    contract,
)
from crm_contracts.domain.lines import Version
from crm_contracts.domain.plan import InstalmentState
from crm_events.contracts import (
    ContractAmended,
    ContractBadDebtRiskRaised,
    ContractClosed,
    ContractCompleted,
    ContractDraftRevised,
    ContractLine,
    ContractLineDelivered,
    ContractLineReturned,
    ContractPaymentReceived,
    ContractRejected,
    ContractResumed,
    ContractSubmitted,
    ContractSuspended,
    ContractTerminated,
    Instalment,
    InstalmentOverdue,
    InstalmentOverdueSettled,
    PaymentAllocation,
)
from crm_platform.testing import Spec

from .contract_history import DRAFTED, LINES, PLAN, PUMPS, RUNNING, SETUP, SIGNED, T0, T1, D

T2 = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)
spec = Spec(contract)


def state_of(*events: object) -> Contract:
    state = spec.given(*events).state()
    assert isinstance(state, Contract)
    return state


def agreed(*events: object) -> Agreed:
    state = state_of(*events)
    assert isinstance(state, Agreed)
    return state


def test_a_draft_holds_everything_it_was_drafted_with() -> None:
    assert state_of(DRAFTED) == Draft(
        contract_id="k1",
        account_id="a1",
        branch="SH01",
        owner_id="alice",
        currency="CNY",
        lines=LINES,
        amount=D("12000.00"),
        payment_terms="net 30",
        drafted_at=T0,
        opportunity_id="o1",
        campaign_id="c1",
        reason=None,
    )


def test_a_revision_replaces_lines_amount_and_terms() -> None:
    revised = ContractDraftRevised("k1", (PUMPS,), D("10000.00"), "net 60", T1)
    state = state_of(DRAFTED, revised)
    assert (state.lines, state.amount, state.payment_terms) == ((PUMPS,), D("10000.00"), "net 60")
    assert (state.status, state.drafted_at) == ("draft", T0)


def test_a_rejection_reason_is_kept_until_the_draft_is_submitted_again() -> None:
    submitted = SIGNED[:3]
    rejected = ContractRejected("k1", "mia", "Discount too deep", T1)
    state = state_of(*submitted, rejected)
    assert isinstance(state, Draft)
    assert (state.status, state.reason) == ("draft", "Discount too deep")
    again = state_of(*submitted, rejected, ContractSubmitted("k1", "alice", T2))
    assert type(again) is Submitted and again.status == "submitted"
    assert not hasattr(again, "reason")  # a submitted contract has no reason
    assert present(again)["reason"] is None


def test_signing_records_version_one_as_signed() -> None:
    state = agreed(*SIGNED)
    assert type(state) is Signed and state.status == "signed"
    assert state.versions == (Version(1, LINES, D("12000.00"), PLAN, "signed", T1),)
    assert state.version == 1


def test_a_suspension_keeps_its_reason_and_resuming_clears_it() -> None:
    suspended = ContractSuspended("k1", "Site closed for winter", T2)
    state = state_of(*RUNNING, suspended)
    assert isinstance(state, Suspended)
    assert (state.status, state.reason) == ("suspended", "Site closed for winter")
    resumed = state_of(*RUNNING, suspended, ContractResumed("k1", T2))
    assert type(resumed) is InExecution and resumed.status == "in_execution"
    assert not hasattr(resumed, "reason")
    assert present(resumed)["reason"] is None


@pytest.mark.parametrize("suspended", [False, True])
def test_a_termination_keeps_its_reason(suspended: bool) -> None:
    before = (ContractSuspended("k1", "Site closed", T2),) if suspended else ()
    terminated = ContractTerminated("k1", "Customer went bankrupt", "mia", T2)
    state = state_of(*RUNNING, *before, terminated)
    assert isinstance(state, Terminated)
    assert (state.status, state.reason) == ("terminated", "Customer went bankrupt")
    assert isinstance(state, Binding)  # what is owed is still owed


def _paid(number: int, amount: str, credit: str = "0") -> ContractPaymentReceived:
    value = D(amount)
    allocation = (PaymentAllocation(number, value - D(credit)),)
    return ContractPaymentReceived(
        "k1", f"p{number}", number, value, T2, "TT", allocation, D(credit), T2
    )


def test_an_amendment_replaces_lines_amount_and_plan_and_adds_a_version() -> None:
    five = ContractLine("1", "Pump P-200", "pumps", D(5), D("2500.00"), D("1800.00"))
    moved = (PLAN[0], Instalment(2, date(2027, 2, 1), D("8500.00")))  # due date moved, more
    amended = ContractAmended(
        "k1", 2, "Customer adds a pump", (five, SETUP), D("14500.00"), D("12000.00"), moved,
        "alice", T2,
    )  # fmt: skip
    flagged = InstalmentOverdue("k1", "a1", "SH01", 2, date(2027, 1, 1), D("6000.00"), T2)
    state = agreed(*RUNNING, _paid(1, "6000.00"), flagged, amended)
    assert (state.lines, state.amount) == ((five, SETUP), D("14500.00"))
    assert state.versions == (
        Version(1, LINES, D("12000.00"), PLAN, "signed", T1),
        Version(2, (five, SETUP), D("14500.00"), moved, "Customer adds a pump", T2),
    )
    assert state.instalments == (
        InstalmentState(1, date(2026, 12, 1), D("6000.00"), D("6000.00"), False),
        InstalmentState(2, date(2027, 2, 1), D("8500.00"), D(0), False),  # a new instalment
    )
    assert (state.collected, state.outstanding, state.version) == (D("6000.00"), D("8500.00"), 2)


def test_payments_add_up_on_their_instalments_and_credit() -> None:
    state = agreed(*RUNNING, _paid(1, "6000.00"), _paid(2, "6500.00", credit="500.00"))
    assert [i.paid for i in state.instalments] == [D("6000.00"), D("6000.00")]
    assert (state.received, state.credit, state.collected, state.outstanding) == (
        D("12500.00"),
        D("500.00"),
        D("12000.00"),
        D(0),
    )


def test_deliveries_and_returns_add_up_per_line() -> None:
    deliveries = (
        ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(1), T2),
        ContractLineDelivered("k1", "d2", "1", "Pump P-200", D(2), T2),
        ContractLineDelivered("k1", "d3", "2", "Installation", D(1), T2),
    )
    returns = (
        ContractLineReturned("k1", "r1", "1", "Pump P-200", "pumps", D(1), D("2500.00"), "x", T2),
        ContractLineReturned("k1", "r2", "1", "Pump P-200", "pumps", D(1), D("2500.00"), "y", T2),
    )
    state = agreed(*RUNNING, *deliveries, *returns)
    assert state.delivered == {"1": D(3), "2": D(1)}
    assert state.returned == {"1": D(2)}
    assert (state.returned_value, state.net_revenue) == (D("5000.00"), D("7000.00"))


def test_a_settled_overdue_instalment_changes_nothing_the_payment_did_not() -> None:
    paid = _paid(1, "6000.00")
    settled = InstalmentOverdueSettled("k1", "a1", "SH01", 1, date(2026, 12, 1), T2, 8, T2)
    assert state_of(*RUNNING, paid, settled) == state_of(*RUNNING, paid)


def _delivered(line: str, product: str, quantity: int) -> ContractLineDelivered:
    return ContractLineDelivered("k1", f"d{line}", line, product, D(quantity), T2)


DONE = (
    *RUNNING,
    _paid(1, "6000.00"),
    _paid(2, "6000.00"),
    _delivered("1", "Pump P-200", 4),
    _delivered("2", "Installation", 1),
    ContractCompleted("k1", T2),
)
STATUSES = [
    ((DRAFTED,), Draft, "draft"),
    (SIGNED[:3], Submitted, "submitted"),
    (SIGNED[:4], Approved, "approved"),
    (SIGNED, Signed, "signed"),
    (RUNNING, InExecution, "in_execution"),
    ((*RUNNING, ContractSuspended("k1", "Winter", T2)), Suspended, "suspended"),
    ((*RUNNING, ContractTerminated("k1", "Bankrupt", "mia", T2)), Terminated, "terminated"),
    (DONE, Completed, "completed"),
    ((*DONE, ContractClosed("k1", T2)), Closed, "closed"),
]


@pytest.mark.parametrize(("history", "kind", "status"), STATUSES)
def test_each_status_is_its_own_type_and_keeps_the_contract(
    history: tuple[object, ...], kind: type[Contract], status: str
) -> None:
    state = state_of(*history)
    assert (type(state), state.status) == (kind, status)
    assert (state.contract_id, state.branch, state.lines, state.amount) == (
        "k1",
        "SH01",
        LINES,
        D("12000.00"),
    )
    assert isinstance(state, Binding) == (status in BOUND)
    if isinstance(state, Agreed):  # signed and later keep the signed version
        assert state.versions == (Version(1, LINES, D("12000.00"), PLAN, "signed", T1),)


BOUND = {"signed", "in_execution", "suspended", "completed", "terminated"}


def test_completing_and_closing_keep_deliveries_and_payments() -> None:
    for state in (agreed(*DONE), agreed(*DONE, ContractClosed("k1", T2))):
        assert state.delivered == {"1": D(4), "2": D(1)}
        assert (state.received, state.collected) == (D("12000.00"), D("12000.00"))
        assert state.outstanding == 0


def test_the_record_shows_every_field_whatever_the_status() -> None:
    fields = [
        "contract_id", "account_id", "branch", "owner_id", "currency", "lines", "amount",
        "payment_terms", "drafted_at", "opportunity_id", "campaign_id", "status", "reason",
        "instalments", "versions", "delivered", "returned", "returned_value", "received",
        "credit", "bad_debt_raised", "id",
    ]  # fmt: skip
    for history, _, status in STATUSES:
        body = present(state_of(*history))
        assert list(body) == fields
        assert (body["id"], body["status"]) == ("k1", status)
    draft = present(state_of(DRAFTED))
    assert {k: draft[k] for k in fields[12:21]} == {
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
    suspended = present(state_of(*RUNNING, ContractSuspended("k1", "Winter", T2)))
    assert (suspended["reason"], suspended["versions"][0]["version"]) == ("Winter", 1)


@pytest.mark.parametrize(
    "event",
    [
        _paid(1, "6000.00"),
        ContractLineDelivered("k1", "d1", "1", "Pump P-200", D(1), T2),
        ContractLineReturned("k1", "r1", "1", "Pump P-200", "pumps", D(1), D("2500.00"), "x", T2),
        ContractBadDebtRiskRaised("k1", "a1", "SH01", 1, date(2026, 12, 1), 61, D(1), 60, T2),
        ContractAmended("k1", 2, "x", LINES, D("12000.00"), D("12000.00"), PLAN, "al", T2),
    ],
)
def test_what_happens_after_signing_needs_a_signed_contract(event: object) -> None:
    with pytest.raises(AssertionError, match=f"{type(event).__name__} needs a signed contract"):
        contract.evolve(state_of(*SIGNED[:4]), event)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Stray:
    """Neither a command nor an event of the contract."""


def test_only_a_draft_starts_a_contract() -> None:
    with pytest.raises(AssertionError, match="ContractSigned needs a drafted contract"):
        contract.evolve(Nothing(), SIGNED[-1])


def test_an_unknown_event_or_command_is_a_programming_error_that_names_itself() -> None:
    with pytest.raises(AssertionError, match="Stray"):
        contract.evolve(state_of(DRAFTED), Stray())  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="Stray"):
        contract.decide(Stray(), state_of(DRAFTED))  # type: ignore[arg-type]
