"""Customer value score, ABC grades, lifecycle and the 80/20 share, against a worked example."""

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from crm_projections.read_models.customer_value.value import ValueSettings, score, stages, top_share

NOW = datetime(2026, 11, 1, tzinfo=UTC)

# revenue and margin over 12 months; late days and instalments due in the window
CUSTOMERS = pl.DataFrame(
    {
        "account_id": ["a1", "a2", "a3", "a4", "a5"],
        "revenue": [1000.0, 500.0, 2000.0, 0.0, 100.0],
        "margin": [400.0, 300.0, 100.0, 0.0, -50.0],
        "late_days": [0, 10, 20, 0, 0],
        "instalments_due": [2, 1, 3, 0, 1],
    }
)


def test_the_worked_example() -> None:
    """Best revenue 2,000, best margin 400, most days late 20. Score = 10 credit + 30 order +
    60 margin:
    a1: credit 1, order .5, margin 1 -> 85;   a2: .5, .25, .75 -> 57.5;   a3: 0, 1, .25 -> 45;
    a5: 1, .05, 0 (a loss counts 0) -> 11.5;   a4: no history, nothing bought -> 0.
    Five customers: rank 1 is within the top 20 % (A), rank 2 within the next 30 % (B)."""
    graded = score(CUSTOMERS, ValueSettings())
    assert graded.select("account_id", "score", "rank", "grade").rows() == [
        ("a1", 85.0, 1, "A"),
        ("a2", 57.5, 2, "B"),
        ("a3", 45.0, 3, "C"),
        ("a5", 11.5, 4, "C"),
        ("a4", 0.0, 5, "C"),
    ]
    factors = graded.filter(pl.col("account_id") == "a2").row(0, named=True)
    assert (factors["credit_factor"], factors["order_factor"], factors["margin_factor"]) == (
        0.5,
        0.25,
        0.75,
    )


def test_weights_and_ratios_are_configurable() -> None:
    by_order = score(CUSTOMERS, ValueSettings(0, 100, 0, a_percent=40, b_percent=40))
    assert by_order.select("account_id", "grade").rows() == [
        ("a3", "A"),
        ("a1", "A"),
        ("a2", "B"),
        ("a5", "B"),
        ("a4", "C"),
    ]


def test_nobody_late_is_full_credit_for_those_with_instalments_due() -> None:
    on_time = CUSTOMERS.with_columns(late_days=pl.lit(0))
    credit = dict(score(on_time, ValueSettings()).select("account_id", "credit_factor").rows())
    assert credit == {"a1": 1.0, "a2": 1.0, "a3": 1.0, "a4": 0.0, "a5": 1.0}


def test_the_top_20_percent_share_of_revenue() -> None:
    assert top_share(CUSTOMERS) == pytest.approx(2000 / 3600, abs=1e-4)
    assert top_share(CUSTOMERS.with_columns(revenue=pl.lit(0.0))) is None


def test_lifecycle_and_relationship() -> None:
    recent, long_ago = NOW - timedelta(days=30), NOW - timedelta(days=700)
    frame = pl.DataFrame(
        {
            "account_id": [
                "overdue",
                "thin",
                "new",
                "growing",
                "declining",
                "stable",
                "lost",
                "responsive",
                "potential",
            ],
            "revenue": [100.0, 100.0, 100.0, 300.0, 300.0, 300.0, 0.0, 0.0, 0.0],
            "margin": [30.0, 1.0, 30.0, 90.0, 90.0, 90.0, 0.0, 0.0, 0.0],
            "recent_revenue": [50.0, 50.0, 100.0, 200.0, 100.0, 150.0, 0.0, 0.0, 0.0],
            "earlier_revenue": [50.0, 50.0, 0.0, 100.0, 200.0, 150.0, 0.0, 0.0, 0.0],
            "first_signed_at": [
                long_ago,
                long_ago,
                recent,
                long_ago,
                long_ago,
                long_ago,
                long_ago,
                None,
                None,
            ],
            "overdue_now": [10.0, 0, 0, 0, 0, 0, 0, 0, 0],
            "open_opportunities": [0, 0, 0, 0, 0, 0, 0, 1, 0],
            "lost_opportunities": [0, 0, 0, 0, 0, 0, 0, 0, 0],
            "interactions": [0] * 9,
        }
    )
    got = stages(frame, NOW).select("account_id", "lifecycle", "relationship").rows()
    assert got == [
        ("overdue", "problem", "relationship"),
        ("thin", "no_value", "relationship"),
        ("new", "new", "relationship"),
        ("growing", "growing", "relationship"),
        ("declining", "declining", "relationship"),
        ("stable", "stable", "relationship"),
        ("lost", None, "lost"),
        ("responsive", None, "responsive"),
        ("potential", None, "potential"),
    ]


def test_a_customer_without_history_is_scored_by_its_growth_potential() -> None:
    """a4 has bought nothing and owes nothing: its manager's estimate of 90 is its score and
    ranks it first; a5 has history, so its estimate is ignored (it keeps 11.5)."""
    estimated = CUSTOMERS.with_columns(
        growth_potential=pl.Series([None, None, None, 90, 95], dtype=pl.Int64)
    )
    graded = score(estimated, ValueSettings())
    assert graded.select("account_id", "score", "grade").rows()[:2] == [
        ("a4", 90.0, "A"),
        ("a1", 85.0, "B"),
    ]
    assert graded.filter(pl.col("account_id") == "a5")["score"].item() == 11.5
