"""Quotas: HQ sets them, months always add up exactly, adjustments are recorded.

Every expected amount below is worked out by hand (in cents) from DOMAIN.md §2 and the module's
contract: the twelve months add up exactly to the target, leftover cents go to the earliest months
that have a share.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from crm_events.opportunities import QuotaAdjusted, QuotaSet
from crm_opportunities.domain.quota import (
    AdjustQuota,
    Quota,
    SetQuota,
    quota,
    split,
    stream_id,
)
from crm_platform.domain import DomainError, NotFound
from crm_platform.testing import Spec
from hypothesis import given, settings
from hypothesis import strategies as st

T0 = datetime(2027, 1, 2, tzinfo=UTC)
T1 = datetime(2027, 6, 30, tzinfo=UTC)
D = Decimal
K100 = D("100000.00")
SET = SetQuota("q", 2027, "branch", "SH01", "SH01", D("1200000.00"), None, T0)
SET_EVENT = QuotaSet("q", 2027, "branch", "SH01", "SH01", D("1200000.00"), (K100,) * 12, "even", T0)
LAST_YEAR = tuple(D(x) for x in (1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1))  # adds up to 20
SPEC = Spec(quota)
SET_SPEC = SPEC.given(SET_EVENT)


def quota_set(months: tuple[Decimal, ...]) -> QuotaSet:
    """A quota already set with these months (hand-built history)."""
    return QuotaSet("q", 2027, "rep", "alice", "SH01", sum(months, D(0)), months, "even", T0)


def adjust(
    from_month: int,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    reason: str = "market moved",
) -> AdjustQuota:
    return AdjustQuota(from_month, percent, amount, reason, T1)


# --- setting a quota ---------------------------------------------------------------------------


def test_hq_sets_an_annual_target_split_evenly() -> None:
    SPEC.then(SET, [SET_EVENT])


@pytest.mark.parametrize("dimension", ["branch", "rep", "product_line", "channel"])
def test_hq_sets_quotas_per_branch_rep_product_line_and_channel(dimension: str) -> None:
    command = SetQuota("q", 2026, dimension, "k", None, D("12.00"), None, T0)
    SPEC.then(command, [QuotaSet("q", 2026, dimension, "k", None, D(12), (D(1),) * 12, "even", T0)])


def test_a_quota_is_set_once_then_adjusted() -> None:
    error = SET_SPEC.refuses(SET, field=None)
    assert not isinstance(error, NotFound)


def test_a_quota_has_a_known_dimension_and_the_refusal_lists_them() -> None:
    bad = SetQuota("q", 2027, "region", "EAST", None, D(1200), None, T0)
    SPEC.refuses(
        bad, field="dimension", match="^A quota is set per branch, channel, product_line, rep"
    )


@pytest.mark.parametrize("annual", [D(0), D("-0.01"), D(-1200)])
def test_the_annual_target_is_above_zero(annual: Decimal) -> None:
    SPEC.refuses(SetQuota("q", 2027, "rep", "a", None, annual, None, T0), field="annual")


def test_the_smallest_target_is_one_cent_in_january() -> None:
    (made,) = SPEC.when(SetQuota("q", 2027, "rep", "a", None, D("0.01"), None, T0))
    assert isinstance(made, QuotaSet)
    assert made.months == (D("0.01"),) + (D(0),) * 11 and made.annual == D("0.01")


def test_uneven_cents_go_to_the_earliest_months() -> None:
    # 10 000 cents / 12 = 833 r 4: January to April get 834.
    months = (D("8.34"),) * 4 + (D("8.33"),) * 8
    SPEC.then(
        SetQuota("q", 2027, "rep", "a", None, D("100.00"), None, T0),
        [QuotaSet("q", 2027, "rep", "a", None, D("100.00"), months, "even", T0)],
    )


def test_a_target_is_rounded_half_up_to_the_cent() -> None:
    # 1 200.005 -> 120 001 cents: 10 000 each and the odd cent in January.
    months = (D("100.01"),) + (D("100.00"),) * 11
    SPEC.then(
        SetQuota("q", 2027, "rep", "a", None, D("1200.005"), None, T0),
        [QuotaSet("q", 2027, "rep", "a", None, D("1200.01"), months, "even", T0)],
    )


def test_split_by_last_years_monthly_shares() -> None:
    months = tuple(D(100) * w for w in LAST_YEAR)
    SPEC.then(
        SetQuota("q", 2027, "rep", "alice", "SH01", D(2000), LAST_YEAR, T0),
        [QuotaSet("q", 2027, "rep", "alice", "SH01", D(2000), months, "last_year", T0)],
    )


def test_last_years_shares_round_down_and_the_leftover_cent_goes_first() -> None:
    # 100 cents by 1:2 -> 33.3 and 66.6 rounded down -> 33 + 66, the leftover cent to January.
    weights = (D(1), D(2)) + (D(0),) * 10
    months = (D("0.34"), D("0.66")) + (D(0),) * 10
    SPEC.then(
        SetQuota("q", 2027, "rep", "a", None, D("1.00"), weights, T0),
        [QuotaSet("q", 2027, "rep", "a", None, D("1.00"), months, "last_year", T0)],
    )


def test_a_month_without_a_share_last_year_gets_no_leftover_cent() -> None:
    # One cent by November and December alike: it goes to November, never to January.
    weights = (D(0),) * 10 + (D(1), D(1))
    (made,) = SPEC.when(SetQuota("q", 2027, "rep", "a", None, D("0.01"), weights, T0))
    assert isinstance(made, QuotaSet)
    assert made.months == (D(0),) * 10 + (D("0.01"), D(0))


def test_last_years_shares_may_be_amounts_of_money() -> None:
    # 3 000.00 and 4 000.00 last year in January and December: 3/7 and 4/7 of 100.00.
    weights = (D("3000.00"),) + (D(0),) * 10 + (D("4000.00"),)
    months = (D("42.86"),) + (D(0),) * 10 + (D("57.14"),)
    (made,) = SPEC.when(SetQuota("q", 2027, "rep", "a", None, D(100), weights, T0))
    assert isinstance(made, QuotaSet)
    assert made.months == months and made.annual == D(100)


def test_a_single_month_of_last_year_takes_the_whole_target() -> None:
    weights = (D(0),) * 11 + (D("0.5"),)
    (made,) = SPEC.when(SetQuota("q", 2027, "rep", "a", None, D(600), weights, T0))
    assert isinstance(made, QuotaSet)
    assert made.months == (D(0),) * 11 + (D(600),)


@pytest.mark.parametrize(
    "weights",
    [
        (D(1),) * 11,
        (D(1),) * 13,
        (D(1),) * 11 + (D("-0.01"),),
        (D("-1"),) + (D(1),) * 11,
        (D(0),) * 12,
    ],
    ids=["eleven", "thirteen", "one-negative", "first-negative", "all-zero"],
)
def test_last_years_months_are_twelve_amounts_none_negative(weights: tuple[Decimal, ...]) -> None:
    command = SetQuota("q", 2027, "rep", "a", None, D(1200), weights, T0)
    SPEC.refuses(command, field="last_year_months", match="^Last year's months are twelve amounts")


def test_split_refuses_shares_adding_up_to_nothing() -> None:
    with pytest.raises(DomainError) as caught:
        split(D(100), [D(0), D(0)])
    assert caught.value.field == "weights"


def test_split_over_shares_adding_up_to_one() -> None:
    assert split(D("1.00"), [D("0.5"), D("0.5")]) == (D("0.50"), D("0.50"))
    assert split(D("0.125"), [D(1)]) == (D("0.13"),)


def test_the_state_of_a_new_quota_is_its_months_without_adjustments() -> None:
    assert SET_SPEC.state() == Quota(
        "q", 2027, "branch", "SH01", "SH01", D("1200000.00"), (K100,) * 12, 0
    )


def test_months_quarters_and_year_to_date() -> None:
    months = tuple(D(m) for m in range(1, 13))
    state = SPEC.given(quota_set(months)).state()
    assert isinstance(state, Quota)
    assert [state.month(m) for m in (1, 2, 12)] == [D(1), D(2), D(12)]
    assert [state.quarter(q) for q in (1, 2, 3, 4)] == [D(6), D(15), D(24), D(33)]
    assert [state.year_to_date(m) for m in (0, 1, 3, 7, 12)] == [D(0), D(1), D(6), D(28), D(78)]
    assert isinstance(state.year_to_date(0), Decimal)  # money even before January


def test_the_stream_of_a_quota_names_year_dimension_and_key() -> None:
    assert stream_id(2027, "product_line", "pumps") == "quota-2027-product_line-pumps"


# --- adjusting a quota -------------------------------------------------------------------------


def test_adjust_from_a_month_by_minus_ten_percent_with_a_reason() -> None:
    # July to December: 600 000 - 10 % = 540 000, i.e. 90 000 a month.
    months = (K100,) * 6 + (D("90000.00"),) * 6
    SET_SPEC.then(
        adjust(7, percent=D(-10), reason="market cooled"),
        [QuotaAdjusted("q", 7, D(-10), None, "market cooled", months, D("1140000.00"), T1)],
    )


def test_adjust_the_whole_year_by_plus_five_percent() -> None:
    months = (D("105000.00"),) * 12
    SET_SPEC.then(
        adjust(1, percent=D(5)),
        [QuotaAdjusted("q", 1, D(5), None, "market moved", months, D("1260000.00"), T1)],
    )


def test_adjust_by_an_amount_spread_over_the_months_left() -> None:
    # October to December: 300 000 + 600 = 300 600, i.e. 100 200 a month.
    months = (K100,) * 9 + (D("100200.00"),) * 3
    SET_SPEC.then(
        adjust(10, amount=D(600)),
        [QuotaAdjusted("q", 10, None, D(600), "market moved", months, D("1200600.00"), T1)],
    )


def test_adjust_only_december() -> None:
    months = (K100,) * 11 + (D("50000.00"),)
    SET_SPEC.then(
        adjust(12, amount=D(-50000)),
        [QuotaAdjusted("q", 12, None, D(-50000), "market moved", months, D("1150000.00"), T1)],
    )


def test_a_percent_adjustment_is_rounded_half_up_to_the_cent() -> None:
    # December 1.00 + 50.5 % = 1.505 -> 1.51.
    spec = SPEC.given(quota_set((D("1.00"),) * 12))
    (made,) = spec.when(adjust(12, percent=D("50.5")))
    assert isinstance(made, QuotaAdjusted)
    assert made.months == (D("1.00"),) * 11 + (D("1.51"),)
    assert made.annual == D("12.51")


def test_an_adjustment_keeps_the_shape_of_the_months_left() -> None:
    # 0.34 and 0.66 doubled by +1.00 stay 34 % and 66 %.
    spec = SPEC.given(quota_set((D("0.34"), D("0.66")) + (D(0),) * 10))
    (made,) = spec.when(adjust(1, amount=D("1.00")))
    assert isinstance(made, QuotaAdjusted)
    assert made.months == (D("0.68"), D("1.32")) + (D(0),) * 10
    assert made.annual == D(2)


def test_an_adjustment_gives_no_cent_to_a_month_left_at_zero() -> None:
    # October at zero, November and December 0.01 each, +0.01: the cent goes to November.
    spec = SPEC.given(quota_set((D(1),) * 9 + (D(0), D("0.01"), D("0.01"))))
    (made,) = spec.when(adjust(10, amount=D("0.01")))
    assert isinstance(made, QuotaAdjusted)
    assert made.months[9:] == (D(0), D("0.02"), D("0.01"))


def test_an_adjustment_of_months_left_at_zero_spreads_evenly() -> None:
    spec = SPEC.given(quota_set((D(100),) * 6 + (D(0),) * 6))
    (made,) = spec.when(adjust(7, amount=D(60)))
    assert isinstance(made, QuotaAdjusted)
    assert made.months == (D(100),) * 6 + (D(10),) * 6 and made.annual == D(660)


def test_a_percent_of_months_left_at_zero_stays_zero() -> None:
    spec = SPEC.given(quota_set((D(100),) * 6 + (D(0),) * 6))
    (made,) = spec.when(adjust(7, percent=D(50)))
    assert isinstance(made, QuotaAdjusted)
    assert made.months == (D(100),) * 6 + (D(0),) * 6 and made.annual == D(600)


def test_a_quota_may_fall_to_zero_but_not_below() -> None:
    (made,) = SET_SPEC.when(adjust(12, amount=D("-100000.00")))
    assert isinstance(made, QuotaAdjusted)
    assert made.months[11] == D(0) and made.annual == D("1100000.00")
    (whole,) = SET_SPEC.when(adjust(1, percent=D(-100)))
    assert isinstance(whole, QuotaAdjusted)
    assert whole.months == (D(0),) * 12 and whole.annual == D(0)
    SET_SPEC.refuses(adjust(12, amount=D("-100000.01")), field="amount")
    SET_SPEC.refuses(adjust(12, percent=D("-100.01")), field="percent")


def test_a_month_may_fall_below_one() -> None:
    (made,) = SPEC.given(quota_set((D("1.00"),) * 12)).when(adjust(12, amount=D("-0.50")))
    assert isinstance(made, QuotaAdjusted)
    assert made.months[11] == D("0.50") and made.annual == D("11.50")


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (adjust(1, percent=D(5), reason=""), "reason"),
        (adjust(1, percent=D(5), reason=" \t"), "reason"),
        (adjust(0, percent=D(5)), "from_month"),
        (adjust(13, percent=D(5)), "from_month"),
        (adjust(1, percent=D(5), amount=D(5)), "percent"),
        (adjust(1), "percent"),
        (adjust(1, amount=D(-2000000)), "amount"),
    ],
    ids=["no-reason", "blank-reason", "month-0", "month-13", "both", "neither", "below-zero"],
)
def test_bad_adjustments_are_refused(command: AdjustQuota, field: str) -> None:
    SET_SPEC.refuses(command, field=field)


def test_there_is_no_quota_to_adjust_before_it_is_set() -> None:
    error = SPEC.refuses(adjust(1, percent=D(5)), field=None, match=r"^There is no such quota\.$")
    assert isinstance(error, NotFound)


def test_an_unknown_command_or_event_is_a_programming_error() -> None:
    with pytest.raises(AssertionError):
        quota.decide(object(), None)
    with pytest.raises(AssertionError):
        quota.evolve(SPEC.given(SET_EVENT).state(), object())


def test_every_adjustment_is_recorded_and_counted() -> None:
    first = QuotaAdjusted(
        "q", 7, D(-10), None, "cooled", (K100,) * 6 + (D(90000),) * 6, D(1140000), T1
    )
    second = QuotaAdjusted("q", 1, None, D(120), "won a tender", (D(90010),) * 12, D(1080120), T1)
    assert SPEC.given(SET_EVENT, first).state() == Quota(
        "q", 2027, "branch", "SH01", "SH01", D(1140000), first.months, 1
    )
    assert SPEC.given(SET_EVENT, first, second).state() == Quota(
        "q", 2027, "branch", "SH01", "SH01", D(1080120), second.months, 2
    )


# --- laws --------------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("100000000"), places=2)
shares = st.lists(st.integers(0, 1000), min_size=12, max_size=12).filter(any)
CENT = D("0.01")


def quarters_and_year_add_up(state: Quota) -> None:
    months = state.months
    assert len(months) == 12 and sum(months) == state.annual
    for q in (1, 2, 3, 4):
        assert state.quarter(q) == months[3 * q - 3] + months[3 * q - 2] + months[3 * q - 1]
    assert sum(state.quarter(q) for q in (1, 2, 3, 4)) == state.annual
    running = D(0)
    for m in range(1, 13):
        assert state.month(m) == months[m - 1]
        running += months[m - 1]
        assert state.year_to_date(m) == running
    assert state.year_to_date(12) == state.annual


@settings(max_examples=100, deadline=None)
@given(annual=money)
def test_an_even_split_adds_up_to_the_cent_earliest_months_first(annual: Decimal) -> None:
    made = SPEC.when(SetQuota("q", 2027, "rep", "a", None, annual, None, T0))
    s = SPEC.given(*made).state()
    assert isinstance(s, Quota)
    assert s.annual == annual
    quarters_and_year_add_up(s)
    cents = int(annual / CENT)
    low, extra = divmod(cents, 12)
    assert s.months == (D(low + 1) * CENT,) * extra + (D(low) * CENT,) * (12 - extra)


@settings(max_examples=100, deadline=None)
@given(annual=money, weights=shares)
def test_a_split_by_last_year_stays_within_a_cent_of_each_share(
    annual: Decimal, weights: list[int]
) -> None:
    w = tuple(D(x) for x in weights)
    (made,) = SPEC.when(SetQuota("q", 2027, "rep", "a", None, annual, w, T0))
    assert isinstance(made, QuotaSet) and made.split == "last_year"
    s = SPEC.given(made).state()
    assert isinstance(s, Quota)
    assert s.annual == annual
    quarters_and_year_add_up(s)
    total = sum(weights)
    for month, weight in zip(s.months, weights, strict=True):
        exact = annual * weight / total
        assert month >= 0 and -CENT < month - exact <= CENT  # rounded down, maybe one cent more


@settings(max_examples=100, deadline=None)
@given(
    annual=money,
    weights=st.one_of(st.none(), shares),
    from_month=st.integers(1, 12),
    percent=st.decimals(min_value=-100, max_value=1000, places=2),
)
def test_a_percent_adjustment_is_recorded_and_changes_only_the_months_left(
    annual: Decimal, weights: list[int] | None, from_month: int, percent: Decimal
) -> None:
    w = None if weights is None else tuple(D(x) for x in weights)
    history = SPEC.when(SetQuota("q", 2027, "rep", "a", None, annual, w, T0))
    before = SPEC.given(*history).state()
    assert isinstance(before, Quota)
    (made,) = SPEC.given(*history).when(adjust(from_month, percent=percent, reason="+/-"))
    assert isinstance(made, QuotaAdjusted)
    assert (made.quota_id, made.from_month, made.percent, made.amount, made.reason, made.at) == (
        "q",
        from_month,
        percent,
        None,
        "+/-",
        T1,
    )
    kept = before.months[: from_month - 1]
    left = sum(before.months[from_month - 1 :])
    target = (left * (100 + percent) / 100).quantize(CENT, ROUND_HALF_UP)
    assert made.months[: from_month - 1] == kept
    assert sum(made.months[from_month - 1 :]) == target
    after = SPEC.given(*history, made).state()
    assert isinstance(after, Quota)
    assert after.annual == sum(kept) + target and after.adjustments == 1
    quarters_and_year_add_up(after)


@settings(max_examples=100, deadline=None)
@given(
    annual=money,
    steps=st.lists(
        st.tuples(
            st.integers(1, 12),
            st.one_of(
                st.decimals(min_value=-50, max_value=50, places=1).map(lambda p: (p, None)),
                st.decimals(min_value=-1000, max_value=1000000, places=2).map(lambda a: (None, a)),
            ),
        ),
        max_size=5,
    ),
)
def test_months_always_add_up_exactly_to_the_annual_target(
    annual: Decimal,
    steps: list[tuple[int, tuple[Decimal | None, Decimal | None]]],
) -> None:
    history = list(SPEC.when(SetQuota("q", 2027, "channel", "web", None, annual, None, T0)))
    recorded = 0
    for month, (percent, amount) in steps:
        state = SPEC.given(*history).state()
        assert isinstance(state, Quota)
        if amount is not None and sum(state.months[month - 1 :]) + amount < 0:
            SPEC.given(*history).refuses(adjust(month, percent, amount), field="amount")
            continue
        history += SPEC.given(*history).when(adjust(month, percent, amount))
        recorded += 1
    state = SPEC.given(*history).state()
    assert isinstance(state, Quota)
    assert all(m >= 0 for m in state.months) and state.adjustments == recorded
    quarters_and_year_add_up(state)
