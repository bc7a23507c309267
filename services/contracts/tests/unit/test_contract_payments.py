"""Payments against instalments, credit balances, overdue instalments and the bad-debt warning."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from crm_contracts.domain.contract import CheckOverdue, Contract, RecordPayment, contract
from crm_events.contracts import (
    ContractApproved,
    ContractBadDebtRiskRaised,
    ContractClosed,
    ContractDrafted,
    ContractExecutionStarted,
    ContractLine,
    ContractPaymentPlanSet,
    ContractPaymentReceived,
    ContractSigned,
    ContractSubmitted,
    Instalment,
    InstalmentOverdue,
    InstalmentOverdueSettled,
    PaymentAllocation,
)
from crm_platform.domain import DomainError
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
spec = Spec(contract)
D = Decimal
LINE = ContractLine("1", "Pump P-200", "pumps", D(3), D("1000.00"), D("700.00"))
PLAN = (
    Instalment(1, date(2026, 12, 1), D("1000.00")),
    Instalment(2, date(2027, 1, 1), D("1000.00")),
    Instalment(3, date(2027, 2, 1), D("1000.00")),
)
DRAFTED = ContractDrafted(
    "k1", "a1", "SH01", "alice", "CNY", (LINE,), D("3000.00"), "", None, None, T0
)
SIGNED = (
    DRAFTED,
    ContractPaymentPlanSet("k1", PLAN, T0),
    ContractSubmitted("k1", "alice", T0),
    ContractApproved("k1", "mia", T0),
    ContractSigned("k1", "a1", "SH01", "alice", D("3000.00"), "CNY", (LINE,), None, None, "al", T0),
    ContractExecutionStarted("k1", T0),
)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def pay(number: int, amount: str, received: date = date(2026, 11, 20)) -> RecordPayment:
    return RecordPayment(f"p-{number}-{amount}", number, D(amount), at(received), "TT-1", T0)


def received(
    command: RecordPayment, allocations: tuple[tuple[int, str], ...], credit: str = "0"
) -> ContractPaymentReceived:
    return ContractPaymentReceived(
        "k1",
        command.payment_id,
        command.instalment,
        command.amount,
        command.received_at,
        command.reference,
        tuple(PaymentAllocation(n, D(a)) for n, a in allocations),
        D(credit),
        command.at,
    )


def state_after(*events: object) -> Contract:
    state = contract.fold([*SIGNED, *events])
    assert isinstance(state, Contract)
    return state


def refused(command: object, *events: object) -> DomainError:
    with pytest.raises(DomainError) as error:
        spec.given(*SIGNED, *events).when(command)
    return error.value


# --- payments -----------------------------------------------------------------------------------
def test_a_partial_payment_stays_on_its_instalment() -> None:
    command = pay(1, "400.00")
    spec.given(*SIGNED).then(command, [received(command, ((1, "400.00"),))])
    state = state_after(received(command, ((1, "400.00"),)))
    assert (state.collected, state.outstanding, state.percent_collected) == (
        D("400.00"),
        D("2600.00"),
        D("13.33"),
    )


def test_an_overpayment_is_carried_forward_to_the_next_open_instalments() -> None:
    command = pay(1, "2500.00")
    spec.given(*SIGNED).then(
        command, [received(command, ((1, "1000.00"), (2, "1000.00"), (3, "500.00")))]
    )


def test_an_older_open_instalment_takes_the_surplus_before_later_ones() -> None:
    command = pay(2, "1500.00")
    spec.given(*SIGNED).then(command, [received(command, ((2, "1000.00"), (1, "500.00")))])


def test_what_exceeds_the_whole_contract_becomes_a_credit_balance() -> None:
    command = pay(3, "3200.00")
    allocations = ((3, "1000.00"), (1, "1000.00"), (2, "1000.00"))
    spec.given(*SIGNED).then(command, [received(command, allocations, credit="200.00")])
    state = state_after(received(command, allocations, credit="200.00"))
    assert (state.credit, state.outstanding, state.percent_collected) == (
        D("200.00"),
        D(0),
        D("100.00"),
    )


@pytest.mark.parametrize("amount", ["0", "-5.00", "10.005"])
def test_a_payment_is_an_amount_above_zero_in_cents(amount: str) -> None:
    assert refused(pay(1, amount)).field == "amount"


def test_a_payment_names_an_instalment_of_the_contract() -> None:
    assert refused(pay(4, "10.00")).field == "instalment"


def test_payments_start_once_the_contract_is_signed() -> None:
    with pytest.raises(DomainError, match="once the contract is signed"):
        spec.given(DRAFTED).when(pay(1, "10.00"))


def test_a_closed_contract_takes_no_payments() -> None:
    assert "closed" in refused(pay(1, "10.00"), ContractClosed("k1", T0)).message


# --- overdue ------------------------------------------------------------------------------------
DUE_1 = PLAN[0].due


def check(day: date, bad_debt_days: int = 60) -> CheckOverdue:
    return CheckOverdue(at(day), bad_debt_days)


def overdue(number: int, day: date, outstanding: str = "1000.00") -> InstalmentOverdue:
    return InstalmentOverdue(
        "k1", "a1", "SH01", number, PLAN[number - 1].due, D(outstanding), at(day)
    )


def test_nothing_is_overdue_on_the_due_date() -> None:
    spec.given(*SIGNED).then(check(DUE_1), [])


def test_an_unpaid_instalment_is_flagged_the_day_after_it_falls_due() -> None:
    day = DUE_1 + timedelta(days=1)
    spec.given(*SIGNED).then(check(day), [overdue(1, day)])


def test_the_flag_carries_the_unpaid_part_and_is_recorded_once() -> None:
    part = received(pay(1, "400.00"), ((1, "400.00"),))
    day = DUE_1 + timedelta(days=3)
    spec.given(*SIGNED, part).then(check(day), [overdue(1, day, "600.00")])
    spec.given(*SIGNED, part, overdue(1, day)).then(check(day + timedelta(days=5)), [])


def test_a_paid_instalment_is_never_overdue() -> None:
    paid = received(pay(1, "1000.00"), ((1, "1000.00"),))
    spec.given(*SIGNED, paid).then(check(DUE_1 + timedelta(days=9)), [])


def test_a_draft_contract_has_nothing_to_check() -> None:
    spec.given(DRAFTED, SIGNED[1]).then(check(date(2027, 6, 1)), [])
    spec.then(check(date(2027, 6, 1)), [])


def test_the_bad_debt_risk_is_raised_once_the_oldest_is_more_than_the_threshold_late() -> None:
    flagged = (overdue(1, DUE_1 + timedelta(days=1)),)
    day60 = DUE_1 + timedelta(days=60)  # instalment 2 (due 1 Jan) is overdue by then too
    spec.given(*SIGNED, *flagged).then(check(day60), [overdue(2, day60)])
    day = DUE_1 + timedelta(days=61)
    raised = ContractBadDebtRiskRaised("k1", "a1", "SH01", 1, DUE_1, 61, D("2000.00"), 60, at(day))
    spec.given(*SIGNED, *flagged).then(check(day), [overdue(2, day), raised])
    later = DUE_1 + timedelta(days=200)
    spec.given(*SIGNED, *flagged, overdue(2, day), raised).then(
        check(later), [overdue(3, later, "1000.00")]
    )


def test_the_threshold_comes_with_the_check() -> None:
    day = DUE_1 + timedelta(days=11)
    events = spec.given(*SIGNED).when(check(day, bad_debt_days=10))
    assert [type(e) for e in events] == [InstalmentOverdue, ContractBadDebtRiskRaised]


def test_paying_an_overdue_instalment_records_how_late_it_was() -> None:
    flagged = overdue(1, DUE_1 + timedelta(days=1))
    command = pay(1, "1000.00", received=DUE_1 + timedelta(days=12))
    settled = InstalmentOverdueSettled(
        "k1", "a1", "SH01", 1, DUE_1, command.received_at, 12, command.at
    )
    spec.given(*SIGNED, flagged).then(command, [received(command, ((1, "1000.00"),)), settled])


def test_a_partial_payment_does_not_settle_an_overdue_instalment() -> None:
    flagged = overdue(1, DUE_1 + timedelta(days=1))
    command = pay(1, "999.99", received=DUE_1 + timedelta(days=12))
    spec.given(*SIGNED, flagged).then(command, [received(command, ((1, "999.99"),))])


def test_a_late_payment_settles_even_before_the_check_flagged_it() -> None:
    command = pay(1, "1000.00", received=DUE_1 + timedelta(days=2))
    [_, settled] = spec.given(*SIGNED).when(command)
    assert isinstance(settled, InstalmentOverdueSettled) and settled.days_late == 2


def test_a_payment_on_time_settles_nothing() -> None:
    command = pay(1, "1000.00", received=DUE_1)
    spec.given(*SIGNED).then(command, [received(command, ((1, "1000.00"),))])


# --- properties ---------------------------------------------------------------------------------
payments = st.lists(
    st.tuples(
        st.integers(1, 3),
        st.decimals(D("0.01"), D("2500.00"), places=2, allow_nan=False, allow_infinity=False),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(payments)
def test_payments_never_lose_or_create_a_cent(paid: list[tuple[int, Decimal]]) -> None:
    history: list[object] = [*SIGNED]
    for n, (number, amount) in enumerate(paid):
        command = RecordPayment(f"p{n}", number, amount, at(date(2026, 11, 20)), "", T0)
        history += contract.decide(command, contract.fold(history))
    state = contract.fold(history)
    assert isinstance(state, Contract)
    total = sum((amount for _, amount in paid), D(0))
    assert state.collected + state.credit == total == state.received
    assert state.outstanding >= 0 and state.credit >= 0
    assert state.collected + state.outstanding == state.amount
    assert state.credit == max(total - state.amount, D(0))
    assert all(0 <= i.paid <= i.amount for i in state.instalments)
