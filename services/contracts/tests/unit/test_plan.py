"""Splitting an amount into instalments, monthly due dates and the checks on a payment plan."""

from datetime import date
from decimal import Decimal

import pytest
from crm_contracts.domain.plan import add_months, even_plan, split, validate_plan
from crm_events.contracts import Instalment
from crm_platform.domain import DomainError
from hypothesis import given
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
