"""Splitting an amount into instalments, monthly due dates and the checks on a payment plan."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from crm_contracts.domain.lines import amount_of, margin_of
from crm_contracts.domain.plan import (
    InstalmentState,
    add_months,
    allocate,
    even_plan,
    split,
    validate_plan,
)
from crm_events.contracts import Instalment, PaymentAllocation
from crm_platform.domain import DomainError
from hypothesis import given, settings
from hypothesis import strategies as st

D = Decimal


def test_the_last_instalment_absorbs_the_remainder() -> None:
    assert split(D("100.00"), 3) == (D("33.33"), D("33.33"), D("33.34"))
    assert split(D("0.05"), 5) == (D("0.01"),) * 5


@pytest.mark.parametrize(("amount", "count", "field"), [
    ("100.00", 0, "count"), ("0.02", 3, "count"), ("0", 1, "amount"), ("10.001", 2, "amount"),
])  # fmt: skip
def test_impossible_splits_are_refused(amount: str, count: int, field: str) -> None:
    with pytest.raises(DomainError) as error:
        split(D(amount), count)
    assert error.value.field == field


@given(
    st.decimals(D("0.01"), D("99999999.99"), places=2, allow_nan=False, allow_infinity=False),
    st.integers(1, 60),
)
def test_a_split_always_adds_up_to_the_amount(amount: Decimal, count: int) -> None:
    count = min(count, int(amount * 100))
    parts = split(amount, count)
    assert sum(parts) == amount
    assert len(parts) == count
    assert all(p > 0 and p == p.quantize(D("0.01")) for p in parts)
    assert max(parts) - min(parts) < D("0.01") * count  # only the remainder differs


def test_month_ends_are_clamped() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 5, 15), 12) == date(2028, 5, 15)


def test_an_even_plan_falls_due_every_few_months() -> None:
    assert even_plan(D("1000.00"), 3, date(2027, 1, 31), every_months=2) == (
        Instalment(1, date(2027, 1, 31), D("333.33")),
        Instalment(2, date(2027, 3, 31), D("333.33")),
        Instalment(3, date(2027, 5, 31), D("333.34")),
    )
    with pytest.raises(DomainError) as error:
        even_plan(D("1000.00"), 3, date(2027, 1, 31), every_months=0)
    assert error.value.field == "every_months"


@pytest.mark.parametrize("plan", [
    (),
    (Instalment(2, date(2027, 1, 1), D("100.00")),),
    (Instalment(1, date(2027, 1, 1), D("100.00")), Instalment(1, date(2027, 2, 1), D("0.00"))),
    (Instalment(1, date(2027, 1, 1), D("99.995")), Instalment(2, date(2027, 2, 1), D("0.005"))),
    (Instalment(1, date(2027, 2, 1), D("50.00")), Instalment(2, date(2027, 1, 1), D("50.00"))),
    (Instalment(1, date(2027, 1, 1), D("99.99")),),
])  # fmt: skip
def test_bad_plans_are_refused_naming_instalments(plan: tuple[Instalment, ...]) -> None:
    with pytest.raises(DomainError) as error:
        validate_plan(plan, D("100.00"))
    assert error.value.field == "instalments"


def test_a_plan_adding_up_exactly_passes() -> None:
    validate_plan(even_plan(D("100.00"), 3, date(2027, 1, 1)), D("100.00"))


def test_a_split_that_cannot_be_made_says_how_far_it_can_go() -> None:
    with pytest.raises(DomainError, match=r"^0\.02 can be split into 1 to 2 instalments\.$"):
        split(D("0.02"), 3)


def test_an_even_plan_is_monthly_unless_told_otherwise() -> None:
    assert [i.due for i in even_plan(D("300.00"), 3, date(2027, 1, 31))] == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
    ]


def test_a_zero_instalment_is_refused_but_one_under_a_unit_is_fine() -> None:
    zero = (Instalment(1, date(2027, 1, 1), D("100.00")), Instalment(2, date(2027, 2, 1), D("0")))
    with pytest.raises(
        DomainError, match=r"^Every instalment is an amount above zero in whole cents\.$"
    ) as error:
        validate_plan(zero, D("100.00"))
    assert error.value.field == "instalments"
    small = (
        Instalment(1, date(2027, 1, 1), D("99.50")),
        Instalment(2, date(2027, 2, 1), D("0.50")),
    )
    validate_plan(small, D("100.00"))
    validate_plan((Instalment(1, date(2027, 1, 1), D("0.01")),), D("0.01"))


def test_instalments_out_of_due_order_are_refused_saying_so() -> None:
    swapped = (
        Instalment(1, date(2027, 2, 1), D("50.00")),
        Instalment(2, date(2027, 1, 1), D("50.00")),
    )
    with pytest.raises(
        DomainError, match=r"^Instalments fall due in the order of their numbers\.$"
    ):
        validate_plan(swapped, D("100.00"))


def test_instalments_may_fall_due_on_the_same_day() -> None:
    same = (
        Instalment(1, date(2027, 1, 1), D("50.00")),
        Instalment(2, date(2027, 1, 1), D("50.00")),
    )
    validate_plan(same, D("100.00"))


def test_no_lines_total_a_decimal_zero() -> None:
    assert amount_of(()) == D("0.00") and str(amount_of(())) == "0.00"
    assert isinstance(margin_of(()), Decimal) and margin_of(()) == 0


# --- laws ---------------------------------------------------------------------------------------
cents_amounts = st.integers(1, 10_000_000).map(lambda c: D(c) / 100)


@settings(max_examples=200)
@given(cents_amounts, st.integers(1, 36), st.integers(1, 12))
def test_an_even_plan_adds_up_to_the_amount_to_the_cent(
    amount: Decimal, count: int, every: int
) -> None:
    count = min(count, int(amount * 100))
    plan = even_plan(amount, count, date(2027, 1, 31), every)
    assert sum((i.amount for i in plan), D(0)) == amount
    assert [i.number for i in plan] == list(range(1, count + 1))
    share = (amount * 100 // count) / 100  # every instalment but the last: the floor share
    assert all(i.amount == share for i in plan[:-1])
    assert plan[-1].amount == amount - share * (count - 1)
    assert all(i.amount > 0 for i in plan)
    assert all(a.due < b.due for a, b in pairwise(plan))
    validate_plan(plan, amount)  # a plan made by the product is always a valid plan


@given(st.integers(0, 500_00), st.integers(0, 500_00), st.integers(-40, 40))
def test_an_instalment_is_overdue_exactly_while_a_cent_is_open_after_its_due_date(
    amount_cents: int, paid_cents: int, days_after_due: int
) -> None:
    amount_cents = max(amount_cents, 1)
    paid_cents = min(paid_cents, amount_cents)
    due = date(2027, 1, 1)
    inst = InstalmentState(1, due, D(amount_cents) / 100, D(paid_cents) / 100)
    today = due + timedelta(days=days_after_due)
    assert inst.open == D(amount_cents - paid_cents) / 100
    assert inst.is_overdue(today) == (paid_cents < amount_cents and days_after_due > 0)


open_instalments = st.lists(
    st.tuples(st.integers(1, 1000_00), st.integers(0, 1000_00), st.integers(0, 400)),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200)
@given(open_instalments, st.integers(1, 6), st.integers(1, 5000_00))
def test_a_payment_is_allocated_to_what_is_due_and_never_beyond(
    rows: list[tuple[int, int, int]], named: int, payment_cents: int
) -> None:
    start = date(2027, 1, 1)
    instalments = [
        InstalmentState(n, start + timedelta(days=day), D(a) / 100, D(min(p, a)) / 100)
        for n, (a, p, day) in enumerate(sorted(rows, key=lambda r: r[2]), start=1)
    ]
    named = min(named, len(instalments))
    payment = D(payment_cents) / 100
    open_cents = {i.number: (i.amount - i.paid) * 100 for i in instalments}
    total_open = sum(open_cents.values(), D(0)) / 100

    allocations, credit = allocate(instalments, named, payment)

    given_to = {a.instalment: a.amount for a in allocations}
    assert len(given_to) == len(allocations)  # one allocation per instalment at most
    assert all(D(0) < a <= open_cents[n] / 100 for n, a in given_to.items())
    assert sum(given_to.values(), D(0)) == min(payment, total_open)
    assert credit == max(payment - total_open, D(0))
    assert given_to.get(named, D(0)) == min(payment, open_cents[named] / 100)  # named first
    if credit > 0:  # credit only once everything is paid off
        assert all(given_to.get(n, D(0)) * 100 == c for n, c in open_cents.items())


def test_a_payment_goes_to_the_named_instalment_then_the_oldest_open_debt() -> None:
    instalments = [
        InstalmentState(1, date(2027, 1, 1), D("100.00")),
        InstalmentState(2, date(2027, 2, 1), D("100.00"), D("100.00")),
        InstalmentState(3, date(2027, 3, 1), D("100.00")),
        InstalmentState(4, date(2027, 4, 1), D("100.00")),
    ]
    assert allocate(instalments, 4, D("250.00")) == (
        (
            PaymentAllocation(4, D("100.00")),
            PaymentAllocation(1, D("100.00")),
            PaymentAllocation(3, D("50.00")),
        ),
        D(0),
    )
