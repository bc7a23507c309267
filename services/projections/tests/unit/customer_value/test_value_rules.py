"""Customer value rules of DOMAIN.md §5 at their edges: ties, customers who bought nothing,
precision, grade boundaries, lifecycle thresholds and the 80/20 share; each worked out by hand."""

from datetime import UTC, datetime, timedelta

import polars as pl
from crm_projections.read_models.customer_value.value import ValueSettings, score, stages, top_share

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def customers(**columns: list[object]) -> pl.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {
        "account_id": [f"c{i}" for i in range(n)],
        "revenue": [0.0] * n,
        "margin": [0.0] * n,
        "late_days": [0] * n,
        "instalments_due": [0] * n,
    }
    return pl.DataFrame(base | columns)


def graded(frame: pl.DataFrame, settings: ValueSettings | None = None) -> list[tuple[object, ...]]:
    found = score(frame, settings or ValueSettings())
    rows: list[tuple[object, ...]] = found.select("account_id", "score", "rank", "grade").rows()
    return rows


def test_equal_scores_rank_by_order_amount_then_account_id() -> None:
    # credit alone counts; everybody paid on time, so everybody scores 100
    frame = customers(
        account_id=["b", "a", "d", "c"],
        revenue=[10.0, 10.0, 30.0, 20.0],
        instalments_due=[1, 1, 1, 1],
    )
    assert graded(frame, ValueSettings(100, 0, 0, a_percent=25, b_percent=25)) == [
        ("d", 100.0, 1, "A"),
        ("c", 100.0, 2, "B"),
        ("a", 100.0, 3, "C"),
        ("b", 100.0, 4, "C"),
    ]


def test_a_population_that_bought_nothing_scores_only_its_credit() -> None:
    frame = customers(
        account_id=["x", "y", "z"],
        margin=[-5.0, 0.0, -1.0],
        late_days=[0, 4, 0],
        instalments_due=[1, 2, 0],
    )
    found = score(frame, ValueSettings()).select(
        "account_id", "credit_factor", "order_factor", "margin_factor", "score"
    )
    assert found.rows() == [
        ("x", 1.0, 0.0, 0.0, 10.0),
        ("y", 0.0, 0.0, 0.0, 0.0),
        ("z", 0.0, 0.0, 0.0, 0.0),
    ]


def test_scores_are_kept_to_two_decimals() -> None:
    # worst 3 days late: credit 1 - 1/3 = 0.6667 -> 6.67; order 1/3 x 30 = 10; margin 2/3 x 60 = 40
    frame = customers(
        account_id=["p", "q"],
        revenue=[100.0, 300.0],
        margin=[20.0, 30.0],
        late_days=[1, 3],
        instalments_due=[1, 1],
    )
    # of two customers, rank 1 is not within the top 20 %: B
    assert graded(frame) == [("q", 90.0, 1, "B"), ("p", 56.67, 2, "C")]


def test_credit_is_measured_against_the_worst_customer_with_instalments_due() -> None:
    # z has no instalment due: its late days do not set the scale, its credit is 0
    frame = customers(account_id=["x", "y", "z"], late_days=[5, 0, 50], instalments_due=[1, 1, 0])
    credit = score(frame, ValueSettings()).select("account_id", "credit_factor").rows()
    assert sorted(credit) == [("x", 0.0), ("y", 1.0), ("z", 0.0)]


def test_the_best_customer_sets_the_scale_of_order_and_margin() -> None:
    frame = customers(
        account_id=["x", "y"], revenue=[50.0, 200.0], margin=[30.0, 120.0], instalments_due=[0, 0]
    )
    factors = score(frame, ValueSettings()).select("account_id", "order_factor", "margin_factor")
    assert sorted(factors.rows()) == [("x", 0.25, 0.25), ("y", 1.0, 1.0)]


def test_grades_at_the_exact_boundaries_of_ten_customers() -> None:
    # ranks 1-2 are the top 20 % (A), 3-5 the next 30 % (B), 6-10 C
    frame = customers(revenue=[float(100 - i) for i in range(10)], instalments_due=[1] * 10)
    grades = [g for *_, g in graded(frame, ValueSettings(0, 100, 0))]
    assert grades == ["A", "A", "B", "B", "B", "C", "C", "C", "C", "C"]
    grades = [g for *_, g in graded(frame, ValueSettings(0, 100, 0, a_percent=10, b_percent=0))]
    assert grades == ["A"] + ["C"] * 9


def test_growth_potential_scores_only_customers_with_nothing_bought_and_nothing_due() -> None:
    frame = customers(
        account_id=["new", "unrated", "owes", "bought"],
        revenue=[0.0, 0.0, 0.0, 100.0],
        margin=[0.0, 0.0, 0.0, 10.0],
        instalments_due=[0, 0, 1, 0],
    ).with_columns(growth_potential=pl.Series([40, None, 80, 95], dtype=pl.Int64))
    assert graded(frame) == [
        ("bought", 90.0, 1, "B"),
        ("new", 40.0, 2, "B"),
        ("owes", 10.0, 3, "C"),
        ("unrated", 0.0, 4, "C"),
    ]


