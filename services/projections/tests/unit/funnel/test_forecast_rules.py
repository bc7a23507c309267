"""The funnel and forecast rules of DOMAIN.md §2, each against a case worked out by hand.

Durations are written in plain days: an average month is 30.436875 days (365.2425 / 12), so
45.6 days is 1.498 months (one month ahead) and 45.7 days is 1.501 months (two)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crm_projections.read_models.funnel.forecast import (
    OpenDeal,
    Pipeline,
    StageStats,
    Stay,
    forecast,
    stage_stats,
    weighted_pipeline,
)
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
T0 = datetime(2025, 1, 1, tzinfo=UTC)
THREE = Pipeline(
    stages=("first", "second", "won"),
    probabilities={"first": Decimal("0.3"), "second": Decimal("0.6"), "won": Decimal("1")},
    fallback_days={"first": 12.5},
    min_sample=10,
)
WON = StageStats("won", Decimal(1), True, 0.0, True, 0)


def stats(
    first_days: float, second_days: float, r1: str = "0.5", r2: str = "0.6"
) -> list[StageStats]:
    return [
        StageStats("first", Decimal(r1), True, first_days, True, 10),
        StageStats("second", Decimal(r2), True, second_days, True, 10),
        WON,
    ]


def deal(stage: str, amount: str, entered: datetime = NOW, oid: str = "o") -> OpenDeal:
    return OpenDeal(oid, stage, Decimal(amount), entered)


def stay(stage: str, nxt: str | None, days: float = 10, lost: bool = False, oid: str = "o") -> Stay:
    return Stay(oid, stage, T0, T0 + timedelta(days=days), nxt, lost)


def of(stage: str, history: list[Stay], pipeline: Pipeline = THREE) -> StageStats:
    (found,) = [s for s in stage_stats(pipeline, history) if s.stage == stage]
    return found


# --- conversion rates ---------------------------------------------------------------------


def test_exactly_min_sample_decided_stays_are_measured() -> None:
    history = [stay("first", "second")] * 7 + [stay("first", None, lost=True)] * 3
    assert of("first", history) == StageStats("first", Decimal("0.7"), True, 10.0, True, 10)


def test_one_decided_stay_fewer_falls_back_to_the_probabilities() -> None:
    history = [stay("first", "second")] * 6 + [stay("first", None, lost=True)] * 3
    # 0.3 / 0.6 = 0.5; the configured 12.5 days for `first`
    assert of("first", history) == StageStats("first", Decimal("0.5"), False, 12.5, False, 9)


def test_a_stage_without_a_configured_duration_falls_back_to_30_days() -> None:
    assert of("second", []) == StageStats("second", Decimal("0.6"), False, 30.0, False, 0)


def test_a_stage_where_every_deal_was_lost_converts_nothing() -> None:
    history = [stay("second", None, lost=True)] * 10
    found = of("second", history)
    assert (found.conversion, found.conversion_measured, found.decided) == (Decimal(0), True, 10)


def test_a_deal_moved_back_a_stage_is_not_converted() -> None:
    history = [stay("second", "won")] * 6 + [stay("second", "first")] * 4
    assert of("second", history).conversion == Decimal("0.6")


def test_moving_to_a_stage_outside_the_pipeline_is_not_converting() -> None:
    history = [stay("first", "second")] * 5 + [stay("first", "archived")] * 5
    assert of("first", history).conversion == Decimal("0.5")


def test_skipping_a_stage_is_reaching_the_next() -> None:
    history = [stay("first", "won")] * 4 + [stay("first", "second")] * 4
    history += [stay("first", None, lost=True)] * 2
    assert of("first", history).conversion == Decimal("0.8")


def test_open_and_suspended_stays_are_undecided_and_lost_ones_are_decided() -> None:
    still_open = Stay("o", "first", T0, None, None)
    suspended = stay("first", None, lost=False)
    history = [still_open, suspended] * 20 + [stay("first", None, lost=True)] * 10
    found = of("first", history)
    assert (found.decided, found.conversion, found.conversion_measured) == (10, Decimal(0), True)
    assert found.avg_days == 10.0


def test_stays_in_won_and_in_unknown_stages_are_not_counted() -> None:
    history = [stay("won", None, lost=True)] * 12 + [stay("elsewhere", "first")] * 12
    assert stage_stats(THREE, history) == [
        StageStats("first", Decimal("0.5"), False, 12.5, False, 0),
        StageStats("second", Decimal("0.6"), False, 30.0, False, 0),
        WON,
    ]


def test_stays_not_counted_do_not_stop_the_count_of_the_others() -> None:
    skipped = [stay("won", None, lost=True), stay("elsewhere", "first")]
    undecided = [Stay("o", "first", T0, None, None), stay("first", None, lost=False)]
    history = skipped + undecided + [stay("first", "second")] * 10
    assert of("first", history) == StageStats("first", Decimal(1), True, 10.0, True, 10)


def test_the_stage_before_a_zero_probability_stage_falls_back_to_zero() -> None:
    dead = Pipeline(
        ("first", "second", "won"),
        {"first": Decimal("0.2"), "second": Decimal(0), "won": Decimal(1)},
    )
    assert of("first", [], dead).conversion == Decimal(0)
    assert of("second", [], dead).conversion == Decimal(0)


def test_rates_are_counted_per_stage() -> None:
    history = [stay("first", "second")] * 10 + [stay("second", None, lost=True)] * 10
    assert [(s.stage, s.conversion, s.decided) for s in stage_stats(THREE, history)] == [
        ("first", Decimal(1), 10),
        ("second", Decimal(0), 10),
        ("won", Decimal(1), 0),
    ]


# --- stage durations ----------------------------------------------------------------------


def test_the_average_stay_is_measured_in_days_over_ended_stays() -> None:
    # 5 x 6 days and 5 x 36 hours (1.5 days): an average of 3.75 days
    history = [stay("first", "second", days=6)] * 5 + [stay("first", None, 1.5, lost=True)] * 5
    found = of("first", history)
    assert (found.avg_days, found.days_measured) == (3.75, True)


def test_the_average_stay_needs_min_sample_stays() -> None:
    history = [stay("second", "won", days=6)] * 9
    found = of("second", history)
    assert (found.avg_days, found.days_measured) == (30.0, False)


# --- the forecast -------------------------------------------------------------------------


def test_the_domain_example_in_plain_days() -> None:
    # one average month per stage (30.436875 days), 50 % -> 60 % -> won: 100 gives 30 in 2 months
    found = forecast(THREE, stats(30.436875, 30.436875), [deal("first", "100")], NOW)
    assert found == {date(2027, 1, 1): Decimal("30.00")}


def test_the_forecast_reaches_into_the_next_years() -> None:
    # 426.2 days = 14.003 months from November 2026: January 2028
    found = forecast(THREE, stats(200, 226.2, "1", "1"), [deal("first", "10")], NOW)
    assert found == {date(2028, 1, 1): Decimal("10.00")}
    december = datetime(2026, 12, 5, tzinfo=UTC)
    found = forecast(THREE, stats(0, 30.5, "1", "1"), [deal("second", "7", december)], december)
    assert found == {date(2027, 1, 1): Decimal("7.00")}
    found = forecast(THREE, stats(0, 10, "1", "1"), [deal("second", "7", december)], december)
    assert found == {date(2026, 12, 1): Decimal("7.00")}


def test_months_are_average_months_rounded_half_up() -> None:
    one = forecast(THREE, stats(0, 45.6, "1", "1"), [deal("second", "1")], NOW)
    two = forecast(THREE, stats(0, 45.7, "1", "1"), [deal("second", "1")], NOW)
    assert list(one) == [date(2026, 12, 1)] and list(two) == [date(2027, 1, 1)]
    # exactly half a month (15.2184375 days) and four and a half (136.9659375) round up
    half = forecast(THREE, stats(0, 15.2184375, "1", "1"), [deal("second", "1")], NOW)
    four_and_half = forecast(THREE, stats(0, 136.9659375, "1", "1"), [deal("second", "1")], NOW)
    assert list(half) == [date(2026, 12, 1)] and list(four_and_half) == [date(2027, 4, 1)]


def test_time_already_spent_in_the_stage_is_taken_off() -> None:
    # 40 + 40 days ahead, 20 already spent in `first`: 60 days = 1.97 months
    entered = NOW - timedelta(days=20)
    found = forecast(THREE, stats(40, 40), [deal("first", "200", entered)], NOW)
    assert found == {date(2027, 1, 1): Decimal("60.00")}


def test_a_deal_longer_in_its_stage_than_expected_is_due_this_month() -> None:
    entered = NOW - timedelta(days=400)
    found = forecast(THREE, stats(40, 40), [deal("first", "200", entered)], NOW)
    assert found == {date(2026, 11, 1): Decimal("60.00")}


def test_a_stage_entered_after_now_takes_nothing_off() -> None:
    # 40 days ahead (1.31 months: next month); the 10 days in the future are not added
    entered = NOW + timedelta(days=10)
    found = forecast(THREE, stats(0, 40, "1", "1"), [deal("second", "5", entered)], NOW)
    assert found == {date(2026, 12, 1): Decimal("5.00")}


def test_won_and_unknown_stages_are_not_forecast() -> None:
    deals = [deal("won", "100"), deal("lost-stage", "100")]
    assert forecast(THREE, stats(10, 10), deals, NOW) == {}


def test_deals_not_forecast_do_not_stop_the_others() -> None:
    deals = [deal("won", "100"), deal("lost-stage", "100"), deal("second", "10")]
    assert forecast(THREE, stats(10, 10), deals, NOW) == {date(2026, 11, 1): Decimal("6.00")}


def test_time_in_a_stage_is_counted_in_days_of_86400_seconds() -> None:
    # 415.2164375 days ahead, 400 spent: 15.2164375 days = 0.49993 months, this month
    entered = NOW - timedelta(days=400)
    found = forecast(THREE, stats(0, 415.2164375, "1", "1"), [deal("second", "1", entered)], NOW)
    assert list(found) == [date(2026, 11, 1)]


def test_deals_of_one_month_add_up_and_months_come_in_order() -> None:
    deals = [
        deal("second", "10", oid="a"),  # 0.6 x 10 = 6 after 61 days: January
        deal("first", "100", oid="b"),  # 0.5 x 0.6 x 100 = 30 after 61 + 61 days: March
        deal("second", "20", oid="c"),  # 12, January
    ]
    found = forecast(THREE, stats(61, 61), deals, NOW)
    assert list(found.items()) == [
        (date(2027, 1, 1), Decimal("18.00")),
        (date(2027, 3, 1), Decimal("30.00")),
    ]


def test_amounts_are_rounded_half_up_to_cents() -> None:
    found = forecast(THREE, stats(0, 0, "1", "0.5"), [deal("second", "0.25")], NOW)
    assert found == {date(2026, 11, 1): Decimal("0.13")}


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["first", "second", "won"]),
            st.integers(min_value=0, max_value=100_000),
            st.integers(min_value=-30, max_value=400),
        ),
        max_size=12,
    ),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=10),
    st.floats(min_value=0, max_value=400),
    st.floats(min_value=0, max_value=400),
)
def test_the_forecast_conserves_the_weighted_amount(
    deals: list[tuple[str, int, int]], r1: int, r2: int, d1: float, d2: float
) -> None:
    """Whatever the months, the forecast adds up to amount x the product of the rates ahead
    (whole amounts and rates in tenths: every product is exact to the cent)."""
    rate1, rate2 = Decimal(r1) / 10, Decimal(r2) / 10
    open_deals = [
        deal(stage, str(amount), NOW - timedelta(days=spent), oid=str(i))
        for i, (stage, amount, spent) in enumerate(deals)
    ]
    found = forecast(THREE, stats(d1, d2, str(rate1), str(rate2)), open_deals, NOW)
    ahead = {"first": rate1 * rate2, "second": rate2, "won": Decimal(0)}
    assert sum(found.values(), Decimal(0)) == sum(
        (Decimal(amount) * ahead[stage] for stage, amount, _ in deals), Decimal(0)
    )
    # every month is a first of a month, from this month on, no later than the whole path ahead
    last = NOW + timedelta(days=d1 + d2 + 31)
    assert all(m.day == 1 and date(2026, 11, 1) <= m <= last.date() for m in found)
    assert list(found) == sorted(found)


# --- the weighted pipeline ----------------------------------------------------------------


def test_the_weighted_pipeline_is_amount_times_stage_probability() -> None:
    deals = [deal("first", "100"), deal("second", "10.5"), deal("won", "1000")]
    # 30 + 6.3 + 1000
    assert weighted_pipeline(THREE, deals) == Decimal("1036.30")


def test_a_stage_outside_the_pipeline_weighs_nothing() -> None:
    assert weighted_pipeline(THREE, [deal("gone", "100"), deal("first", "1")]) == Decimal("0.30")
    assert weighted_pipeline(THREE, []) == Decimal("0.00")


def test_the_weighted_pipeline_is_rounded_half_up_to_cents() -> None:
    # 0.3 x 0.15 = 0.045 -> 0.05 (half to even would give 0.04)
    assert weighted_pipeline(THREE, [deal("first", "0.15")]) == Decimal("0.05")
