"""Quotas: HQ sets them, months always add up exactly, adjustments are recorded."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from crm_events.opportunities import QuotaAdjusted, QuotaSet
from crm_opportunities.domain.quota import AdjustQuota, Quota, SetQuota, quota, split
from crm_platform.domain import DomainError
from crm_platform.testing import Spec
from hypothesis import given
from hypothesis import strategies as st

T0 = datetime(2027, 1, 2, tzinfo=UTC)
SET = SetQuota("q", 2027, "branch", "SH01", "SH01", Decimal("1200000.00"), None, "hq_analyst", T0)


def test_hq_sets_an_annual_target_split_evenly() -> None:
    (made,) = Spec(quota).when(SET)
    assert isinstance(made, QuotaSet)
    assert made.months == (Decimal("100000.00"),) * 12 and made.split == "even"


def test_uneven_cents_go_to_the_earliest_months() -> None:
    months = split(Decimal("100.00"), [Decimal(1)] * 12)
    assert months[:4] == (Decimal("8.34"),) * 4 and months[4:] == (Decimal("8.33"),) * 8
    assert sum(months) == Decimal("100.00")


def test_split_by_last_years_monthly_shares() -> None:
    last_year = tuple(Decimal(x) for x in (1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1))
    (made,) = Spec(quota).when(
        SetQuota("q", 2027, "rep", "alice", "SH01", Decimal(2000), last_year, "admin", T0)
    )
    assert isinstance(made, QuotaSet)
    assert made.months[0] == Decimal(100) and made.months[2] == Decimal(200)
    assert made.split == "last_year"


@pytest.mark.parametrize("role", ["sales_rep", "branch_manager", "auditor", "marketing"])
def test_only_hq_sets_quotas(role: str) -> None:
    with pytest.raises(DomainError, match="Only HQ"):
        Spec(quota).when(SetQuota("q", 2027, "branch", "SH01", "SH01", Decimal(1), None, role, T0))


def test_adjust_from_a_month_by_percent_with_a_reason() -> None:
    (made,) = Spec(quota).when(SET)
    (adjusted,) = (
        Spec(quota)
        .given(made)
        .when(AdjustQuota(7, Decimal(-10), None, "market cooled", "hq_analyst", T0))
    )
    assert isinstance(adjusted, QuotaAdjusted)
    assert adjusted.months[:6] == (Decimal("100000.00"),) * 6
    assert adjusted.months[6:] == (Decimal("90000.00"),) * 6
    assert adjusted.annual == Decimal("1140000.00")
    state = quota.fold([made, adjusted])
    assert isinstance(state, Quota)
    assert state.quarter(3) == Decimal("270000.00") and state.year_to_date(7) == Decimal(
        "690000.00"
    )
    assert state.adjustments == 1


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (AdjustQuota(1, Decimal(5), None, " ", "admin", T0), "reason"),
        (AdjustQuota(13, Decimal(5), None, "x", "admin", T0), "from_month"),
        (AdjustQuota(1, Decimal(5), Decimal(5), "x", "admin", T0), "percent"),
        (AdjustQuota(1, None, Decimal(-2000000), "x", "admin", T0), "amount"),
    ],
)
def test_bad_adjustments_are_refused(command: AdjustQuota, field: str) -> None:
    (made,) = Spec(quota).when(SET)
    with pytest.raises(DomainError) as caught:
        Spec(quota).given(made).when(command)
    assert caught.value.field == field


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)


@given(
    annual=money,
    weights=st.one_of(st.none(), st.lists(st.integers(0, 1000), min_size=12, max_size=12)),
    steps=st.lists(
        st.tuples(
            st.integers(1, 12),
            st.one_of(
                st.decimals(min_value=-50, max_value=50, places=1).map(lambda p: (p, None)),
                st.decimals(min_value=0, max_value=1000000, places=2).map(lambda a: (None, a)),
            ),
        ),
        max_size=5,
    ),
)
def test_months_always_add_up_exactly_to_the_annual_target(
    annual: Decimal,
    weights: list[int] | None,
    steps: list[tuple[int, tuple[Decimal | None, Decimal | None]]],
) -> None:
    w = tuple(Decimal(x) for x in weights) if weights else None
    if w is not None and sum(w) == 0:
        w = None
    history = list(
        Spec(quota).when(SetQuota("q", 2027, "channel", "web", None, annual, w, "admin", T0))
    )
    for month, (percent, amount) in steps:
        history += (
            Spec(quota)
            .given(*history)
            .when(AdjustQuota(month, percent, amount, "why", "admin", T0))
        )
    state = quota.fold(history)
    assert isinstance(state, Quota)
    assert len(state.months) == 12 and all(m >= 0 for m in state.months)
    assert sum(state.months) == state.annual