def test_other_columns_are_kept() -> None:
    frame = customers(revenue=[1.0]).with_columns(branch=pl.lit("SH01"))
    assert score(frame, ValueSettings())["branch"].to_list() == ["SH01"]


def life(**columns: list[object]) -> list[tuple[object, ...]]:
    n = len(next(iter(columns.values())))
    base: dict[str, list[object]] = {
        "account_id": [f"c{i}" for i in range(n)],
        "revenue": [0.0] * n,
        "margin": [0.0] * n,
        "recent_revenue": [0.0] * n,
        "earlier_revenue": [0.0] * n,
        "first_signed_at": [None] * n,
        "overdue_now": [0.0] * n,
        "open_opportunities": [0] * n,
        "lost_opportunities": [0] * n,
        "interactions": [0] * n,
    }
    frame = pl.DataFrame(base | columns)
    rows: list[tuple[object, ...]] = stages(frame, NOW).select("lifecycle", "relationship").rows()
    return rows


def test_lifecycle_thresholds() -> None:
    long_ago = NOW - timedelta(days=400)
    assert life(
        revenue=[100.0, 100.0, 100.0, 100.0, 21.0, 21.0],
        margin=[50.0, 1.01, 50.0, 50.0, 10.0, 10.0],
        overdue_now=[0.5, 0, 0, 0, 0, 0],
        first_signed_at=[
            long_ago,
            long_ago,
            NOW - timedelta(days=90),  # exactly 90 days ago: still new
            NOW - timedelta(days=90, hours=1),
            long_ago,
            long_ago,
        ],
        recent_revenue=[0.0, 0.0, 0.0, 0.0, 11.0, 9.0],  # exactly +10 % and -10 %: stable
        earlier_revenue=[0.0, 0.0, 0.0, 0.0, 10.0, 10.0],
    ) == [
        ("problem", "relationship"),
        ("stable", "relationship"),
        ("new", "relationship"),
        ("stable", "relationship"),
        ("stable", "relationship"),
        ("stable", "relationship"),
    ]


def test_relationship_of_customers_without_revenue() -> None:
    assert life(
        lost_opportunities=[1, 1, 0, 0],
        open_opportunities=[0, 1, 0, 0],
        interactions=[0, 0, 1, 0],
    ) == [(None, "lost"), (None, "responsive"), (None, "responsive"), (None, "potential")]


def test_the_top_share_counts_the_best_fifth_of_customers() -> None:
    # 24 customers paying 1..24: the top 20 % are 4 customers, 24+23+22+21 = 90 of 300
    frame = pl.DataFrame({"revenue": [float(r) for r in range(1, 25)]})
    assert top_share(frame) == 0.3
    # a tenth of them: 2 customers, 47 of 300
    assert top_share(frame, 10) == 0.1567


def test_the_top_share_is_at_least_one_customer_and_kept_to_four_decimals() -> None:
    assert top_share(pl.DataFrame({"revenue": [100.0, 100.0, 100.0]})) == 0.3333


def test_refunds_do_not_count_as_negative_revenue() -> None:
    frame = pl.DataFrame({"revenue": [-50.0, 100.0, 0.0, 0.0, 0.0]})
    assert top_share(frame) == 1.0
    assert top_share(pl.DataFrame({"revenue": [-50.0, 0.0]})) is None


def test_factors_below_one_are_still_shares_of_the_best() -> None:
    # the best margin is 0.4: 0.2 is half of it; one day late is the worst, so it scores 0
    frame = customers(
        account_id=["x", "y"],
        revenue=[0.5, 0.25],
        margin=[0.4, 0.2],
        late_days=[1, 0],
        instalments_due=[1, 1],
    )
    factors = score(frame, ValueSettings()).select(
        "account_id", "credit_factor", "order_factor", "margin_factor"
    )
    assert sorted(factors.rows()) == [("x", 0.0, 1.0, 1.0), ("y", 1.0, 0.5, 0.5)]


def test_ranks_are_plain_integers() -> None:
    assert score(customers(revenue=[1.0]), ValueSettings()).schema["rank"] == pl.Int64


def test_any_revenue_at_all_is_a_buying_relationship() -> None:
    assert life(revenue=[0.5], margin=[0.4]) == [("stable", "relationship")]


def test_the_top_share_of_ten_customers_is_two() -> None:
    frame = pl.DataFrame({"revenue": [50.0, 30.0] + [2.5] * 8})
    assert top_share(frame) == 0.8
