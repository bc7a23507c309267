"""Funnel statistics and the forecast against hand-computed expectations."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from crm_projections.read_models.funnel.forecast import (
    OpenDeal,
    Pipeline,
    Stay,
    forecast,
    stage_stats,
    weighted_pipeline,
)

NOW = datetime(2027, 1, 10, 12, tzinfo=UTC)
DAYS_PER_MONTH = 30.436875  # an average month (365.2425 / 12), written out: not the code's constant
MONTH = timedelta(days=DAYS_PER_MONTH)
THREE = Pipeline(
    stages=("first", "second", "won"),
    probabilities={"first": Decimal("0.3"), "second": Decimal("0.6"), "won": Decimal("1")},
    min_sample=10,
)


def stays(stage: str, nxt: str, moved: int, lost: int, days: float) -> list[Stay]:
    t0 = NOW - timedelta(days=400)
    return [
        Stay(
            f"{stage}-{i}",
            stage,
            t0,
            t0 + timedelta(days=days),
            nxt if i < moved else None,
            i >= moved,
        )
        for i in range(moved + lost)
    ]


def test_the_domain_example_contributes_30_two_months_from_now() -> None:
    # durations of one month each, conversion 50 % -> 60 % -> won
    history = stays("first", "second", 10, 10, DAYS_PER_MONTH) + stays(
        "second", "won", 12, 8, DAYS_PER_MONTH
    )
    stats = stage_stats(THREE, history)
    assert [(s.stage, s.conversion) for s in stats] == [
        ("first", Decimal("0.5")),
        ("second", Decimal("0.6")),
        ("won", Decimal(1)),
    ]
    deal = OpenDeal("o1", "first", Decimal(100), NOW)
    assert forecast(THREE, stats, [deal], NOW) == {date(2027, 3, 1): Decimal("30.00")}


def test_time_already_spent_in_the_stage_brings_the_month_closer() -> None:
    history = stays("first", "second", 10, 10, DAYS_PER_MONTH) + stays(
        "second", "won", 12, 8, DAYS_PER_MONTH
    )
    stats = stage_stats(THREE, history)
    late = OpenDeal("o2", "first", Decimal(100), NOW - 1.2 * MONTH)
    assert forecast(THREE, stats, [late], NOW) == {date(2027, 2, 1): Decimal("30.00")}
    overdue = OpenDeal("o3", "second", Decimal(50), NOW - 5 * MONTH)
    assert forecast(THREE, stats, [overdue], NOW) == {date(2027, 1, 1): Decimal("30.00")}


def test_thin_history_falls_back_to_probabilities_and_configured_durations() -> None:
    stats = stage_stats(THREE, stays("first", "second", 3, 2, 10))
    first = stats[0]
    assert not first.conversion_measured and first.conversion == Decimal("0.5")  # 0.3 / 0.6
    assert not first.days_measured and first.avg_days == 30.0
    # the fallback rates multiply to the stage's win probability
    deal = OpenDeal("o", "first", Decimal(1000), NOW)
    (amount,) = forecast(THREE, stats, [deal], NOW).values()
    assert amount == Decimal("300.00")


def test_undecided_stays_do_not_count() -> None:
    t0 = NOW - timedelta(days=100)
    open_stays = [Stay(f"o{i}", "first", t0, None, None) for i in range(50)]
    suspended = [Stay(f"s{i}", "first", t0, t0 + MONTH, None, lost=False) for i in range(50)]
    stats = stage_stats(THREE, open_stays + suspended)
    assert stats[0].decided == 0 and not stats[0].conversion_measured


def test_skipping_a_stage_counts_as_reaching_the_next() -> None:
    history = stays("first", "won", 10, 0, 5)
    assert stage_stats(THREE, history)[0].conversion == Decimal(1)


def test_weighted_pipeline() -> None:
    deals = [
        OpenDeal("a", "first", Decimal(100), NOW),
        OpenDeal("b", "second", Decimal("10.5"), NOW),
    ]
    assert weighted_pipeline(THREE, deals) == Decimal("36.30")
